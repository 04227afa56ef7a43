"""Anonymous benchmark aggregates: the statistics of a group and the rules that decide whether a
group may be shown at all.

The rules (design rule 4):

1. A group is shown only when it holds at least `min_group` organisations besides any viewer. A
   viewer may be inside the group, so a group is published only with `min_group + 1` or more
   organisations.
2. Only fixed groupings exist (a cycle's sectors, one sector, and per domain within those): callers
   cannot combine filters.
3. A suppressed cell is returned as suppressed, never as a smaller number or a zero.
4. No differencing: when one published group contains another and they differ by 1 to
   `min_group - 1` organisations, subtracting the two would reveal those few organisations. The
   smaller group is then suppressed as well (repeated until no such pair is left).

No ORM here, only plain values, so that every rule is tested by hand.
"""

import operator
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from statistics import fmean, median, quantiles

LEVEL_BANDS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class GroupStats:
    """The statistics of one group of scores (one value per organisation)."""

    count: int
    mean: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    # Number of organisations per level band: a score s falls in band floor(s) (5 stays 5).
    distribution: dict[int, int] = field(default_factory=dict)
    share_at_target: float | None = None
    suppressed: bool = False

    @classmethod
    def suppressed_cell(cls, count: int) -> "GroupStats":
        # The true count is kept for the rules below but never shown for a suppressed group.
        return cls(count=count, suppressed=True)


def band(score: float) -> int:
    return min(5, max(1, int(score)))


def describe(values: Sequence[float], target: float = 3.0) -> GroupStats:
    """Mean, median, quartiles (inclusive method), level distribution and share at target."""
    values = sorted(values)
    n = len(values)
    if n == 0:
        return GroupStats(count=0)
    if n == 1:
        q1 = q3 = values[0]
    else:
        q1, _q2, q3 = quantiles(values, n=4, method="inclusive")
    # The values are sorted, so each band's size and the share at target are bisections rather
    # than a pass over every organisation (a sector has thousands, a cycle some hundred cells).
    # Band 1 takes everything below 2 and band 5 everything from 5, exactly as band() does.
    edges = [0, *(bisect_left(values, level) for level in LEVEL_BANDS[1:]), n]
    distribution = {level: edges[i + 1] - edges[i] for i, level in enumerate(LEVEL_BANDS)}
    return GroupStats(
        count=n,
        mean=fmean(values),
        median=median(values),
        q1=q1,
        q3=q3,
        distribution=distribution,
        share_at_target=(n - bisect_left(values, target)) / n,
    )


def publishable(count: int, min_group: int) -> bool:
    """Rule 1: at least `min_group` organisations besides a viewer who may be one of them."""
    return count >= min_group + 1


def suppress_differencing(
    groups: Mapping[str, frozenset], min_group: int, fixed: frozenset[str] = frozenset()
) -> set[str]:
    """Rule 4: the keys of groups to suppress so that no two shown groups, one inside the other,
    differ by 1 to `min_group - 1` organisations. Groups too small by rule 1 go first. Of such a
    pair the larger, composite group is suppressed (the sector stays visible, 'all sectors' goes),
    unless it is in `fixed` (already published elsewhere), in which case the smaller one goes."""
    suppressed = {
        key for key, members in groups.items() if key not in fixed and not publishable(len(members), min_group)
    }
    changed = True
    while changed:
        changed = False
        shown = sorted((k for k in groups if k not in suppressed), key=lambda k: (len(groups[k]), k))
        for i, small in enumerate(shown):
            for large in shown[i + 1 :]:
                a, b = groups[small], groups[large]
                if a <= b and 0 < len(b - a) < min_group:
                    victim = small if large in fixed else large
                    if victim in fixed:
                        continue
                    suppressed.add(victim)
                    changed = True
                    break
            if changed:
                break
    return suppressed


@dataclass(frozen=True)
class OrganisationScores:
    """One organisation's scores in a cycle: overall and per domain code."""

    organisation_id: int
    sector: str
    overall: float | None
    domains: Mapping[str, float | None]


@dataclass(frozen=True)
class Aggregate:
    group: str  # "all" or a sector code
    domain: str  # "overall" or a domain code
    stats: GroupStats
    change: float | None = None  # mean now minus mean of the same cell in the previous cycle


