"""Navigation shown in the page header, per role."""

from weerbaar.accounts.selectors import signed_in
from weerbaar.core.permissions import Action, role_allows


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_memberships": []}
    # The memberships the second-factor check already read for this request: no query of its own.
    memberships = [m for m in signed_in(request).memberships if m.organisation.is_active]
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
