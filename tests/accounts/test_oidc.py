"""Federated sign-in (SURFconext, Entree): only an identity linked before, by issuer and subject.

The tests run allauth's real OpenID Connect views end to end; only the identity provider's side
of the HTTP traffic (discovery, token and userinfo endpoints) is played by a fake.
"""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from tests.accounts.flows import LOGIN_URL, MFA_AUTHENTICATE_URL, signed_in_user_id
from tests.factories import member
from weerbaar.accounts.adapters import SocialAccountAdapter
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db

ISSUERS = {"surfconext": "https://connect.surfconext.test", "entree": "https://entree.test"}


def provider_settings():
    """The shape config/settings.py builds from WEERBAAR_OIDC_PROVIDERS."""
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "surfconext",
                    "name": "SURFconext",
                    "client_id": "weerbaar",
                    "secret": "surf-secret",
                    "settings": {"server_url": ISSUERS["surfconext"]},
                },
                {
                    "provider_id": "entree",
                    "name": "Entree Federatie",
                    "client_id": "weerbaar",
                    "secret": "entree-secret",
                    "settings": {"server_url": ISSUERS["entree"]},
                },
            ],
        }
    }


def _json_response(payload, status=200):
    response = requests.Response()
    response.status_code = status
    response.headers["content-type"] = "application/json"
    response._content = json.dumps(payload).encode()
    return response


class FakeIdentityProvider:
    """Answers discovery, token and userinfo requests as an OIDC provider would."""

    def __init__(self):
        self.claims = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _answer(self, url):
        for issuer in ISSUERS.values():
            if url == f"{issuer}/.well-known/openid-configuration":
                return _json_response(
                    {
                        "issuer": issuer,
                        "authorization_endpoint": f"{issuer}/authorize",
                        "token_endpoint": f"{issuer}/token",
                        "userinfo_endpoint": f"{issuer}/userinfo",
                        "jwks_uri": f"{issuer}/jwks",
                        "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    }
                )
            if url == f"{issuer}/token":
                return _json_response({"access_token": "access-token", "token_type": "Bearer", "expires_in": 300})
            if url == f"{issuer}/userinfo":
                return _json_response(self.claims)
        return _json_response({"error": "not found"}, status=404)

    def get(self, url, **kwargs):
        return self._answer(url)

    def request(self, method, url, **kwargs):
        return self._answer(url)


@pytest.fixture
def identity_provider(settings, monkeypatch):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings()
    fake = FakeIdentityProvider()
    monkeypatch.setattr(SocialAccountAdapter, "get_requests_session", lambda self: fake)
    return fake


def sign_in_via(client, provider_id, identity_provider, claims):
    """Click the provider's button, 'sign in' at the provider, and come back with a code."""
    identity_provider.claims = claims
    login_page = client.get(LOGIN_URL).content.decode()
    action = re.search(rf'action="(/accounts/oidc/{provider_id}/login/[^"]*)"', login_page).group(1)
    to_provider = client.post(action.replace("&amp;", "&"))
    assert to_provider.status_code == 302
    authorize = urlsplit(to_provider["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == ISSUERS[provider_id]
    state = parse_qs(authorize.query)["state"][0]
    return client.get(
        f"/accounts/oidc/{provider_id}/login/callback/",
        {"code": "authorization-code", "state": state},
    )


def test_sign_in_page_offers_each_configured_provider(client, identity_provider):
    html = client.get(LOGIN_URL).content.decode()

    assert 'action="/accounts/oidc/surfconext/login/?process=login"' in html
    assert 'action="/accounts/oidc/entree/login/?process=login"' in html
    assert "SURFconext" in html
    assert "Entree Federatie" in html


def test_no_provider_button_without_configuration(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}

    assert "/accounts/oidc/" not in client.get(LOGIN_URL).content.decode()


def test_linked_identity_signs_in_its_own_user(client, identity_provider):
    supervisor = member(Role.SUPERVISORY_BOARD, with_mfa=False).user
    SocialAccount.objects.create(user=supervisor, provider="surfconext", uid="surf-subject-1")

    response = sign_in_via(client, "surfconext", identity_provider, {"sub": "surf-subject-1", "email": "x@school.test"})

    assert response.status_code == 302
    assert signed_in_user_id(client) == supervisor.pk
    assert client.get("/").status_code == 200


def test_federated_sign_in_still_asks_for_the_second_factor(client, identity_provider):
    officer = member(Role.IBP_OFFICER).user
    SocialAccount.objects.create(user=officer, provider="surfconext", uid="surf-subject-2")

    response = sign_in_via(client, "surfconext", identity_provider, {"sub": "surf-subject-2"})

    assert response["Location"] == MFA_AUTHENTICATE_URL
    assert signed_in_user_id(client) is None


def test_same_subject_from_another_issuer_is_someone_else(client, identity_provider):
    supervisor = member(Role.SUPERVISORY_BOARD, with_mfa=False).user
    SocialAccount.objects.create(user=supervisor, provider="surfconext", uid="shared-subject")

    sign_in_via(client, "entree", identity_provider, {"sub": "shared-subject", "email": supervisor.email})

    assert signed_in_user_id(client) is None
    assert SocialAccount.objects.filter(uid="shared-subject").count() == 1


def test_matching_e_mail_address_alone_does_not_sign_in(client, identity_provider):
    supervisor = member(Role.SUPERVISORY_BOARD, with_mfa=False).user

    sign_in_via(
        client,
        "surfconext",
        identity_provider,
        {"sub": "unlinked-subject", "email": supervisor.email, "email_verified": True},
    )

    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()
    assert not type(supervisor).objects.exclude(pk=supervisor.pk).filter(email=supervisor.email).exists()


def test_linked_identity_of_a_closed_account_does_not_sign_in(client, identity_provider):
    supervisor = member(Role.SUPERVISORY_BOARD, with_mfa=False).user
    SocialAccount.objects.create(user=supervisor, provider="surfconext", uid="surf-subject-3")
    supervisor.is_active = False
    supervisor.save()

    sign_in_via(client, "surfconext", identity_provider, {"sub": "surf-subject-3"})

    assert signed_in_user_id(client) is None
