"""The demo sector as seed_demo loads it: what is written, and that every demo login works and
reaches what its role should. Loading takes seconds and grows with every app's demo data, so it is
done once for this module; tests that load it themselves are in test_demo.py."""

import pytest

from tests.environment import build_for_module
from tests.organisations.test_demo import seed, totp_now
from weerbaar.accounts.models import User
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import visible_organisations
from weerbaar.organisations import demo
from weerbaar.organisations.models import Organisation

pytestmark = pytest.mark.django_db

ORGANISATIONS = 12
SEED = 2026


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory) -> str:
    """What seed_demo printed."""
    yield from build_for_module(
        django_db_blocker, tmp_path_factory.mktemp("media"), lambda: seed(organisations=ORGANISATIONS, seed=SEED)
    )


def test_seed_demo_writes_the_generated_sector(loaded):
    output = loaded
    generated = demo.generate_sector(ORGANISATIONS, seed=SEED)
    assert Organisation.objects.count() == len(generated.organisations)
    assert set(Organisation.objects.values_list("brin", flat=True)) - {""} == {
        o.brin for o in generated.organisations if o.brin
    }
    board = Organisation.objects.get(name=generated.measured()[0].name)
    assert board.children.count() == sum(1 for s in generated.schools() if s.parent == generated.measured()[0].key)
    po_raad = Organisation.objects.get(name="PO-Raad")
    assert set(po_raad.council_members.values_list("sector__code", flat=True)) == {"PO", "SO"}
    cert = Organisation.objects.get(name="SURFcert")
    assert set(cert.served_sectors.values_list("code", flat=True)) == {
        "MBO",
        "HBO",
        "WO",
        "RESEARCH",
    }
    assert "Demo sector loaded" in output


def test_every_demo_login_signs_in_with_password_and_authenticator_code(loaded, client, settings):
    output = loaded
    generated = demo.generate_sector(ORGANISATIONS, seed=SEED)
    assert len(generated.users) == len(demo.DEMO_EMAILS)
    assert {person.role for person in generated.users} == set(Role.values)
    for person in generated.users:
        assert person.email in output
        assert person.totp_secret in output
        client.logout()
        response = client.post("/accounts/login/", {"login": person.email, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302
        # The second factor stays on in the demo, for every role.
        assert response["Location"] == "/accounts/2fa/authenticate/"
        assert "_auth_user_id" not in client.session
        response = client.post("/accounts/2fa/authenticate/", {"code": totp_now(person.totp_secret)})
        assert response.status_code == 302
        user = User.objects.get(email=person.email)
        assert int(client.session["_auth_user_id"]) == user.pk
        assert client.get(response["Location"]).status_code == 200
        assert user.memberships.get().role == person.role
    assert settings.DEMO_PASSWORD in output
    assert "manage.py demo_code EMAIL" in output


def test_a_wrong_code_does_not_sign_a_demo_user_in(loaded, client, settings):
    secret = demo.totp_secret(SEED, "ibp@demo.weerbaar.invalid")
    wrong = f"{(int(totp_now(secret)) + 500_000) % 1_000_000:06d}"
    client.post(
        "/accounts/login/",
        {"login": "ibp@demo.weerbaar.invalid", "password": settings.DEMO_PASSWORD},
    )
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_demo_logins_reach_what_their_role_should(loaded):
    generated = demo.generate_sector(ORGANISATIONS, seed=SEED)
    board = generated.measured()[0]

    def reach(email):
        user = User.objects.get(email=email)
        return visible_organisations(user, Action.ORGANISATION_VIEW)

    officer = reach("ibp@demo.weerbaar.invalid")
    schools = {s.name for s in generated.schools() if s.parent == board.key}
    assert set(officer.values_list("name", flat=True)) == {board.name, *schools}
    # A CERT reaches itself and every organisation in its constituency, and nothing else.
    school_cert = set(reach("cert.po@demo.weerbaar.invalid").values_list("sector__code", flat=True))
    assert school_cert == {None, "PO", "VO", "SO"}
    surfcert = set(reach("cert.ho@demo.weerbaar.invalid").values_list("sector__code", flat=True))
    assert surfcert == {None, "MBO", "HBO", "WO", "RESEARCH"}
    assert reach("cert.ho@demo.weerbaar.invalid").filter(sector=None).get().name == "SURFcert"
