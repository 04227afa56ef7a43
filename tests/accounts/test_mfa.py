"""The second factor: who must have one, setting one up, and how its secrets are stored."""

import re

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.accounts.flows import (
    MFA_AUTHENTICATE_URL,
    csp_problems,
    sign_in,
    signed_in_user_id,
    totp_code,
)
from tests.factories import OrganisationFactory, member
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db

MFA_INDEX = "/accounts/2fa/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"


def test_officer_without_second_factor_can_only_set_one_up(client):
    officer = member(Role.IBP_OFFICER, with_mfa=False).user
    sign_in(client, officer.email, secret=None)
    assert signed_in_user_id(client) == officer.pk

    for path in ("/", reverse("accounts:token_list")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == MFA_INDEX

    setup = client.get(MFA_INDEX)
    assert setup.status_code == 200
    # The person is told why they landed here, once however often they were sent back.
    with translation.override(setup.wsgi_request.LANGUAGE_CODE):
        reason = gettext("Your role requires two-factor authentication. Set it up to continue.")
    assert [str(m) for m in setup.context["messages"]].count(reason) == 1
    assert not Authenticator.objects.filter(user=officer).exists()


def test_supervisory_board_member_is_not_forced_to_set_up_a_second_factor(client):
    supervisor = member(Role.SUPERVISORY_BOARD, with_mfa=False).user
    sign_in(client, supervisor.email, secret=None)

    assert client.get("/").status_code == 200


def test_a_second_role_that_requires_mfa_makes_it_required(client):
    membership = member(Role.SUPERVISORY_BOARD, with_mfa=False)
    # The same person, now also IBP officer elsewhere.
    membership.user.memberships.create(organisation=OrganisationFactory(), role=Role.IBP_OFFICER)
    sign_in(client, membership.user.email, secret=None)

    assert client.get("/")["Location"] == MFA_INDEX


def test_setting_up_an_authenticator_app_stores_its_secrets_encrypted(client):
    officer = member(Role.IBP_OFFICER, with_mfa=False).user
    sign_in(client, officer.email, secret=None)

    page = client.get(TOTP_ACTIVATE)

    assert page.status_code == 200
    assert csp_problems(page) == []
    html = page.content.decode()
    secret = page.context["form"].secret
    # The QR code is an image from a data: URL (allowed by img-src) and the secret is readable text.
    assert re.search(
        r'<img class="utrecht-img account-qr" src="data:image/svg\+xml;base64,[^"]+" alt="[^"]+">',
        html,
    )
    assert f'id="authenticator-secret">{secret}</code>' in html

    response = client.post(TOTP_ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    totp = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    stored = totp.data["secret"]
    assert secret not in stored
    assert stored.startswith("enc1:")
    assert get_adapter().decrypt(stored) == secret

    recovery = Authenticator.objects.get(user=officer, type=Authenticator.Type.RECOVERY_CODES)
    seed = get_adapter().decrypt(recovery.data["seed"])
    assert seed not in str(recovery.data)
    assert RecoveryCodes(recovery).generate_codes()  # the decrypted seed yields the codes

    # With a second factor in place the person reaches the rest of Weerbaar.
    assert client.get("/").status_code == 200


def test_wrong_code_does_not_activate_the_authenticator_app(client):
    officer = member(Role.IBP_OFFICER, with_mfa=False).user
    sign_in(client, officer.email, secret=None)
    page = client.get(TOTP_ACTIVATE)
    right = totp_code(page.context["form"].secret)

    response = client.post(TOTP_ACTIVATE, {"code": "000000" if right != "000000" else "111111"})

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=officer).exists()
    assert client.get("/")["Location"] == MFA_INDEX


def test_a_recovery_code_works_as_second_step_once(client):
    officer = member(Role.IBP_OFFICER).user
    codes = RecoveryCodes.activate(officer).generate_codes()

    client.post("/accounts/login/", {"login": officer.email, "password": "correct-horse-battery-staple-42"})
    client.post(MFA_AUTHENTICATE_URL, {"code": codes[0]})
    assert signed_in_user_id(client) == officer.pk
    client.post("/accounts/logout/")

    client.post("/accounts/login/", {"login": officer.email, "password": "correct-horse-battery-staple-42"})
    client.post(MFA_AUTHENTICATE_URL, {"code": codes[0]})
    assert signed_in_user_id(client) is None


SIGNED_IN_PAGES = [
    "mfa_index",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_change_password",
    "usersessions_list",
    "socialaccount_connections",
    "account_logout",
]


@pytest.mark.parametrize("url_name", SIGNED_IN_PAGES)
def test_account_pages_render_in_the_site_layout_under_the_policy(client, url_name):
    officer = member(Role.IBP_OFFICER).user
    RecoveryCodes.activate(officer)
    sign_in(client, officer.email)

    response = client.get(reverse(url_name))

    assert response.status_code == 200, (url_name, response.get("Location"))
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert '<h1 class="utrecht-heading-1">' in html
    assert csp_problems(response) == []


def test_security_key_page_loads_its_scripts_from_our_own_origin(client):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)

    html = client.get(reverse("mfa_add_webauthn")).content.decode()

    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/mfa/js/webauthn.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)
    # The options for the browser's WebAuthn call travel as a JSON data block, not as code.
    assert '<script id="js_data" type="application/json">' in html
    for src in scripts:
        assert client.get(src).status_code == 200


def test_recovery_codes_can_be_downloaded(client):
    officer = member(Role.IBP_OFFICER).user
    codes = RecoveryCodes.activate(officer).generate_codes()
    sign_in(client, officer.email)

    response = client.get(reverse("mfa_download_recovery_codes"))

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert all(code.encode() in body for code in codes)


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/signup/",
    ],
)
def test_pages_before_sign_in_render_under_the_policy(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert csp_problems(response) == []


def test_sensitive_changes_ask_for_the_password_again_after_five_minutes(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)
    deactivate = reverse("mfa_deactivate_totp")
    assert client.get(deactivate).status_code == 200

    clock.advance(6 * 60)
    response = client.get(deactivate)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    confirm = client.post(response["Location"], {"password": "correct-horse-battery-staple-42"})
    assert confirm.status_code == 302
    assert client.get(deactivate).status_code == 200
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
