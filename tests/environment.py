"""The settings every test runs with: fast, in memory, and files under a temporary directory.

Used by the autouse fixture in conftest.py for each test, and by fixtures that build data once for
a whole module (which run before any per-test fixture and so need the same settings themselves).
"""

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.test import override_settings

T = TypeVar("T")


def overrides(media_dir: Path) -> dict:
    return {
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        # Argon2 on every factory-made user would cost more than most tests themselves.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "STORAGES": {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(media_dir)},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    }


def build_for_module(django_db_blocker, media_dir: Path, build: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture (`yield from` it): build data once, inside a transaction that
    is rolled back when the module's tests are done. Each test's own transaction is a savepoint
    within it, so every test meets the data exactly as built, and the next module an empty
    database. Tests that need a transactional database cannot share a module with such data."""
    with override_settings(**overrides(media_dir)):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                built = build()
            except BaseException:
                outer.__exit__(*sys.exc_info())
                raise
        try:
            yield built
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
