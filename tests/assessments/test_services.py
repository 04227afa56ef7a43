"""The assessment workflow: who may start, score, submit, review and finalise, and that a final
assessment is locked."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import OrganisationFactory, member, published_version
from weerbaar.assessments import selectors, services
from weerbaar.assessments.choices import ActionStatus, AssessmentKind, AssessmentStatus
from weerbaar.assessments.models import Assessment, Evidence, ImprovementAction, NormScore
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    return published_version()


@pytest.fixture
def people(organisation):
    audit_firm = OrganisationFactory(name="Auditbureau", kind=OrganisationKind.AUDIT_FIRM, sector=None, board_number="")
    return {
        "ibp": member(Role.IBP_OFFICER, organisation).user,
        "board": member(Role.BOARD_MEMBER, organisation).user,
        "dpo": member(Role.DPO, organisation).user,
        "rvt": member(Role.SUPERVISORY_BOARD, organisation).user,
        "auditor": member(Role.AUDITOR, audit_firm).user,
        "other_auditor": member(Role.AUDITOR, audit_firm).user,
    }


def answer_all(assessment, actor, level=3):
    for score in NormScore.objects.filter(assessment=assessment):
        services.save_score(actor=actor, score=score, level=level, justification="zo is het")


def test_ibp_officer_starts_assessment_with_a_score_per_norm(organisation, version, people):
    assessment = services.start_assessment(actor=people["ibp"], organisation=organisation, framework_version=version)
    assert assessment.status == AssessmentStatus.DRAFT
    assert NormScore.objects.filter(assessment=assessment).count() == 5
    assert AuditEntry.objects.filter(action="assessment.started", organisation_ref=organisation.pk).count() == 1


@pytest.mark.parametrize("who", ["dpo", "rvt", "auditor"])
def test_others_cannot_start_an_assessment(organisation, version, people, who):
    with pytest.raises(PermissionDenied):
        services.start_assessment(actor=people[who], organisation=organisation, framework_version=version)
    assert Assessment.objects.count() == 0


def test_draft_version_cannot_be_assessed(organisation, people):
    version = published_version(code="DRAFT")
    version.status = "draft"
    version.save()
    with pytest.raises(ValidationError):
        services.start_assessment(actor=people["ibp"], organisation=organisation, framework_version=version)


def test_score_validation(organisation, version, people):
    assessment = services.start_assessment(actor=people["ibp"], organisation=organisation, framework_version=version)
    score = assessment.scores.first()
    with pytest.raises(ValidationError) as bad_level:
        services.save_score(actor=people["ibp"], score=score, level=6)
    assert "level" in bad_level.value.message_dict
    with pytest.raises(ValidationError) as no_reason:
        services.save_score(actor=people["ibp"], score=score, level=None, not_applicable=True)
    assert "not_applicable_reason" in no_reason.value.message_dict
    score.refresh_from_db()
    assert (score.level, score.not_applicable) == (None, False)

    services.save_score(
        actor=people["ibp"], score=score, level=None, not_applicable=True, not_applicable_reason="Geen eigen servers"
    )
    score.refresh_from_db()
    assert score.not_applicable
    assert score.level is None


def test_submit_needs_board_member_and_every_norm_answered(organisation, version, people):
    assessment = services.start_assessment(actor=people["ibp"], organisation=organisation, framework_version=version)
    with pytest.raises(ValidationError) as unanswered:
        services.submit_assessment(actor=people["board"], assessment=assessment)
    assert "GO.01" in unanswered.value.messages[0]
    answer_all(assessment, people["ibp"])
    with pytest.raises(PermissionDenied):
        services.submit_assessment(actor=people["ibp"], assessment=assessment)
    services.submit_assessment(actor=people["board"], assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    # A submitted assessment is no longer editable by the IBP officer.
    with pytest.raises(ValidationError):
        services.save_score(actor=people["ibp"], score=assessment.scores.first(), level=1)


def test_self_assessment_final_locks_it_and_turns_gaps_into_actions(organisation, version, people):
    assessment = services.start_assessment(actor=people["ibp"], organisation=organisation, framework_version=version)
    answer_all(assessment, people["ibp"], level=3)
    gap = assessment.scores.get(norm__code="SM.02")
    services.save_score(actor=people["ibp"], score=gap, level=1)
    services.submit_assessment(actor=people["board"], assessment=assessment)
    services.finalise_assessment(actor=people["board"], assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.is_locked
    actions = list(ImprovementAction.objects.filter(organisation=organisation))
    assert [(a.norm_code, a.status) for a in actions] == [("SM.02", ActionStatus.OPEN)]

    # Every write door refuses a final assessment.
    score = assessment.scores.first()
    upload = SimpleUploadedFile("beleid.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    for attempt in (
        lambda: services.save_score(actor=people["ibp"], score=score, level=5),
        lambda: services.add_evidence_file(actor=people["ibp"], score=score, upload=upload),
        lambda: services.add_evidence_link(actor=people["ibp"], score=score, url="https://example.org/x"),
        lambda: services.submit_assessment(actor=people["board"], assessment=assessment),
        lambda: services.reopen_assessment(actor=people["board"], assessment=assessment),
        lambda: services.finalise_assessment(actor=people["board"], assessment=assessment),
    ):
        with pytest.raises(ValidationError):
            attempt()
    score.refresh_from_db()
    assert score.level == 3


def test_open_action_carries_over_and_is_not_duplicated(organisation, version, people):
    for _round in range(2):
        assessment = services.start_assessment(
            actor=people["ibp"], organisation=organisation, framework_version=version, start_from_last=_round == 1
        )
        if _round == 0:
            answer_all(assessment, people["ibp"], level=2)
        services.submit_assessment(actor=people["board"], assessment=assessment)
        services.finalise_assessment(actor=people["board"], assessment=assessment)
    # Five gaps the first time; the second assessment (started from the first) has the same gaps,
    # whose actions are still open, so none is added.
    assert ImprovementAction.objects.filter(organisation=organisation).count() == 5
    second = Assessment.objects.order_by("-created_at").first()
    assert second.started_from is not None
    assert set(second.scores.values_list("level", flat=True)) == {2}
    assert set(selectors.open_actions_by_norm(second)) == {"GO.01", "GO.02", "SM.01", "SM.02", "SM.03"}


def test_audit_review_by_assigned_auditor_only(organisation, version, people):
    assessment = services.start_assessment(
        actor=people["ibp"], organisation=organisation, framework_version=version, kind=AssessmentKind.EXTERNAL_AUDIT
    )
    answer_all(assessment, people["ibp"], level=4)
    services.submit_assessment(actor=people["board"], assessment=assessment)
    # A board member cannot finalise an audit; only the assigned reviewer can.
    with pytest.raises(PermissionDenied):
        services.finalise_assessment(actor=people["board"], assessment=assessment)
    # A member of the organisation itself cannot be its auditor.
    with pytest.raises(ValidationError):
        services.assign_reviewer(actor=people["board"], assessment=assessment, reviewer=people["ibp"])
    services.assign_reviewer(actor=people["board"], assessment=assessment, reviewer=people["auditor"])
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.UNDER_REVIEW

    score = assessment.scores.get(norm__code="GO.01")
    with pytest.raises(PermissionDenied):
        services.record_review(actor=people["other_auditor"], score=score, auditor_level=1)
    services.record_review(
        actor=people["auditor"], score=score, auditor_level=2, auditor_note="Geen bewijs van evaluatie"
    )
    score.refresh_from_db()
    assert (score.level, score.auditor_level) == (4, 2)

    services.finalise_assessment(actor=people["auditor"], assessment=assessment, review_summary="Goed op weg")
    result = selectors.score_of(assessment)
    # GO: (2 + 4) / 2 = 3.0, SM: 4.0, overall 3.5; the auditor's 2 is the only gap.
    assert [d.score for d in result.domains] == [3.0, 4.0]
    assert result.overall == 3.5
    assert list(ImprovementAction.objects.values_list("norm_code", flat=True)) == ["GO.01"]


def test_assigned_reviewer_sees_the_assessment_others_do_not(organisation, version, people):
    assessment = services.start_assessment(
        actor=people["ibp"], organisation=organisation, framework_version=version, kind=AssessmentKind.EXTERNAL_AUDIT
    )
    answer_all(assessment, people["ibp"])
    services.submit_assessment(actor=people["board"], assessment=assessment)
    assert not selectors.list_assessments(people["auditor"]).exists()
    services.assign_reviewer(actor=people["board"], assessment=assessment, reviewer=people["auditor"])
    assert list(selectors.list_assessments(people["auditor"])) == [assessment]
    assert not selectors.list_assessments(people["other_auditor"]).exists()
    assert not selectors.list_assessments(people["rvt"]).exists()


def test_evidence_upload_checks_type_size_and_content(organisation, version, people, settings):
    assessment = services.start_assessment(actor=people["ibp"], organisation=organisation, framework_version=version)
    score = assessment.scores.first()
    evidence = services.add_evidence_file(
        actor=people["ibp"],
        score=score,
        upload=SimpleUploadedFile("beleid.pdf", b"%PDF-1.7 inhoud", content_type="application/pdf"),
    )
    assert evidence.sha256 == __import__("hashlib").sha256(b"%PDF-1.7 inhoud").hexdigest()
    assert evidence.file.read() == b"%PDF-1.7 inhoud"

    settings.MAX_UPLOAD_BYTES = 100
    bad_uploads = [
        SimpleUploadedFile("virus.exe", b"MZ....", content_type="application/octet-stream"),
        SimpleUploadedFile("nep.pdf", b"MZ not a pdf", content_type="application/pdf"),
        SimpleUploadedFile("leeg.pdf", b"", content_type="application/pdf"),
        SimpleUploadedFile("groot.pdf", b"%PDF-" + b"x" * 200, content_type="application/pdf"),
    ]
    for upload in bad_uploads:
        with pytest.raises(ValidationError):
            services.add_evidence_file(actor=people["ibp"], score=score, upload=upload)
    assert Evidence.objects.count() == 1

    with pytest.raises(ValidationError):
        services.add_evidence_link(actor=people["ibp"], score=score, url="javascript:alert(1)")
    services.add_evidence_link(actor=people["ibp"], score=score, url="https://intranet.example.org/beleid")
    assert Evidence.objects.count() == 2


def test_evidence_of_another_organisation_is_not_found(organisation, other_organisation, version, people):
    assessment = services.start_assessment(actor=people["ibp"], organisation=organisation, framework_version=version)
    evidence = services.add_evidence_link(
        actor=people["ibp"], score=assessment.scores.first(), url="https://example.org/a"
    )
    outsider = member(Role.IBP_OFFICER, other_organisation).user
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.access_evidence(outsider, evidence.public_id)
    assert selectors.access_evidence(people["dpo"], evidence.public_id) == evidence


def test_domain_target_applies_to_new_assessments(organisation, version, people):
    services.set_domain_target(
        actor=people["ibp"],
        organisation=organisation,
        framework=version.framework,
        domain_code="SM",
        target_level=4,
        reason="Veel gevoelige leerlingdata",
    )
    assessment = services.start_assessment(actor=people["ibp"], organisation=organisation, framework_version=version)
    answer_all(assessment, people["ibp"], level=3)
    result = selectors.score_of(assessment)
    assert [d.target for d in result.domains] == [3, 4]
    assert result.gaps == ("SM.01", "SM.02", "SM.03")
