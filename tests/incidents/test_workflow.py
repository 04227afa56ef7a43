"""The CERT's handling (triage, assignment, status, tasks, links, intermediate reports), recording
reporting duties, and lessons learned from agreement to publication and search."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import OrganisationFactory, member, sector
from tests.incidents.conftest import report
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import NotPermitted
from weerbaar.incidents import selectors, services
from weerbaar.incidents.choices import ClockKind
from weerbaar.incidents.models import ClockRecord, IncidentLink, IncidentTask, Lesson, Notice

pytestmark = pytest.mark.django_db


def close(desk, incident, summary="Accounts hersteld en MFA verplicht gesteld."):
    services.triage(actor=desk.analyst.user, incident=incident, severity="medium", category="fraud")
    services.change_status(actor=desk.analyst.user, incident=incident, status="in_progress")
    services.change_status(actor=desk.analyst.user, incident=incident, status="resolved")
    return services.change_status(
        actor=desk.analyst.user, incident=incident, status="closed", resolution_summary=summary
    )


def test_triage_is_the_cert_s_first_response(desk):
    incident = report(desk.officer_a)

    services.triage(actor=desk.analyst.user, incident=incident, severity="critical", category="malicious-code")

    incident.refresh_from_db()
    response = {c.kind: c for c in selectors.clocks_of(incident)}[ClockKind.CERT_RESPONSE]
    assert incident.status == "triaged"
    assert response.met_at == incident.triaged_at
    assert response.state(timezone.now()) == "met"


def test_status_moves_only_along_the_workflow_and_closing_needs_a_summary(desk):
    incident = report(desk.officer_a)

    with pytest.raises(ValidationError) as caught:
        services.change_status(actor=desk.analyst.user, incident=incident, status="closed")
    assert "status" in caught.value.message_dict
    services.triage(actor=desk.analyst.user, incident=incident, severity="low", category="fraud")
    services.change_status(actor=desk.analyst.user, incident=incident, status="resolved")
    with pytest.raises(ValidationError) as caught:
        services.change_status(actor=desk.analyst.user, incident=incident, status="closed", resolution_summary="  ")
    assert "resolution_summary" in caught.value.message_dict
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.resolved_at is not None
    assert not incident.ongoing

    services.change_status(actor=desk.analyst.user, incident=incident, status="in_progress")  # reopened
    incident.refresh_from_db()
    assert (incident.status, incident.resolved_at, incident.ongoing) == ("in_progress", None, True)

    services.change_status(actor=desk.analyst.user, incident=incident, status="resolved")
    services.change_status(actor=desk.analyst.user, incident=incident, status="closed", resolution_summary="Klaar.")
    with pytest.raises(ValidationError):
        services.change_status(actor=desk.analyst.user, incident=incident, status="in_progress")


def test_assignment_only_to_an_analyst_of_the_cert_who_may_read_it(desk):
    incident = report(desk.officer_a)
    red = report(desk.officer_a, tlp="red", named_people=[desk.analyst.user])

    services.assign(actor=desk.analyst.user, incident=incident, analyst=desk.analyst_2.user)
    with pytest.raises(ValidationError):
        services.assign(actor=desk.analyst.user, incident=incident, analyst=desk.surf_analyst.user)
    with pytest.raises(ValidationError):
        services.assign(actor=desk.analyst.user, incident=red, analyst=desk.analyst_2.user)

    incident.refresh_from_db()
    red.refresh_from_db()
    assert incident.assigned_to == desk.analyst_2.user
    assert red.assigned_to is None


def test_tasks_are_the_cert_s_unless_shared(desk):
    incident = report(desk.officer_a)
    internal = services.add_task(
        actor=desk.analyst.user,
        incident=incident,
        title="Logboeken analyseren",
        assignee=desk.analyst_2.user,
    )
    shared = services.add_task(
        actor=desk.analyst.user,
        incident=incident,
        title="Wachtwoorden resetten",
        assignee=desk.officer_a.user,
        shared=True,
        due_on=timezone.localdate(),
    )

    assert set(selectors.tasks_of(desk.analyst.user, incident)) == {internal, shared}
    assert list(selectors.tasks_of(desk.officer_a.user, incident)) == [shared]
    services.complete_task(actor=desk.officer_a.user, task=shared)
    with pytest.raises(NotPermitted):
        services.complete_task(actor=desk.officer_a.user, task=internal)
    assert IncidentTask.objects.get(pk=shared.pk).done_at is not None
    assert IncidentTask.objects.get(pk=internal.pk).done_at is None


def test_links_between_incidents_are_for_the_cert_only(desk):
    first = report(desk.officer_a)
    second = report(desk.officer_b)
    university = report(desk.university_officer)

    services.link_incidents(actor=desk.analyst.user, incident=first, related=second, note="Zelfde phishingmail")

    assert selectors.links_of(desk.analyst.user, first) == [second]
    assert selectors.links_of(desk.analyst.user, second) == [first]
    assert not IncidentLink.objects.visible_to(desk.officer_a.user, Action.INCIDENT_VIEW).exists()
    with pytest.raises(ValidationError):
        services.link_incidents(actor=desk.analyst.user, incident=second, related=first)
    with pytest.raises(NotPermitted):  # another CERT's incident
        services.link_incidents(actor=desk.analyst.user, incident=first, related=university)
    assert IncidentLink.objects.count() == 1


def test_an_intermediate_report_request_reaches_the_institution(desk, django_capture_on_commit_callbacks):
    incident = report(desk.officer_a)

    with django_capture_on_commit_callbacks(execute=True):
        services.request_intermediate_report(
            actor=desk.analyst.user,
            incident=incident,
            message="Hoe staat het met het herstel van de back-ups?",
        )

    incident.refresh_from_db()
    assert incident.intermediate_requested_at is not None
    assert {n.user for n in Notice.objects.filter(incident=incident)} == {
        desk.officer_a.user,
        desk.dpo_a.user,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([desk.officer_a.user.email, desk.dpo_a.user.email])
    assert any(e.kind == "request" for e in selectors.timeline_of(desk.officer_a.user, incident))


def test_a_duty_is_recorded_once_with_a_reason_when_late(desk):
    incident = report(
        desk.officer_a,
        aware_at=timezone.now() - timedelta(hours=80),
        detected_at=timezone.now() - timedelta(hours=81),
        personal_data_involved=True,
        personal_data_categories=["contact"],
        personal_data_risk="risk",
        data_encrypted="no",
    )

    with pytest.raises(ValidationError) as caught:
        services.record_duty_met(
            actor=desk.dpo_a.user,
            incident=incident,
            kind="ap_notification",
            met_at=timezone.now() - timedelta(hours=1),
            channel="ap_form",
        )
    assert "late_reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.record_duty_met(
            actor=desk.dpo_a.user,
            incident=incident,
            kind="nis2_early_warning",
            met_at=timezone.now(),
            channel="ncsc_portal",
        )
    assert "kind" in caught.value.message_dict  # NIS2 does not apply to this board
    with pytest.raises(ValidationError) as caught:
        services.record_duty_met(
            actor=desk.dpo_a.user,
            incident=incident,
            kind="ap_notification",
            met_at=timezone.now() + timedelta(hours=2),
            channel="ap_form",
            late_reason="x",
        )
    assert "met_at" in caught.value.message_dict
    assert not ClockRecord.objects.exists()

    services.record_duty_met(
        actor=desk.dpo_a.user,
        incident=incident,
        kind="ap_notification",
        met_at=timezone.now() - timedelta(hours=1),
        channel="ap_form",
        reference="AP-123",
        late_reason="Omvang pas na forensisch onderzoek bekend.",
    )
    with pytest.raises(ValidationError):
        services.record_duty_met(
            actor=desk.dpo_a.user,
            incident=incident,
            kind="ap_notification",
            met_at=timezone.now(),
            channel="ap_form",
            late_reason="x",
        )
    clock = {c.kind: c for c in selectors.clocks_of(incident)}[ClockKind.AP_NOTIFICATION]
    assert clock.state(timezone.now()) == "met_late"
    assert ClockRecord.objects.get().reference == "AP-123"


def test_a_lesson_is_anonymous_agreed_by_both_sides_and_then_published(desk):
    incident = report(desk.officer_a)
    close(desk, incident)

    with pytest.raises(ValidationError) as caught:
        services.save_lesson(
            actor=desk.officer_a.user,
            incident=incident,
            title="Wat Stichting Alfa leerde",
            summary="x",
            recommendations="y",
        )
    assert "title" in caught.value.message_dict
    lesson = services.save_lesson(
        actor=desk.officer_a.user,
        incident=incident,
        title="Phishing via een nagemaakte inlogpagina",
        summary="Drie medewerkers vulden hun wachtwoord in op een valse pagina.",
        recommendations="Zet MFA aan voor iedereen en oefen met phishingmails.",
    )
    services.agree_lesson(actor=desk.officer_a.user, incident=incident)
    # A change by the CERT asks both sides again.
    services.save_lesson(
        actor=desk.analyst.user,
        incident=incident,
        title=lesson.title,
        summary=lesson.summary,
        recommendations=lesson.recommendations + " Blokkeer inloggen vanuit het buitenland.",
    )
    lesson.refresh_from_db()
    assert lesson.institution_agreed_at is None
    services.agree_lesson(actor=desk.analyst.user, incident=incident)
    lesson.refresh_from_db()
    assert lesson.status == "draft"
    services.agree_lesson(actor=desk.officer_a.user, incident=incident)

    lesson.refresh_from_db()
    assert lesson.status == "published"
    assert lesson.tlp == "green"
    assert (lesson.sector_code, lesson.category) == ("PO", "fraud")
    with pytest.raises(ValidationError):
        services.save_lesson(
            actor=desk.analyst.user,
            incident=incident,
            title="Anders",
            summary="s",
            recommendations="r",
        )


def test_a_lesson_is_written_only_after_closing(desk):
    incident = report(desk.officer_a)

    with pytest.raises(ValidationError):
        services.save_lesson(
            actor=desk.officer_a.user,
            incident=incident,
            title="Te vroeg",
            summary="s",
            recommendations="r",
        )
    assert not Lesson.objects.exists()


def publish(desk, incident, **fields):
    close(desk, incident)
    values = {"title": "Les", "summary": "Wat er gebeurde.", "recommendations": "Advies.", **fields}
    services.save_lesson(actor=desk.officer_a.user, incident=incident, **values)
    services.agree_lesson(actor=desk.officer_a.user, incident=incident)
    services.agree_lesson(actor=desk.analyst.user, incident=incident)
    return Lesson.objects.get(incident=incident)


def test_published_lessons_reach_the_community_by_their_tlp_and_can_be_searched(desk):
    green = publish(
        desk,
        report(desk.officer_a),
        title="Back-ups offline bewaren",
        recommendations="Test herstel.",
    )
    amber = publish(desk, report(desk.officer_a), title="Leverancier reageerde traag", tlp="amber")
    draft_incident = report(desk.officer_a)
    close(desk, draft_incident)
    services.save_lesson(
        actor=desk.officer_a.user,
        incident=draft_incident,
        title="Nog niet eens",
        summary="s",
        recommendations="r",
    )
    vo_board = OrganisationFactory(sector=sector("VO"))

    def titles(person):
        return {lesson.title for lesson in selectors.list_lessons(person.user)}

    assert titles(desk.university_officer) == {"Back-ups offline bewaren"}  # GREEN: the whole community
    assert titles(desk.ministry) == {"Back-ups offline bewaren"}
    assert titles(member(Role.IBP_OFFICER, vo_board)) == {
        green.title,
        amber.title,
    }  # in the CERT's constituency
    assert titles(desk.officer_b) == {green.title, amber.title}
    assert {lesson.title for lesson in selectors.list_lessons(desk.officer_b.user, search="herstel")} == {green.title}
    assert not selectors.list_lessons(desk.officer_b.user, category="availability").exists()
