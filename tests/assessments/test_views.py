"""The assessment pages through HTTP: an IBP officer answers norms (with htmx and without), adds
evidence, a board member submits, an auditor reviews and finalises, and the results show against
target. Who sees which buttons, that outsiders find nothing, that a final assessment is locked,
and that the work page's query count does not grow with the framework."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_htmx.middleware import HtmxDetails

from tests.factories import OrganisationFactory, member, published_version, sector
from weerbaar.accounts.middleware import SESSION_RENEW_SECONDS, SESSION_SEEN_KEY
from weerbaar.assessments import charts, selectors, services
from weerbaar.assessments.choices import ActionStatus, AssessmentKind, AssessmentStatus
from weerbaar.assessments.models import (
    Assessment,
    DomainTarget,
    Evidence,
    ImprovementAction,
    NormScore,
)
from weerbaar.core.permissions import Role
from weerbaar.frameworks.models import Mapping
from weerbaar.organisations.choices import OrganisationKind

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.7 beleid informatiebeveiliging"


def nl(text: str) -> str:
    with translation.override("nl"):
        return gettext(text)


def one_decimal(value: float) -> str:
    with translation.override("nl"):
        return charts.one_decimal(value)


def url(name: str, *args) -> str:
    return reverse(f"assessments:{name}", args=args)


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
        "auditor": member(Role.AUDITOR, audit_firm).user,
        "other_auditor": member(Role.AUDITOR, audit_firm).user,
        "outsider": member(Role.IBP_OFFICER, OrganisationFactory(name="Elders")).user,
    }


def as_user(client, user):
    client.force_login(user)
    return client


def start(organisation, version, people, kind=AssessmentKind.SELF):
    return services.start_assessment(
        actor=people["ibp"], organisation=organisation, framework_version=version, kind=kind
    )


def answer_all(assessment, actor, level=3):
    for score in NormScore.objects.filter(assessment=assessment):
        services.save_score(actor=actor, score=score, level=level, justification="Zo is het")


def score_of(assessment, code):
    return NormScore.objects.get(assessment=assessment, norm__code=code)


def level_data(code: str, level, justification: str = "", **extra) -> dict:
    prefix = "n-" + re.sub(r"[^a-z0-9]+", "-", code.lower())
    data = {
        f"{prefix}-level": "" if level is None else str(level),
        f"{prefix}-justification": justification,
    }
    data.update({f"{prefix}-{name}": value for name, value in extra.items()})
    return data


def snapshot(assessment):
    assessment.refresh_from_db()
    return (
        assessment.status,
        list(
            assessment.scores.order_by("norm__code").values_list(
                "level", "not_applicable", "justification", "auditor_level"
            )
        ),
        Evidence.objects.filter(score__assessment=assessment).count(),
    )


# --- the whole flow ------------------------------------------------------------------------------


def test_officer_board_and_auditor_complete_an_audit_through_the_pages(client, organisation, version, people):
    # The IBP officer starts an external audit from the organisation's assessment list.
    officer = as_user(client, people["ibp"])
    page = officer.get(url("organisation_assessments", organisation.public_id))
    assert page.status_code == 200
    assert url("assessment_start", organisation.public_id) in page.content.decode()
    response = officer.post(
        url("assessment_start", organisation.public_id),
        {
            "framework_version": version.pk,
            "kind": AssessmentKind.EXTERNAL_AUDIT,
            "title": "Audit 2026",
        },
    )
    assessment = Assessment.objects.get(organisation=organisation)
    assert response.status_code == 302
    assert response["Location"] == url("assessment_detail", assessment.public_id)

    # The work page shows the first domain, with the level descriptions beside the radios.
    page = officer.get(url("assessment_detail", assessment.public_id))
    html = page.content.decode()
    assert page.status_code == 200
    assert "GO.01 Norm GO.01" in html
    assert "SM.01" not in html
    assert '<progress class="progress' in html
    assert 'max="5" value="0"' in html
    assert html.count('name="n-go-01-level"') == 6  # five levels and "none chosen yet"
    assert "Niveau 3" in html  # the level's own description, in its label
    assert f'hx-post="{url("norm_answer", assessment.public_id, "GO.01")}"' in html

    # Saving with htmx returns the norm's fragment with a status message and the new progress.
    response = officer.post(
        url("norm_answer", assessment.public_id, "GO.01"),
        level_data("GO.01", 4, "Beleid vastgesteld"),
        **HTMX,
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment
    assert 'role="status"' in fragment
    assert "data-announce" in fragment
    assert 'id="assessment-progress"' in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert 'value="1"' in fragment  # one norm answered now
    assert (score_of(assessment, "GO.01").level, score_of(assessment, "GO.01").justification) == (
        4,
        "Beleid vastgesteld",
    )

    # A level outside 1 to 5 is refused with the error on that norm's level field.
    response = officer.post(url("norm_answer", assessment.public_id, "GO.01"), level_data("GO.01", 9), **HTMX)
    assert response.status_code == 200
    assert 'id="n-go-01-level-error"' in response.content.decode()
    assert score_of(assessment, "GO.01").level == 4

    # Without JavaScript the same form posts and comes back to the page (post/redirect/get)...
    response = officer.post(url("norm_answer", assessment.public_id, "GO.02"), level_data("GO.02", 4))
    assert response.status_code == 302
    assert response["Location"] == url("assessment_detail", assessment.public_id) + "?domain=GO#n-go-02"
    assert score_of(assessment, "GO.02").level == 4
    # ...or shows the whole page again with the error beside the norm.
    response = officer.post(
        url("norm_answer", assessment.public_id, "GO.02"),
        level_data("GO.02", None, not_applicable="on", not_applicable_reason=""),
    )
    assert response.status_code == 400
    assert 'id="n-go-02-not_applicable_reason-error"' in response.content.decode()
    assert score_of(assessment, "GO.02").level == 4
    for code in ("SM.01", "SM.02", "SM.03"):
        officer.post(url("norm_answer", assessment.public_id, code), level_data(code, 4), **HTMX)

    # Evidence: a document uploaded to a norm is listed with a download link.
    upload = SimpleUploadedFile("beleid.pdf", PDF, content_type="application/pdf")
    response = officer.post(url("evidence_upload", assessment.public_id, "GO.01"), {"n-go-01-file": upload})
    assert response.status_code == 302
    evidence = Evidence.objects.get(score__assessment=assessment)
    assert evidence.name == "beleid.pdf"
    page = officer.get(url("assessment_detail", assessment.public_id)).content.decode()
    assert url("evidence_download", evidence.public_id) in page
    # The officer may not submit: that is the board's approval.
    assert url("assessment_submit", assessment.public_id) not in page

    # The board member submits and assigns the auditor.
    board = as_user(client, people["board"])
    page = board.get(url("assessment_detail", assessment.public_id)).content.decode()
    assert url("assessment_submit", assessment.public_id) in page
    assert board.post(url("assessment_submit", assessment.public_id)).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    page = board.get(url("assessment_detail", assessment.public_id)).content.decode()
    assert url("assessment_assign_reviewer", assessment.public_id) in page
    assert f'value="{people["auditor"].pk}"' in page
    board.post(url("assessment_assign_reviewer", assessment.public_id), {"reviewer": people["auditor"].pk})
    assessment.refresh_from_db()
    assert (assessment.status, assessment.reviewer) == (
        AssessmentStatus.UNDER_REVIEW,
        people["auditor"],
    )

    # The auditor finds the assignment, reviews a norm and makes the audit final.
    auditor = as_user(client, people["auditor"])
    assert assessment.title in auditor.get(url("review_list")).content.decode()
    page = auditor.get(url("assessment_detail", assessment.public_id)).content.decode()
    assert url("norm_review", assessment.public_id, "GO.01") in page
    assert f'action="{url("norm_answer", assessment.public_id, "GO.01")}"' not in page  # no answer forms
    assert "Beleid vastgesteld" in page  # the institution's justification
    assert url("evidence_download", evidence.public_id) in page
    response = auditor.post(
        url("norm_review", assessment.public_id, "GO.01"),
        {"n-go-01-auditor_level": "2", "n-go-01-auditor_note": "Geen evaluatie gezien"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'role="status"' in response.content.decode()
    assert score_of(assessment, "GO.01").auditor_level == 2
    response = auditor.post(url("assessment_finalise", assessment.public_id), {"review_summary": "Goed op weg"})
    assert response.status_code == 302
    assert response["Location"] == url("assessment_results", assessment.public_id)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.review_summary) == (AssessmentStatus.FINAL, "Goed op weg")

    # Results: GO (2 + 4) / 2 = 3.0 meets its target 3, SM 4.0; overall 3.5. The auditor's 2 is
    # the one gap, and it became an improvement action.
    results = as_user(client, people["ibp"]).get(url("assessment_results", assessment.public_id))
    html = results.content.decode()
    assert results.status_code == 200
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    assert svg.count("<rect") == 2
    assert "style=" not in svg
    rows = re.findall(r'<tr class="utrecht-table__row">(.*?)</tr>', html, re.S)
    domain_rows = [re.findall(r">([^<>]*)</t[hd]>", row) for row in rows if "Domein GO" in row or "Domein SM" in row]
    assert domain_rows[0][:3] == ["GO Domein GO", one_decimal(3.0), "3"]
    assert domain_rows[1][:3] == ["SM Domein SM", one_decimal(4.0), "3"]
    assert f">{one_decimal(3.5)}</dd>" in html
    assert "GO.01 Norm GO.01" in html.split('id="gaps-heading"')[1]
    assert list(ImprovementAction.objects.values_list("norm_code", flat=True)) == ["GO.01"]


# --- who sees which buttons ----------------------------------------------------------------------


def _buttons(client, user, assessment) -> set[str]:
    html = as_user(client, user).get(url("assessment_detail", assessment.public_id)).content.decode()
    names = {
        "answer": url("norm_answer", assessment.public_id, "GO.01"),
        "submit": url("assessment_submit", assessment.public_id),
        "reopen": url("assessment_reopen", assessment.public_id),
        "assign": url("assessment_assign_reviewer", assessment.public_id),
        "finalise": url("assessment_finalise", assessment.public_id),
        "review": url("norm_review", assessment.public_id, "GO.01"),
        "upload": url("evidence_upload", assessment.public_id, "GO.01"),
    }
    return {name for name, action in names.items() if f'action="{action}"' in html}


def test_each_role_sees_only_the_buttons_it_may_use(client, organisation, version, people):
    audit = start(organisation, version, people, kind=AssessmentKind.EXTERNAL_AUDIT)
    assert _buttons(client, people["ibp"], audit) == {"answer", "upload"}
    assert _buttons(client, people["board"], audit) == {"submit"}
    assert _buttons(client, people["dpo"], audit) == set()

    answer_all(audit, people["ibp"])
    services.submit_assessment(actor=people["board"], assessment=audit)
    assert _buttons(client, people["ibp"], audit) == set()
    assert _buttons(client, people["board"], audit) == {"reopen", "assign"}

    services.assign_reviewer(actor=people["board"], assessment=audit, reviewer=people["auditor"])
    assert _buttons(client, people["board"], audit) == set()
    assert _buttons(client, people["auditor"], audit) == {"review", "finalise"}

    own = start(organisation, version, people)
    answer_all(own, people["ibp"])
    services.submit_assessment(actor=people["board"], assessment=own)
    # A self-assessment has no reviewer: the board makes it final.
    assert _buttons(client, people["board"], own) == {"reopen", "finalise"}


def test_service_refusals_are_shown_and_change_nothing(client, organisation, version, people):
    assessment = start(organisation, version, people)
    before = snapshot(assessment)
    # Not every norm is answered: the board's submit is refused with the reason.
    response = as_user(client, people["board"]).post(url("assessment_submit", assessment.public_id), follow=True)
    assert response.status_code == 200
    assert "GO.01" in "".join(str(m) for m in response.context["messages"])
    # The IBP officer may not submit, nor the DPO answer: 403, nothing changed.
    assert as_user(client, people["ibp"]).post(url("assessment_submit", assessment.public_id)).status_code == 403
    dpo = as_user(client, people["dpo"])
    assert dpo.post(url("norm_answer", assessment.public_id, "GO.01"), level_data("GO.01", 5)).status_code == 403
    upload = SimpleUploadedFile("beleid.pdf", PDF, content_type="application/pdf")
    assert dpo.post(url("evidence_upload", assessment.public_id, "GO.01"), {"n-go-01-file": upload}).status_code == 403
    assert snapshot(assessment) == before


def test_bad_evidence_is_refused_with_the_reason(client, organisation, version, people):
    assessment = start(organisation, version, people)
    officer = as_user(client, people["ibp"])
    upload = SimpleUploadedFile("macro.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = officer.post(url("evidence_upload", assessment.public_id, "SM.01"), {"n-sm-01-file": upload}, **HTMX)
    assert response.status_code == 200
    assert 'id="n-sm-01-file-error"' in response.content.decode()
    response = officer.post(url("evidence_link", assessment.public_id, "SM.01"), {"n-sm-01-url": "javascript:alert(1)"})
    assert response.status_code == 400
    assert 'id="n-sm-01-url-error"' in response.content.decode()
    assert not Evidence.objects.exists()

    # A link is shown as a link and never fetched; removing it takes it off the norm.
    response = officer.post(
        url("evidence_link", assessment.public_id, "SM.01"),
        {"n-sm-01-url": "https://intranet.example.org/back-ups", "n-sm-01-name": "Back-upverslag"},
        **HTMX,
    )
    assert 'href="https://intranet.example.org/back-ups"' in response.content.decode()
    link = Evidence.objects.get()
    assert as_user(client, people["ibp"]).get(url("evidence_download", link.public_id)).status_code == 404
    response = officer.post(url("evidence_remove", link.public_id), **HTMX)
    assert response.status_code == 200
    assert not Evidence.objects.exists()


# --- outsiders and locked assessments ----------------------------------------------------------


def _all_pages(assessment, evidence, action):
    a = assessment.public_id
    return {
        "get": [
            url("assessment_detail", a),
            url("assessment_detail", a) + "?domain=SM",
            url("assessment_results", a),
            url("norm_answer", a, "GO.01"),
            url("evidence_download", evidence.public_id),
            url("organisation_assessments", assessment.organisation.public_id),
            url("improvement_plan", assessment.organisation.public_id),
            url("domain_targets", assessment.organisation.public_id),
            url("improvement_action_edit", action.public_id),
        ],
        "post": [
            (url("norm_answer", a, "GO.01"), level_data("GO.01", 1)),
            (url("norm_review", a, "GO.01"), {"n-go-01-auditor_level": "1"}),
            (url("evidence_link", a, "GO.01"), {"n-go-01-url": "https://example.org/x"}),
            (url("evidence_remove", evidence.public_id), {}),
            (url("assessment_submit", a), {}),
            (url("assessment_reopen", a), {}),
            (url("assessment_finalise", a), {}),
            (url("assessment_start", assessment.organisation.public_id), {}),
            (url("improvement_plan", assessment.organisation.public_id), {"title": "Iets"}),
            (url("improvement_action_edit", action.public_id), {"title": "Iets", "status": "done"}),
            (
                url("domain_targets", assessment.organisation.public_id),
                {"framework": "TEST", "target_n-sm": "5"},
            ),
        ],
    }


@pytest.mark.parametrize("who", ["outsider", "other_auditor", "auditor"])
def test_outsiders_find_nothing_of_another_organisations_assessment(client, organisation, version, people, who):
    assessment = start(organisation, version, people, kind=AssessmentKind.EXTERNAL_AUDIT)
    evidence = services.add_evidence_link(
        actor=people["ibp"], score=score_of(assessment, "GO.01"), url="https://example.org/geheim"
    )
    action = services.create_improvement_action(
        actor=people["ibp"], organisation=organisation, title="Geheime verbetering"
    )
    before = snapshot(assessment)
    visitor = as_user(client, people[who])
    pages = _all_pages(assessment, evidence, action)
    for path in pages["get"]:
        assert visitor.get(path).status_code == 404, path
    for path, data in pages["post"]:
        assert visitor.post(path, data).status_code == 404, path
    assert snapshot(assessment) == before
    action.refresh_from_db()
    assert (action.title, action.status) == ("Geheime verbetering", ActionStatus.OPEN)
    assert not DomainTarget.objects.exists()
    # Nor does it appear among their reviews.
    assert assessment.title not in visitor.get(url("review_list")).content.decode()


def test_assigned_reviewer_sees_the_assessment_but_not_the_rest_of_the_organisation(
    client, organisation, version, people
):
    assessment = start(organisation, version, people, kind=AssessmentKind.EXTERNAL_AUDIT)
    answer_all(assessment, people["ibp"])
    services.submit_assessment(actor=people["board"], assessment=assessment)
    services.assign_reviewer(actor=people["board"], assessment=assessment, reviewer=people["auditor"])
    auditor = as_user(client, people["auditor"])
    assert auditor.get(url("assessment_detail", assessment.public_id)).status_code == 200
    assert auditor.get(url("assessment_results", assessment.public_id)).status_code == 200
    for path in (
        url("organisation_assessments", organisation.public_id),
        url("improvement_plan", organisation.public_id),
        url("domain_targets", organisation.public_id),
    ):
        assert auditor.get(path).status_code == 404, path
    # The reviewer reviews, but does not answer for the institution.
    before = snapshot(assessment)
    assert auditor.post(url("norm_answer", assessment.public_id, "GO.01"), level_data("GO.01", 1)).status_code == 403
    assert snapshot(assessment) == before


def test_final_assessment_is_read_only_and_refuses_every_change(client, organisation, version, people):
    assessment = start(organisation, version, people)
    answer_all(assessment, people["ibp"], level=2)
    evidence = services.add_evidence_link(
        actor=people["ibp"], score=score_of(assessment, "GO.01"), url="https://example.org/a"
    )
    services.submit_assessment(actor=people["board"], assessment=assessment)
    services.finalise_assessment(actor=people["board"], assessment=assessment)
    before = snapshot(assessment)

    officer = as_user(client, people["ibp"])
    html = officer.get(url("assessment_detail", assessment.public_id)).content.decode()
    assert "<form" in html  # the language switch and sign-out remain
    assert "hx-post" not in html
    assert 'type="radio"' not in html
    assert "<textarea" not in html
    assert "read-only-note" in html

    response = officer.post(url("norm_answer", assessment.public_id, "GO.01"), level_data("GO.01", 5))
    assert response.status_code == 400
    assert nl("This assessment is no longer a draft and cannot be changed.") in response.content.decode()
    response = officer.post(url("norm_answer", assessment.public_id, "GO.01"), level_data("GO.01", 5), **HTMX)
    assert nl("This assessment is no longer a draft and cannot be changed.") in response.content.decode()
    upload = SimpleUploadedFile("beleid.pdf", PDF, content_type="application/pdf")
    assert (
        officer.post(url("evidence_upload", assessment.public_id, "GO.01"), {"n-go-01-file": upload}).status_code == 400
    )
    assert officer.post(url("evidence_remove", evidence.public_id)).status_code == 400
    board = as_user(client, people["board"])
    for name in ("assessment_submit", "assessment_reopen", "assessment_finalise"):
        board.post(url(name, assessment.public_id))
    assert snapshot(assessment) == before


# --- query budget ---------------------------------------------------------------------------------


# 15 domains: 69 security norms in the first twelve, 25 privacy norms in the last three.
IBP_LIKE = {f"D{index:02d}": count for index, count in enumerate([6] * 11 + [3, 9, 8, 8], 1)}


def _busy_assessment(organisation, version, people, other_version):
    """Every norm answered with evidence, an open action and a suggestion through a mapping."""
    assessment = start(organisation, version, people)
    other = start(organisation, other_version, people)
    other_norms = list(other_version.norms.order_by("position"))
    for index, norm in enumerate(version.norms.order_by("position")):
        Mapping.objects.create(source=norm, target=other_norms[index % len(other_norms)])
    answer_all(other, people["ibp"], level=4)
    for score in NormScore.objects.filter(assessment=assessment).select_related("norm"):
        services.save_score(actor=people["ibp"], score=score, level=2, justification="Deels")
        services.add_evidence_link(actor=people["ibp"], score=score, url=f"https://example.org/{score.norm.code}")
        services.create_improvement_action(
            actor=people["ibp"],
            organisation=organisation,
            title=f"Verbeter {score.norm.code}",
            framework=version.framework,
            norm_code=score.norm.code,
        )
    return assessment


def own_queries(user, path: str):
    """The page's own queries: the view with its templates and context processors, without the
    platform's per-request work (session, sign-in, second factor), which adds a few queries to
    every page alike."""
    request = RequestFactory().get(path)
    request.user = user
    request.htmx = HtmxDetails(request)
    match = resolve(request.path_info)
    with CaptureQueriesContext(connection) as queries:
        response = match.func(request, *match.args, **match.kwargs)
    return response, len(queries)


@pytest.mark.parametrize("who", ["ibp", "board"])
def test_work_page_queries_do_not_grow_with_the_framework(
    client, organisation, people, django_assert_max_num_queries, who
):
    small = published_version(code="KLEIN", domains={"GO": 2, "SM": 3})
    large = published_version(code="GROOT", domains=IBP_LIKE)
    assert large.norms.count() == 94
    mapped = published_version(code="ANDER", domains={"X": 4})
    own, whole = {}, {}
    for name, version, domain in (("small", small, "SM"), ("large", large, "D13")):
        assessment = _busy_assessment(organisation, version, people, mapped)
        path = url("assessment_detail", assessment.public_id) + f"?domain={domain}"
        with django_assert_max_num_queries(15):
            response, own[name] = own_queries(people[who], path)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('class="norm"') == version.norms.filter(domain__code=domain).count()
        assert html.count("evidence-list__item") == html.count('class="norm"')
        if who == "ibp":
            assert html.count('name="suggested_level"') == html.count('class="norm"')
        # Through the whole stack (session, sign-in, second factor, navigation) the count is
        # fixed and within the budget as well, also on the request that renews the session.
        page_client = as_user(client, people[who])
        page_client.get(path)
        with django_assert_max_num_queries(15), CaptureQueriesContext(connection) as queries:
            assert page_client.get(path).status_code == 200
        whole[name] = len(queries)
        _age_session(page_client)
        with django_assert_max_num_queries(15):
            assert page_client.get(path).status_code == 200
    assert own["small"] == own["large"]
    assert whole["small"] == whole["large"]


def _age_session(client) -> None:
    """Make the session's last renewal more than a minute old: the next request renews it."""
    session = client.session
    seen = session[SESSION_SEEN_KEY]
    session[SESSION_SEEN_KEY] = [seen[0] - SESSION_RENEW_SECONDS - 1, *seen[1:]]
    session.save()


