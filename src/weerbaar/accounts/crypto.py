"""Encryption of secrets at rest (TOTP seeds, recovery-code seeds).

Fernet (AES-128-CBC with HMAC-SHA256) from the `cryptography` package. The first key in
WEERBAAR_FIELD_ENCRYPTION_KEYS encrypts; all keys decrypt, so keys can be rotated.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "enc1:"


def _as_fernet_key(raw: str) -> bytes:
    # Accept any string as key material: a valid Fernet key is used as is, anything else is
    # stretched through SHA-256, so an operator cannot configure a weak-format key by accident.
    try:
        key = raw.encode()
        Fernet(key)
        return key
    except ValueError:
        return base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest())


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(_as_fernet_key(k)) for k in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> str:
    return PREFIX + _fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("value is not encrypted")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("value cannot be decrypted with the configured keys") from exc
