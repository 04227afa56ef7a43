"""Anonymised sector figures with the monitor's benchmark rules: a minimum group besides the
viewer, suppression, and no differencing between 'all' and the sectors."""

import pytest

from tests.awareness.conftest import days_ago
from tests.factories import OrganisationFactory, sector
from weerbaar.awareness import selectors
from weerbaar.awareness.models import Activity, GroupParticipation

pytestmark = pytest.mark.django_db


def _organisation_with(code: str, *, participated: int, reported: int, exercised: bool):
    organisation = OrganisationFactory(sector=sector(code))
    training = Activity.objects.create(organisation=organisation, kind="training", title="t", held_on=days_ago(30))
    GroupParticipation.objects.create(activity=training, group="it", people=10, invited=10, participated=participated)
    Activity.objects.create(
        organisation=organisation,
        kind="phishing",
        title="p",
        held_on=days_ago(60),
        sent=100,
        opened=50,
        clicked=10,
        reported=reported,
    )
    if exercised:
        Activity.objects.create(
            organisation=organisation, kind="exercise", title="e", held_on=days_ago(90), scenario="s", groups=["it"]
        )
    return organisation


def _cell(rows, group, column):
    return next(row for row in rows if row["group"] == group)[column]


def test_a_large_enough_sector_is_shown_as_an_aggregate(settings):
    settings.BENCHMARK_MIN_GROUP = 5
    for i in range(6):
        _organisation_with("PO", participated=5 + i % 2, reported=20, exercised=i < 3)
    rows = selectors.sector_figures(["PO"])
    assert [row["group"] for row in rows] == ["all", "PO"]
    participation = _cell(rows, "PO", "participation")
    assert not participation.suppressed
    assert participation.count == 6
    assert participation.mean == pytest.approx(0.55)
    assert _cell(rows, "PO", "phishing_report").mean == pytest.approx(0.2)
    assert _cell(rows, "PO", "exercised").mean == pytest.approx(0.5)


def test_a_small_sector_is_suppressed_not_shown_as_a_smaller_number(settings):
    settings.BENCHMARK_MIN_GROUP = 5
    for _ in range(5):
        _organisation_with("WO", participated=9, reported=50, exercised=True)
    cell = _cell(selectors.sector_figures(["WO"]), "WO", "participation")
    assert cell.suppressed
    assert cell.mean is None
    assert cell.median is None


def test_differencing_all_minus_the_shown_sectors_is_refused(settings):
    """Six PO boards are shown; two WO universities are not. 'All' minus PO would reveal the two
    universities' mean, so 'all' is suppressed as well, for every column."""
    settings.BENCHMARK_MIN_GROUP = 5
    for _ in range(6):
        _organisation_with("PO", participated=5, reported=20, exercised=False)
    _organisation_with("WO", participated=10, reported=90, exercised=True)
    _organisation_with("WO", participated=10, reported=80, exercised=True)
    rows = selectors.sector_figures(["PO", "WO"])
    assert [row["group"] for row in rows] == ["all", "PO", "WO"]
    for column in selectors.FIGURE_COLUMNS:
        assert not _cell(rows, "PO", column).suppressed
        assert _cell(rows, "WO", column).suppressed
        assert _cell(rows, "all", column).suppressed, column


def test_a_column_few_organisations_lack_cannot_single_them_out(settings):
    """Every board is in the 'exercised' column, but two did no phishing: the phishing cell of PO
    would differ from the shown participation cell by those two, so it is suppressed."""
    settings.BENCHMARK_MIN_GROUP = 5
    for _ in range(6):
        _organisation_with("PO", participated=5, reported=20, exercised=True)
    for organisation in list(Activity.objects.filter(kind="phishing").values_list("organisation", flat=True))[:2]:
        Activity.objects.filter(organisation=organisation, kind="phishing").delete()
    rows = selectors.sector_figures(["PO"])
    assert not _cell(rows, "PO", "participation").suppressed
    assert _cell(rows, "PO", "phishing_report").suppressed


def test_all_is_only_for_viewers_who_reach_every_sector(settings):
    settings.BENCHMARK_MIN_GROUP = 1
    _organisation_with("PO", participated=5, reported=20, exercised=True)
    _organisation_with("VO", participated=5, reported=20, exercised=True)
    assert [row["group"] for row in selectors.sector_figures(["PO"])] == ["PO"]
    assert [row["group"] for row in selectors.sector_figures(["PO", "VO"])] == ["all", "PO", "VO"]


def test_old_activities_do_not_count(settings):
    settings.BENCHMARK_MIN_GROUP = 1
    organisation = OrganisationFactory(sector=sector("PO"))
    Activity.objects.create(
        organisation=organisation, kind="exercise", title="e", held_on=days_ago(400), scenario="s", groups=["it"]
    )
    OrganisationFactory(sector=sector("PO"))
    rows = selectors.sector_figures(["PO"])
    assert _cell(rows, "PO", "exercised").mean == 0.0
    assert _cell(rows, "PO", "participation").count == 0