# --- evidence download ---------------------------------------------------------------------------


def test_evidence_download_for_members_and_the_assigned_reviewer_only(client, organisation, version, people):
    assessment = start(organisation, version, people, kind=AssessmentKind.PEER_REVIEW)
    upload = SimpleUploadedFile("Beleid 2026.pdf", PDF, content_type="application/pdf")
    evidence = services.add_evidence_file(actor=people["ibp"], score=score_of(assessment, "SM.02"), upload=upload)
    download = url("evidence_download", evidence.public_id)

    peer = member(Role.IBP_OFFICER, OrganisationFactory(name="Buurbestuur")).user
    assert as_user(client, peer).get(download).status_code == 404
    answer_all(assessment, people["ibp"])
    services.submit_assessment(actor=people["board"], assessment=assessment)
    services.assign_reviewer(actor=people["board"], assessment=assessment, reviewer=peer)

    for who in (people["ibp"], people["dpo"], people["board"], peer):
        response = as_user(client, who).get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "Beleid 2026.pdf" in response["Content-Disposition"]
    for who in (people["outsider"], people["auditor"]):
        assert as_user(client, who).get(download).status_code == 404


# --- suggestions through mappings --------------------------------------------------------------


def test_answer_on_a_mapped_framework_is_offered_and_fills_the_form_only(client, organisation, version, people):
    iso = published_version(code="ISO", domains={"A": 2})
    Mapping.objects.create(source=version.norms.get(code="SM.01"), target=iso.norms.get(code="A.01"))
    iso_assessment = start(organisation, iso, people)
    services.save_score(actor=people["ibp"], score=score_of(iso_assessment, "A.01"), level=4)
    assessment = start(organisation, version, people)

    officer = as_user(client, people["ibp"])
    html = officer.get(url("assessment_detail", assessment.public_id) + "?domain=SM").content.decode()
    block = html.split('id="n-sm-01"')[1].split('id="n-sm-02"')[0]
    assert "ISO" in block
    assert "A.01" in block
    assert 'name="suggested_level" value="4"' in block

    response = officer.get(url("norm_answer", assessment.public_id, "SM.01") + "?suggested_level=4", **HTMX)
    assert re.search(r'id="n-sm-01-level-4" value="4" checked', response.content.decode())
    # Filled in, not saved: the person checks it and saves.
    assert score_of(assessment, "SM.01").level is None


