"""Writes on organisations and memberships. Each checks permission, runs in one transaction and
records the change in the audit log."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from weerbaar.accounts.services import end_sessions, send_invitation
from weerbaar.core import audit
from weerbaar.core.permissions import Action, Role, role_allows
from weerbaar.core.tenancy import NotPermitted, require
from weerbaar.organisations.choices import MEASURED_KINDS, OrganisationKind
from weerbaar.organisations.models import Membership, Organisation

User = get_user_model()

# Which roles make sense in which kind of organisation.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    **{
        kind: frozenset({Role.IBP_OFFICER, Role.DPO, Role.BOARD_MEMBER, Role.SUPERVISORY_BOARD})
        for kind in MEASURED_KINDS
    },
    OrganisationKind.CERT: frozenset({Role.CERT_ANALYST}),
    OrganisationKind.SECTOR_ORGANISATION: frozenset({Role.SECTOR_COORDINATOR}),
    OrganisationKind.UMBRELLA_COUNCIL: frozenset({Role.COUNCIL_MEMBER}),
    OrganisationKind.MINISTRY: frozenset({Role.MINISTRY_ANALYST}),
    OrganisationKind.INSPECTORATE: frozenset({Role.INSPECTOR}),
    OrganisationKind.AUDIT_FIRM: frozenset({Role.AUDITOR}),
}

ORGANISATION_EDITABLE_FIELDS = ["name", "student_count", "board_number", "brin"]


def roles_for_kind(kind: str) -> list[str]:
    allowed = ROLES_BY_KIND.get(kind, frozenset())
    return [value for value, _label in Role.choices if value in allowed]


def _check_role_fits(organisation: Organisation, role: str) -> None:
    if role not in roles_for_kind(organisation.kind):
        raise ValidationError({"role": _("This role does not exist in this kind of organisation.")})


def _managers_left(organisation: Organisation, excluding: Membership) -> int:
    managing_roles = [role for role in Role.values if role_allows(role, Action.MEMBER_MANAGE)]
    return (
        Membership.objects.filter(organisation=organisation, is_active=True, role__in=managing_roles, user__is_active=True)
        .exclude(pk=excluding.pk)
        .count()
    )


def _would_remove_last_manager(membership: Membership, new_role: str | None) -> bool:
    if not role_allows(membership.role, Action.MEMBER_MANAGE) or not membership.is_active:
        return False
    if new_role is not None and role_allows(new_role, Action.MEMBER_MANAGE):
        return False
    return _managers_left(membership.organisation, membership) == 0


@transaction.atomic
def invite_member(*, actor, organisation: Organisation, email: str, role: str, full_name: str = "") -> Membership:
    """Give a person a role in an organisation, creating their account if they have none.

    A new person gets an e-mail with a link to choose a password; they then set up a second factor
    at first sign-in.
    """
    require(actor, Action.MEMBER_MANAGE, organisation.pk)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    _check_role_fits(organisation, role)
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, full_name=full_name.strip()[:200])
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership is not None and membership.is_active:
        raise ValidationError({"email": _("This person already has this role here.")})
    if membership is None:
        membership = Membership.objects.create(user=user, organisation=organisation, role=role, invited_by=actor)
    else:
        membership.is_active = True
        membership.invited_by = actor
        membership.save(update_fields=["is_active", "invited_by", "updated_at"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit.record(
        actor=actor, action="member.invited", organisation_id=organisation.pk, obj=membership,
        object_label=email, changes={"email": email, "role": role, "new_account": created},
    )
    if created:
        transaction.on_commit(lambda: send_invitation(user=user, organisation=organisation))
    return membership


@transaction.atomic
def change_member_role(*, actor, membership: Membership, role: str) -> Membership:
    require(actor, Action.MEMBER_MANAGE, membership.organisation_id)
    _check_role_fits(membership.organisation, role)
    if role == membership.role:
        return membership
    if Membership.objects.filter(user=membership.user, organisation=membership.organisation, role=role).exists():
        raise ValidationError({"role": _("This person already has this role here.")})
    if _would_remove_last_manager(membership, role):
        raise ValidationError({"role": _("Someone must remain who can manage members.")})
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit.record(
        actor=actor, action="member.role_changed", organisation_id=membership.organisation_id,
        obj=membership, object_label=membership.user.email, changes={"role": [old, role]},
    )
    return membership


@transaction.atomic
def deactivate_member(*, actor, membership: Membership) -> Membership:
    """Take away a person's role here. Without any active role left, the person's account is
    deactivated and every session of theirs ends at once."""
    require(actor, Action.MEMBER_MANAGE, membership.organisation_id)
    if not membership.is_active:
        return membership
    if _would_remove_last_manager(membership, None):
        raise ValidationError(_("Someone must remain who can manage members."))
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    user = membership.user
    account_closed = not Membership.objects.filter(user=user, is_active=True).exists()
    if account_closed:
        user.is_active = False
        user.save(update_fields=["is_active"])
        end_sessions(user)
    audit.record(
        actor=actor, action="member.deactivated", organisation_id=membership.organisation_id,
        obj=membership, object_label=user.email, changes={"is_active": [True, False], "account_closed": account_closed},
    )
    return membership


@transaction.atomic
def reactivate_member(*, actor, membership: Membership) -> Membership:
    require(actor, Action.MEMBER_MANAGE, membership.organisation_id)
    if membership.is_active and membership.user.is_active:
        return membership
    membership.is_active = True
    membership.save(update_fields=["is_active", "updated_at"])
    if not membership.user.is_active:
        membership.user.is_active = True
        membership.user.save(update_fields=["is_active"])
    audit.record(
        actor=actor, action="member.reactivated", organisation_id=membership.organisation_id,
        obj=membership, object_label=membership.user.email, changes={"is_active": [False, True]},
    )
    return membership


@transaction.atomic
def update_organisation(*, actor, organisation: Organisation, **values) -> Organisation:
    require(actor, Action.ORGANISATION_CHANGE, organisation.pk)
    unknown = set(values) - set(ORGANISATION_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    changes = audit.field_changes(organisation, ORGANISATION_EDITABLE_FIELDS, values)
    if not changes:
        return organisation
    for name, value in values.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    audit.record(
        actor=actor, action="organisation.changed", organisation_id=organisation.pk, obj=organisation, changes=changes
    )
    return organisation


@transaction.atomic
def register_organisation(*, actor, **values) -> Organisation:
    """Add an organisation to the platform. Only platform operators (or the system) may."""
    if actor is not None and not actor.is_staff:
        raise NotPermitted("only platform operators register organisations")
    served = values.pop("served_sectors", None)
    members = values.pop("council_members", None)
    organisation = Organisation(**values)
    organisation.full_clean()
    organisation.save()
    if served:
        organisation.served_sectors.set(served)
    if members:
        organisation.council_members.set(members)
    audit.record(
        actor=actor, action="organisation.registered", organisation_id=organisation.pk, obj=organisation,
        changes={"name": organisation.name, "kind": organisation.kind},
    )
    return organisation
