"""Session rules: 30 minutes idle, 12 hours at most, and ended at once when an account closes."""

import re

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.flows import LOGIN_URL, sign_in, signed_in_user_id
from tests.factories import member
from weerbaar.accounts.middleware import SESSION_STARTED_KEY
from weerbaar.accounts.models import User
from weerbaar.accounts.services import deactivate_user
from weerbaar.core.permissions import Role
from weerbaar.organisations.services import deactivate_member

pytestmark = pytest.mark.django_db

MINUTE = 60
HOUR = 60 * MINUTE


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_session_expiry_is_thirty_minutes_from_the_last_request(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)

    response = client.get("/")
    # The cookie itself dies with the browser; the server keeps the session 30 minutes past the
    # last request.
    assert response.cookies["sessionid"]["max-age"] == ""
    first_expiry = Session.objects.get().expire_date
    assert abs((first_expiry - timezone.now()).total_seconds() - 30 * MINUTE) < 60

    clock.advance(20 * MINUTE)
    client.get("/")

    assert abs((Session.objects.get().expire_date - first_expiry).total_seconds() - 20 * MINUTE) < 60


def test_thirty_minutes_without_activity_ends_the_session(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)

    # Activity keeps the session alive, however long in total...
    for _step in range(3):
        clock.advance(29 * MINUTE)
        assert client.get("/").status_code == 200

    # ...but a pause of more than thirty minutes ends it.
    clock.advance(31 * MINUTE)
    assert sent_to_sign_in(client.get("/"))


def test_a_session_ends_twelve_hours_after_sign_in_even_when_active(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)

    elapsed = 0
    while True:
        clock.advance(25 * MINUTE)
        elapsed += 25 * MINUTE
        response = client.get("/")
        if response.status_code != 200:
            break
        assert elapsed <= 12 * HOUR

    assert sent_to_sign_in(response)
    assert 12 * HOUR < elapsed <= 12 * HOUR + 25 * MINUTE
    assert signed_in_user_id(client) is None


def test_the_twelve_hours_count_from_the_sign_in_itself(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)
    started = client.session[SESSION_STARTED_KEY]

    clock.advance(10 * MINUTE)
    client.get("/")

    assert client.session[SESSION_STARTED_KEY] == started


def test_signing_in_again_starts_a_new_twelve_hours(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)
    for _step in range(22):  # 11 hours of steady work
        clock.advance(30 * MINUTE - 1)
        assert client.get("/").status_code == 200
    client.post("/accounts/logout/")

    sign_in(client, officer.email)
    for _step in range(6):  # 3 more hours: 14 since the first sign-in, 3 since this one
        clock.advance(30 * MINUTE - 1)
        assert client.get("/").status_code == 200


def test_closing_an_account_ends_its_sessions_at_once(organisation):
    manager = member(Role.IBP_OFFICER, organisation).user
    leaving = member(Role.DPO, organisation)
    browser = Client()
    sign_in(browser, leaving.user.email)
    assert browser.get("/").status_code == 200
    assert UserSession.objects.filter(user=leaving.user).count() == 1

    deactivate_member(actor=manager, membership=leaving)

    assert sent_to_sign_in(browser.get("/"))
    assert not UserSession.objects.filter(user=leaving.user).exists()
    # And the password no longer opens a new session.
    sign_in_again = browser.post(
        LOGIN_URL, {"login": leaving.user.email, "password": "correct-horse-battery-staple-42"}
    )
    assert signed_in_user_id(browser) is None
    assert sign_in_again.status_code in {200, 302}
    assert not sign_in_again.get("Location", "").startswith("/accounts/2fa")


def test_losing_one_of_two_roles_keeps_the_person_signed_in(organisation, other_organisation):
    manager = member(Role.IBP_OFFICER, organisation).user
    leaving = member(Role.DPO, organisation)
    leaving.user.memberships.create(organisation=other_organisation, role=Role.DPO)
    browser = Client()
    sign_in(browser, leaving.user.email)

    deactivate_member(actor=manager, membership=leaving)

    assert browser.get("/").status_code == 200


def test_platform_operator_closing_an_account_ends_its_sessions(organisation):
    operator = User.objects.create_user("operator@example.test", "operator-password-123", is_staff=True)
    person = member(Role.IBP_OFFICER, organisation).user
    browser = Client()
    sign_in(browser, person.email)

    deactivate_user(actor=operator, user=person)

    assert sent_to_sign_in(browser.get("/"))


def test_a_session_created_outside_the_sign_in_pages_also_stops_when_the_account_closes(client, organisation):
    manager = member(Role.IBP_OFFICER, organisation).user
    leaving = member(Role.DPO, organisation)
    client.force_login(leaving.user)

    deactivate_member(actor=manager, membership=leaving)

    assert sent_to_sign_in(client.get("/"))


def nav_link(response, href: str) -> str | None:
    """The <a> tag with this href in the site's main navigation, if there is one."""
    navigation = re.search(r'<nav class="site-nav".*?</nav>', response.content.decode(), re.S)
    assert navigation, "the page has no main navigation"
    link = re.search(rf'<a [^>]*href="{re.escape(href)}"[^>]*>', navigation.group(0))
    return link.group(0) if link else None


def test_the_sessions_page_is_linked_from_the_navigation(client, organisation):
    person = member(Role.IBP_OFFICER, organisation).user
    sign_in(client, person.email)
    sessions_url = reverse("usersessions_list")

    link = nav_link(client.get("/"), sessions_url)
    assert link
    assert "aria-current" not in link

    page = client.get(sessions_url)
    assert page.status_code == 200
    assert 'aria-current="page"' in nav_link(page, sessions_url)
