"""Writes on organisations and memberships. Each checks permission, runs in one transaction and
records the change in the audit log."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from weerbaar.accounts.services import create_demo_account, end_sessions, send_invitation
from weerbaar.core import audit
from weerbaar.core.permissions import Action, Role, role_allows
from weerbaar.core.tenancy import NotPermitted, require
from weerbaar.organisations.choices import MEASURED_KINDS, OrganisationKind
from weerbaar.organisations.demo import DemoSector
from weerbaar.organisations.models import Membership, Organisation, Sector

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
        Membership.objects.filter(
            organisation=organisation, is_active=True, role__in=managing_roles, user__is_active=True
        )
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
        actor=actor,
        action="member.invited",
        organisation_id=organisation.pk,
        obj=membership,
        object_label=email,
        changes={"email": email, "role": role, "new_account": created},
    )
    if created:
        transaction.on_commit(lambda: send_invitation(user=user, organisation=organisation))
    return membership


@transaction.atomic
def add_member(*, actor, organisation: Organisation, user, role: str) -> Membership:
    """Give an existing account a role in an organisation, without sending an invitation.

    For the system (commands, imports: actor None), a platform operator setting up a new
    organisation's first manager, or anyone who manages this organisation's members.
    """
    if actor is not None and not actor.is_staff:
        require(actor, Action.MEMBER_MANAGE, organisation.pk)
    _check_role_fits(organisation, role)
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership is not None and membership.is_active:
        raise ValidationError({"role": _("This person already has this role here.")})
    if membership is None:
        membership = Membership.objects.create(user=user, organisation=organisation, role=role, invited_by=actor)
    else:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="member.added",
        organisation_id=organisation.pk,
        obj=membership,
        object_label=user.email,
        changes={"email": user.email, "role": role},
    )
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
        actor=actor,
        action="member.role_changed",
        organisation_id=membership.organisation_id,
        obj=membership,
        object_label=membership.user.email,
        changes={"role": [old, role]},
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
        actor=actor,
        action="member.deactivated",
        organisation_id=membership.organisation_id,
        obj=membership,
        object_label=user.email,
        changes={"is_active": [True, False], "account_closed": account_closed},
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
        actor=actor,
        action="member.reactivated",
        organisation_id=membership.organisation_id,
        obj=membership,
        object_label=membership.user.email,
        changes={"is_active": [False, True]},
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
        actor=actor,
        action="organisation.registered",
        organisation_id=organisation.pk,
        obj=organisation,
        changes={"name": organisation.name, "kind": organisation.kind},
    )
    return organisation


BULK_BATCH_SIZE = 500


def _chunks(items: list, size: int = BULK_BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def register_organisations(*, actor, organisations: list[dict]) -> list[Organisation]:
    """Add many organisations at once, as an import or the demo sector does.

    Each item holds the values `register_organisation` takes. Every item is checked first (field
    rules, board numbers and BRIN codes unique among the items and in the platform); one bad item
    writes nothing. The organisations are written in batches, each batch recorded by one audit
    entry that names every organisation in it. Only platform operators (or the system) may.
    """
    if actor is not None and not actor.is_staff:
        raise NotPermitted("only platform operators register organisations")
    prepared: list[tuple[Organisation, list, list]] = []
    problems: list[str] = []
    for index, values in enumerate(organisations, start=1):
        values = dict(values)
        served = list(values.pop("served_sectors", None) or [])
        members = list(values.pop("council_members", None) or [])
        organisation = Organisation(**values)
        where = f"{index} ({organisation.name})"
        try:
            # Sector and parent arrive as objects; checking that each exists would cost a query
            # per item, so only an unsaved one is refused below.
            organisation.clean_fields(exclude=["sector", "parent"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                problems.extend(f"{where} {field}: {message}" for message in messages)
        if organisation.parent is not None and organisation.parent.pk is None:
            problems.append(f"{where}: " + _("the board must be registered first."))
        if any(member.pk is None for member in members):
            problems.append(f"{where}: " + _("every member must be registered first."))
        prepared.append((organisation, served, members))
    for field, label in (("board_number", _("board number")), ("brin", _("BRIN code"))):
        first_index: dict[str, int] = {}
        for index, (organisation, _served, _members) in enumerate(prepared, start=1):
            code = getattr(organisation, field)
            if not code:
                continue
            if code in first_index:
                problems.append(
                    f"{index} ({organisation.name}): "
                    + _("%(label)s %(code)s is also given to item %(other)d.")
                    % {"label": label, "code": code, "other": first_index[code]}
                )
            else:
                first_index[code] = index
        taken: set[str] = set()
        for chunk in _chunks(list(first_index)):
            in_use = Organisation.objects.filter(**{f"{field}__in": chunk})
            taken.update(in_use.values_list(field, flat=True))
        problems.extend(
            f"{first_index[code]}: " + _("%(label)s %(code)s is already in use.") % {"label": label, "code": code}
            for code in sorted(taken)
        )
    if problems:
        raise ValidationError(problems)

    created: list[Organisation] = []
    served_links = Organisation.served_sectors.through
    member_links = Organisation.council_members.through
    for batch in _chunks(prepared):
        objects = Organisation.objects.bulk_create([organisation for organisation, _s, _m in batch])
        served_links.objects.bulk_create(
            [served_links(organisation_id=o.pk, sector_id=sector.pk) for o, served, _m in batch for sector in served],
            batch_size=BULK_BATCH_SIZE,
        )
        member_links.objects.bulk_create(
            [
                member_links(from_organisation_id=o.pk, to_organisation_id=member.pk)
                for o, _s, members in batch
                for member in members
            ],
            batch_size=BULK_BATCH_SIZE,
        )
        kinds: dict[str, int] = {}
        for organisation in objects:
            kinds[organisation.kind] = kinds.get(organisation.kind, 0) + 1
        audit.record(
            actor=actor,
            action="organisation.registered_in_bulk",
            organisation_id=None,
            object_label=_("%(count)d organisations") % {"count": len(objects)},
            changes={
                "count": len(objects),
                "kinds": kinds,
                "organisations": [[str(o.public_id), o.name] for o in objects],
            },
        )
        created.extend(objects)
    return created


@transaction.atomic
def load_demo_sector(*, actor, sector: DemoSector, password: str) -> bool:
    """Fill the platform with a synthetic demo sector and its demo logins, once.

    Returns False, changing nothing, when a demo login already exists: loading twice neither
    fails nor duplicates. Only the system may load it, and never in production.
    """
    if actor is not None:
        raise NotPermitted("the demo sector is loaded by the system only")
    if settings.PRODUCTION:
        raise NotPermitted("the demo sector is never loaded in production")
    if not password:
        raise ValidationError({"password": _("The demo logins need a password.")})
    if User.objects.filter(email__in=[person.email for person in sector.users]).exists():
        return False
    sectors = {row.code: row for row in Sector.objects.all()}
    created: dict[str, Organisation] = {}

    def register(records) -> None:
        values = [
            {
                "name": record.name,
                "kind": record.kind,
                "sector": sectors[record.sector] if record.sector else None,
                "parent": created[record.parent] if record.parent else None,
                "board_number": record.board_number,
                "brin": record.brin,
                "student_count": record.student_count,
                "is_funded": record.is_funded,
                "served_sectors": [sectors[code] for code in record.served_sectors],
                "council_members": [created[key] for key in record.council_members],
            }
            for record in records
        ]
        organisations = register_organisations(actor=None, organisations=values)
        for record, organisation in zip(records, organisations, strict=True):
            created[record.key] = organisation

    # Boards and institutions first, then the schools under them, then the support
    # organisations whose councils list them as members.
    measured = sector.measured()
    register(measured)
    register(sector.schools())
    register([record for record in sector.organisations if record.sector is None])

    # One hash serves every demo login: they share the printed demo password anyway, and hashing
    # it once keeps the load quick.
    password_hash = make_password(password)
    for person in sector.users:
        user = create_demo_account(
            actor=None,
            email=person.email,
            full_name=person.full_name,
            password_hash=password_hash,
            totp_secret=person.totp_secret,
        )
        organisation = created[person.organisation]
        add_member(actor=None, organisation=organisation, user=user, role=person.role)
    audit.record(
        actor=None,
        action="demo.loaded",
        organisation_id=None,
        changes={
            "seed": sector.seed,
            "organisations": len(measured),
            "schools": len(sector.schools()),
            "all_organisations": len(sector.organisations),
            "logins": [person.email for person in sector.users],
        },
    )
    return True