# --- improvement plan, targets and starting from the last assessment ---------------------------


def test_gaps_become_actions_that_the_plan_page_edits(client, organisation, version, people):
    assessment = start(organisation, version, people)
    answer_all(assessment, people["ibp"], level=3)
    services.save_score(actor=people["ibp"], score=score_of(assessment, "SM.02"), level=1)
    services.submit_assessment(actor=people["board"], assessment=assessment)
    services.finalise_assessment(actor=people["board"], assessment=assessment)
    action = ImprovementAction.objects.get()

    officer = as_user(client, people["ibp"])
    html = officer.get(url("improvement_plan", organisation.public_id)).content.decode()
    assert action.title in html
    assert url("improvement_action_edit", action.public_id) in html
    due = timezone.localdate() + timedelta(days=60)
    response = officer.post(
        url("improvement_action_edit", action.public_id),
        {
            "title": action.title,
            "owner": people["board"].pk,
            "due_date": due.isoformat(),
            "status": ActionStatus.IN_PROGRESS,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.due_date, action.status) == (
        people["board"],
        due,
        ActionStatus.IN_PROGRESS,
    )

    # Someone outside the organisation cannot be the owner.
    response = officer.post(
        url("improvement_action_edit", action.public_id),
        {"title": action.title, "owner": people["outsider"].pk, "status": ActionStatus.DONE},
    )
    assert response.status_code == 400
    action.refresh_from_db()
    assert (action.owner, action.status) == (people["board"], ActionStatus.IN_PROGRESS)

    officer.post(
        url("improvement_plan", organisation.public_id),
        {"title": "Phishingoefening houden", "due_date": ""},
    )
    assert ImprovementAction.objects.filter(title="Phishingoefening houden").exists()

    # The open action is shown beside its norm in the next assessment.
    next_one = services.start_assessment(
        actor=people["ibp"],
        organisation=organisation,
        framework_version=version,
        start_from_last=True,
    )
    html = officer.get(url("assessment_detail", next_one.public_id) + "?domain=SM").content.decode()
    assert action.title in html.split('id="n-sm-02"')[1].split('id="n-sm-03"')[0]

    # The DPO reads the plan but changes nothing.
    dpo = as_user(client, people["dpo"])
    assert (
        url("improvement_action_edit", action.public_id)
        not in dpo.get(url("improvement_plan", organisation.public_id)).content.decode()
    )
    assert (
        dpo.post(url("improvement_action_edit", action.public_id), {"title": "x", "status": "done"}).status_code == 403
    )
    assert dpo.get(url("improvement_action_edit", action.public_id)).status_code == 403
    assert dpo.post(url("improvement_plan", organisation.public_id), {"title": "Iets"}).status_code == 403
    assert ImprovementAction.objects.count() == 2


def test_domain_targets_apply_to_assessments_started_afterwards(client, organisation, version, people):
    officer = as_user(client, people["ibp"])
    page = officer.get(url("domain_targets", organisation.public_id))
    assert page.status_code == 200
    response = officer.post(
        url("domain_targets", organisation.public_id),
        {
            "framework": "TEST",
            "target_n-sm": "4",
            "target_n-go": "",
            "reason": "Veel leerlinggegevens",
        },
    )
    assert response.status_code == 302
    assert list(DomainTarget.objects.values_list("domain_code", "target_level")) == [("SM", 4)]
    officer.post(
        url("assessment_start", organisation.public_id),
        {"framework_version": version.pk, "kind": AssessmentKind.SELF, "start_from_last": ""},
    )
    assert Assessment.objects.get().targets == {"SM": 4}
    # The DPO sees the targets but cannot set them.
    dpo = as_user(client, people["dpo"])
    assert dpo.get(url("domain_targets", organisation.public_id)).status_code == 200
    assert (
        dpo.post(url("domain_targets", organisation.public_id), {"framework": "TEST", "target_n-sm": "5"}).status_code
        == 403
    )
    assert DomainTarget.objects.get().target_level == 4


def test_domain_targets_refused_for_one_domain_change_none(client, organisation, version, people, monkeypatch):
    from django.core.exceptions import ValidationError

    from weerbaar.assessments import services

    officer = as_user(client, people["ibp"])
    real = services.set_domain_target
    calls = []

    def refuse_the_second(**kwargs):
        calls.append(kwargs["domain_code"])
        if len(calls) == 2:
            raise ValidationError({"target_level": "Niet toegestaan"})
        return real(**kwargs)

    monkeypatch.setattr(services, "set_domain_target", refuse_the_second)
    response = officer.post(
        url("domain_targets", organisation.public_id),
        {"framework": "TEST", "target_n-sm": "4", "target_n-go": "2", "reason": "Veel leerlinggegevens"},
    )
    assert response.status_code == 400
    assert len(calls) == 2
    assert not DomainTarget.objects.exists()


def test_start_form_errors_are_shown_and_start_from_last_copies_levels(client, organisation, version, people):
    officer = as_user(client, people["ibp"])
    response = officer.post(
        url("assessment_start", organisation.public_id),
        {"framework_version": version.pk, "kind": AssessmentKind.SELF, "start_from_last": "on"},
    )
    assert response.status_code == 400
    assert nl("There is no final assessment on this framework to start from.") in response.content.decode()
    assert not Assessment.objects.exists()

    first = start(organisation, version, people)
    answer_all(first, people["ibp"], level=4)
    services.submit_assessment(actor=people["board"], assessment=first)
    services.finalise_assessment(actor=people["board"], assessment=first)
    response = officer.post(
        url("assessment_start", organisation.public_id),
        {"framework_version": version.pk, "kind": AssessmentKind.SELF, "start_from_last": "on"},
    )
    second = Assessment.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302
    assert second.started_from == first
    assert set(second.scores.values_list("level", flat=True)) == {4}


def test_results_compare_with_the_previous_final_assessment(client, organisation, version, people):
    first = start(organisation, version, people)
    answer_all(first, people["ibp"], level=2)
    services.submit_assessment(actor=people["board"], assessment=first)
    services.finalise_assessment(actor=people["board"], assessment=first)
    second = services.start_assessment(
        actor=people["ibp"],
        organisation=organisation,
        framework_version=version,
        start_from_last=True,
    )
    services.save_score(actor=people["ibp"], score=score_of(second, "GO.01"), level=4)
    services.save_score(actor=people["ibp"], score=score_of(second, "SM.03"), level=1)

    html = as_user(client, people["board"]).get(url("assessment_results", second.public_id)).content.decode()
    compare = html.split('id="compare-heading"')[1]
    rows = {
        row[0].split()[0]: row[1:]
        for row in (
            [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
            for tr in re.findall(r'<tr class="utrecht-table__row">(.*?)</tr>', compare, re.S)
        )
    }
    with translation.override("nl"):
        up, down, same = (
            gettext("up %(n)d") % {"n": 2},
            gettext("down %(n)d") % {"n": 1},
            gettext("unchanged"),
        )
    assert rows["GO.01"] == ["2", "4", f"▲ {up}"]
    assert rows["SM.03"] == ["2", "1", f"▼ {down}"]
    assert rows["GO.02"] == ["2", "2", same]


# --- audit policy ------------------------------------------------------------------------------


def test_next_audit_due_and_overdue_under_the_sector_policy(client, people):
    university = OrganisationFactory(name="Universiteit", kind=OrganisationKind.INSTITUTION, sector=sector("WO"))
    officer = member(Role.IBP_OFFICER, university).user
    status = selectors.audit_status(university)
    assert status.applies
    assert status.overdue
    assert status.never_audited
    assert status.due is None
    html = as_user(client, officer).get(url("organisation_assessments", university.public_id)).content.decode()
    assert nl("No audit on record") in html

    version = published_version()
    audit = services.start_assessment(
        actor=officer,
        organisation=university,
        framework_version=version,
        kind=AssessmentKind.EXTERNAL_AUDIT,
    )
    Assessment.objects.filter(pk=audit.pk).update(
        status=AssessmentStatus.FINAL,
        finalised_at=timezone.make_aware(timezone.datetime(2025, 1, 31, 12)),
    )
    status = selectors.audit_status(university, today=date(2026, 2, 27))
    assert (status.due, status.overdue) == (date(2026, 1, 31), True)
    status = selectors.audit_status(university, today=date(2026, 1, 31))
    assert status.overdue is False
    assert selectors.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    # A school board in primary education has no policy.
    assert not selectors.audit_status(OrganisationFactory()).applies


def test_sector_coordinator_sees_counts_of_overdue_audits_only(client, people):
    coordinator_org = OrganisationFactory(
        name="Coordinatie HO",
        kind=OrganisationKind.SECTOR_ORGANISATION,
        sector=None,
        board_number="",
    )
    coordinator_org.served_sectors.set([sector("WO"), sector("PO")])
    coordinator = member(Role.SECTOR_COORDINATOR, coordinator_org).user
    version = published_version()
    universities = [
        OrganisationFactory(name=f"Instelling WO {n}", kind=OrganisationKind.INSTITUTION, sector=sector("WO"))
        for n in range(7)
    ]
    # Five hogescholen: too few to count without singling one out.
    for n in range(5):
        OrganisationFactory(name=f"Instelling HBO {n}", kind=OrganisationKind.INSTITUTION, sector=sector("HBO"))
    coordinator_org.served_sectors.add(sector("HBO"))
    for index, finalised in enumerate([timezone.now() - timedelta(days=30), timezone.now() - timedelta(days=400)]):
        officer = member(Role.IBP_OFFICER, universities[index]).user
        audit = services.start_assessment(
            actor=officer,
            organisation=universities[index],
            framework_version=version,
            kind=AssessmentKind.EXTERNAL_AUDIT,
        )
        Assessment.objects.filter(pk=audit.pk).update(status=AssessmentStatus.FINAL, finalised_at=finalised)

    rows = selectors.overdue_audit_counts(coordinator)
    shown = [r for r in rows if not r["suppressed"]]
    assert [(r["sector"].code, r["organisations"], r["covered"], r["overdue"], r["never_audited"]) for r in shown] == [
        ("WO", 7, 1, 6, 5)
    ]
    (hidden,) = [r for r in rows if r["suppressed"]]
    assert hidden["sector"].code == "HBO"
    assert "overdue" not in hidden
    assert "organisations" not in hidden
    # A report narrows to its own sectors, never beyond the reader's reach.
    assert [r["sector"].code for r in selectors.overdue_audit_counts(coordinator, ["WO", "MBO"])] == ["WO"]
    response = as_user(client, coordinator).get(url("overdue_audits"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Instelling WO" not in html  # counts, no names
    assert nl("suppressed (too few participants)") in html
    assert (
        url("overdue_audits") in as_user(client, coordinator).get(reverse("organisations:dashboard")).content.decode()
    )
    assert as_user(client, people["ibp"]).get(url("overdue_audits")).status_code == 403
    assert selectors.overdue_audit_counts(people["ibp"]) == []


def test_organisation_page_links_to_assessments_for_members_only(client, organisation, people):
    links = (
        url("organisation_assessments", organisation.public_id),
        url("improvement_plan", organisation.public_id),
    )
    html = (
        as_user(client, people["dpo"])
        .get(reverse("organisations:organisation_detail", args=[organisation.public_id]))
        .content.decode()
    )
    assert all(link in html for link in links)
    coordinator_org = OrganisationFactory(kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number="")
    coordinator_org.served_sectors.set([organisation.sector])
    coordinator = member(Role.SECTOR_COORDINATOR, coordinator_org).user
    response = as_user(client, coordinator).get(
        reverse("organisations:organisation_detail", args=[organisation.public_id])
    )
    assert response.status_code == 200
    assert not any(link in response.content.decode() for link in links)
