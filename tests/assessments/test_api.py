"""The assessment API: who may do what (the same rules as the pages), bad input refused in the
common error format, and a locked assessment that no request changes."""

import uuid

import pytest

from tests.api.helpers import assert_error, bearer, send, token_for
from tests.assessments.io_helpers import answer_all, people_around, snapshot, start
from weerbaar.assessments import services
from weerbaar.assessments.choices import AssessmentKind, AssessmentStatus
from weerbaar.assessments.models import Assessment, ImprovementAction
from weerbaar.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ASSESSMENTS = "/api/v1/assessments/"
ACTIONS = "/api/v1/improvement-actions/"


@pytest.fixture
def people(organisation):
    return people_around(organisation)


@pytest.fixture
def draft(organisation, people):
    return start(organisation, people)


@pytest.fixture
def as_(client, people):
    """Send a request with a read-write token of the given user. The tokens are made first, so
    that a snapshot taken in a test does not see them being made."""
    tokens = {user.pk: bearer(token_for(user)) for user in vars(people).values()}

    def request(user, method, path, body=None, **params):
        if params:
            path = f"{path}?" + "&".join(f"{k}={v}" for k, v in params.items())
        return send(client, method, path, body, headers=tokens[user.pk])

    return request


def score_url(assessment, code: str = "") -> str:
    return f"{ASSESSMENTS}{assessment.public_id}/scores/{code + '/' if code else ''}"


def everything(assessment) -> tuple:
    return (
        *snapshot(assessment),
        Assessment.objects.count(),
        list(ImprovementAction.objects.order_by("pk").values()),
    )


# --- reading ----------------------------------------------------------------------------------


def test_list_and_filters_show_only_what_the_user_may_see(as_, organisation, people, draft):
    mine = as_(people.ibp, "get", ASSESSMENTS)
    assert mine.status_code == 200
    assert [row["id"] for row in mine.json()["results"]] == [str(draft.public_id)]
    assert mine.json()["results"][0]["status"] == "draft"

    by_org = as_(people.dpo, "get", ASSESSMENTS, organisation=organisation.public_id, status="draft")
    assert by_org.json()["count"] == 1
    assert as_(people.dpo, "get", ASSESSMENTS, status="final").json()["count"] == 0
    assert as_(people.outsider, "get", ASSESSMENTS).json()["count"] == 0
    assert as_(people.outsider, "get", ASSESSMENTS, organisation=organisation.public_id).json()["count"] == 0
    assert_error(as_(people.ibp, "get", ASSESSMENTS, status="klaar"), 400)


def test_detail_carries_the_derived_scores_and_outsiders_get_a_plain_404(as_, people, draft):
    answer_all(draft, people.ibp, level=2)

    detail = as_(people.ibp, "get", f"{ASSESSMENTS}{draft.public_id}/").json()
    assert detail["result"]["overall"] == 2.0
    assert [d["domain_code"] for d in detail["result"]["domains"]] == ["GO", "SM"]
    assert detail["result"]["answered"] == 5

    other = as_(people.outsider, "get", f"{ASSESSMENTS}{draft.public_id}/")
    missing = as_(people.outsider, "get", f"{ASSESSMENTS}{uuid.uuid4()}/")
    assert_error(other, 404, "not_found")
    assert other.content == missing.content
    assert_error(as_(people.supervisory, "get", score_url(draft)), 404)


def test_scores_are_listed_in_norm_order(as_, people, draft):
    response = as_(people.dpo, "get", score_url(draft))

    assert response.status_code == 200
    assert [row["norm_code"] for row in response.json()["results"]] == [
        "GO.01",
        "GO.02",
        "SM.01",
        "SM.02",
        "SM.03",
    ]
    assert as_(people.dpo, "get", score_url(draft, "SM.02")).json()["level"] is None
    assert_error(as_(people.dpo, "get", score_url(draft, "XX.01")), 404)


# --- starting ---------------------------------------------------------------------------------


