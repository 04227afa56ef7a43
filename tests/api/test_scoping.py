"""The API shows what the pages show: only the user's own organisations, and for anything else a
404 that looks exactly like the 404 of an id that never existed. Lists are paginated and
filtered."""

import uuid

import pytest

from tests.api.helpers import assert_error, bearer, send, snapshot, token_for
from tests.factories import OrganisationFactory, member, sector
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.organisations import services as organisation_services
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Organisation

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/v1/organisations/"
MEMBERSHIPS = "/api/v1/memberships/"
AUDIT_LOG = "/api/v1/audit-log/"


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_member_sees_own_board_and_its_schools_only(client, world):
    secret = token_for(world.officer_a.user, scope="read")

    response = client.get(ORGANISATIONS, headers=bearer(secret))

    assert ids(response) == {str(world.board_a.public_id), str(world.school_a.public_id)}
    school = next(row for row in response.json()["results"] if row["id"] == str(world.school_a.public_id))
    assert school["parent"] == str(world.board_a.public_id)
    assert school["kind"] == "school"


def test_another_organisation_is_not_found_exactly_like_a_missing_one(client, world):
    headers = bearer(token_for(world.officer_a.user, scope="read"))

    other = client.get(f"{ORGANISATIONS}{world.board_b.public_id}/", headers=headers)
    missing = client.get(f"{ORGANISATIONS}{uuid.uuid4()}/", headers=headers)

    assert_error(other, 404, "not_found")
    assert (other.status_code, other.content) == (missing.status_code, missing.content)
    assert client.get(f"{ORGANISATIONS}{world.school_a.public_id}/", headers=headers).status_code == 200


def test_memberships_of_another_organisation_are_not_found(client, world):
    headers = bearer(token_for(world.officer_a.user, scope="read"))

    other = client.get(MEMBERSHIPS, {"organisation": str(world.board_b.public_id)}, headers=headers)
    missing = client.get(MEMBERSHIPS, {"organisation": str(uuid.uuid4())}, headers=headers)
    one_other = client.get(f"{MEMBERSHIPS}{world.officer_b.public_id}/", headers=headers)
    one_missing = client.get(f"{MEMBERSHIPS}{uuid.uuid4()}/", headers=headers)

    assert_error(other, 404, "not_found")
    assert other.content == missing.content
    assert_error(one_other, 404, "not_found")
    assert one_other.content == one_missing.content


def test_membership_list_holds_only_reachable_organisations(client, world):
    headers = bearer(token_for(world.officer_a.user, scope="read"))

    everything = client.get(MEMBERSHIPS, headers=headers)
    own = client.get(MEMBERSHIPS, {"organisation": str(world.board_a.public_id)}, headers=headers)

    assert ids(everything) == {str(world.officer_a.public_id), str(world.dpo_a.public_id)}
    assert ids(own) == ids(everything)
    assert {row["organisation"] for row in everything.json()["results"]} == {str(world.board_a.public_id)}


def test_writes_on_another_organisation_are_not_found_and_change_nothing(client, world):
    headers = bearer(token_for(world.officer_a.user, scope="read_write"))
    before = snapshot()

    rename = send(
        client,
        "PATCH",
        f"{ORGANISATIONS}{world.board_b.public_id}/",
        {"name": "Overgenomen"},
        headers=headers,
    )
    role = send(
        client,
        "PATCH",
        f"{MEMBERSHIPS}{world.officer_b.public_id}/",
        {"role": Role.DPO},
        headers=headers,
    )
    end = client.post(f"{MEMBERSHIPS}{world.officer_b.public_id}/deactivate/", headers=headers)
    invite = send(
        client,
        "POST",
        MEMBERSHIPS,
        {
            "organisation": str(world.board_b.public_id),
            "email": "indringer@example.test",
            "role": Role.IBP_OFFICER,
        },
        headers=headers,
    )
    invite_nowhere = send(
        client,
        "POST",
        MEMBERSHIPS,
        {
            "organisation": str(uuid.uuid4()),
            "email": "indringer@example.test",
            "role": Role.IBP_OFFICER,
        },
        headers=headers,
    )

    for response in (rename, role, end):
        assert_error(response, 404, "not_found")
    assert set(assert_error(invite, 400, "invalid")["fields"]) == {"organisation"}
    assert invite.content == invite_nowhere.content
    assert snapshot() == before


def test_role_without_the_right_to_change_gets_the_same_404(client, world):
    """A DPO sees the board but may not rename it or manage its people."""
    headers = bearer(token_for(world.dpo_a.user, scope="read_write"))
    before = snapshot()

    assert client.get(f"{ORGANISATIONS}{world.board_a.public_id}/", headers=headers).status_code == 200
    rename = send(
        client,
        "PATCH",
        f"{ORGANISATIONS}{world.board_a.public_id}/",
        {"name": "Anders"},
        headers=headers,
    )
    invite = send(
        client,
        "POST",
        MEMBERSHIPS,
        {"organisation": str(world.board_a.public_id), "email": "x@example.test", "role": Role.DPO},
        headers=headers,
    )

    assert_error(rename, 404)
    assert set(assert_error(invite, 400)["fields"]) == {"organisation"}
    assert snapshot() == before


