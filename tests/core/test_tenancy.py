"""The one scoping mechanism: who reaches which organisation's data, per action."""

import pytest
from django.http import Http404

from tests.factories import OrganisationFactory, member, sector
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import access, can
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def visible(user, action):
    return set(Organisation.objects.visible_to(user, action).values_list("name", flat=True))


def test_board_member_reaches_own_board_and_its_schools_only():
    board = OrganisationFactory(name="Bestuur A")
    OrganisationFactory(name="School A1", kind=OrganisationKind.SCHOOL, parent=board, board_number="")
    OrganisationFactory(name="Bestuur B")
    officer = member(Role.IBP_OFFICER, board).user

    assert visible(officer, Action.ASSESSMENT_VIEW) == {"Bestuur A", "School A1"}


def test_supervisory_board_sees_summary_of_own_organisation_but_no_assessments():
    board = OrganisationFactory(name="Bestuur A")
    rvt = member(Role.SUPERVISORY_BOARD, board).user

    assert visible(rvt, Action.GOVERNANCE_VIEW) == {"Bestuur A"}
    assert visible(rvt, Action.ASSESSMENT_VIEW) == set()


def test_cert_reaches_its_constituency_sectors_for_incidents():
    cert = OrganisationFactory(name="School-CERT", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([sector("PO"), sector("VO")])
    OrganisationFactory(name="PO-bestuur", sector=sector("PO"))
    OrganisationFactory(name="Hogeschool", kind=OrganisationKind.INSTITUTION, sector=sector("HBO"))
    analyst = member(Role.CERT_ANALYST, cert).user

    assert visible(analyst, Action.INCIDENT_VIEW) == {"School-CERT", "PO-bestuur"}
    # A CERT analyst never reaches assessments, whatever the sector.
    assert visible(analyst, Action.ASSESSMENT_VIEW) == set()


def test_sector_roles_never_reach_single_institution_scores():
    po = OrganisationFactory(name="PO-bestuur", sector=sector("PO"))
    coordinator_org = OrganisationFactory(
        name="SIVON", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordinator_org.served_sectors.set([sector("PO")])
    council = OrganisationFactory(name="PO-Raad", kind=OrganisationKind.UMBRELLA_COUNCIL, sector=None, board_number="")
    council.council_members.set([po])
    ministry = OrganisationFactory(name="OCW", kind=OrganisationKind.MINISTRY, sector=None, board_number="")

    for role, organisation in [
        (Role.SECTOR_COORDINATOR, coordinator_org),
        (Role.COUNCIL_MEMBER, council),
        (Role.MINISTRY_ANALYST, ministry),
    ]:
        user = member(role, organisation).user
        assert "PO-bestuur" not in visible(user, Action.ASSESSMENT_VIEW), role
        assert "PO-bestuur" not in visible(user, Action.INCIDENT_VIEW), role


def test_inactive_membership_or_user_reaches_nothing():
    board = OrganisationFactory(name="Bestuur A")
    membership = member(Role.IBP_OFFICER, board)
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    assert visible(membership.user, Action.ORGANISATION_VIEW) == set()

    other = member(Role.IBP_OFFICER, board).user
    other.is_active = False
    other.save()
    assert not can(other, Action.ORGANISATION_VIEW, board.pk)


def test_access_answers_404_for_missing_and_forbidden_alike():
    mine = OrganisationFactory(name="Mine")
    theirs = OrganisationFactory(name="Theirs")
    user = member(Role.IBP_OFFICER, mine).user
    qs = Organisation.objects.all()

    assert access(qs, user, Action.ORGANISATION_VIEW, public_id=mine.public_id) == mine
    with pytest.raises(Http404):
        access(qs, user, Action.ORGANISATION_VIEW, public_id=theirs.public_id)
    with pytest.raises(Http404):
        access(qs, user, Action.ORGANISATION_VIEW, public_id="not-a-uuid")


def test_scoping_is_one_query_whatever_the_number_of_memberships(django_assert_num_queries):
    user = member(Role.IBP_OFFICER, OrganisationFactory()).user
    for _ in range(5):
        member(Role.BOARD_MEMBER, OrganisationFactory())  # other people
        Membership.objects.create(user=user, organisation=OrganisationFactory(), role=Role.DPO)
    with django_assert_num_queries(1):
        assert len(list(Organisation.objects.visible_to(user, Action.ORGANISATION_VIEW))) == 6
