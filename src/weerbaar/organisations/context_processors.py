"""Navigation shown in the page header, per role."""

from weerbaar.core.permissions import Action, role_allows


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_memberships": []}
    memberships = list(
        user.memberships.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    home = []
    seen = set()
    for m in memberships:
        if m.organisation_id in seen:
            continue
        seen.add(m.organisation_id)
        roles = [x.role for x in memberships if x.organisation_id == m.organisation_id]
        home.append(
            {
                "organisation": m.organisation,
                "roles": roles,
                "can_members": any(role_allows(r, Action.MEMBER_VIEW) for r in roles),
                "can_audit": any(role_allows(r, Action.AUDIT_LOG_VIEW) for r in roles),
            }
        )
    reaches_others = any(role_allows(m.role, Action.ORGANISATION_VIEW) for m in memberships)
    return {"nav_memberships": home, "nav_directory": reaches_others}
