"""`manage.py demo_code EMAIL`: a demo account's current authenticator code, never in production."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.accounts.flows import totp_code
from tests.factories import member
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("demo_code", *args, stdout=out)
    return out.getvalue().strip()


def test_prints_the_code_the_authenticator_app_shows_now():
    officer = member(Role.IBP_OFFICER).user

    before = totp_code()
    printed = run(officer.email.upper())
    after = totp_code()

    assert printed in {before, after}
    assert len(printed) == 6


def test_printed_code_completes_a_sign_in(client):
    officer = member(Role.IBP_OFFICER).user
    client.post("/accounts/login/", {"login": officer.email, "password": "correct-horse-battery-staple-42"})

    client.post("/accounts/2fa/authenticate/", {"code": run(officer.email)})

    assert client.get("/").status_code == 200


def test_unknown_user_is_an_error():
    with pytest.raises(CommandError, match="No user"):
        run("nobody@example.test")


def test_user_without_authenticator_app_is_an_error():
    supervisor = member(Role.SUPERVISORY_BOARD, with_mfa=False).user

    with pytest.raises(CommandError, match="no authenticator app"):
        run(supervisor.email)


def test_refuses_to_run_in_production(settings):
    officer = member(Role.IBP_OFFICER).user
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        run(officer.email)
