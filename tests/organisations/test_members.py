"""Members of an organisation: invite, change role, deactivate — through the pages and services."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import OrganisationFactory, member
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.organisations import services
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership

pytestmark = pytest.mark.django_db


def members_url(organisation):
    return f"/organisations/{organisation.public_id}/members/"


def test_board_member_invites_a_new_person_who_gets_an_email(client, organisation, django_capture_on_commit_callbacks):
    admin = member(Role.BOARD_MEMBER, organisation)
    client.force_login(admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{members_url(organisation)}invite/",
            {"email": "Nieuwe.Collega@School.test", "full_name": "Nieuwe Collega", "role": Role.DPO},
        )
    assert response.status_code == 302
    invited = Membership.objects.get(organisation=organisation, user__email="nieuwe.collega@school.test")
    assert invited.role == Role.DPO
    assert invited.is_active
    assert not invited.user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    page = client.get(members_url(organisation))
    assert "nieuwe.collega@school.test" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "geen-adres", "role": Role.DPO}, "email"),
        ({"email": "x@school.test", "role": Role.CERT_ANALYST}, "role"),  # not a role of a school board
        ({"email": "x@school.test", "role": "superuser"}, "role"),
        ({"email": "", "role": Role.DPO}, "email"),
    ],
)
def test_invite_with_bad_input_shows_error_and_changes_nothing(client, organisation, data, field):
    admin = member(Role.BOARD_MEMBER, organisation)
    client.force_login(admin.user)
    before = (Membership.objects.count(), AuditEntry.objects.count())
    response = client.post(f"{members_url(organisation)}invite/", data)
    assert response.status_code == 400
    assert response.context["invite_form"].errors.get(field)
    assert (Membership.objects.count(), AuditEntry.objects.count()) == before
    assert mail.outbox == []


def test_inviting_someone_who_already_has_the_role_is_refused(organisation):
    admin = member(Role.BOARD_MEMBER, organisation)
    existing = member(Role.DPO, organisation)
    with pytest.raises(ValidationError):
        services.invite_member(actor=admin.user, organisation=organisation, email=existing.user.email, role=Role.DPO)


@pytest.mark.parametrize("role", [Role.DPO, Role.SUPERVISORY_BOARD])
def test_roles_without_member_management_cannot_invite(client, organisation, role):
    person = member(role, organisation)
    client.force_login(person.user)
    before = Membership.objects.count()
    response = client.post(f"{members_url(organisation)}invite/", {"email": "x@school.test", "role": Role.DPO})
    assert response.status_code == 404
    assert Membership.objects.count() == before


def test_change_role_and_last_manager_rule(client, organisation):
    admin = member(Role.BOARD_MEMBER, organisation)
    dpo = member(Role.DPO, organisation)
    client.force_login(admin.user)
    client.post(f"/members/{dpo.public_id}/role/", {"role": Role.IBP_OFFICER})
    dpo.refresh_from_db()
    assert dpo.role == Role.IBP_OFFICER
    entry = AuditEntry.objects.filter(action="member.role_changed").get()
    assert entry.changes == {"role": [Role.DPO, Role.IBP_OFFICER]}

    # The IBP officer can manage members too; demoting the only other manager is fine...
    services.change_member_role(actor=dpo.user, membership=admin, role=Role.SUPERVISORY_BOARD)
    # ...but now the IBP officer is the last one who can manage members.
    with pytest.raises(ValidationError):
        services.change_member_role(actor=dpo.user, membership=dpo, role=Role.DPO)
    with pytest.raises(ValidationError):
        services.deactivate_member(actor=dpo.user, membership=dpo)


def test_deactivating_the_last_membership_closes_the_account(client, organisation):
    admin = member(Role.BOARD_MEMBER, organisation)
    leaver = member(Role.DPO, organisation)
    client.force_login(admin.user)
    response = client.post(f"/members/{leaver.public_id}/deactivate/")
    assert response.status_code == 302
    leaver.refresh_from_db()
    leaver.user.refresh_from_db()
    assert not leaver.is_active
    assert not leaver.user.is_active
    # Reactivation restores both.
    client.post(f"/members/{leaver.public_id}/reactivate/")
    leaver.refresh_from_db()
    leaver.user.refresh_from_db()
    assert leaver.is_active
    assert leaver.user.is_active


def test_deactivating_one_of_several_memberships_keeps_the_account(organisation, other_organisation):
    admin = member(Role.BOARD_MEMBER, organisation)
    person = member(Role.DPO, organisation)
    Membership.objects.create(user=person.user, organisation=other_organisation, role=Role.DPO)
    services.deactivate_member(actor=admin.user, membership=person)
    person.user.refresh_from_db()
    assert person.user.is_active


def test_cannot_manage_members_of_another_organisation(client, organisation, other_organisation):
    admin = member(Role.BOARD_MEMBER, organisation)
    theirs = member(Role.DPO, other_organisation)
    client.force_login(admin.user)
    for path in (f"/members/{theirs.public_id}/deactivate/", f"/members/{theirs.public_id}/role/"):
        assert client.post(path, {"role": Role.IBP_OFFICER}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    assert theirs.role == Role.DPO
    with pytest.raises(PermissionDenied):
        services.deactivate_member(actor=admin.user, membership=theirs)


def test_school_board_manager_reaches_its_schools_members(organisation):
    school = OrganisationFactory(kind=OrganisationKind.SCHOOL, parent=organisation, board_number="")
    admin = member(Role.BOARD_MEMBER, organisation)
    membership = services.invite_member(
        actor=admin.user, organisation=school, email="ibp@school.test", role=Role.IBP_OFFICER
    )
    assert membership.organisation == school


def test_member_list_search_and_pagination(client, organisation):
    admin = member(Role.BOARD_MEMBER, organisation, full_name="Anna Admin")
    for i in range(30):
        member(Role.DPO, organisation, full_name=f"Persoon {i:02d}", with_mfa=False)
    client.force_login(admin.user)
    first = client.get(members_url(organisation))
    assert first.context["page"].paginator.count == 31
    assert len(first.context["page"].object_list) == 25
    found = client.get(members_url(organisation), {"q": "Persoon 07"})
    assert [m.user.full_name for m in found.context["page"].object_list] == ["Persoon 07"]
    fragment = client.get(members_url(organisation), {"q": "Anna"}, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert b"Anna Admin" in fragment.content


def test_organisation_details_edit_validates_and_audits(client, organisation):
    admin = member(Role.BOARD_MEMBER, organisation)
    client.force_login(admin.user)
    url = f"/organisations/{organisation.public_id}/edit/"
    bad = client.post(url, {"name": "Nieuw", "board_number": "12", "brin": "", "student_count": "10"})
    assert bad.status_code == 200
    assert bad.context["form"].errors.get("board_number")
    organisation.refresh_from_db()
    assert organisation.name != "Nieuw"
    good = client.post(
        url, {"name": "Stichting Nieuw", "board_number": organisation.board_number, "brin": "", "student_count": "1300"}
    )
    assert good.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.student_count) == ("Stichting Nieuw", 1300)
    assert AuditEntry.objects.filter(action="organisation.changed", organisation_ref=organisation.pk).count() == 1
