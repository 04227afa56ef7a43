"""Notifications of a high-risk match go to exactly the IBP officers a check per person with
Advisory.objects.visible_to() lets through, for every TLP label, in a number of queries that does
not grow with the number of officers."""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, sector
from weerbaar.advisories import csafdoc, matching, services
from weerbaar.advisories.choices import Source
from weerbaar.advisories.models import Advisory, Exposure, InventoryItem, Notification
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership

WIDGET = "pkg:npm/acme/widget"
TLPS = ("clear", "green", "amber", "amber+strict", "red")


def _item(organisation, version="1.0.0"):
    fields, errors = services._clean_item("Acme", "Widget", version, "", f"{WIDGET}@{version}" if version else WIDGET)
    assert not errors
    return InventoryItem.objects.create(organisation=organisation, **fields)


def _advisory(tracking_id="NOTIFY-1") -> Advisory:
    doc = csafdoc.build(
        publisher_name="CERT",
        publisher_namespace="https://cert.example",
        tracking_id=tracking_id,
        title="Kwetsbaarheid in Widget",
        tlp="green",
        released=datetime(2026, 1, 1, tzinfo=UTC),
        summary="Op afstand code uitvoeren.",
        cve="CVE-2026-1234",
        cvss=csafdoc.cvss_object("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        kans="high",
        schade="high",
        products=[
            {"vendor": "Acme", "product": "Widget", "version_range": "vers:npm/<2.0.0", "purl": WIDGET, "cpe": ""}
        ],
        remediation="Installeer de update.",
    )
    # Matching after the import waits for a commit the test never makes; it is run by hand.
    return services.import_document(
        actor=None, raw=json.dumps(doc).encode(), owner=None, source=Source.COMMAND
    ).advisory


def _match(advisory: Advisory):
    """Match, and return the moment the new exposures were found, with no notification left."""
    services.match_advisory(advisory)
    Notification.objects.all().delete()
    return Exposure.objects.filter(advisory=advisory).values_list("found_at", flat=True).first()


def _per_person(advisory: Advisory, now) -> set[tuple[int, int]]:
    """The reference: every officer of an organisation with a sure match found at `now`, checked
    one by one against the advisory's TLP."""
    sure = Exposure.objects.filter(advisory=advisory, found_at=now, tier__lt=matching.Tier.VERSION_NOT_STATED)
    officers = Membership.objects.filter(
        organisation_id__in=sure.values("organisation_id"), role=Role.IBP_OFFICER, is_active=True, user__is_active=True
    ).select_related("user")
    return {
        (m.user_id, m.organisation_id)
        for m in officers
        if Advisory.objects.visible_to(m.user).filter(pk=advisory.pk).exists()
    }


def _notified(advisory: Advisory, now) -> set[tuple[int, int]]:
    Notification.objects.all().delete()
    services._notify(advisory, now)
    return set(Notification.objects.filter(advisory=advisory).values_list("user_id", "organisation_id"))


@pytest.fixture
def sector_world(db):
    """Two CERTs (PO, VO), institutions in three sectors, one closed, one without a version, and
    officers with second memberships that do or do not widen what they may read."""
    po, vo, mbo = sector("PO"), sector("VO"), sector("MBO")
    cert_po = OrganisationFactory(name="CERT PO", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert_po.served_sectors.set([po])
    cert_vo = OrganisationFactory(name="CERT VO", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert_vo.served_sectors.set([vo])
    cert_both = OrganisationFactory(name="CERT PO en VO", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert_both.served_sectors.set([po, vo])
    orgs = {
        "cert_po": cert_po,
        "cert_vo": cert_vo,
        "cert_both": cert_both,
        "board_a": OrganisationFactory(name="Stichting A", sector=po),
        "board_b": OrganisationFactory(name="Stichting B", sector=po),
        "vo_board": OrganisationFactory(name="Scholengroep VO", sector=vo),
        "mbo_board": OrganisationFactory(name="ROC", sector=mbo),
        "closed": OrganisationFactory(name="Opgeheven", sector=po, is_active=False),
        "vague": OrganisationFactory(name="Zonder versie", sector=po),
    }
    orgs["school_a"] = OrganisationFactory(
        name="School A1", kind=OrganisationKind.SCHOOL, parent=orgs["board_a"], sector=po, board_number=""
    )
    # A PO school under a VO board: the board's officer reaches PO through it.
    orgs["mixed_school"] = OrganisationFactory(
        name="School onder VO", kind=OrganisationKind.SCHOOL, parent=orgs["vo_board"], sector=po, board_number=""
    )
    for key in ("board_a", "board_b", "vo_board", "mbo_board", "closed", "school_a"):
        _item(orgs[key])
    _item(orgs["vague"], version="")

    people = {}

    def officer(name, org_key, *others, user_active=True, active=True):
        user = UserFactory(is_active=user_active)
        MembershipFactory(user=user, organisation=orgs[org_key], role=Role.IBP_OFFICER, is_active=active)
        for other_key, role, other_active in others:
            MembershipFactory(user=user, organisation=orgs[other_key], role=role, is_active=other_active)
        people[name] = user

    officer("a", "board_a")
    officer("a1", "school_a")
    officer("b", "board_b")
    officer("vo", "vo_board")
    officer("mbo", "mbo_board")
    officer("mbo_dpo_b", "mbo_board", ("board_b", Role.DPO, True))
    officer("mbo_inactive_dpo_b", "mbo_board", ("board_b", Role.DPO, False))
    officer("mbo_analyst_vo", "mbo_board", ("cert_vo", Role.CERT_ANALYST, True))
    officer("mbo_analyst_both", "mbo_board", ("cert_both", Role.CERT_ANALYST, True))
    officer("vo_supervisor_b", "vo_board", ("board_b", Role.SUPERVISORY_BOARD, True))
    officer("vo_analyst_po", "vo_board", ("cert_po", Role.CERT_ANALYST, True))
    officer("vo_inactive_analyst_po", "vo_board", ("cert_po", Role.CERT_ANALYST, False))
    officer("vo_and_a", "vo_board", ("board_a", Role.IBP_OFFICER, True))
    officer("closed", "closed")
    officer("closed_dpo_vo", "closed", ("vo_board", Role.DPO, True))
    officer("mbo_in_closed", "mbo_board", ("closed", Role.DPO, True))
    officer("inactive_user", "board_a", user_active=False)
    officer("inactive_membership", "board_b", active=False)
    officer("vague", "vague")
    return orgs, people


@pytest.mark.parametrize("tlp", TLPS)
def test_notifications_are_those_a_check_per_person_gives(sector_world, tlp):
    orgs, people = sector_world
    advisory = _advisory()
    now = _match(advisory)
    advisory.recipients.set([people["a"], people["vo"], people["inactive_user"]])
    advisory.created_by = people["mbo"]
    checked = 0
    for owner in (None, "cert_po", "cert_vo", "board_a", "closed"):
        advisory.tlp, advisory.owner = tlp, orgs[owner] if owner else None
        advisory.save(update_fields=["tlp", "owner", "created_by"])
        expected = _per_person(advisory, now)
        assert _notified(advisory, now) == expected, (tlp, owner)
        checked += len(expected)
    assert checked, "the world gives no notification at all for this label"


def test_the_world_tells_the_rules_apart(sector_world):
    """The cases above are not empty: under AMBER from the PO CERT the second memberships decide."""
    orgs, people = sector_world
    advisory = _advisory()
    now = _match(advisory)
    advisory.tlp, advisory.owner = "amber", orgs["cert_po"]
    advisory.save(update_fields=["tlp", "owner"])
    by_person = {(user_id, org_id) for user_id, org_id in _notified(advisory, now)}
    mbo, vo = orgs["mbo_board"].pk, orgs["vo_board"].pk
    assert (people["mbo_dpo_b"].pk, mbo) in by_person
    assert (people["vo_analyst_po"].pk, vo) in by_person
    assert (people["vo"].pk, vo) in by_person  # through the PO school under the VO board
    assert (people["mbo_analyst_both"].pk, mbo) in by_person  # another CERT's constituency in PO
    assert (people["mbo_analyst_vo"].pk, mbo) not in by_person
    assert (people["mbo_inactive_dpo_b"].pk, mbo) not in by_person
    assert (people["mbo"].pk, mbo) not in by_person
    assert not any(user_id == people["inactive_user"].pk for user_id, _org in by_person)
    assert not any(org_id == orgs["vague"].pk for _user, org_id in by_person)


def _sized_world(organisations: int, *, officers_in_cert: bool) -> Advisory:
    cert = OrganisationFactory(kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([sector("PO")])
    analyst = UserFactory()
    MembershipFactory(user=analyst, organisation=cert, role=Role.CERT_ANALYST)
    for _n in range(organisations):
        board = OrganisationFactory(sector=sector("PO"))
        _item(board)
        for _officer in range(2):
            officer = MembershipFactory(organisation=board, role=Role.IBP_OFFICER).user
            if officers_in_cert:
                MembershipFactory(user=officer, organisation=cert, role=Role.CERT_ANALYST)
    advisory = _advisory(f"NOTIFY-{organisations}")
    advisory.owner, advisory.created_by = cert, analyst
    advisory.save(update_fields=["owner", "created_by"])
    return advisory


@pytest.mark.parametrize("tlp", TLPS)
def test_queries_do_not_grow_with_the_officers(db, tlp):
    counts = []
    for organisations in (2, 12):
        # AMBER+STRICT from the CERT reaches only its own people: the officers are made so.
        advisory = _sized_world(organisations, officers_in_cert=tlp == "amber+strict")
        now = _match(advisory)
        Advisory.objects.filter(pk=advisory.pk).update(tlp=tlp)
        advisory.refresh_from_db()
        if tlp == "red":
            advisory.recipients.set(Membership.objects.filter(role=Role.IBP_OFFICER).values_list("user", flat=True))
        with CaptureQueriesContext(connection) as queries:
            services._notify(advisory, now)
        notified = set(Notification.objects.filter(advisory=advisory).values_list("user_id", "organisation_id"))
        assert notified == _per_person(advisory, now)
        assert len(notified) >= 2 * organisations
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3
