"""Every route declares who may reach it, and no role reaches another organisation's data."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import isolation
from tests.environment import build_for_module
from tests.isolation import CANARY, EVERY_APP, OBSERVER_ROLES, build_world
from weerbaar.core.access import declared_rule
from weerbaar.core.models import AuditEntry

# Routes served by allauth under /accounts/: sign-in, MFA and password flows, which allauth
# protects itself (and which hold no institution data).
THIRD_PARTY_MODULES = ("allauth.",)
THIRD_PARTY_PREFIX = "accounts/"


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def all_routes():
    return list(walk(get_resolver().url_patterns))


def test_every_route_declares_an_access_rule():
    missing = []
    for route, pattern in all_routes():
        callback = pattern.callback
        module = getattr(callback, "__module__", "") or ""
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view_class is not None:
            module = view_class.__module__
        if module.startswith(THIRD_PARTY_MODULES) or route.startswith(THIRD_PARTY_PREFIX):
            continue
        if not declared_rule(callback):
            missing.append(f"{route} ({module}.{getattr(callback, '__name__', '?')})")
    assert not missing, "Routes without an access rule:\n" + "\n".join(missing)


_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def fill(route: str, value: str) -> str | None:
    """The route with every parameter replaced by `value`; None for routes we cannot fill."""
    path = route.replace("\\.(?P<format>[a-z0-9]+)/?", "")
    if "(?P<format>" in path:
        return None
    # Anchors stand at the start and end of each included regex (the API router's routes sit
    # under "api/v1/"), so they are dropped once the parameters are filled.
    filled = _PARAM.sub(value, path).replace("^", "").replace("$", "")
    if any(ch in filled for ch in "^$()[]?*+\\"):
        return None
    return "/" + filled


def view_module(callback) -> str:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return view_class.__module__
    return getattr(callback, "__module__", "") or ""


def app_of(module: str) -> str | None:
    """The weerbaar app (package name) a view belongs to, None for views from elsewhere."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "weerbaar" else None


def candidate_paths(records: dict[str, frozenset[str]]) -> list[tuple[str, str]]:
    """(route, path): every route without parameters once, and every route with parameters filled
    with each id that belongs to its app (see tests/isolation.py). Routes of views outside the
    weerbaar apps, and ids of apps without such routes, get every id."""
    with_parameters = []
    paths = set()
    for route, pattern in all_routes():
        module = view_module(pattern.callback)
        if module.startswith(THIRD_PARTY_MODULES) or route.startswith(THIRD_PARTY_PREFIX):
            continue
        if _PARAM.search(route):
            with_parameters.append((route, app_of(module)))
        else:
            path = fill(route, "")
            if path:
                paths.add((route, path))
    routed_apps = {app for _, app in with_parameters}
    every_id = set(records)
    ids_by_app: dict[str | None, set[str]] = {None: every_id}
    for public_id, app_names in records.items():
        targets = routed_apps if EVERY_APP in app_names or not (app_names & routed_apps) else app_names & routed_apps
        for app in targets:
            ids_by_app.setdefault(app, set()).add(public_id)
    for route, app in with_parameters:
        for public_id in ids_by_app.get(app, ()):
            path = fill(route, public_id)
            if path:
                paths.add((route, path))
    return sorted(paths)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The victim, the observers and the paths to try, built once per module (so once per xdist
    worker rather than once per role); every role meets the same untouched world."""

    def build():
        built = build_world()
        return built, candidate_paths(built.records)

    yield from build_for_module(django_db_blocker, tmp_path_factory.mktemp("media"), build)


@pytest.mark.django_db
def test_an_undeclared_builder_s_ids_go_to_the_apps_of_their_models(monkeypatch):
    def plain(victim, officer):
        return [str(victim.public_id), "not-a-public-id"]

    monkeypatch.setattr(isolation, "VICTIM_BUILDERS", [plain])
    built = build_world()
    assert built.records == {str(built.victim.public_id): {"organisations"}, "not-a-public-id": {EVERY_APP}}


# Marked so that the test database exists even when this test runs alone (the world needs it).
@pytest.mark.django_db
def test_every_victim_record_is_tried_somewhere(world):
    built, paths = world
    assert len(paths) > 10, paths
    untried = [public_id for public_id in built.records if not any(public_id in path for _, path in paths)]
    assert not untried, f"Ids no route takes: {untried}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", OBSERVER_ROLES)
def test_no_role_sees_or_changes_another_organisations_data(world, role, client):
    built, paths = world
    victim_audit = AuditEntry.objects.filter(organisation_ref=built.victim.pk).count()
    leaks, writes = [], []
    # A method a view does not take is refused (405) before any object is looked up, whatever the
    # id, so once a route answers 405 its other ids are not tried with that method.
    not_allowed: set[tuple[str, str]] = set()
    client.force_login(built.observers[role])
    for route, path in paths:
        for method in ("get", "post"):
            if (route, method) in not_allowed:
                continue
            response = getattr(client, method)(path, follow=False)
            if response.status_code == 405:
                not_allowed.add((route, method))
            body = response.content.decode("utf-8", "replace").lower()
            if CANARY in body:
                leaks.append(f"{role} {method.upper()} {path} -> {response.status_code}")
            if method == "post" and AuditEntry.objects.filter(organisation_ref=built.victim.pk).count() != victim_audit:
                writes.append(f"{role} POST {path}")
                victim_audit = AuditEntry.objects.filter(organisation_ref=built.victim.pk).count()
    assert not leaks, "Canary data leaked:\n" + "\n".join(leaks)
    assert not writes, "Another organisation's data was changed:\n" + "\n".join(writes)
