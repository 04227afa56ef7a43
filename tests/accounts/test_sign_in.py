"""Signing in with e-mail, password and a second factor; throttling; no open sign-up."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS

from tests.accounts.flows import (
    LOGIN_URL,
    MFA_AUTHENTICATE_URL,
    csp_problems,
    sign_in,
    signed_in_user_id,
    submit_password,
    totp_code,
)
from tests.factories import TEST_PASSWORD, member
from weerbaar.accounts.models import User
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db


def test_sign_in_page_uses_the_site_layout_and_runs_under_the_policy(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert 'class="utrecht-heading-1"' in html
    # Visible labels for both fields, not placeholders only.
    assert '<label class="utrecht-form-label" for="id_login">' in html
    assert '<label class="utrecht-form-label" for="id_password">' in html
    assert "utrecht-textbox" in html
    # Nobody can create an account here: no invitation to sign up.
    assert "/accounts/signup/" not in html
    # The way back in for a forgotten password comes after the form, not inside its tab order.
    form_end = html.index("</form>", html.index('class="account-form"'))
    assert html.index('href="/accounts/password/reset/"') > form_end
    assert csp_problems(response) == []


def test_password_then_authenticator_code_signs_in(client):
    officer = member(Role.IBP_OFFICER).user

    response = submit_password(client, officer.email)

    # The password alone is not enough: the second step asks for the code.
    assert response["Location"] == MFA_AUTHENTICATE_URL
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith(LOGIN_URL)
    code_page = client.get(MFA_AUTHENTICATE_URL)
    assert code_page.status_code == 200
    assert csp_problems(code_page) == []
    # No security key registered, so none is offered (the browser could only show an error).
    assert b"mfa_webauthn_authenticate" not in code_page.content

    wrong = client.post(MFA_AUTHENTICATE_URL, {"code": "000000" if totp_code() != "000000" else "111111"})
    assert wrong.status_code == 200
    assert signed_in_user_id(client) is None

    response = client.post(MFA_AUTHENTICATE_URL, {"code": totp_code()})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == officer.pk
    assert client.get("/").status_code == 200


def test_an_authenticator_code_cannot_be_used_twice(client):
    officer = member(Role.IBP_OFFICER).user
    code = totp_code()
    submit_password(client, officer.email)
    client.post(MFA_AUTHENTICATE_URL, {"code": code})
    client.post("/accounts/logout/")

    submit_password(client, officer.email)
    response = client.post(MFA_AUTHENTICATE_URL, {"code": code})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_wrong_password_does_not_sign_in_and_does_not_say_whether_the_account_exists(client):
    officer = member(Role.IBP_OFFICER).user

    wrong_password = submit_password(client, officer.email, "not-the-password-at-all")
    unknown_account = submit_password(client, "nobody@example.test", "not-the-password-at-all")

    assert wrong_password.status_code == unknown_account.status_code == 200
    assert signed_in_user_id(client) is None
    assert wrong_password.context["form"].errors == unknown_account.context["form"].errors


def test_failed_sign_ins_are_throttled_but_the_throttle_expires(client, settings, clock):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "20/m/ip,5/5m/key",
    }
    officer = member(Role.IBP_OFFICER).user
    for _attempt in range(5):
        submit_password(client, officer.email, "guessing-wrong-password")

    # Now even the right password is refused: guessing has stopped for this account...
    refused = submit_password(client, officer.email, TEST_PASSWORD)
    assert refused.status_code == 200
    assert refused.context["form"].has_error(NON_FIELD_ERRORS, "too_many_login_attempts")
    assert signed_in_user_id(client) is None

    # ...but only for the window: five minutes later the real person signs in as usual.
    clock.advance(5 * 60 + 1)
    sign_in(client, officer.email)

    assert signed_in_user_id(client) == officer.pk


def test_throttling_one_account_does_not_block_another(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "20/m/ip,3/5m/key",
    }
    target = member(Role.IBP_OFFICER).user
    colleague = member(Role.IBP_OFFICER).user
    for _attempt in range(3):
        submit_password(client, target.email, "guessing-wrong-password")

    sign_in(client, colleague.email)

    assert signed_in_user_id(client) == colleague.pk


def test_guessing_authenticator_codes_is_throttled_too(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "20/m/ip,3/5m/key",
    }
    officer = member(Role.IBP_OFFICER).user
    submit_password(client, officer.email)
    right = totp_code()
    wrong = "000000" if right != "000000" else "111111"
    for _attempt in range(3):
        client.post(MFA_AUTHENTICATE_URL, {"code": wrong})

    refused = client.post(MFA_AUTHENTICATE_URL, {"code": right})

    assert refused.status_code == 200
    assert refused.context["form"].has_error("code", "too_many_login_attempts")
    assert signed_in_user_id(client) is None


def test_open_sign_up_is_closed(client):
    page = client.get("/accounts/signup/")

    assert page.status_code == 200
    assert b'name="password1"' not in page.content
    assert csp_problems(page) == []

    client.post(
        "/accounts/signup/",
        {
            "email": "stranger@example.test",
            "password1": "a-strong-password-123",
            "password2": "a-strong-password-123",
        },
    )

    assert not User.objects.filter(email="stranger@example.test").exists()
    assert signed_in_user_id(client) is None
