"""The settings every test runs with: fast, in memory, and files under a temporary directory.

Used by the autouse fixture in conftest.py for each test, and by fixtures that build data once for
a whole module (which run before any per-test fixture and so need the same settings themselves).
"""

from pathlib import Path

from django.conf import settings


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