def test_ibp_officer_starts_an_assessment(as_, organisation, people, draft):
    body = {
        "organisation": str(organisation.public_id),
        "framework_version": str(draft.framework_version.public_id),
        "title": "Zelfevaluatie via de API",
    }

    response = as_(people.ibp, "post", ASSESSMENTS, body)

    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Zelfevaluatie via de API"
    assert response.json()["result"]["total"] == 5
    assert Assessment.objects.count() == 2


@pytest.mark.parametrize(
    ("who", "body_change", "field"),
    [
        ("dpo", {}, "organisation"),
        ("outsider", {}, "organisation"),
        ("ibp", {"framework_version": str(uuid.uuid4())}, "framework_version"),
        ("ibp", {"kind": "zelfbeoordeling"}, "kind"),
        ("ibp", {"status": "final"}, "status"),
    ],
)
def test_starting_is_refused_with_the_field_named(as_, organisation, people, draft, who, body_change, field):
    body = {
        "organisation": str(organisation.public_id),
        "framework_version": str(draft.framework_version.public_id),
        **body_change,
    }
    before = everything(draft)

    error = assert_error(as_(getattr(people, who), "post", ASSESSMENTS, body), 400, "invalid")

    assert field in error["fields"]
    assert everything(draft) == before


# --- answering --------------------------------------------------------------------------------


def test_ibp_officer_answers_a_norm_in_a_draft(as_, people, draft):
    response = as_(people.ibp, "patch", score_url(draft, "GO.01"), {"level": 3, "justification": "Vastgesteld"})

    assert response.status_code == 200, response.content
    assert response.json()["level"] == 3
    score = draft.scores.get(norm__code="GO.01")
    assert (score.level, score.justification, score.updated_by) == (3, "Vastgesteld", people.ibp)
    # A partial change keeps the other fields.
    as_(people.ibp, "patch", score_url(draft, "GO.01"), {"justification": "Herzien"})
    score.refresh_from_db()
    assert (score.level, score.justification) == (3, "Herzien")
    # Marking it not applicable needs a reason, and then drops the level.
    as_(
        people.ibp,
        "patch",
        score_url(draft, "GO.01"),
        {"not_applicable": True, "not_applicable_reason": "Geen servers"},
    )
    score.refresh_from_db()
    assert (score.level, score.not_applicable) == (None, True)
    # A level on its own answers the norm again.
    as_(people.ibp, "patch", score_url(draft, "GO.01"), {"level": 2})
    score.refresh_from_db()
    assert (score.level, score.not_applicable, score.not_applicable_reason) == (2, False, "")


@pytest.mark.parametrize(("who", "status"), [("dpo", 403), ("board", 403), ("outsider", 404)])
def test_others_cannot_answer(as_, people, draft, who, status):
    before = everything(draft)

    assert_error(as_(getattr(people, who), "patch", score_url(draft, "GO.01"), {"level": 3}), status)

    assert everything(draft) == before


