"""The monitor's part of the dashboard: open invitations for an institution's people, and the
way in for sector roles."""

from django import template
from django.utils import timezone

from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import visible_organisations
from weerbaar.monitor import selectors
from weerbaar.monitor.choices import ParticipationStep

register = template.Library()


@register.inclusion_tag("monitor/_dashboard_widgets.html", takes_context=True)
def monitor_widgets(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"invitations": [], "can_aggregate": False, "can_coordinate": False}
    today = timezone.localdate()
    labels = dict(ParticipationStep.choices)
    invitations = []
    own = visible_organisations(user, Action.ASSESSMENT_VIEW).filter(
        pk__in=user.memberships.filter(is_active=True).values("organisation_id")
    )
    for organisation in own.order_by("name"):
        for participation in selectors.invitations_for(user, organisation).filter(
            cycle__opens_on__lte=today, cycle__closes_on__gte=today
        ):
            step = selectors.participation_step(participation)
            invitations.append(
                {
                    "organisation": organisation,
                    "cycle": participation.cycle,
                    "step": step,
                    "step_label": labels[step],
                }
            )
    return {
        "invitations": invitations,
        "can_aggregate": visible_organisations(user, Action.AGGREGATE_VIEW).exists(),
        "can_coordinate": visible_organisations(user, Action.SECTOR_COORDINATE).exists(),
    }
