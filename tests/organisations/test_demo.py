"""The demo sector: a reproducible synthetic sector, the command that loads it, its services."""

import base64
import hashlib
import hmac
import re
import struct
import time
from collections import Counter
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import OrganisationFactory, UserFactory, member, sector
from weerbaar.accounts.models import User
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.core.tenancy import NotPermitted
from weerbaar.organisations import demo
from weerbaar.organisations.choices import OrganisationKind, SectorCode
from weerbaar.organisations.models import Membership, Organisation
from weerbaar.organisations.services import add_member, register_organisations

ALL_SECTORS = set(SectorCode.values)
SCHOOL_BRIN = re.compile(r"^\d{2}[A-Z]{2}\d{2}$")
INSTITUTION_BRIN = re.compile(r"^\d{2}[A-Z]{2}$")


def totp_now(secret: str) -> str:
    """The RFC 6238 code (30-second steps, six digits) an authenticator app shows for `secret`."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def snapshot() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "authenticators": Authenticator.objects.count(),
        "council_links": Organisation.council_members.through.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# --- The generator --------------------------------------------------------------------------


def test_same_seed_gives_the_same_sector_and_another_seed_another():
    first = demo.generate_sector(120, seed=7)
    assert demo.generate_sector(120, seed=7) == first
    other = demo.generate_sector(120, seed=8)
    assert [o.name for o in other.organisations] != [o.name for o in first.organisations]
    assert [u.totp_secret for u in other.users] != [u.totp_secret for u in first.users]


def test_generator_leaves_the_global_random_state_alone():
    import random

    random.seed(1)
    expected = random.random()
    random.seed(1)
    demo.generate_sector(60, seed=3)
    assert random.random() == expected


@pytest.mark.parametrize("count", [8, 9, 25, 60, 333, 2000])
def test_every_sector_is_present_from_eight_organisations_on(count):
    generated = demo.generate_sector(count, seed=2026)
    measured = generated.measured()
    assert len(measured) == count
    assert {o.sector for o in measured} == ALL_SECTORS


@pytest.mark.parametrize("count", [1, 3, 7])
def test_a_tiny_sector_still_has_exactly_the_organisations_asked_for(count):
    assert len(demo.generate_sector(count, seed=1).measured()) == count


def test_proportions_follow_the_real_sector():
    # At the real sector's size the mix is the real one, and about 7,200 schools come with it.
    real_size = sum(demo.SECTOR_WEIGHTS.values())
    generated = demo.generate_sector(real_size, seed=2026)
    assert Counter(o.sector for o in generated.measured()) == demo.SECTOR_WEIGHTS
    assert 6_500 <= len(generated.schools()) <= 8_000
    # Scaled down, primary boards still outnumber the rest.
    counts = demo.allocate(60)
    assert sum(counts.values()) == 60
    assert counts[SectorCode.PO] == max(counts.values())
    assert counts[SectorCode.PO] > counts[SectorCode.VO] > counts[SectorCode.MBO]


def test_codes_are_unique_and_well_formed():
    generated = demo.generate_sector(1500, seed=11)
    board_numbers = [o.board_number for o in generated.organisations if o.board_number]
    brins = [o.brin for o in generated.organisations if o.brin]
    assert len(board_numbers) == len(set(board_numbers))
    assert len(brins) == len(set(brins))
    assert all(re.fullmatch(r"\d{5}", number) for number in board_numbers)
    for organisation in generated.organisations:
        if organisation.kind == OrganisationKind.SCHOOL:
            assert SCHOOL_BRIN.match(organisation.brin), organisation
            assert organisation.board_number == ""
        elif organisation.brin:
            assert INSTITUTION_BRIN.match(organisation.brin), organisation
    # Every funded board and MBO/HBO/WO institution has a board number.
    for organisation in generated.measured():
        if organisation.sector not in (SectorCode.RESEARCH, SectorCode.NONFUNDED):
            assert organisation.board_number, organisation


def test_schools_sit_only_under_primary_secondary_and_special_boards():
    generated = demo.generate_sector(600, seed=5)
    by_key = generated.by_key()
    schools_per_board = Counter(school.parent for school in generated.schools())
    for school in generated.schools():
        board = by_key[school.parent]
        assert board.kind == OrganisationKind.SCHOOL_BOARD
        assert board.sector in demo.SECTORS_WITH_SCHOOLS
        assert school.sector == board.sector
        assert school.student_count > 0
    for organisation in generated.measured():
        if organisation.kind == OrganisationKind.SCHOOL_BOARD:
            assert 1 <= schools_per_board[organisation.key] <= demo.MAX_SCHOOLS_PER_BOARD
            schools = [s for s in generated.schools() if s.parent == organisation.key]
            assert organisation.student_count == sum(s.student_count for s in schools)
        else:
            assert schools_per_board[organisation.key] == 0
            assert organisation.parent is None


def test_student_counts_are_realistic_per_kind():
    generated = demo.generate_sector(1706, seed=2026)

    def mean(values):
        return sum(values) / len(values)

    schools = generated.schools()
    assert 150 <= mean([s.student_count for s in schools if s.sector == SectorCode.PO]) <= 350
    assert 900 <= mean([s.student_count for s in schools if s.sector == SectorCode.VO]) <= 2_000
    institutions = generated.measured()
    assert 5_000 <= mean([o.student_count for o in institutions if o.sector == SectorCode.MBO]) <= 15_000
    assert 15_000 <= mean([o.student_count for o in institutions if o.sector == SectorCode.WO]) <= 35_000
    assert all(o.student_count is None for o in institutions if o.sector == SectorCode.RESEARCH)
    assert not any(o.is_funded for o in institutions if o.sector == SectorCode.NONFUNDED)


def test_support_organisations_serve_the_right_sectors_and_councils_hold_their_members():
    generated = demo.generate_sector(200, seed=9)
    by_name = {o.name: o for o in generated.organisations if o.sector is None}
    assert set(by_name["School-CERT"].served_sectors) == {"PO", "VO", "SO"}
    assert set(by_name["SURFcert"].served_sectors) == {"MBO", "HBO", "WO", "RESEARCH"}
    assert set(by_name["SIVON"].served_sectors) == {"PO", "VO", "SO"}
    assert set(by_name["MBO Digitaal"].served_sectors) == {"MBO"}
    assert by_name["Ministerie van Onderwijs, Cultuur en Wetenschap"].kind == OrganisationKind.MINISTRY
    assert by_name["Inspectie van het Onderwijs"].kind == OrganisationKind.INSPECTORATE
    assert by_name["Auditbureau Veldzicht"].kind == OrganisationKind.AUDIT_FIRM
    by_key = generated.by_key()
    expected = {
        "VO-raad": {"VO"},
        "MBO Raad": {"MBO"},
        "Vereniging Hogescholen": {"HBO"},
        "Universiteiten van Nederland": {"WO"},
        "NRTO": {"NONFUNDED"},
        "PO-Raad": {"PO", "SO"},
    }
    for council, sectors in expected.items():
        members = [by_key[key] for key in by_name[council].council_members]
        assert {m.sector for m in members} == sectors
        assert all(m.kind != OrganisationKind.SCHOOL for m in members)
        assert len(members) == sum(1 for o in generated.measured() if o.sector in sectors)


def test_there_is_one_demo_login_for_every_role_at_a_fitting_organisation():
    generated = demo.generate_sector(60, seed=2026)
    by_key = generated.by_key()
    assert {u.role for u in generated.users} == set(Role.values)
    assert len({u.email for u in generated.users}) == len(generated.users)
    first_po_board = next(o for o in generated.measured() if o.sector == SectorCode.PO)
    for user in generated.users:
        assert user.email.endswith("@demo.weerbaar.invalid")
        assert re.fullmatch(r"[A-Z2-7]{32}", user.totp_secret)
        if user.role in (Role.DPO, Role.BOARD_MEMBER, Role.SUPERVISORY_BOARD):
            assert user.organisation == first_po_board.key
    where = {(u.role, by_key[u.organisation].name) for u in generated.users}
    assert (Role.CERT_ANALYST, "School-CERT") in where
    assert (Role.CERT_ANALYST, "SURFcert") in where
    assert (Role.SECTOR_COORDINATOR, "SIVON") in where
    assert (Role.COUNCIL_MEMBER, "PO-Raad") in where
    assert (Role.AUDITOR, "Auditbureau Veldzicht") in where
    mbo_officer = next(u for u in generated.users if u.email.startswith("ibp.mbo@"))
    assert by_key[mbo_officer.organisation].sector == SectorCode.MBO
    # The secret depends on seed and address only, so it is the same at every re-seed.
    assert demo.totp_secret(2026, "ibp@demo.weerbaar.invalid") == generated.users[0].totp_secret


# --- The command ------------------------------------------------------------------------------


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demos_own_mail_is_kept_out_of_the_console(settings, capsys, monkeypatch):
    """On a development machine e-mail goes to the console; the reminders and notices the demo
    data sets off (sent after each commit, as in real use) would bury the logins."""
    from django.db import transaction

    # As outside a test's transaction: what waits for the commit runs at once.
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    output = seed(organisations=8, seed=2026)
    assert "Subject:" not in capsys.readouterr().out
    assert "were kept back" in output
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.django_db
def test_running_twice_changes_nothing_and_prints_the_logins_again():
    first = seed(organisations=15, seed=2026)
    before = snapshot()
    second = seed(organisations=40, seed=99)
    assert snapshot() == before
    assert "already loaded; nothing was changed" in second
    for email in demo.DEMO_EMAILS:
        assert email in first
        assert email in second
    # The secrets shown are the stored ones, not those of the new arguments.
    assert demo.totp_secret(2026, "ibp@demo.weerbaar.invalid") in second
    assert demo.totp_secret(99, "ibp@demo.weerbaar.invalid") not in second


@pytest.mark.django_db
def test_loading_is_recorded_in_the_audit_log_and_the_chain_stays_intact():
    from weerbaar.core.audit import verify_chain

    seed(organisations=10, seed=1)
    loaded = AuditEntry.objects.get(action="demo.loaded")
    assert loaded.changes["organisations"] == 10
    assert loaded.changes["seed"] == 1
    registered = sum(
        entry.changes["count"] for entry in AuditEntry.objects.filter(action="organisation.registered_in_bulk")
    )
    assert registered == Organisation.objects.count()
    assert AuditEntry.objects.filter(action="member.added").count() == len(demo.DEMO_EMAILS)
    assert verify_chain() == []


@pytest.mark.django_db
def test_refuses_in_production_and_changes_nothing(settings):
    settings.PRODUCTION = True
    before = snapshot()
    with pytest.raises(CommandError, match="production"):
        seed()
    assert snapshot() == before


@pytest.mark.django_db
def test_refuses_without_a_demo_password(settings):
    settings.DEMO_PASSWORD = ""
    before = snapshot()
    with pytest.raises(CommandError, match="WEERBAAR_DEMO_PASSWORD"):
        seed()
    assert snapshot() == before


@pytest.mark.django_db
def test_refuses_too_few_organisations_for_every_sector():
    with pytest.raises(CommandError, match="one per sector"):
        seed(organisations=7)
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_a_clash_with_an_existing_organisation_rolls_everything_back():
    generated = demo.generate_sector(10, seed=3)
    taken = next(o.brin for o in generated.organisations if o.brin)
    OrganisationFactory(name="Bestaande school", kind=OrganisationKind.SCHOOL, brin=taken, board_number="")
    before = snapshot()
    with pytest.raises(CommandError, match=taken):
        seed(organisations=10, seed=3)
    assert snapshot() == before


# --- The services the command uses --------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_registration_checks_every_item_before_writing_any():
    existing = OrganisationFactory(board_number="40001")
    before = snapshot()
    items = [
        {
            "name": "Stichting Een",
            "kind": OrganisationKind.SCHOOL_BOARD,
            "sector": sector("PO"),
            "board_number": "40002",
        },
        {
            "name": "Stichting Twee",
            "kind": OrganisationKind.SCHOOL_BOARD,
            "sector": sector("PO"),
            "board_number": "40002",
        },
        {
            "name": "Stichting Drie",
            "kind": OrganisationKind.SCHOOL_BOARD,
            "sector": sector("VO"),
            "board_number": existing.board_number,
        },
        {
            "name": "School Vier",
            "kind": OrganisationKind.SCHOOL,
            "sector": sector("PO"),
            "brin": "not-a-brin",
        },
    ]
    with pytest.raises(ValidationError) as caught:
        register_organisations(actor=None, organisations=items)
    messages = " ".join(caught.value.messages)
    assert "40002" in messages
    assert "40001" in messages
    assert "School Vier" in messages
    assert snapshot() == before


@pytest.mark.django_db
def test_bulk_registration_is_for_platform_operators_only():
    officer = member(Role.IBP_OFFICER).user
    before = snapshot()
    with pytest.raises(NotPermitted):
        register_organisations(actor=officer, organisations=[{"name": "X", "kind": OrganisationKind.AUDIT_FIRM}])
    assert snapshot() == before
    operator = UserFactory(is_staff=True)
    [created] = register_organisations(
        actor=operator, organisations=[{"name": "X", "kind": OrganisationKind.AUDIT_FIRM}]
    )
    entry = AuditEntry.objects.get(action="organisation.registered_in_bulk")
    assert entry.actor_ref == operator.pk
    assert entry.changes["organisations"] == [[str(created.public_id), "X"]]


@pytest.mark.django_db
def test_add_member_gives_a_role_without_an_invitation(mailoutbox):
    board = OrganisationFactory()
    person = UserFactory()
    membership = add_member(actor=None, organisation=board, user=person, role=Role.DPO)
    assert membership.is_active
    assert mailoutbox == []
    entry = AuditEntry.objects.get(action="member.added")
    assert entry.organisation_ref == board.pk
    with pytest.raises(ValidationError):
        add_member(actor=None, organisation=board, user=person, role=Role.DPO)


@pytest.mark.django_db
def test_add_member_refuses_someone_who_does_not_manage_members_here():
    board = OrganisationFactory()
    dpo = member(Role.DPO, board).user  # may see members, not manage them
    outsider = member(Role.IBP_OFFICER).user  # manages another board
    person = UserFactory()
    before = snapshot()
    for actor in (dpo, outsider):
        with pytest.raises(NotPermitted):
            add_member(actor=actor, organisation=board, user=person, role=Role.DPO)
    assert snapshot() == before
    manager = member(Role.IBP_OFFICER, board).user
    add_member(actor=manager, organisation=board, user=person, role=Role.DPO)
    assert Membership.objects.filter(user=person, organisation=board, role=Role.DPO, is_active=True).exists()


@pytest.mark.django_db
def test_add_member_refuses_a_role_that_does_not_fit_the_organisation():
    cert = OrganisationFactory(kind=OrganisationKind.CERT, sector=None, board_number="")
    person = UserFactory()
    with pytest.raises(ValidationError):
        add_member(actor=None, organisation=cert, user=person, role=Role.IBP_OFFICER)
    assert not Membership.objects.filter(user=person).exists()
