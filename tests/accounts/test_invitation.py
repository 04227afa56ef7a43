"""A person invited by their organisation chooses a password through the e-mailed link."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.flows import LOGIN_URL, csp_problems, sign_in, signed_in_user_id, totp_code
from tests.factories import member
from weerbaar.accounts.models import User
from weerbaar.core.permissions import Role
from weerbaar.organisations.services import invite_member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kies-een-lang-wachtwoord-2026"


@pytest.fixture
def invite(organisation, django_capture_on_commit_callbacks):
    """Invite a new person to the organisation; the e-mail goes out when the invitation commits."""

    def send(email="nieuw@example.test", role=Role.DPO):
        manager = member(Role.IBP_OFFICER, organisation).user
        with django_capture_on_commit_callbacks(execute=True):
            invite_member(
                actor=manager,
                organisation=organisation,
                email=email,
                role=role,
                full_name="Nieuwe Collega",
            )
        return User.objects.get(email=email)

    return send


def invitation_path() -> str:
    assert len(mail.outbox) == 1
    urls = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert len(urls) == 1, mail.outbox[0].body
    return urlsplit(urls[0]).path


def choose_password(browser, path, password=NEW_PASSWORD):
    form_page = browser.get(path, follow=True)
    assert form_page.status_code == 200
    assert csp_problems(form_page) == []
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    return browser.post(action, {"password1": password, "password2": password})


def test_invited_person_chooses_a_password_and_then_signs_in(invite):
    newcomer = invite()
    assert not newcomer.has_usable_password()
    browser = Client()

    response = choose_password(browser, invitation_path())

    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)
    done = browser.get(response["Location"])
    assert f'href="{LOGIN_URL}"' in done.content.decode()
    # Choosing a password does not sign in by itself: the person signs in, then sets up MFA.
    assert signed_in_user_id(browser) is None
    sign_in(browser, newcomer.email, NEW_PASSWORD, secret=None)
    assert signed_in_user_id(browser) == newcomer.pk
    assert browser.get("/")["Location"] == "/accounts/2fa/"

    activate = browser.get("/accounts/2fa/totp/activate/")
    assert activate.status_code == 200
    browser.post("/accounts/2fa/totp/activate/", {"code": totp_code(activate.context["form"].secret)})
    assert browser.get("/").status_code == 200


def test_invitation_link_works_only_once(invite):
    newcomer = invite()
    path = invitation_path()
    choose_password(Client(), path)

    second = Client()
    response = choose_password(second, path, "een-ander-wachtwoord-2026")

    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)
    assert not newcomer.check_password("een-ander-wachtwoord-2026")
    assert response.status_code in {200, 302}


def test_a_weak_password_is_refused(invite):
    newcomer = invite()

    response = choose_password(Client(), invitation_path(), "password")

    assert response.status_code == 200
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


def test_a_tampered_invitation_link_sets_nothing(invite):
    newcomer = invite()
    path = invitation_path()
    key = path.rstrip("/")
    tampered = key[:-2] + ("xy" if not key.endswith("xy") else "yz") + "/"

    browser = Client()
    page = browser.get(tampered, follow=True)
    assert page.context["token_fail"] is True
    assert b'name="password1"' not in page.content
    choose_password(browser, tampered)

    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()
    assert Client().post(LOGIN_URL, {"login": newcomer.email, "password": NEW_PASSWORD}).status_code == 200
