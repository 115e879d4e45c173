"""Passwords (argon2id), opaque tokens and CSRF tokens."""

from __future__ import annotations

import base64
import binascii
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


_MASKED = "m."


def mask_csrf(token: str) -> str:
    """The CSRF token as a page shows it: XORed with a fresh pad each time. Pages are gzipped, and
    a secret that repeats in a compressed page beside text an attacker chose can be read back
    from the compressed size (BREACH); a masked token never repeats."""
    raw = _utf8(token)
    pad = secrets.token_bytes(len(raw))
    return (
        _MASKED
        + base64.urlsafe_b64encode(
            pad + bytes(a ^ b for a, b in zip(raw, pad, strict=True))
        ).decode()
    )


def _unmask(given: str) -> str | None:
    try:
        data = base64.urlsafe_b64decode(given[len(_MASKED) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    if not data or len(data) % 2:
        return None
    half = len(data) // 2
    return bytes(a ^ b for a, b in zip(data[:half], data[half:], strict=True)).decode(
        "utf-8", "replace"
    )


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two client-sent tokens, which may hold any text: as bytes,
    since ``compare_digest`` refuses ``str`` beyond ASCII. ``given`` may be masked (``mask_csrf``)."""
    if not expected or not given:
        return False
    if given.startswith(_MASKED):
        unmasked = _unmask(given)
        if unmasked is None:
            return False
        given = unmasked
    return hmac.compare_digest(_utf8(expected), _utf8(given))


def _utf8(text: str) -> bytes:
    return str(text).encode("utf-8", "surrogatepass")
