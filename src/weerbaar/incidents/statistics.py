"""Anonymised incident statistics for the sector: how many incidents per month, sector, kind and
severity, and the median time to report and to resolve them. No ORM here, only plain values.

The benchmark's rules (weerbaar.monitor.benchmark, DESIGN rule 4) apply to every cell:

1. a cell is shown only when its incidents come from at least `min_group` organisations besides
   a reader who may be one of them;
2. only fixed groupings exist: the total and one dimension at a time, never a combination;
3. a suppressed cell carries no numbers at all;
4. no differencing: a cell whose organisations differ from the total's by 1 to `min_group - 1`
   organisations is suppressed (the total minus the cell would show those few);
5. no complement: when the suppressed cells of a dimension together hold too few organisations,
   the total minus the shown cells would give them away, so the smallest shown cells are
   suppressed as well until the hidden remainder is as large as a publishable cell.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from weerbaar.incidents.clocks import AMSTERDAM
from weerbaar.monitor.benchmark import publishable, suppress_differencing

DIMENSIONS = ("month", "sector", "category", "severity")


@dataclass(frozen=True)
class IncidentFact:
    organisation_id: int
    sector: str
    aware_at: datetime | None
    submitted_at: datetime
    resolved_at: datetime | None
    category: str
    severity: str


@dataclass(frozen=True)
class Cell:
    dimension: str  # "total" or one of DIMENSIONS
    key: str  # "all", "2026-03", "PO", "fraud", "high"; "" for not yet classified
    suppressed: bool
    incidents: int | None = None
    median_hours_to_report: float | None = None
    median_hours_to_resolve: float | None = None


@dataclass(frozen=True)
class Report:
    sectors: Sequence[str]
    min_group: int
    total: Cell
    dimensions: dict[str, list[Cell]]

    @property
    def shown(self) -> bool:
        return not self.total.suppressed


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 3600


def _describe(dimension: str, key: str, facts: list[IncidentFact]) -> Cell:
    to_report = [h for f in facts if (h := _hours(f.aware_at, f.submitted_at)) is not None]
    to_resolve = [h for f in facts if (h := _hours(f.submitted_at, f.resolved_at)) is not None]
    return Cell(
        dimension=dimension,
        key=key,
        suppressed=False,
        incidents=len(facts),
        median_hours_to_report=round(median(to_report), 1) if to_report else None,
        median_hours_to_resolve=round(median(to_resolve), 1) if to_resolve else None,
    )


def key_of(fact: IncidentFact, dimension: str) -> str:
    if dimension == "month":
        return fact.submitted_at.astimezone(AMSTERDAM).strftime("%Y-%m")
    return getattr(fact, dimension) or ""


def hidden_cells(cells: dict[str, frozenset], total: frozenset, min_group: int) -> set[str]:
    """The keys of one dimension's cells to suppress (rules 1, 4 and 5)."""
    # Each cell is compared with the total only: two cells hold different incidents, so one
    # cannot be subtracted from the other.
    hidden = {
        key
        for key, members in cells.items()
        if "cell" in suppress_differencing({"total": total, "cell": members}, min_group, fixed=frozenset({"total"}))
    }
    while True:
        remainder = frozenset().union(*(cells[key] for key in hidden)) if hidden else frozenset()
        if not hidden or publishable(len(remainder), min_group):
            return hidden
        shown = sorted((k for k in cells if k not in hidden), key=lambda k: (len(cells[k]), k))
        if not shown:
            return hidden
        hidden.add(shown[0])


def build_report(facts: Iterable[IncidentFact], *, min_group: int, sectors: Sequence[str]) -> Report:
    facts = list(facts)
    total_members = frozenset(f.organisation_id for f in facts)
    if not publishable(len(total_members), min_group):
        return Report(sectors, min_group, Cell("total", "all", suppressed=True), {d: [] for d in DIMENSIONS})
    dimensions: dict[str, list[Cell]] = {}
    for dimension in DIMENSIONS:
        grouped: dict[str, list[IncidentFact]] = defaultdict(list)
        for fact in facts:
            grouped[key_of(fact, dimension)].append(fact)
        members = {key: frozenset(f.organisation_id for f in group) for key, group in grouped.items()}
        hidden = hidden_cells(members, total_members, min_group)
        dimensions[dimension] = [
            Cell(dimension, key, suppressed=True) if key in hidden else _describe(dimension, key, grouped[key])
            for key in sorted(grouped)
        ]
    return Report(sectors, min_group, _describe("total", "all", facts), dimensions)
