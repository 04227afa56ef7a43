"""The session's idle expiry and its activity record are renewed at most once a minute, and at once
when the address or browser changes; pages read the person's memberships once."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.flows import sign_in
from tests.factories import member
from weerbaar.accounts.middleware import SESSION_RENEW_SECONDS
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in {"UPDATE", "INSERT", "DELETE"}]


def test_requests_within_a_minute_write_nothing(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)
    client.get("/")
    expiry = Session.objects.get().expire_date
    seen = UserSession.objects.get().last_seen_at

    clock.advance(SESSION_RENEW_SECONDS - 5)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    assert writes(queries) == []
    assert Session.objects.get().expire_date == expiry
    assert UserSession.objects.get().last_seen_at == seen


def test_after_a_minute_the_expiry_and_last_seen_move_on(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)
    client.get("/")
    expiry = Session.objects.get().expire_date
    seen = UserSession.objects.get().last_seen_at

    clock.advance(SESSION_RENEW_SECONDS + 5)
    assert client.get("/").status_code == 200

    assert (Session.objects.get().expire_date - expiry).total_seconds() >= SESSION_RENEW_SECONDS
    assert (UserSession.objects.get().last_seen_at - seen).total_seconds() >= SESSION_RENEW_SECONDS


def test_a_new_address_or_browser_is_recorded_at_once(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)
    client.get("/")

    clock.advance(5)
    client.get("/", REMOTE_ADDR="192.0.2.7")
    assert UserSession.objects.get().ip == "192.0.2.7"

    clock.advance(5)
    client.get("/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="Another browser")
    assert UserSession.objects.get().user_agent == "Another browser"


def test_a_page_reads_the_memberships_once(client, clock):
    officer = member(Role.IBP_OFFICER).user
    sign_in(client, officer.email)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    second_factor = [q["sql"] for q in queries.captured_queries if '"mfa_authenticator"' in q["sql"]]
    # The second-factor check and the navigation share one read of the memberships, which also
    # answers whether a second factor is set up.
    assert len(second_factor) == 1
    assert second_factor[0].startswith('SELECT "organisations_membership"."id"')
