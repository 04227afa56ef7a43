"""Scoped reads of organisations, members and their audit log."""

from django.db.models import Q, QuerySet

from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Action
from weerbaar.core.tenancy import access
from weerbaar.organisations.models import Membership, Organisation


def list_organisations(
    user,
    action: Action = Action.ORGANISATION_VIEW,
    search: str = "",
    *,
    kind: str = "",
    sector: str = "",
    parent=None,
) -> QuerySet[Organisation]:
    """Organisations the user may reach for `action`; optionally narrowed by a search term, a
    kind, a sector code or the public id of the board whose schools are wanted."""
    organisations = Organisation.objects.visible_to(user, action).select_related("sector", "parent")
    if search:
        organisations = organisations.filter(
            Q(name__icontains=search) | Q(brin__iexact=search) | Q(board_number=search)
        )
    if kind:
        organisations = organisations.filter(kind=kind)
    if sector:
        organisations = organisations.filter(sector__code=sector)
    if parent is not None:
        organisations = organisations.filter(parent__public_id=parent)
    return organisations.order_by("name")


def access_organisation(user, public_id, action: Action = Action.ORGANISATION_VIEW) -> Organisation:
    return access(Organisation.objects.select_related("sector", "parent"), user, action, public_id=public_id)


def user_organisations(user) -> QuerySet[Organisation]:
    """The organisations where the user holds an active membership (their 'home' organisations)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(memberships__user=user, memberships__is_active=True, is_active=True)
        .select_related("sector")
        .distinct()
        .order_by("name")
    )


def list_members(
    user, organisation: Organisation, search: str = "", include_inactive: bool = True
) -> QuerySet[Membership]:
    members = Membership.objects.visible_to(user, Action.MEMBER_VIEW).filter(organisation=organisation)
    if not include_inactive:
        members = members.filter(is_active=True)
    if search:
        members = members.filter(Q(user__email__icontains=search) | Q(user__full_name__icontains=search))
    return members.select_related("user", "organisation").order_by("user__full_name", "user__email", "role")


def list_all_members(
    user,
    organisation: Organisation | None = None,
    *,
    search: str = "",
    role: str = "",
    is_active: bool | None = None,
) -> QuerySet[Membership]:
    """Memberships of every organisation whose members the user may see (or of one of them),
    optionally narrowed by name or e-mail, role and whether they are active."""
    members = Membership.objects.visible_to(user, Action.MEMBER_VIEW)
    if organisation is not None:
        members = members.filter(organisation=organisation)
    if search:
        members = members.filter(Q(user__email__icontains=search) | Q(user__full_name__icontains=search))
    if role:
        members = members.filter(role=role)
    if is_active is not None:
        members = members.filter(is_active=is_active)
    return members.select_related("user", "organisation").order_by("organisation__name", "user__email", "role")


def list_own_memberships(user) -> QuerySet[Membership]:
    """The user's own active roles, for showing who a token or session belongs to."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )


def access_membership(user, public_id, action: Action = Action.MEMBER_VIEW) -> Membership:
    return access(Membership.objects.select_related("user", "organisation"), user, action, public_id=public_id)


def roles_of(user, organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(user=user, organisation=organisation, is_active=True).values_list("role", flat=True)
    )


def list_audit_entries(user, organisation: Organisation | None = None, search: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.visible_to(user, Action.AUDIT_LOG_VIEW)
    if organisation is not None:
        entries = entries.filter(organisation_ref=organisation.pk)
    if search:
        entries = entries.filter(
            Q(action__icontains=search) | Q(actor_label__icontains=search) | Q(object_label__icontains=search)
        )
    return entries.order_by("-seq")
