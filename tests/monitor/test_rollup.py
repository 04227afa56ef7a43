"""The incremental refresh: scores stored at finalisation, result rows rewritten only where an
assessment changed, every cell computed by the database, and the anonymity rules decided on
counts exactly as on the organisations themselves."""

import random

import pytest
from django.utils import timezone

from tests.factories import OrganisationFactory, published_version, sector
from tests.monitor.test_queries import answered, coordinator, open_cycle, participations  # noqa: F401
from weerbaar.assessments.choices import AssessmentStatus
from weerbaar.assessments.models import Assessment, ScoreRollup
from weerbaar.assessments.selectors import score_of
from weerbaar.monitor import queries, services
from weerbaar.monitor.benchmark import OrganisationScores, PrefixMembers, aggregate_cycle, hidden_cells
from weerbaar.monitor.models import CycleAggregate, OrganisationResult, ResultScore

pytestmark = pytest.mark.django_db

MIN_GROUP = 5


@pytest.fixture
def version():
    return published_version(domains={"GO": 2, "SM": 3, "FB": 2})


def cells_of(cycle) -> dict:
    return {
        (a.group, a.column): (
            a.suppressed,
            a.count,
            a.mean,
            a.median,
            a.q1,
            a.q3,
            a.distribution,
            a.share_at_target,
        )
        for a in CycleAggregate.objects.filter(cycle=cycle)
    }


def _world(coordinator, version, organisations: int = 14, seed: int = 7):  # noqa: F811
    """A cycle of PO and VO boards with varied final assessments, some norms not applicable,
    one organisation without any counted norm and one that has not finished."""
    rng = random.Random(seed)
    boards = [OrganisationFactory(sector=sector("PO" if i % 3 else "VO")) for i in range(organisations)]
    cycle = open_cycle(coordinator, version)
    part = {p.organisation_id: p for p in participations(cycle)}
    codes = list(version.norms.order_by("position").values_list("code", flat=True))
    for index, board in enumerate(boards):
        if index == 0:
            answered(part[board.pk], dict.fromkeys(codes, "n/a"))
        elif index == 1:
            answered(part[board.pk], {codes[0]: 4}, status=AssessmentStatus.SUBMITTED)
        else:
            answered(
                part[board.pk],
                {code: ("n/a" if rng.random() < 0.15 else rng.randint(1, 5)) for code in codes},
            )
    return cycle, boards, part


def reference_cells(cycle) -> dict:
    """The aggregates as the pure benchmark module computes them from every organisation's
    scores (the tested reference for the rules and the statistics)."""
    results = OrganisationResult.objects.filter(cycle=cycle)
    domain_codes = list(cycle.framework_version.domains.order_by("position").values_list("code", flat=True))
    cells = aggregate_cycle(
        [OrganisationScores(r.organisation_id, r.sector, r.overall, r.domains) for r in results],
        domain_codes,
        min_group=MIN_GROUP,
    )
    return {
        (c.group, c.domain): (
            c.stats.suppressed,
            None if c.stats.suppressed else c.stats.count,
            c.stats.mean,
            c.stats.median,
            c.stats.q1,
            c.stats.q3,
            {str(k): v for k, v in c.stats.distribution.items()},
            c.stats.share_at_target,
        )
        for c in cells
    }


def assert_same_cells(ours: dict, reference: dict) -> None:
    assert set(ours) == set(reference)
    for key, values in reference.items():
        got = ours[key]
        assert got[:2] == values[:2], key
        assert got[6:7] == values[6:7], key
        for a, b in zip(got[2:6] + got[7:], values[2:6] + values[7:], strict=True):
            assert (a is None) == (b is None), key
            if a is not None:
                assert a == pytest.approx(b, rel=1e-12), key


def test_finalising_stores_the_scores_of_the_assessment(coordinator, version, settings):  # noqa: F811
    from tests.factories import member
    from weerbaar.assessments import services as assessment_services
    from weerbaar.core.permissions import Role

    board = OrganisationFactory(sector=sector("PO"))
    officer = member(Role.IBP_OFFICER, board).user
    approver = member(Role.BOARD_MEMBER, board).user
    assessment = assessment_services.start_assessment(actor=officer, organisation=board, framework_version=version)
    levels = iter([2, 3, 4, 1, 5, 3, 2])
    for score in assessment.scores.select_related("norm").order_by("norm__position"):
        if score.norm.code == "FB.02":
            assessment_services.save_score(
                actor=officer, score=score, level=None, not_applicable=True, not_applicable_reason="Geen"
            )
        else:
            assessment_services.save_score(actor=officer, score=score, level=next(levels))
    assessment_services.submit_assessment(actor=approver, assessment=assessment)
    assert not ScoreRollup.objects.filter(assessment=assessment).exists()

    assessment_services.finalise_assessment(actor=approver, assessment=assessment)

    expected = score_of(Assessment.objects.get(pk=assessment.pk))
    stored = dict(ScoreRollup.objects.filter(assessment=assessment).values_list("column", "score"))
    assert stored == {
        "overall": expected.overall,
        **{d.domain_code: d.score for d in expected.domains if d.score is not None},
    }


