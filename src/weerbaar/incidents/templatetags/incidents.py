"""Template helpers of the incident desk: countdowns, clock states and the navigation link."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weerbaar.core.permissions import Action, role_allows
from weerbaar.incidents.choices import ClockKind
from weerbaar.incidents.clocks import ClockState

register = template.Library()

NAV_ACTIONS = (
    Action.INCIDENT_VIEW,
    Action.INCIDENT_REPORT,
    Action.INCIDENT_HANDLE,
    Action.AGGREGATE_VIEW,
)


@register.simple_tag(takes_context=True)
def incident_nav(context) -> bool:
    """Whether the header shows the incident desk: for roles that report, read or handle
    incidents, and for sector roles (statistics). Uses the memberships the navigation already
    loaded, so it costs no query."""
    for home in context.get("nav_memberships") or []:
        if any(role_allows(role, action) for role in home["roles"] for action in NAV_ACTIONS):
            return True
    return False


@register.filter
def countdown(remaining: timedelta | None) -> str:
    """'3 days 4 h left', '5 h 20 min left' or '2 h 10 min overdue'."""
    if remaining is None:
        return ""
    late = remaining < timedelta(0)
    seconds = abs(int(remaining.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = ngettext("%(n)d day", "%(n)d days", days) % {"n": days} + f" {hours} h"
    elif hours:
        span = f"{hours} h {minutes} min"
    else:
        span = f"{minutes} min"
    return (_("%(span)s overdue") if late else _("%(span)s left")) % {"span": span}


@register.filter
def clock_label(kind: str) -> str:
    return str(ClockKind(kind).label) if kind in ClockKind.values else kind


@register.filter
def clock_badge(state: str) -> str:
    return {
        ClockState.MET: "ok",
        ClockState.MET_LATE: "warning",
        ClockState.OPEN: "neutral",
        ClockState.OVERDUE: "danger",
        ClockState.NO_DEADLINE: "neutral",
    }.get(state, "neutral")


@register.filter
def clock_state_label(state: str) -> str:
    return {
        ClockState.MET: _("done in time"),
        ClockState.MET_LATE: _("done late"),
        ClockState.OPEN: _("open"),
        ClockState.OVERDUE: _("overdue"),
        ClockState.NO_DEADLINE: _("without undue delay"),
    }.get(state, state)


@register.filter
def tlp_badge(tlp: str) -> str:
    return {"red": "danger", "amber+strict": "warning", "amber": "warning", "green": "ok"}.get(tlp, "neutral")


@register.filter
def status_badge(status: str) -> str:
    return {"draft": "neutral", "new": "warning", "closed": "ok", "resolved": "ok"}.get(status, "neutral")
