"""The API's intake of reports: what an answer 201 promises (the report and its audit entry are
stored, the CERT is told once), refused requests that store nothing, the idempotency key, and
the one-query check of where a report goes agreeing with the scoped selectors.

These tests run outside a test transaction (transaction=True), as a real request does: the
intake then commits the report, its audit entry and the CERT's notice task itself."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from tests.api.helpers import assert_error, bearer, send, token_for
from tests.factories import OrganisationFactory, member, sector
from weerbaar.accounts.models import PersonalAccessToken
from weerbaar.core.audit import verify_chain
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.incidents import selectors, services
from weerbaar.incidents.models import Incident, IncidentSettings, Notice
from weerbaar.organisations.choices import OrganisationKind

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/incidents/"


def body(reporter, **overrides):
    now = timezone.now()
    data = {
        "organisation": str(reporter.public_id),
        "submit": True,
        "title": "Wachtwoorden gelekt",
        "description": "Een medewerker vulde zijn wachtwoord in op een nagemaakte pagina.",
        "category": "fraud",
        "detected_at": (now - timedelta(hours=3)).isoformat(),
        "aware_at": (now - timedelta(hours=2)).isoformat(),
        "contact_name": "Anna Alfa",
        "contact_phone": "+31 30 123 4567",
    }
    data.update(overrides)
    return data


def stored() -> tuple[int, int, int]:
    return Incident.objects.count(), AuditEntry.objects.count(), Notice.objects.count()


def test_an_acknowledged_report_is_stored_with_its_audit_entry_and_the_cert_is_told(client, desk):
    headers = bearer(token_for(desk.officer_a.user))
    audit_before = AuditEntry.objects.count()

    response = send(client, "POST", URL, body(desk.board_a), headers=headers)

    assert response.status_code == 201, response.content
    receipt = response.json()
    incident = Incident.objects.get(public_id=receipt["id"])
    assert receipt["cert"] == str(desk.cert.public_id)
    assert receipt["organisation"] == str(desk.board_a.public_id)
    assert incident.status == "new"
    assert incident.cert == desk.cert
    assert incident.reported_by == desk.officer_a.user
    assert incident.nis2_applies is False
    assert [c["kind"] for c in receipt["clocks"]] == ["cert_response"]
    actions = list(
        AuditEntry.objects.filter(seq__gt=audit_before, object_id=receipt["id"]).values_list("action", flat=True)
    )
    # The report's own entry, and the CERT's notice written by the task (in process here).
    assert sorted(actions) == ["incident.cert_notified", "incident.submitted"]
    assert incident.announced_at is not None
    told = set(Notice.objects.filter(incident=incident).values_list("user_id", flat=True))
    assert told == {desk.analyst.user_id, desk.analyst_2.user_id}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([desk.analyst.user.email, desk.analyst_2.user.email])
    assert verify_chain() == []


def test_a_university_report_follows_nis2_and_goes_to_surfcert(client, desk):
    headers = bearer(token_for(desk.university_officer.user))

    response = send(client, "POST", URL, body(desk.university), headers=headers)

    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["cert"] == str(desk.surfcert.public_id)
    assert receipt["nis2_applies"] is True
    kinds = {c["kind"] for c in receipt["clocks"]}
    assert {"nis2_early_warning", "nis2_notification"} <= kinds


def test_a_draft_through_the_intake_is_stored_and_nobody_is_told(client, desk):
    headers = bearer(token_for(desk.officer_a.user))

    response = send(
        client, "POST", URL, {"organisation": str(desk.board_a.public_id), "title": "Nog uitzoeken"}, headers=headers
    )

    assert response.status_code == 201, response.content
    incident = Incident.objects.get(public_id=response.json()["id"])
    assert incident.is_draft
    assert incident.cert is None
    assert incident.announced_at is None
    assert Notice.objects.count() == 0
    assert AuditEntry.objects.filter(object_id=str(incident.public_id)).get().action == "incident.drafted"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Bearer wb_00000000_not-a-real-secret"},
        {"authorization": "Token something"},
    ],
    ids=["no token", "unknown token", "wrong scheme"],
)
def test_a_request_without_a_valid_token_is_refused_and_stores_nothing(client, desk, headers):
    before = stored()

    response = send(client, "POST", URL, body(desk.board_a), headers=headers)

    assert_error(response, 401)
    assert stored() == before


def test_a_read_only_token_may_not_report(client, desk):
    headers = bearer(token_for(desk.officer_a.user, scope=PersonalAccessToken.Scope.READ))
    before = stored()

    response = send(client, "POST", URL, body(desk.board_a), headers=headers)

    assert_error(response, 403)
    assert stored() == before


@pytest.mark.parametrize("who", ["officer_b", "analyst", "board_member_a", "ministry"])
def test_nobody_reports_for_an_organisation_that_is_not_theirs(client, desk, who):
    headers = bearer(token_for(getattr(desk, who).user))
    before = stored()

    response = send(client, "POST", URL, body(desk.board_a), headers=headers)

    error = assert_error(response, 400)
    assert "organisation" in str(error)
    assert stored() == before


@pytest.mark.parametrize(
    ("raw", "overrides"),
    [
        ("{not json", None),
        (None, {"aware_at": (timezone.now() - timedelta(hours=9)).isoformat()}),
        (None, {"detected_at": (timezone.now() + timedelta(days=2)).isoformat()}),
        (None, {"colour": "red"}),
        (None, {"pupils_affected": -3}),
        (None, {"tlp": "AMBER+STRICT"}),
        (None, {"contact_phone": "", "contact_email": ""}),
        (None, {"organisation": "not-a-uuid"}),
        (None, {"ransom_paid": True}),
    ],
    ids=[
        "malformed",
        "aware before noticed",
        "future",
        "unknown field",
        "negative count",
        "strict tlp",
        "no contact",
        "bad id",
        "paid without demand",
    ],
)
def test_bad_input_is_refused_and_stores_nothing(client, desk, raw, overrides):
    headers = bearer(token_for(desk.officer_a.user))
    before = stored()
    head_before = list(AuditEntry.objects.order_by("-seq").values_list("hash", flat=True)[:1])

    if raw is not None:
        response = send(client, "POST", URL, raw=raw, headers=headers)
    else:
        response = send(client, "POST", URL, body(desk.board_a, **overrides), headers=headers)

    assert_error(response, 400)
    assert stored() == before
    assert list(AuditEntry.objects.order_by("-seq").values_list("hash", flat=True)[:1]) == head_before


def test_the_same_report_sent_again_with_its_key_is_stored_and_announced_once(client, desk):
    headers = {**bearer(token_for(desk.officer_a.user)), "idempotency-key": "rapport-2026-0042"}
    report = body(desk.board_a)

    first = send(client, "POST", URL, report, headers=headers)
    counts = stored()
    mails = len(mail.outbox)
    again = send(client, "POST", URL, report, headers=headers)

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["clocks"] == first.json()["clocks"]
    assert stored() == counts
    assert len(mail.outbox) == mails
    assert Incident.objects.filter(intake_key="rapport-2026-0042").count() == 1


def test_the_same_key_with_other_content_is_refused(client, desk):
    headers = {**bearer(token_for(desk.officer_a.user)), "idempotency-key": "rapport-7"}
    assert send(client, "POST", URL, body(desk.board_a), headers=headers).status_code == 201
    before = stored()

    response = send(client, "POST", URL, body(desk.board_a, title="Iets anders"), headers=headers)

    error = assert_error(response, 400)
    assert "idempotency_key" in str(error)
    assert stored() == before


def test_a_key_belongs_to_its_reporter(client, desk):
    key = {"idempotency-key": "gedeelde-sleutel"}
    first = send(client, "POST", URL, body(desk.board_a), headers={**bearer(token_for(desk.officer_a.user)), **key})
    second = send(client, "POST", URL, body(desk.board_a), headers={**bearer(token_for(desk.dpo_a.user)), **key})

    assert first.status_code == 201
    assert second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


@pytest.mark.parametrize("key", ["x" * 101, "sleutel\twith tab", "sleutel-é"])
def test_a_malformed_key_is_refused(client, desk, key):
    headers = {**bearer(token_for(desk.officer_a.user)), "idempotency-key": key}
    before = stored()

    response = send(client, "POST", URL, body(desk.board_a), headers=headers)

    assert_error(response, 400)
    assert stored() == before


def test_the_cert_is_told_once_even_when_the_task_runs_twice(desk):
    incident = services.receive_report(
        actor=desk.officer_a.user,
        organisation_id=desk.board_a.public_id,
        submit=True,
        **{k: v for k, v in body(desk.board_a).items() if k not in {"organisation", "submit"}}
        | {"detected_at": timezone.now() - timedelta(hours=3), "aware_at": timezone.now() - timedelta(hours=2)},
    ).incident
    notices = Notice.objects.filter(incident=incident).count()

    assert services.announce_report(incident=incident) == 0
    assert Notice.objects.filter(incident=incident).count() == notices == 2


def test_where_a_report_goes_agrees_with_the_scoped_selectors(desk):
    """The intake's one query answers as reporting_organisations(), cert_for() and
    nis2_applies_for() do, for every person and organisation of the desk."""
    IncidentSettings.objects.create(organisation=desk.board_a, nis2_applies=True)
    IncidentSettings.objects.create(organisation=desk.university, nis2_applies=False)
    orphan = OrganisationFactory(name="Zonder sector", kind=OrganisationKind.INSTITUTION, sector=None)
    member(Role.IBP_OFFICER, orphan)
    mbo = OrganisationFactory(name="ROC Delta", kind=OrganisationKind.INSTITUTION, sector=sector("MBO"))
    people = [m.user for m in vars(desk).values() if hasattr(m, "user")] + [member(Role.IBP_OFFICER, mbo).user]
    organisations = [desk.board_a, desk.school_a, desk.board_b, desk.university, desk.cert, orphan, mbo]
    checked = 0
    for person in people:
        allowed = set(selectors.reporting_organisations(person).values_list("pk", flat=True))
        for organisation in organisations:
            if organisation.pk not in allowed:
                with pytest.raises(Http404):
                    selectors.reporting_target(person, organisation.public_id)
                continue
            target = selectors.reporting_target(person, str(organisation.public_id))
            assert target.organisation.pk == organisation.pk
            assert target.organisation.public_id == organisation.public_id
            expected_cert = selectors.cert_for(organisation)
            assert (target.cert.pk if target.cert else None) == (expected_cert.pk if expected_cert else None)
            assert target.nis2_applies == selectors.nis2_applies_for(organisation)
            checked += 1
    # The school inherits its board's NIS2 setting; the university's own setting wins.
    assert selectors.reporting_target(desk.school_officer.user, desk.school_a.public_id).nis2_applies is True
    assert selectors.reporting_target(desk.university_officer.user, desk.university.public_id).nis2_applies is False
    assert checked >= 8
    with pytest.raises(Http404):
        selectors.reporting_target(desk.officer_a.user, "not-a-uuid")


def test_a_report_whose_notice_was_lost_is_announced_by_the_scheduled_job(desk):
    incident = services.receive_report(
        actor=desk.officer_a.user,
        organisation_id=desk.board_a.public_id,
        submit=True,
        **{k: v for k, v in body(desk.board_a).items() if k not in {"organisation", "submit"}}
        | {"detected_at": timezone.now() - timedelta(hours=3), "aware_at": timezone.now() - timedelta(hours=2)},
    ).incident
    # As if the app server stopped before the task was queued: no notice, not announced.
    Notice.objects.filter(incident=incident).delete()
    Incident.objects.filter(pk=incident.pk).update(announced_at=None)

    assert services.announce_missed() == 0  # too recent: its task may still be on the way
    later = timezone.now() + services.ANNOUNCE_GRACE + timedelta(minutes=1)
    assert services.announce_missed(now=later) == 1
    assert Notice.objects.filter(incident=incident).count() == 2
    assert services.announce_missed(now=later) == 0
    call_command("incident_reminders", stdout=io.StringIO())
    assert Notice.objects.filter(incident=incident).count() == 2


DATABASE_TASKS = {"default": {"BACKEND": "weerbaar.core.tasks.DatabaseBackend"}}


def test_with_the_database_task_backend_the_notice_task_is_stored_with_the_report(client, desk, settings):
    """In production the CERT's notices are a task row: an acknowledged report always has one,
    for the worker to run once, and nobody is told before it runs."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    headers = bearer(token_for(desk.officer_a.user))

    response = send(client, "POST", URL, body(desk.board_a), headers=headers)

    assert response.status_code == 201, response.content
    incident = Incident.objects.get(public_id=response.json()["id"])
    queued = [t for t in DBTaskResult.objects.all() if t.task_path.endswith("announce_report_task")]
    assert [t.args_kwargs["args"] for t in queued] == [[incident.pk]]
    assert incident.announced_at is None
    assert not Notice.objects.filter(incident=incident).exists()

    call_command("db_worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())

    incident.refresh_from_db()
    assert incident.announced_at is not None
    assert Notice.objects.filter(incident=incident).count() == 2


def test_a_report_whose_audit_entry_fails_leaves_no_report_and_no_task(client, desk, settings, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    headers = bearer(token_for(desk.officer_a.user))
    before = stored()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        send(client, "POST", URL, body(desk.board_a), headers=headers)

    assert stored() == before
    assert not DBTaskResult.objects.exists()
