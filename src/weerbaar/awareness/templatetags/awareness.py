"""The anonymised awareness figures as one template tag, so that the monitor's dashboard and
autumn report show them with a one-line include."""

from django import template
from django.utils.translation import gettext as _

from weerbaar.awareness import selectors
from weerbaar.organisations.choices import SectorCode

register = template.Library()


def _group_label(group: str) -> str:
    if group == "all":
        return _("All sectors")
    try:
        return str(SectorCode(group).label)
    except ValueError:
        return group


@register.inclusion_tag("awareness/_sector_figures.html")
def awareness_sector_figures(sector_codes, figures=None):
    """The figures of the groups within `sector_codes` (the monitor passes the sectors the
    viewer may see). Every cell is already anonymised by the selector. `figures` are that
    selector's rows computed before (the monitor stores them), else they are computed now."""
    rows = []
    if figures is None:
        figures = selectors.sector_figures(list(sector_codes or []))
    for row in figures:
        cells = []
        for column in selectors.FIGURE_COLUMNS:
            stats = row.get(column)
            cells.append(
                {
                    "suppressed": stats.suppressed,
                    "mean": stats.mean,
                    "q1": stats.q1,
                    "q3": stats.q3,
                    "count": stats.count,
                    # Quartiles of a yes/no column say nothing the share does not.
                    "show_spread": column != "exercised" and stats.q1 is not None,
                }
            )
        rows.append({"label": _group_label(row["group"]), "cells": cells})
    return {"rows": rows}