def test_incremental_and_full_refresh_agree_with_the_reference(coordinator, version, settings):  # noqa: F811
    settings.BENCHMARK_MIN_GROUP = MIN_GROUP
    cycle, _boards, _part = _world(coordinator, version)

    # Incremental on bulk-made assessments: their scores are computed from the norm scores.
    assert services.refresh_cycle(cycle=cycle) == 13
    assert ScoreRollup.objects.filter(assessment__participation__cycle=cycle, column="overall").count() == 13
    incremental = cells_of(cycle)
    assert_same_cells(incremental, reference_cells(cycle))
    scores = sorted(ResultScore.objects.filter(cycle=cycle).values_list("organisation_id", "column", "score"))

    assert services.refresh_cycle(cycle=cycle, full=True) == 13
    assert cells_of(cycle) == incremental
    assert sorted(ResultScore.objects.filter(cycle=cycle).values_list("organisation_id", "column", "score")) == scores


def test_a_newly_final_assessment_rewrites_only_its_own_rows(coordinator, version, settings):  # noqa: F811
    settings.BENCHMARK_MIN_GROUP = MIN_GROUP
    cycle, boards, part = _world(coordinator, version)
    services.refresh_cycle(cycle=cycle)
    before = dict(OrganisationResult.objects.filter(cycle=cycle).values_list("organisation_id", "pk"))

    # The organisation that had not finished makes its assessment final.
    Assessment.objects.filter(pk=part[boards[1].pk].assessment_id).update(
        status=AssessmentStatus.FINAL, finalised_at=timezone.now()
    )
    assert services.refresh_cycle(cycle=cycle) == 14

    after = dict(OrganisationResult.objects.filter(cycle=cycle).values_list("organisation_id", "pk"))
    assert set(after) - set(before) == {boards[1].pk}
    assert {o: after[o] for o in before} == before  # the other rows were not rewritten
    assert ResultScore.objects.filter(cycle=cycle, organisation=boards[1]).exists()
    assert_same_cells(cells_of(cycle), reference_cells(cycle))
    # Nothing stale any more: the dashboard does not queue another refresh.
    from weerbaar.monitor.selectors import is_stale

    assert not is_stale(cycle)


def test_finalising_a_cycle_assessment_queues_a_refresh_for_that_organisation(
    coordinator,  # noqa: F811
    version,
    settings,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """The refresh follows the finalisation itself, not a later dashboard read, and looks only
    at the organisation whose assessment became final."""
    from tests.factories import member
    from weerbaar.assessments import services as assessment_services
    from weerbaar.core.permissions import Role
    from weerbaar.monitor.selectors import is_stale

    settings.BENCHMARK_MIN_GROUP = MIN_GROUP
    cycle, boards, part = _world(coordinator, version)
    services.refresh_cycle(cycle=cycle)
    before = dict(OrganisationResult.objects.filter(cycle=cycle).values_list("organisation_id", "pk"))
    asked = []
    refresh = services.refresh_cycle
    monkeypatch.setattr(
        services, "refresh_cycle", lambda **kwargs: asked.append(kwargs.get("organisation_ids")) or refresh(**kwargs)
    )

    # The board that had only submitted has its assessment made final by its board member.
    board = boards[1]
    approver = member(Role.BOARD_MEMBER, board).user
    assessment = Assessment.objects.get(pk=part[board.pk].assessment_id)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.finalise_assessment(actor=approver, assessment=assessment)

    assert asked == [[board.pk]]
    assert not is_stale(cycle)
    after = dict(OrganisationResult.objects.filter(cycle=cycle).values_list("organisation_id", "pk"))
    assert set(after) - set(before) == {board.pk}
    assert {o: after[o] for o in before} == before
    assert_same_cells(cells_of(cycle), reference_cells(cycle))


def test_a_refresh_for_some_organisations_leaves_the_others_to_the_full_comparison(coordinator, version, settings):  # noqa: F811
    settings.BENCHMARK_MIN_GROUP = MIN_GROUP
    cycle, boards, part = _world(coordinator, version)
    services.refresh_cycle(cycle=cycle)
    # Two assessments change without save() (a bulk correction): only the one named is picked up
    # by the targeted refresh; the refresh over every participant then finds the other.
    now = timezone.now()
    for board in (boards[2], boards[3]):
        Assessment.objects.filter(pk=part[board.pk].assessment_id).update(finalised_at=now)
    old = dict(OrganisationResult.objects.filter(cycle=cycle).values_list("organisation_id", "finalised_at"))

    services.refresh_cycle(cycle=cycle, organisation_ids=[boards[2].pk])
    stored = dict(OrganisationResult.objects.filter(cycle=cycle).values_list("organisation_id", "finalised_at"))
    assert stored[boards[2].pk] == now
    assert stored[boards[3].pk] == old[boards[3].pk]

    services.refresh_cycle(cycle=cycle)
    stored = dict(OrganisationResult.objects.filter(cycle=cycle).values_list("organisation_id", "finalised_at"))
    assert stored[boards[3].pk] == now
    assert_same_cells(cells_of(cycle), reference_cells(cycle))


def test_a_refresh_without_changes_writes_no_cell(coordinator, version, settings, django_assert_max_num_queries):  # noqa: F811
    settings.BENCHMARK_MIN_GROUP = MIN_GROUP
    cycle, _boards, _part = _world(coordinator, version)
    services.refresh_cycle(cycle=cycle)
    ids = dict(CycleAggregate.objects.filter(cycle=cycle).values_list("group", "pk"))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        services.refresh_cycle(cycle=cycle)
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].split()[0] in {"INSERT", "DELETE"}]
    assert writes == []
    assert dict(CycleAggregate.objects.filter(cycle=cycle).values_list("group", "pk")) == ids


