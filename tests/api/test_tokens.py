"""Personal access tokens: created once and shown once, stored as a hash, refused when wrong,
expired or revoked, limited by their scope, and private to their owner."""

import hashlib
import uuid
from datetime import timedelta

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from tests.api.helpers import assert_error, bearer, send, snapshot, token_for
from tests.factories import member
from weerbaar.accounts.models import PersonalAccessToken
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.organisations import services as organisation_services
from weerbaar.organisations.models import Membership

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/tokens/"
ME = "/api/v1/me/"
MEMBERSHIPS = "/api/v1/memberships/"


def test_token_made_in_the_session_is_shown_once_and_only_its_hash_is_kept(client, world):
    user = world.officer_a.user
    client.force_login(user)

    response = send(client, "POST", TOKENS, {"name": "Rapportage", "scope": "read", "days_valid": 30})

    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["token"]
    assert secret.startswith(f"wb_{body['prefix']}_")
    stored = PersonalAccessToken.objects.get(public_id=body["id"])
    assert stored.user == user
    assert stored.scope == "read"
    assert stored.key_hash == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()
    assert secret not in str(list(PersonalAccessToken.objects.values()))
    assert abs(stored.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert AuditEntry.objects.filter(action="api_token.created", actor_ref=user.pk, object_id=body["id"]).exists()
    # Never again: the list shows the token without its secret.
    listed = client.get(TOKENS).json()["results"]
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0]
    assert secret not in client.get(TOKENS).content.decode()


def test_token_acts_as_its_user_and_records_its_use(client, world):
    secret = token_for(world.officer_a.user, scope="read")

    response = client.get(ME, headers=bearer(secret))

    assert response.status_code == 200
    me = response.json()
    assert me["email"] == world.officer_a.user.email
    assert me["memberships"] == [
        {
            "organisation": str(world.board_a.public_id),
            "organisation_name": world.board_a.name,
            "role": Role.IBP_OFFICER,
        }
    ]
    assert PersonalAccessToken.objects.get(user=world.officer_a.user).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wb_00000000_not-the-secret",
        "Bearer something-else-entirely",
        "Bearer",
        "Bearer two words",
        "Basic dXNlcjpwYXNz",
        "Token wb_x_y",
    ],
)
def test_unknown_or_malformed_credentials_are_refused_with_401(client, world, header):
    response = client.get(ME, headers={"authorization": header})

    error = assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    assert error["code"] == "authentication_failed"


def test_right_prefix_with_wrong_secret_is_refused(client, world):
    secret = token_for(world.officer_a.user)
    prefix = secret.split("_")[1]

    assert_error(client.get(ME, headers=bearer(f"wb_{prefix}_guessed-secret")), 401)
    assert client.get(ME, headers=bearer(secret)).status_code == 200


def test_no_credentials_at_all_is_401(client, world):
    error = assert_error(client.get(ME), 401, "not_authenticated")
    assert error["message"]


def test_expired_token_is_refused(client, world):
    secret = token_for(world.officer_a.user)
    assert client.get(ME, headers=bearer(secret)).status_code == 200

    PersonalAccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_error(client.get(ME, headers=bearer(secret)), 401, "authentication_failed")


def test_revoked_token_is_refused_at_once(client, world):
    secret = token_for(world.officer_a.user)
    token = PersonalAccessToken.objects.get(user=world.officer_a.user)

    response = client.post(f"{TOKENS}{token.public_id}/revoke/", headers=bearer(secret))

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert AuditEntry.objects.filter(action="api_token.revoked", object_id=str(token.public_id)).count() == 1
    assert_error(client.get(ME, headers=bearer(secret)), 401)


def test_token_of_a_deactivated_account_is_refused(client, world):
    secret = token_for(world.dpo_a.user)
    assert client.get(ME, headers=bearer(secret)).status_code == 200

    # The DPO's only role ends, which closes the account.
    organisation_services.deactivate_member(actor=world.officer_a.user, membership=world.dpo_a)

    assert_error(client.get(ME, headers=bearer(secret)), 401)


