"""The governance figures inside the monitor's dashboard and autumn report: the monitor includes
one template, which calls this tag with the picture it already scoped to the reader."""

from django import template

from weerbaar.governance import selectors

register = template.Library()


@register.inclusion_tag("governance/_sector_figures.html")
def governance_sector_figures(picture, heading_level: int = 2):
    """Figures for the annual reports over the year before the cycle opened, for the sectors of
    the picture (already limited to the reader's reach by the monitor)."""
    codes = list(getattr(picture, "sector_codes", None) or [])
    if not codes:
        return {"figures": None}
    year = picture.cycle.opens_on.year - 1
    # The monitor's picture carries these figures precomputed; otherwise they are computed now.
    figures = getattr(picture, "governance", None) or selectors.sector_figures(codes, year)
    return {"figures": figures, "heading_level": heading_level, "in_monitor": True}
