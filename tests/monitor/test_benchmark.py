"""Benchmark aggregates on hand-computed cases, and every anonymity rule."""

import pytest

from weerbaar.monitor.benchmark import (
    OrganisationScores,
    aggregate_cycle,
    describe,
    percentile_rank,
    publishable,
    suppress_differencing,
)


def test_describe_hand_computed():
    # Values 1.5, 2, 2.5, 3, 4: mean 13/5 = 2.6, median 2.5, inclusive quartiles 2.0 and 3.0,
    # bands 1:1 (1.5), 2:2 (2, 2.5), 3:1, 4:1; at or above target 3: 2 of 5.
    stats = describe([3, 1.5, 2.5, 2, 4])
    assert stats.count == 5
    assert stats.mean == pytest.approx(2.6)
    assert stats.median == 2.5
    assert (stats.q1, stats.q3) == (2.0, 3.0)
    assert stats.distribution == {1: 1, 2: 2, 3: 1, 4: 1, 5: 0}
    assert stats.share_at_target == pytest.approx(0.4)


def test_group_needs_five_besides_the_viewer():
    assert not publishable(5, min_group=5)  # a member viewing it would see 4 others
    assert publishable(6, min_group=5)


def test_differencing_through_two_overlapping_groups_is_blocked():
    po = frozenset(range(1, 21))  # 20 PO boards
    vo = frozenset(range(21, 24))  # 3 VO boards: too small on its own
    everyone = po | vo  # 'all' = PO + VO: 'all' minus 'PO' would reveal the 3
    hidden = suppress_differencing({"all": everyone, "PO": po, "VO": vo}, min_group=5)
    assert hidden == {"VO", "all"}


def test_groups_that_differ_enough_are_both_shown():
    po = frozenset(range(1, 21))
    vo = frozenset(range(21, 30))  # 9 VO boards
    hidden = suppress_differencing({"all": po | vo, "PO": po, "VO": vo}, min_group=5)
    assert hidden == set()


def test_identical_groups_reveal_nothing_and_are_both_shown():
    po = frozenset(range(1, 10))
    assert suppress_differencing({"all": po, "PO": po}, min_group=5) == set()


def test_fixed_group_forces_the_other_to_be_suppressed():
    overall = frozenset(range(1, 11))
    domain = frozenset(range(1, 9))  # two organisations marked the whole domain n/a
    assert suppress_differencing({"d": domain, "o": overall}, 5, fixed=frozenset({"o"})) == {"d"}


def scores(org, sector, overall, **domains):
    return OrganisationScores(org, sector, overall, domains)


def test_aggregate_cycle_cells_and_suppression():
    data = [scores(i, "PO", 2.0 + (i % 3) * 0.5, GO=2.0, SM=3.0) for i in range(1, 9)]  # 8 PO
    data += [scores(100 + i, "VO", 3.0, GO=4.0, SM=None) for i in range(1, 3)]  # 2 VO
    cells = {(a.group, a.domain): a for a in aggregate_cycle(data, ["GO", "SM"], min_group=5)}

    # VO (2) is too small; 'all' (10) minus PO (8) would reveal VO, so 'all' is suppressed too.
    assert cells[("VO", "overall")].stats.suppressed
    assert cells[("all", "overall")].stats.suppressed
    po = cells[("PO", "overall")].stats
    # PO overall values: i%3 for i=1..8 is 1,2,0,1,2,0,1,2 → 2.5,3.0,2.0,2.5,3.0,2.0,2.5,3.0
    assert po.mean == pytest.approx(20.5 / 8)
    assert po.share_at_target == pytest.approx(3 / 8)
    # SM: the VO boards have no SM score, so 'all' SM has the same 8 members as PO SM — but the
    # shown PO overall cell is fixed, and 'all' SM equals it: nothing to difference, both shown.
    assert not cells[("PO", "SM")].stats.suppressed
    assert cells[("all", "SM")].stats.mean == 3.0
    # Suppressed cells carry no statistics.
    assert cells[("VO", "GO")].stats.mean is None


def test_domain_cell_differing_from_the_overall_cell_by_a_few_is_suppressed():
    data = [scores(i, "PO", 3.0, GO=3.0, SM=(None if i <= 2 else 2.0)) for i in range(1, 13)]
    cells = {(a.group, a.domain): a for a in aggregate_cycle(data, ["GO", "SM"], min_group=5)}
    assert not cells[("PO", "overall")].stats.suppressed
    # Two organisations marked SM n/a: the SM cell (10) differs from overall (12) by 2.
    assert cells[("PO", "SM")].stats.suppressed
    assert not cells[("PO", "GO")].stats.suppressed


def test_change_against_previous_cycle():
    data = [scores(i, "PO", 3.0, GO=3.0) for i in range(1, 7)]
    cells = {(a.group, a.domain): a for a in aggregate_cycle(data, ["GO"], 5, previous={("PO", "overall"): 2.5})}
    assert cells[("PO", "overall")].change == pytest.approx(0.5)
    assert cells[("PO", "GO")].change is None


def test_percentile_rank_counts_ties_as_half():
    assert percentile_rank(3.0, [1.0, 2.0, 3.0, 4.0]) == pytest.approx(62.5)
    with pytest.raises(ValueError, match="empty"):
        percentile_rank(3.0, [])


def test_differencing_through_the_sum_of_shown_sectors_is_blocked():
    # 'all' 39 = PO 29 + VO 7 + SO 3. Pairwise every difference is at least 5 or the group is
    # already hidden, but 'all' minus PO minus VO would give the 3 SO boards' mean.
    data = [scores(i, "PO", 2.0) for i in range(29)]
    data += [scores(100 + i, "VO", 2.5) for i in range(7)]
    data += [scores(200 + i, "SO", 4.0) for i in range(3)]
    cells = {(a.group, a.domain): a for a in aggregate_cycle(data, [], min_group=5)}
    assert cells[("SO", "overall")].stats.suppressed
    assert cells[("all", "overall")].stats.suppressed
    assert not cells[("PO", "overall")].stats.suppressed
    assert not cells[("VO", "overall")].stats.suppressed


def test_all_sectors_shown_when_the_hidden_rest_is_large_enough():
    data = [scores(i, "PO", 2.0) for i in range(29)]
    data += [scores(100 + i, "VO", 2.5) for i in range(7)]
    data += [scores(200 + i, "SO", 4.0) for i in range(2)]
    data += [scores(300 + i, "NONFUNDED", 3.0) for i in range(4)]
    cells = {(a.group, a.domain): a for a in aggregate_cycle(data, [], min_group=5)}
    # SO (2) and NONFUNDED (4) are hidden, together 6: 'all' reveals only their combined mean.
    assert not cells[("all", "overall")].stats.suppressed
