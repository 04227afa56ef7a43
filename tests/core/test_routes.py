"""Every route declares who may reach it, and no role reaches another organisation's data."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.isolation import CANARY, build_world
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
    path = route.lstrip("^").rstrip("$")
    path = path.replace("\\.(?P<format>[a-z0-9]+)/?", "")
    if "(?P<format>" in path:
        return None
    filled = _PARAM.sub(value, path)
    if any(ch in filled for ch in "^$()[]?*+\\"):
        return None
    return "/" + filled


def candidate_paths(object_ids):
    paths = set()
    for route, pattern in all_routes():
        module = getattr(pattern.callback, "__module__", "") or ""
        if module.startswith(THIRD_PARTY_MODULES) or route.startswith(THIRD_PARTY_PREFIX):
            continue
        if _PARAM.search(route):
            for object_id in object_ids:
                path = fill(route, object_id)
                if path:
                    paths.add(path)
        else:
            path = fill(route, "")
            if path:
                paths.add(path)
    return sorted(paths)


@pytest.mark.django_db
def test_no_role_sees_or_changes_another_organisations_data(client):
    observers, victim, object_ids = build_world()
    victim_audit = AuditEntry.objects.filter(organisation_ref=victim.pk).count()
    paths = candidate_paths(object_ids)
    assert len(paths) > 10, paths
    leaks, writes = [], []
    for label, user in observers.items():
        client.force_login(user)
        for path in paths:
            for method in ("get", "post"):
                response = getattr(client, method)(path, follow=False)
                body = response.content.decode("utf-8", "replace").lower()
                if CANARY in body:
                    leaks.append(f"{label} {method.upper()} {path} -> {response.status_code}")
                if method == "post" and AuditEntry.objects.filter(organisation_ref=victim.pk).count() != victim_audit:
                    writes.append(f"{label} POST {path}")
                    victim_audit = AuditEntry.objects.filter(organisation_ref=victim.pk).count()
        client.logout()
    assert not leaks, "Canary data leaked:\n" + "\n".join(leaks)
    assert not writes, "Another organisation's data was changed:\n" + "\n".join(writes)