def test_cells_from_the_database_equal_the_statistics_module(coordinator, version, settings):  # noqa: F811
    settings.BENCHMARK_MIN_GROUP = MIN_GROUP
    cycle, _boards, _part = _world(coordinator, version, organisations=23, seed=3)
    services.refresh_cycle(cycle=cycle)
    from weerbaar.monitor.benchmark import describe

    values: dict = {}
    for result in OrganisationResult.objects.filter(cycle=cycle):
        for column, score in [("overall", result.overall), *result.domains.items()]:
            if score is not None:
                values.setdefault((result.sector, column), []).append(score)
                values.setdefault(("all", column), []).append(score)
    cells = queries.cycle_cells(cycle)
    assert set(cells) == set(values)
    for key, scores in values.items():
        expected, got = describe(scores), cells[key]
        assert got.count == expected.count
        assert got.bands == tuple(expected.distribution[level] for level in range(1, 6))
        assert got.at_target / got.count == expected.share_at_target
        assert (got.q1, got.median, got.q3) == pytest.approx((expected.q1, expected.median, expected.q3), rel=1e-12)
        assert got.mean == pytest.approx(expected.mean, rel=1e-12)


def test_order_statistics_follow_the_inclusive_quartiles():
    from statistics import median, quantiles

    rng = random.Random(11)
    for n in range(1, 40):
        data = sorted(rng.choice([1, 1.5, 2, 2.25, 3, 3.5, 4, 5]) + rng.random() for _ in range(n))
        q1, med, q3 = queries.order_statistics(n, dict(enumerate(data)))
        expected = (data[0], data[0]) if n == 1 else tuple(quantiles(data, n=4, method="inclusive")[::2])
        assert (q1, q3) == expected
        assert med == median(data)


@pytest.mark.parametrize("seed", range(60))
def test_the_rules_on_counts_hide_exactly_what_the_rules_on_organisations_hide(seed):
    """Rules 1 and 4 decided on counts per sector (PrefixMembers) suppress the same cells as on
    the organisations themselves, for random sectors, sizes and gaps in the domain columns,
    including groups that differ by fewer than the minimum."""
    rng = random.Random(seed)
    sectors = rng.sample(["PO", "VO", "SO", "MBO", "HBO", "WO", ""], rng.randint(1, 5))
    columns = ["overall", "A", "B", "C"]
    organisations = []
    for org in range(rng.randint(1, 40)):
        sector_code = rng.choice(sectors)
        has_overall = rng.random() > 0.05
        domains = {c: (rng.random() > rng.choice([0.0, 0.1, 0.5])) and has_overall for c in columns[1:]}
        organisations.append((org, sector_code, has_overall, domains))
    used = sorted({s for _o, s, _h, _d in organisations})
    as_sets, as_counts = {}, {}
    for column in columns:

        def has(o, column=column):
            return o[2] if column == "overall" else o[3][column]

        members = {s: frozenset(o[0] for o in organisations if o[1] == s and has(o)) for s in used}
        as_sets[column] = {"all": frozenset().union(*members.values()), **members}
        as_counts[column] = {
            "all": PrefixMembers({s: len(m) for s, m in members.items()}),
            **{s: PrefixMembers({s: len(m)}) for s, m in members.items()},
        }
    min_group = rng.choice([2, 3, 5])
    assert hidden_cells(as_counts, used, min_group) == hidden_cells(as_sets, used, min_group)


def test_refresh_command_for_one_cycle_and_bad_ids(coordinator, version, settings):  # noqa: F811
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.BENCHMARK_MIN_GROUP = MIN_GROUP
    cycle, _boards, _part = _world(coordinator, version)
    out = io.StringIO()
    call_command("refresh_monitor", "--full", "--cycle", str(cycle.public_id), stdout=out)
    assert "13 organisations counted" in out.getvalue()
    assert_same_cells(cells_of(cycle), reference_cells(cycle))
    with pytest.raises(CommandError):
        call_command("refresh_monitor", "--cycle", "not-a-uuid")
    with pytest.raises(CommandError):
        call_command("refresh_monitor", "--cycle", "00000000-0000-4000-8000-000000000000")
