"""The set-based refresh of a cycle gives every participant exactly the scores the scoring formula
gives its assessment on its own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import OrganisationFactory, member, published_version, sector
from weerbaar.assessments.choices import AssessmentKind, AssessmentStatus
from weerbaar.assessments.models import Assessment, NormScore
from weerbaar.assessments.selectors import score_of
from weerbaar.core.permissions import Role
from weerbaar.monitor import queries, services
from weerbaar.monitor.choices import CycleKind
from weerbaar.monitor.models import OrganisationResult, Participation
from weerbaar.organisations.choices import OrganisationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    org = OrganisationFactory(name="SIVON", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number="")
    org.served_sectors.set([sector("PO"), sector("VO")])
    return member(Role.SECTOR_COORDINATOR, org)


@pytest.fixture
def version():
    # A third domain that some assessments leave entirely without a counted norm.
    return published_version(domains={"GO": 2, "SM": 3, "FB": 2})


def open_cycle(coordinator, version, name="Monitor 2026"):
    today = timezone.localdate()
    return services.open_cycle(
        actor=coordinator.user,
        coordinator=coordinator.organisation,
        name=name,
        kind=CycleKind.MONITOR,
        sectors=[sector("PO"), sector("VO")],
        framework_version=version,
        opens_on=today - timedelta(days=30),
        closes_on=today + timedelta(days=10),
    )


def participations(cycle):
    return Participation.objects.filter(cycle=cycle).select_related("organisation", "cycle")


def answered(participation, answers, *, status=AssessmentStatus.FINAL, kind=AssessmentKind.SELF, targets=None):
    """An assessment for the participation with the given answers per norm code:
    level, ("n/a", auditor level or None) or (level, auditor level); missing codes stay open."""
    assessment = Assessment.objects.create(
        organisation=participation.organisation,
        framework_version=participation.cycle.framework_version,
        kind=kind,
        status=status,
        title=participation.cycle.name,
        targets=targets or {},
        finalised_at=timezone.now() if status == AssessmentStatus.FINAL else None,
    )
    for norm in participation.cycle.framework_version.norms.all():
        answer = answers.get(norm.code)
        level, auditor, not_applicable = answer, None, False
        if isinstance(answer, tuple):
            level, auditor = answer
        if level == "n/a":
            level, not_applicable = None, True
        NormScore.objects.create(
            assessment=assessment,
            norm=norm,
            level=level,
            auditor_level=auditor,
            not_applicable=not_applicable,
            not_applicable_reason="Geen eigen systemen" if not_applicable else "",
        )
    participation.assessment = assessment
    participation.save()
    return assessment


def test_set_based_scores_equal_the_scoring_of_each_assessment(coordinator, version):
    po = [OrganisationFactory(sector=sector("PO")) for _ in range(4)]
    vo = OrganisationFactory(sector=sector("VO"))
    cycle = open_cycle(coordinator, version)
    part = {p.organisation_id: p for p in participations(cycle)}
    final = [
        # Thirds in a domain mean, a norm that does not apply, an open norm, and own targets that
        # decide gaps but must not move any score.
        answered(
            part[po[0].pk],
            {"GO.01": 2, "GO.02": "n/a", "SM.01": 1, "SM.02": 2, "SM.03": 2, "FB.01": 5},
            targets={"GO": 5, "SM": 1},
        ),
        # An audit: the reviewer's level replaces the own level where given, and a reviewer's level
        # on a norm that does not apply still does not count.
        answered(
            part[po[1].pk],
            {
                "GO.01": (4, 2),
                "GO.02": (3, None),
                "SM.01": ("n/a", 5),
                "SM.02": (1, 3),
                "SM.03": 5,
                "FB.01": "n/a",
                "FB.02": "n/a",
            },
            kind=AssessmentKind.EXTERNAL_AUDIT,
        ),
        # A reviewer's level on a norm the institution left open counts.
        answered(part[po[2].pk], {"GO.01": (None, 4), "SM.02": 3}),
        # Nothing counted at all: no domain score, no overall score, still a participant.
        answered(part[vo.pk], {"GO.01": "n/a"}),
    ]
    # Not final, so not in the benchmark.
    answered(part[po[3].pk], {"GO.01": 5, "GO.02": 5}, status=AssessmentStatus.SUBMITTED)
    # A final assessment in another cycle stays out of this one.
    other = open_cycle(coordinator, version, name="Nulmeting")
    answered(participations(other).get(organisation=po[3]), {"GO.01": 1})

    results = {r.organisation_id: r for r in queries.participant_scores(cycle)}

    assert set(results) == {a.organisation_id for a in final}
    for assessment in final:
        expected = score_of(assessment)
        got = results[assessment.organisation_id]
        assert got.assessment_id == assessment.pk
        # Exactly equal, not approximately: the refresh must not shift a benchmark by rounding.
        assert got.overall == expected.overall
        assert got.domains == {d.domain_code: d.score for d in expected.domains}
        assert list(got.domains) == ["GO", "SM", "FB"]
        assert got.finalised_at == assessment.finalised_at
    first = results[po[0].pk]
    assert first.domains == {"GO": 2.0, "SM": 5 / 3, "FB": 5.0}
    assert first.overall == pytest.approx((2 + 5 / 3 + 5) / 3)
    assert results[po[1].pk].domains == {"GO": 2.5, "SM": 4.0, "FB": None}
    assert (results[vo.pk].overall, results[vo.pk].sector) == (None, "VO")


def test_refresh_stores_the_same_results_as_scoring_each_assessment(coordinator, version):
    boards = [OrganisationFactory(sector=sector("PO")) for _ in range(3)]
    cycle = open_cycle(coordinator, version)
    part = {p.organisation_id: p for p in participations(cycle)}
    final = [
        answered(
            part[boards[0].pk],
            {"GO.01": 3, "GO.02": 4, "SM.01": 2, "SM.02": "n/a", "SM.03": 1, "FB.01": 2},
        ),
        answered(
            part[boards[1].pk],
            {"GO.01": (5, 1), "SM.01": 4, "FB.02": (None, 3)},
            kind=AssessmentKind.INTERNAL_AUDIT,
        ),
    ]
    answered(part[boards[2].pk], {"GO.01": 5}, status=AssessmentStatus.DRAFT)  # stays out

    assert services.refresh_cycle(cycle=cycle) == 2

    stored = {r.organisation_id: r for r in OrganisationResult.objects.filter(cycle=cycle)}
    assert set(stored) == {boards[0].pk, boards[1].pk}
    for assessment in final:
        expected = score_of(assessment)
        row = stored[assessment.organisation_id]
        assert row.overall == expected.overall
        assert row.domains == {d.domain_code: d.score for d in expected.domains}
        assert row.sector == "PO"
        assert row.finalised_at == assessment.finalised_at


def test_share_on_track_counts_each_organisations_latest_result_only(coordinator, version):
    from weerbaar.monitor.models import Ambition
    from weerbaar.monitor.selectors import sector_share_on_track

    po = sector("PO")
    Ambition.objects.update_or_create(sector=po, defaults={"target": 3.0, "deadline": timezone.localdate()})
    earlier = open_cycle(coordinator, version, name="Nulmeting")
    later = open_cycle(coordinator, version)
    boards = [OrganisationFactory(sector=po) for _ in range(8)]
    now = timezone.now()
    for i, board in enumerate(boards):
        # Everyone was below the ambition a year ago; six of eight are at or above it now, one
        # has no overall score in its latest result and one has only the old result.
        OrganisationResult.objects.create(
            cycle=earlier,
            organisation=board,
            sector="PO",
            overall=2.0,
            finalised_at=now - timedelta(days=365),
        )
        if i < 7:
            OrganisationResult.objects.create(
                cycle=later,
                organisation=board,
                sector="PO",
                overall=None if i == 6 else 3.0 + i / 10,
                finalised_at=now - timedelta(days=i),
            )
    # Seven organisations with an overall score: six on track, the one with only an old result not.
    assert sector_share_on_track(po) == {"suppressed": False, "count": 7, "share": 6 / 7}


def test_raw_rows_are_the_querysets_rows_inside_and_outside_a_transaction(coordinator, version):
    from django.db import transaction
    from django.db.models import Count, Sum

    for i in range(3):
        OrganisationFactory(name=f"Bestuur {i}", sector=sector("PO"))
    cycle = open_cycle(coordinator, version)
    for i, participation in enumerate(participations(cycle)):
        answered(participation, {norm.code: 1 + (i + n) % 5 for n, norm in enumerate(version.norms.all())})
    rows = (
        NormScore.objects.filter(assessment__participation__cycle=cycle)
        .values_list("assessment_id", "norm__domain__code")
        .annotate(total=Sum("level"), counted=Count("level"))
        .order_by("assessment_id", "norm__domain__code")
    )
    expected = list(rows)
    assert expected
    assert queries.raw_rows(rows) == expected
    with transaction.atomic():
        assert queries.raw_rows(rows) == expected


def test_the_large_grouping_gets_its_settings_in_the_refresh_transaction(coordinator, version):
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings")
    cycle = open_cycle(coordinator, version)

    def setting(name):
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    # SET LOCAL, for the grouping statement only: never the server's or the session's settings,
    # and not the refresh's other statements, which the workers would slow down.
    before = setting("work_mem"), setting("parallel_setup_cost")
    seen = []
    with transaction.atomic():
        with connection.execute_wrapper(lambda execute, sql, *rest: seen.append(sql) or execute(sql, *rest)):
            queries.domain_sums(cycle)
        assert (setting("work_mem"), setting("parallel_setup_cost"), setting("jit")) == (*before, "off")
    grouping = next(i for i, sql in enumerate(seen) if "GROUP BY" in sql)
    assert "SET LOCAL work_mem = '128MB'" in seen[:grouping]
    assert "SET LOCAL work_mem TO DEFAULT" in seen[grouping:]
