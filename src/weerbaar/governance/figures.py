"""Anonymised governance figures of a sector: the share of organisations with an approved
annual-report paragraph, and the security budget per student and per FTE as a distribution.
No ORM here, only plain values, so the rules can be tested by hand.

The monitor's benchmark rules (weerbaar.monitor.benchmark, DESIGN rule 4) apply to every cell:
a cell needs `min_group` organisations besides a reader who may be one of them; the groups are
fixed (all the reader's sectors together, and each sector); a suppressed cell carries no number
at all; and no differencing: when one shown group contains another and they differ by 1 to
`min_group - 1` organisations, or 'all' minus the shown sectors leaves that few, the composite
group is suppressed. Budget distributions show quartiles and the median only, never a minimum,
maximum or single value.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median, quantiles

from weerbaar.monitor.benchmark import publishable, suppress_differencing

COLUMNS = ("approved", "per_student", "per_fte")


@dataclass(frozen=True)
class OrganisationFigures:
    organisation_id: int
    sector: str
    approved: bool
    per_student: float | None = None
    per_fte: float | None = None


@dataclass(frozen=True)
class Cell:
    group: str  # "all" or a sector code
    column: str  # one of COLUMNS
    suppressed: bool
    count: int | None = None  # organisations in the cell (population for "approved")
    share: float | None = None  # "approved": share with an approved paragraph
    approved: int | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None


@dataclass(frozen=True)
class SectorFigures:
    year: int
    sectors: Sequence[str]
    min_group: int
    cells: list[Cell] = field(default_factory=list)

    def cell(self, group: str, column: str) -> Cell | None:
        return next((c for c in self.cells if c.group == group and c.column == column), None)

    @property
    def groups(self) -> list[str]:
        return (["all"] if len(self.sectors) > 1 else []) + list(self.sectors)

    def rows(self) -> list[dict]:
        """One row per group with its three cells, for templates."""
        return [{"group": g, "cells": [self.cell(g, column) for column in COLUMNS]} for g in self.groups]

    @property
    def anything_shown(self) -> bool:
        return any(not c.suppressed for c in self.cells)


def _hidden(members: Mapping[str, frozenset], sectors: Sequence[str], min_group: int) -> set[str]:
    hidden = suppress_differencing(members, min_group)
    if "all" in members and "all" not in hidden:
        # The sectors split 'all': what 'all' holds beyond the shown sectors is exactly the
        # hidden sectors, which must not be 1 to min_group - 1 organisations.
        shown = frozenset().union(*(members[s] for s in sectors if s not in hidden))
        rest = members["all"] - shown
        if 0 < len(rest) < min_group:
            hidden.add("all")
    return hidden


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    q1, _q2, q3 = quantiles(values, n=4, method="inclusive")
    return q1, median(values), q3


def build(rows: Iterable[OrganisationFigures], *, sectors: Sequence[str], min_group: int, year: int) -> SectorFigures:
    rows = list(rows)
    sectors = list(sectors)
    groups = (["all"] if len(sectors) > 1 else []) + sectors
    cells: list[Cell] = []
    for column in COLUMNS:
        values: dict[str, dict[int, object]] = {group: {} for group in groups}
        for row in rows:
            value = row.approved if column == "approved" else getattr(row, column)
            if value is None or row.sector not in sectors:
                continue
            values[row.sector][row.organisation_id] = value
            if "all" in values:
                values["all"][row.organisation_id] = value
        members = {group: frozenset(v) for group, v in values.items()}
        hidden = _hidden(members, sectors, min_group)
        for group in groups:
            group_values = values[group]
            if group in hidden or not publishable(len(group_values), min_group):
                cells.append(Cell(group=group, column=column, suppressed=True))
            elif column == "approved":
                approved = sum(1 for v in group_values.values() if v)
                cells.append(
                    Cell(
                        group=group,
                        column=column,
                        suppressed=False,
                        count=len(group_values),
                        approved=approved,
                        share=approved / len(group_values),
                    )
                )
            else:
                q1, mid, q3 = _quartiles([float(v) for v in group_values.values()])
                cells.append(
                    Cell(
                        group=group, column=column, suppressed=False, count=len(group_values), q1=q1, median=mid, q3=q3
                    )
                )
    return SectorFigures(year=year, sectors=sectors, min_group=min_group, cells=cells)
