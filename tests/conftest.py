import os

import pytest

from tests.environment import build_for_module, overrides
from tests.factories import OrganisationFactory, member


@pytest.fixture(autouse=True)
def _test_environment(settings, tmp_path):
    for name, value in overrides(tmp_path / "media").items():
        setattr(settings, name, value)
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="module")
def monitor_world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The monitor's test sector (tests/monitor/conftest.py), built once per module: it takes a
    second or two and some thirty tests use it."""
    from tests.monitor.conftest import build_monitor_world

    yield from build_for_module(django_db_blocker, tmp_path_factory.mktemp("media"), build_monitor_world)


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Andere Stichting")


@pytest.fixture
def client_as(client):
    """Sign a Django test client in as a member (second factor passed), return the client."""

    def sign_in(membership):
        client.force_login(membership.user)
        return client

    return sign_in


@pytest.fixture
def ibp_officer(organisation):
    from weerbaar.core.permissions import Role

    return member(Role.IBP_OFFICER, organisation)


def pytest_collection_modifyitems(config, items):
    # Browser tests need Chromium; CI installs it, so a missing browser there is a failure.
    if os.environ.get("CI") or os.path.exists("/usr/bin/chromium"):
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (make run installs it)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def in_english(client, settings):
    """Pages, messages and errors in English, whatever the Dutch catalogue holds: the language a
    person picks is a cookie, and code outside a request follows the active translation."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
