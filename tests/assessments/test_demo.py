"""Demo assessments: every demo login finds assessments in the state its work needs, enough
organisations have a final one for sector figures, and loading again changes nothing."""

from collections import Counter
from datetime import date
from io import StringIO
from pathlib import Path
from statistics import fmean

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from tests.factories import member
from weerbaar.assessments import demo, services
from weerbaar.assessments.choices import AssessmentKind, AssessmentStatus
from weerbaar.assessments.models import Assessment, ImprovementAction, NormScore
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.frameworks import services as framework_services
from weerbaar.frameworks.management.files import read_files
from weerbaar.organisations.demo import generate_sector
from weerbaar.organisations.models import Organisation
from weerbaar.organisations.services import load_demo_sector

pytestmark = pytest.mark.django_db

CATALOGUES = Path(framework_services.__file__).resolve().parent / "catalogues"
TODAY = date(2026, 11, 23)
IBP = "ibp@demo.weerbaar.invalid"
MBO_IBP = "ibp.mbo@demo.weerbaar.invalid"
AUDITOR = "auditor@demo.weerbaar.invalid"


def row_counts() -> dict:
    return {model.__name__: model.objects.count() for model in (Assessment, NormScore, ImprovementAction, AuditEntry)}


def home_of(email: str) -> Organisation:
    return Organisation.objects.get(memberships__user__email=email, memberships__is_active=True)


@pytest.fixture
def demo_sector(settings):
    settings.PRODUCTION = False
    framework_services.import_documents(
        actor=None,
        documents=read_files([CATALOGUES / "ibp-fo-2024.yaml", CATALOGUES / "surfaudit-2021.yaml"]),
        publish=True,
    )
    load_demo_sector(actor=None, sector=generate_sector(60, 2026), password="demo-wachtwoord")


def test_demo_gives_each_demo_login_assessments_in_the_state_it_works_on(demo_sector):
    counts = services.load_demo_assessments(actor=None, seed=2026, today=TODAY)

    po_board = home_of(IBP)
    po = {a.status: a for a in Assessment.objects.filter(organisation=po_board)}
    assert set(po) == {AssessmentStatus.FINAL, AssessmentStatus.DRAFT}
    final, draft = po[AssessmentStatus.FINAL], po[AssessmentStatus.DRAFT]
    assert final.framework_version.framework.code == "IBP-FO"
    assert final.finalised_at.year == TODAY.year - 1
    levels = [s.level for s in final.scores.all() if s.level is not None]
    assert 1.6 <= fmean(levels) <= 2.4
    # Gaps of the final one became improvement actions, as finalising does.
    assert ImprovementAction.objects.filter(source_assessment=final).exists()
    answered = draft.scores.filter(level__isnull=False).count() + draft.scores.filter(not_applicable=True).count()
    assert 0.35 * draft.scores.count() <= answered <= 0.65 * draft.scores.count()

    mbo = Assessment.objects.filter(organisation=home_of(MBO_IBP))
    audit = mbo.get(status=AssessmentStatus.UNDER_REVIEW)
    assert audit.kind == AssessmentKind.EXTERNAL_AUDIT
    assert audit.framework_version.framework.code == "SURFAUDIT"
    assert audit.reviewer.email == AUDITOR
    assert audit.reviewer_organisation == home_of(AUDITOR)
    assert not audit.scores.filter(level__isnull=True, not_applicable=False).exists()
    assert audit.scores.filter(auditor_level__isnull=False).exists()
    assert mbo.filter(status=AssessmentStatus.FINAL).exists()

    with_final = Assessment.objects.filter(status=AssessmentStatus.FINAL).values("organisation")
    assert Organisation.objects.filter(pk__in=with_final).count() >= 30
    assert counts[AssessmentStatus.DRAFT] == 1
    assert counts[AssessmentStatus.UNDER_REVIEW] == 1
    # One audit entry per assessment written.
    assert AuditEntry.objects.filter(action="assessment.demo_loaded").count() == sum(counts.values())


def test_demo_assessments_are_the_same_every_time_and_a_second_run_changes_nothing(
    demo_sector,
):
    services.load_demo_assessments(actor=None, seed=2026, today=TODAY)
    first = sorted(Assessment.objects.values_list("organisation__name", "title", "status", "kind"))
    before = row_counts()

    again = services.load_demo_assessments(actor=None, seed=2026, today=TODAY)

    assert not any(again.values())
    assert row_counts() == before
    assert len(first) == len(set(first))


def test_demo_assessments_complete_what_is_already_there(demo_sector):
    # An earlier part of the demo already made the PO board's final of last year.
    services.load_demo_assessments(actor=None, seed=2026, today=TODAY)
    po_board = home_of(IBP)
    Assessment.objects.filter(organisation=po_board, status=AssessmentStatus.DRAFT).delete()
    before = Assessment.objects.filter(status=AssessmentStatus.FINAL).count()

    counts = services.load_demo_assessments(actor=None, seed=2026, today=TODAY)

    assert counts[AssessmentStatus.DRAFT] == 1
    assert counts[AssessmentStatus.FINAL] == 0
    assert Assessment.objects.filter(status=AssessmentStatus.FINAL).count() == before


def test_only_the_system_loads_demo_assessments_and_never_in_production(demo_sector, settings):
    person = member(Role.IBP_OFFICER, home_of(IBP)).user
    before = row_counts()

    with pytest.raises(PermissionDenied):
        services.load_demo_assessments(actor=person, seed=2026, today=TODAY)
    settings.PRODUCTION = True
    with pytest.raises(PermissionDenied):
        services.load_demo_assessments(actor=None, seed=2026, today=TODAY)

    assert row_counts() == before


def test_planned_answers_depend_on_the_seed_only():
    codes = [f"N.{n:02d}" for n in range(1, 41)]

    first = demo.answers(2026, "Stichting X", codes, mean=2.0, answered_share=0.5)

    assert demo.answers(2026, "Stichting X", list(codes), mean=2.0, answered_share=0.5) == first
    assert demo.answers(2027, "Stichting X", codes, mean=2.0, answered_share=0.5) != first
    assert demo.sample(5, ["a", "b", "c", "d"], 2) == demo.sample(5, ["d", "c", "b", "a"], 2)


def test_seed_demo_loads_assessments_in_every_state_once(settings):
    settings.PRODUCTION = False
    out = StringIO()

    call_command("seed_demo", organisations=12, seed=2026, stdout=out)

    states = Counter(Assessment.objects.values_list("status", flat=True))
    assert states[AssessmentStatus.DRAFT] >= 1
    assert states[AssessmentStatus.UNDER_REVIEW] >= 1
    assert states[AssessmentStatus.FINAL] >= 1
    assert Assessment.objects.filter(organisation=home_of(IBP), status=AssessmentStatus.DRAFT).exists()
    assert Assessment.objects.get(status=AssessmentStatus.UNDER_REVIEW).reviewer.email == AUDITOR
    assert "Demo assessments loaded" in out.getvalue()
    before = row_counts()

    again = StringIO()
    call_command("seed_demo", organisations=12, seed=2026, stdout=again)

    assert row_counts() == before
    assert "The demo assessments are already loaded" in again.getvalue()
