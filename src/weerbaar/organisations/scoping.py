"""How far a user's memberships reach, per action (see core.permissions for the map).

Named in the WEERBAAR_SCOPE_RESOLVER setting and called only through core.tenancy.
"""

from collections import defaultdict

from django.db.models import Q, QuerySet

from weerbaar.core.permissions import Action, Reach, roles_allowing
from weerbaar.organisations.models import Membership, Organisation, Sector


def visible_organisations(user, action: Action) -> QuerySet[Organisation]:
    """The active organisations that `user` reaches for `action`, as one lazy query."""
    roles_by_reach: dict[Reach, list[str]] = defaultdict(list)
    for role, reach in roles_allowing(action).items():
        roles_by_reach[reach].append(role)
    if not roles_by_reach:
        return Organisation.objects.none()

    def held(roles: list[str]) -> QuerySet:
        return Membership.objects.filter(
            user=user, is_active=True, role__in=roles, organisation__is_active=True
        ).values("organisation_id")

    # Every reach takes in the membership's own organisation, so that is one subquery over all
    # the roles rather than one per reach: each subquery is built and compiled again wherever
    # the scope is nested, which is nearly every read.
    condition = Q(pk__in=held([role for roles in roles_by_reach.values() for role in roles]))
    for reach, roles in roles_by_reach.items():
        if reach == Reach.TREE:
            condition |= Q(parent_id__in=held(roles))
        elif reach == Reach.CONSTITUENCY:
            sectors = Sector.objects.filter(serving_organisations__in=held(roles)).values("pk")
            condition |= Q(sector_id__in=sectors)
        elif reach == Reach.MEMBERS:
            members = Organisation.council_members.through.objects.filter(from_organisation_id__in=held(roles)).values(
                "to_organisation_id"
            )
            condition |= Q(pk__in=members)
    return Organisation.objects.filter(condition, is_active=True)
