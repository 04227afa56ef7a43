"""Links to an organisation's assessments and improvement plan, for pages of other apps (the
organisation page), shown only to people who may read them."""

from django import template

from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import can

register = template.Library()


@register.inclusion_tag("assessments/_organisation_links.html", takes_context=True)
def assessment_links(context, organisation) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "organisation": organisation,
        "can_view": can(user, Action.ASSESSMENT_VIEW, organisation.pk),
    }
