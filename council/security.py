"""Passwords (argon2id), opaque tokens and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# A real hash to verify against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two client-sent tokens, which may hold any text: as bytes,
    since ``compare_digest`` refuses ``str`` beyond ASCII."""
    if not expected or not given:
        return False
    return hmac.compare_digest(_utf8(expected), _utf8(given))


def _utf8(text: str) -> bytes:
    return str(text).encode("utf-8", "surrogatepass")