def aggregate_cycle(
    scores: Iterable[OrganisationScores],
    domain_codes: Sequence[str],
    min_group: int,
    target: float = 3.0,
    previous: Mapping[tuple[str, str], float] | None = None,
) -> list[Aggregate]:
    """Every cell of a cycle: groups 'all' and each sector, crossed with 'overall' and each domain.

    A cell's members are the organisations with a value in it. Rule 4 is applied within the
    overall column first; a domain cell is then also checked against the shown overall cells, so
    that a domain marked not applicable by a few organisations cannot single them out.
    """
    scores = list(scores)
    sectors = sorted({s.sector for s in scores})
    previous = previous or {}
    columns = ["overall", *domain_codes]
    values: dict[str, dict[str, dict[int, float]]] = {}
    for column in columns:
        by_group: dict[str, dict[int, float]] = {"all": {}, **{sector: {} for sector in sectors}}
        for s in scores:
            value = s.overall if column == "overall" else s.domains.get(column)
            if value is None:
                continue
            by_group["all"][s.organisation_id] = value
            by_group[s.sector][s.organisation_id] = value
        values[column] = by_group
    hidden = hidden_cells(
        {column: {group: frozenset(v) for group, v in by_group.items()} for column, by_group in values.items()},
        sectors,
        min_group,
    )
    result: list[Aggregate] = []
    for column in columns:
        for group, group_values in values[column].items():
            if group in hidden[column]:
                stats = GroupStats.suppressed_cell(len(group_values))
                change = None
            else:
                stats = describe(list(group_values.values()), target)
                change = cell_change(stats.mean, previous.get((group, column)))
            result.append(Aggregate(group=group, domain=column, stats=stats, change=change))
    return result


def cell_change(mean: float | None, before: float | None) -> float | None:
    """The mean now minus the mean of the same cell in the previous cycle, when both exist."""
    return (mean - before) if (before is not None and mean is not None) else None


def hidden_cells(
    members: Mapping[str, Mapping[str, "frozenset | PrefixMembers"]], sectors: Sequence[str], min_group: int
) -> dict[str, set[str]]:
    """Rules 1 and 4 for every column: {column: groups to suppress}. `members[column][group]` are
    the organisations with a value in that cell; the first column is 'overall', whose shown
    cells every domain column is checked against as well."""
    hidden: dict[str, set[str]] = {}
    shown_overall: dict[str, frozenset | PrefixMembers] = {}
    for column, column_members in members.items():
        groups = dict(column_members)
        fixed = frozenset()
        if column != "overall":
            for group, group_members in shown_overall.items():
                groups[f"{group}|overall"] = group_members
            fixed = frozenset(f"{group}|overall" for group in shown_overall)
        suppressed = suppress_differencing(groups, min_group, fixed)
        suppressed |= _suppress_partition_remainder(groups, sectors, suppressed, min_group)
        if column == "overall":
            shown_overall = {group: groups[group] for group in column_members if group not in suppressed}
        hidden[column] = {group for group in column_members if group in suppressed}
    return hidden


class PrefixMembers:
    """The members of a cell as counts per sector, for checking the rules on counts alone.

    Within one column, every cell is the union over sectors of the first k organisations of that
    sector, when each sector's organisations are lined up with those that have a value in the
    column first: a domain cell of a sector is a part of the sector's overall cell, and sectors
    do not overlap. For such sets, inclusion, difference and union follow from the counts per
    sector exactly (|B - A| is the sum of max(0, b - a)), so rules 1 and 4 decide the same as on
    the organisations themselves, without the database handing over one row per organisation.
    """

    __slots__ = ("counts",)

    def __init__(self, counts: Mapping[str, int] | None = None):
        self.counts = {sector: n for sector, n in (counts or {}).items() if n > 0}

    def __len__(self) -> int:
        return sum(self.counts.values())

    def __le__(self, other: "PrefixMembers") -> bool:
        return all(n <= other.counts.get(sector, 0) for sector, n in self.counts.items())

    def __sub__(self, other: "PrefixMembers") -> "PrefixMembers":
        return PrefixMembers({sector: n - other.counts.get(sector, 0) for sector, n in self.counts.items()})

    def __or__(self, other: "PrefixMembers") -> "PrefixMembers":
        sectors = self.counts.keys() | other.counts.keys()
        return PrefixMembers({s: max(self.counts.get(s, 0), other.counts.get(s, 0)) for s in sectors})

    def __repr__(self) -> str:
        return f"PrefixMembers({self.counts})"


def _suppress_partition_remainder(
    members: Mapping[str, frozenset], sectors: Sequence[str], hidden: set[str], min_group: int
) -> set[str]:
    """Rule 4 across a partition: the sectors split 'all', so 'all' minus every shown sector is
    exactly the hidden sectors. When those are 1 to `min_group - 1` organisations, 'all' is
    suppressed too (a pairwise check cannot see this: each hidden sector is small on its own)."""
    if "all" in hidden:
        return set()
    shown = reduce(operator.or_, (members[s] for s in sectors if s not in hidden), type(members["all"])())
    rest = members["all"] - shown
    return {"all"} if 0 < len(rest) < min_group else set()


def percentile_rank(own: float, group_values: Sequence[float]) -> float:
    """Share of the group (0–100) scoring below `own`, counting ties as half: the organisation's
    own position, shown without revealing anyone else."""
    if not group_values:
        raise ValueError("empty group")
    below = sum(1 for v in group_values if v < own)
    equal = sum(1 for v in group_values if v == own)
    return 100.0 * (below + 0.5 * equal) / len(group_values)