def test_read_only_token_reads_but_may_not_write(client, world):
    secret = token_for(world.officer_a.user, scope="read")
    before = snapshot()

    assert client.get(f"/api/v1/organisations/{world.board_a.public_id}/", headers=bearer(secret)).status_code == 200
    invite = send(
        client,
        "POST",
        MEMBERSHIPS,
        {
            "organisation": str(world.board_a.public_id),
            "email": "nieuw@example.test",
            "role": Role.DPO,
        },
        headers=bearer(secret),
    )
    rename = send(
        client,
        "PATCH",
        f"/api/v1/organisations/{world.board_a.public_id}/",
        {"name": "Anders"},
        headers=bearer(secret),
    )
    deactivate = client.post(f"{MEMBERSHIPS}{world.dpo_a.public_id}/deactivate/", headers=bearer(secret))

    for response in (invite, rename, deactivate):
        assert_error(response, 403, "permission_denied")
    assert snapshot() == before


def test_read_write_token_invites_a_member(client, world, mailoutbox, django_capture_on_commit_callbacks):
    secret = token_for(world.officer_a.user, scope="read_write")

    with django_capture_on_commit_callbacks(execute=True):
        response = send(
            client,
            "POST",
            MEMBERSHIPS,
            {
                "organisation": str(world.board_a.public_id),
                "email": "Nieuw@Example.test",
                "role": Role.BOARD_MEMBER,
                "name": "Nel Nieuw",
            },
            headers=bearer(secret),
        )

    assert response.status_code == 201, response.content
    membership = Membership.objects.get(public_id=response.json()["id"])
    assert (membership.user.email, membership.organisation, membership.role) == (
        "nieuw@example.test",
        world.board_a,
        Role.BOARD_MEMBER,
    )
    entry = AuditEntry.objects.get(action="member.invited", object_id=str(membership.public_id))
    assert entry.actor_ref == world.officer_a.user.pk
    assert entry.organisation_ref == world.board_a.pk
    assert [m.to for m in mailoutbox] == [["nieuw@example.test"]]


def test_a_token_cannot_mint_another_token(client, world):
    secret = token_for(world.officer_a.user, scope="read_write")
    before = snapshot()

    response = send(client, "POST", TOKENS, {"name": "Langer leven", "days_valid": 365}, headers=bearer(secret))

    assert_error(response, 403, "permission_denied")
    assert snapshot() == before


def test_tokens_are_private_to_their_owner(client, world):
    own_secret = token_for(world.officer_a.user)
    token_for(world.officer_b.user)
    other = PersonalAccessToken.objects.get(user=world.officer_b.user)
    before = snapshot()

    listed = client.get(TOKENS, headers=bearer(own_secret)).json()
    other_revoke = client.post(f"{TOKENS}{other.public_id}/revoke/", headers=bearer(own_secret))
    random_revoke = client.post(f"{TOKENS}{uuid.uuid4()}/revoke/", headers=bearer(own_secret))

    assert listed["count"] == 1
    assert listed["results"][0]["id"] != str(other.public_id)
    assert_error(other_revoke, 404, "not_found")
    assert other_revoke.json() == random_revoke.json()
    assert snapshot() == before


def test_session_of_a_user_who_owes_a_second_factor_is_refused(client, world):
    newcomer = member(Role.IBP_OFFICER, world.board_a, with_mfa=False).user
    client.force_login(newcomer)

    assert_error(client.get(ME), 403, "permission_denied")
    response = send(client, "POST", TOKENS, {"name": "Omweg"})
    assert_error(response, 403)
    assert not PersonalAccessToken.objects.filter(user=newcomer).exists()


def test_session_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer_a.user)
    before = snapshot()

    refused = send(client, "POST", TOKENS, {"name": "Zonder CSRF"}, headers={"accept-language": "en"})

    error = assert_error(refused, 403, "permission_denied")
    assert "CSRF" in error["message"]
    assert snapshot() == before

    csrf = _get_new_csrf_string()
    client.cookies["csrftoken"] = csrf
    accepted = send(client, "POST", TOKENS, {"name": "Met CSRF"}, headers={"x-csrftoken": csrf})
    assert accepted.status_code == 201


def test_token_requests_need_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    secret = token_for(world.officer_a.user, scope="read_write")

    response = send(
        client,
        "PATCH",
        f"/api/v1/organisations/{world.board_a.public_id}/",
        {"student_count": 2500},
        headers=bearer(secret),
    )

    assert response.status_code == 200, response.content
    world.board_a.refresh_from_db()
    assert world.board_a.student_count == 2500


def test_token_lifetime_is_bounded_by_the_platform_setting(client, world, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    client.force_login(world.officer_a.user)
    before = snapshot()

    response = send(
        client,
        "POST",
        TOKENS,
        {"name": "Te lang", "days_valid": 31},
        headers={"accept-language": "en"},
    )

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"days_valid"}
    assert snapshot() == before