def test_a_read_only_token_cannot_answer(client, people, draft):
    headers = bearer(token_for(people.ibp, scope="read"))
    before = everything(draft)

    response = send(client, "patch", score_url(draft, "GO.01"), {"level": 3}, headers=headers)

    assert_error(response, 403)
    assert everything(draft) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": 7}, "level"),
        ({"level": 0}, "level"),
        ({"level": "drie"}, "level"),
        ({"level": True}, "level"),
        ({"levle": 3}, "levle"),
        ({"not_applicable": "misschien"}, "not_applicable"),
        ({"justification": ["lijst"]}, "justification"),
        ({"justification": "x" * 10_001}, "justification"),
        ({"not_applicable": True}, "not_applicable_reason"),
        ({"not_applicable": True, "not_applicable_reason": "r", "level": 2}, "level"),
        ({"norm_code": "SM.01"}, "norm_code"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(as_, people, draft, body, field):
    before = everything(draft)

    error = assert_error(as_(people.ibp, "patch", score_url(draft, "GO.01"), body), 400, "invalid")

    assert field in error["fields"], error
    assert everything(draft) == before


@pytest.mark.parametrize("body", [{}, {"level": 3, "auditor_level": 2}, [1, 2]])
def test_empty_mixed_or_malformed_bodies_are_refused(as_, people, draft, body):
    before = everything(draft)

    assert_error(as_(people.ibp, "patch", score_url(draft, "GO.01"), body), 400)

    assert everything(draft) == before


# --- the workflow -----------------------------------------------------------------------------


def test_board_member_submits_and_dpo_cannot(as_, people, draft):
    answer_all(draft, people.ibp)
    before = everything(draft)

    assert_error(as_(people.dpo, "post", f"{ASSESSMENTS}{draft.public_id}/submit/"), 403)
    assert_error(as_(people.ibp, "post", f"{ASSESSMENTS}{draft.public_id}/submit/"), 403)
    assert everything(draft) == before

    response = as_(people.board, "post", f"{ASSESSMENTS}{draft.public_id}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    # Submitted: the institution's answers are closed.
    error = assert_error(as_(people.ibp, "patch", score_url(draft, "GO.01"), {"level": 1}), 400)
    assert error["message"]

    reopened = as_(people.board, "post", f"{ASSESSMENTS}{draft.public_id}/reopen/")
    assert reopened.json()["status"] == "draft"


def test_submitting_with_open_norms_is_a_400(as_, people, draft):
    before = everything(draft)

    assert_error(as_(people.board, "post", f"{ASSESSMENTS}{draft.public_id}/submit/"), 400)

    assert everything(draft) == before


def test_a_final_assessment_is_locked_for_every_api_request(as_, people, draft):
    answer_all(draft, people.ibp, level=2)
    services.submit_assessment(actor=people.board, assessment=draft)
    as_(people.board, "post", f"{ASSESSMENTS}{draft.public_id}/finalise/", {})
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.FINAL
    before = everything(draft)

    attempts = [
        (people.ibp, "patch", score_url(draft, "GO.01"), {"level": 5}),
        (people.ibp, "patch", score_url(draft, "GO.01"), {"justification": "later aangepast"}),
        (people.board, "post", f"{ASSESSMENTS}{draft.public_id}/reopen/", None),
        (people.board, "post", f"{ASSESSMENTS}{draft.public_id}/submit/", None),
        (people.board, "post", f"{ASSESSMENTS}{draft.public_id}/finalise/", {}),
    ]
    for user, method, path, body in attempts:
        error = assert_error(as_(user, method, path, body), 400, "invalid")
        assert error["message"]

    assert everything(draft) == before
    assert as_(people.ibp, "get", f"{ASSESSMENTS}{draft.public_id}/").json()["is_locked"] is True


@pytest.fixture
def audit(organisation, people):
    assessment = start(organisation, people, kind=AssessmentKind.EXTERNAL_AUDIT)
    answer_all(assessment, people.ibp, level=4)
    services.submit_assessment(actor=people.board, assessment=assessment)
    return assessment


def test_reviewer_records_a_verdict_only_while_under_review(as_, people, audit):
    # Before the assignment the auditor does not even see the audit.
    assert_error(as_(people.auditor, "patch", score_url(audit, "GO.01"), {"auditor_level": 2}), 404)

    assigned = as_(
        people.board,
        "post",
        f"{ASSESSMENTS}{audit.public_id}/assign-reviewer/",
        {"reviewer": people.auditor.email.upper()},
    )
    assert assigned.json()["status"] == "under_review"
    assert assigned.json()["reviewer"] == people.auditor.email

    response = as_(
        people.auditor,
        "patch",
        score_url(audit, "GO.01"),
        {"auditor_level": 2, "auditor_note": "Geen bewijs van evaluatie"},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["level"], response.json()["auditor_level"]) == (4, 2)

    before = everything(audit)
    # The reviewer cannot change the institution's answer, the institution not the verdict, and
    # another auditor of the same firm sees nothing.
    assert_error(as_(people.auditor, "patch", score_url(audit, "GO.02"), {"level": 1}), 403)
    assert_error(as_(people.ibp, "patch", score_url(audit, "GO.02"), {"auditor_level": 5}), 403)
    assert_error(as_(people.other_auditor, "patch", score_url(audit, "GO.02"), {"auditor_level": 1}), 404)
    assert everything(audit) == before

    final = as_(
        people.auditor,
        "post",
        f"{ASSESSMENTS}{audit.public_id}/finalise/",
        {"review_summary": "Op orde"},
    )
    assert final.json()["status"] == "final"
    before = everything(audit)
    assert_error(as_(people.auditor, "patch", score_url(audit, "GO.02"), {"auditor_level": 1}), 400)
    assert everything(audit) == before


@pytest.mark.parametrize(
    ("who", "reviewer", "status"),
    [
        ("board", "nobody@example.test", 400),
        ("board", "own-ibp", 400),
        ("dpo", "auditor", 403),
        ("outsider", "auditor", 404),
    ],
)
def test_assigning_a_reviewer_is_refused_for_the_wrong_person(as_, people, audit, who, reviewer, status):
    email = {"own-ibp": people.ibp.email, "auditor": people.auditor.email}.get(reviewer, reviewer)
    before = everything(audit)

    response = as_(
        getattr(people, who),
        "post",
        f"{ASSESSMENTS}{audit.public_id}/assign-reviewer/",
        {"reviewer": email},
    )

    error = assert_error(response, status)
    if status == 400:
        assert "reviewer" in error["fields"]
    assert everything(audit) == before


# --- improvement actions ----------------------------------------------------------------------


def test_improvement_actions_are_planned_and_changed(as_, organisation, people, draft):
    created = as_(
        people.ibp,
        "post",
        ACTIONS,
        {
            "organisation": str(organisation.public_id),
            "title": "MFA voor alle medewerkers",
            "owner": people.ibp.email,
            "due_date": "2027-03-01",
            "framework_code": "TEST",
            "norm_code": "SM.02",
        },
    )
    assert created.status_code == 201, created.content
    action_id = created.json()["id"]
    assert created.json()["owner"] == people.ibp.email
    assert created.json()["framework_code"] == "TEST"

    changed = as_(people.ibp, "patch", f"{ACTIONS}{action_id}/", {"status": "done"})
    assert changed.json()["status"] == "done"
    assert changed.json()["completed_at"]
    listed = as_(people.dpo, "get", ACTIONS, organisation=organisation.public_id)
    assert [row["id"] for row in listed.json()["results"]] == [action_id]
    assert as_(people.dpo, "get", ACTIONS, open="true").json()["count"] == 0
    assert AuditEntry.objects.filter(action__startswith="improvement_action.").count() == 2


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        ("dpo", {"status": "done"}, 403, None),
        ("outsider", {"status": "done"}, 404, None),
        ("ibp", {"status": "klaar"}, 400, "status"),
        ("ibp", {"owner": "nobody@example.test"}, 400, "owner"),
        ("ibp", {"organisation": str(uuid.uuid4())}, 400, "organisation"),
        ("ibp", {"due_date": "morgen"}, 400, "due_date"),
    ],
)
def test_changing_an_action_is_refused_for_the_wrong_person_or_input(
    as_, organisation, people, draft, who, body, status, field
):
    action = services.create_improvement_action(actor=people.ibp, organisation=organisation, title="Back-ups testen")
    before = everything(draft)

    error = assert_error(as_(getattr(people, who), "patch", f"{ACTIONS}{action.public_id}/", body), status)

    if field:
        assert field in error["fields"]
    assert everything(draft) == before


def test_planning_an_action_elsewhere_is_refused(as_, organisation, people, draft):
    before = everything(draft)

    for who in ("outsider", "dpo"):
        error = assert_error(
            as_(
                getattr(people, who),
                "post",
                ACTIONS,
                {"organisation": str(organisation.public_id), "title": "Iets"},
            ),
            400,
        )
        assert "organisation" in error["fields"]

    assert everything(draft) == before