def test_audit_log_only_where_the_user_may_read_it(client, world):
    organisation_services.update_organisation(actor=world.officer_a.user, organisation=world.board_a, student_count=900)
    organisation_services.update_organisation(actor=world.officer_b.user, organisation=world.board_b, student_count=700)
    officer = bearer(token_for(world.officer_a.user, scope="read"))
    dpo = bearer(token_for(world.dpo_a.user, scope="read"))

    own = client.get(AUDIT_LOG, headers=officer)
    filtered = client.get(AUDIT_LOG, {"organisation": str(world.board_a.public_id)}, headers=officer)
    other = client.get(AUDIT_LOG, {"organisation": str(world.board_b.public_id)}, headers=officer)
    dpo_all = client.get(AUDIT_LOG, headers=dpo)
    dpo_own = client.get(AUDIT_LOG, {"organisation": str(world.board_a.public_id)}, headers=dpo)

    expected = set(
        AuditEntry.objects.filter(organisation_ref__in=[world.board_a.pk, world.school_a.pk]).values_list(
            "seq", flat=True
        )
    )
    assert expected  # the change above was recorded
    assert {row["seq"] for row in own.json()["results"]} == expected
    assert {row["seq"] for row in filtered.json()["results"]} == set(
        AuditEntry.objects.filter(organisation_ref=world.board_a.pk).values_list("seq", flat=True)
    )
    assert "Beta" not in own.content.decode()
    assert_error(other, 404, "not_found")
    assert dpo_all.json()["count"] == 0
    assert_error(dpo_own, 404, "not_found")


def test_organisation_filters(client, world):
    cert = OrganisationFactory(name="PO-CERT", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([sector("PO")])
    OrganisationFactory(name="VO Stichting", sector=sector("VO"))
    headers = bearer(token_for(member(Role.CERT_ANALYST, cert).user, scope="read"))

    def names(**params):
        response = client.get(ORGANISATIONS, params, headers=headers)
        assert response.status_code == 200, response.content
        return {row["name"] for row in response.json()["results"]}

    # The CERT's constituency (the PO sector) and the CERT itself; not the VO board.
    assert names() == {"PO-CERT", "Stichting Alfa", "School Alfa Oost", "Stichting Beta"}
    assert names(search="beta") == {"Stichting Beta"}
    assert names(search=world.board_a.board_number) == {"Stichting Alfa"}
    assert names(kind="school") == {"School Alfa Oost"}
    assert names(sector="PO", kind="school_board") == {"Stichting Alfa", "Stichting Beta"}
    assert names(parent=str(world.board_a.public_id)) == {"School Alfa Oost"}
    assert names(sector="VO") == set()


def test_membership_and_audit_filters(client, world):
    organisation_services.deactivate_member(actor=world.officer_a.user, membership=world.dpo_a)
    headers = bearer(token_for(world.officer_a.user, scope="read"))

    def found(path, **params):
        return ids(client.get(path, params, headers=headers))

    assert found(MEMBERSHIPS, role=Role.DPO) == {str(world.dpo_a.public_id)}
    assert found(MEMBERSHIPS, is_active="false") == {str(world.dpo_a.public_id)}
    assert found(MEMBERSHIPS, is_active="true") == {str(world.officer_a.public_id)}
    assert found(MEMBERSHIPS, search=world.dpo_a.user.email.upper()) == {str(world.dpo_a.public_id)}
    entries = client.get(AUDIT_LOG, {"search": "member.deactivated"}, headers=headers).json()["results"]
    assert [entry["action"] for entry in entries] == ["member.deactivated"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (ORGANISATIONS, {"kind": "castle"}, "kind"),
        (ORGANISATIONS, {"sector": "XX"}, "sector"),
        (ORGANISATIONS, {"parent": "not-a-uuid"}, "parent"),
        (ORGANISATIONS, {"search": "x" * 101}, "search"),
        (MEMBERSHIPS, {"role": "king"}, "role"),
        (MEMBERSHIPS, {"is_active": "maybe"}, "is_active"),
        (MEMBERSHIPS, {"organisation": "1 OR 1=1"}, "organisation"),
        (AUDIT_LOG, {"search": "x" * 101}, "search"),
        (AUDIT_LOG, {"organisation": "../../"}, "organisation"),
    ],
)
def test_malformed_filters_are_400_naming_the_parameter(client, world, path, params, field):
    headers = bearer(token_for(world.officer_a.user, scope="read"))

    error = assert_error(client.get(path, params, headers=headers), 400, "invalid")

    assert set(error["fields"]) == {field}


def test_pagination_caps_the_page_size(client, world):
    Organisation.objects.bulk_create(
        Organisation(
            name=f"School {n:03d}",
            kind=OrganisationKind.SCHOOL,
            parent=world.board_a,
            sector=world.board_a.sector,
        )
        for n in range(210)
    )
    headers = bearer(token_for(world.officer_a.user, scope="read"))
    total = 212  # the board, its first school and the 210 added

    default = client.get(ORGANISATIONS, headers=headers).json()
    largest = client.get(ORGANISATIONS, {"page_size": 1000}, headers=headers).json()
    second = client.get(ORGANISATIONS, {"page_size": 200, "page": 2}, headers=headers).json()
    beyond = client.get(ORGANISATIONS, {"page_size": 200, "page": 3}, headers=headers)

    assert set(default) == {"count", "next", "previous", "results"}
    assert (default["count"], len(default["results"]), default["previous"]) == (total, 50, None)
    assert "page=2" in default["next"]
    assert (largest["count"], len(largest["results"])) == (total, 200)
    assert (len(second["results"]), second["next"]) == (total - 200, None)
    assert second["previous"] is not None
    seen = {row["id"] for row in largest["results"]} | {row["id"] for row in second["results"]}
    assert len(seen) == total
    assert_error(beyond, 404, "not_found")
