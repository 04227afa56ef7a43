"""The header link to the privacy pages."""

from django import template

from weerbaar.core.permissions import Action, role_allows

register = template.Library()

NAV_ACTIONS = (Action.PRIVACY_VIEW, Action.PRIVACY_CATALOGUE, Action.AGGREGATE_VIEW)


@register.simple_tag(takes_context=True)
def privacy_nav(context) -> bool:
    """Whether the header shows the privacy pages: for an institution's privacy roles, the
    catalogue's coordinators and sector roles (the anonymised sector view). Uses the memberships
    the navigation already loaded, so it costs no query."""
    for home in context.get("nav_memberships") or []:
        if any(role_allows(role, action) for role in home["roles"] for action in NAV_ACTIONS):
            return True
    return False
