"""Tracking codes and secret tokens a citizen can read over the phone or copy from a slip.

Both use Crockford's base-32 alphabet (no I, L, O, U), so "0"/"O" and "1"/"I"/"L" cannot be
confused; input is normalised before lookup. A tracking code is ``KN-<year>-<6 random><1 check>``;
the Luhn mod 32 check symbol catches any single mistyped character and most swaps of neighbours.
Only a hash of the token is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "KN"
_RANDOM_LEN = 6
_TOKEN_LEN = 10
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_CODE_RE = re.compile(rf"^{PREFIX}(\d{{4}})([{ALPHABET}]{{{_RANDOM_LEN + 1}}})$")


def _check_symbol(body: str) -> str:
    """Luhn mod 32: detects every single substitution and most adjacent swaps."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for ch in reversed(body):
        addend = factor * ALPHABET.index(ch)
        total += addend // n + addend % n
        factor = 3 - factor
    return ALPHABET[(n - total % n) % n]


def new_tracking_code(year: int) -> str:
    """A fresh random tracking code for a petition filed in ``year``, e.g. ``KN-2026-7F3K9QX``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_RANDOM_LEN))
    return f"{PREFIX}-{year:04d}-{body}{_check_symbol(body)}"


def normalize_code(text: str) -> str | None:
    """The canonical form of a typed tracking code, or None if it is not a valid one."""
    compact = re.sub(r"[\s\-_.]", "", (text or "").upper())
    if not compact.startswith(PREFIX):
        return None
    head, rest = compact[: len(PREFIX)], compact[len(PREFIX) :].translate(_CONFUSABLE)
    m = _CODE_RE.match(head + rest)
    if not m:
        return None
    year, tail = m.group(1), m.group(2)
    body, check = tail[:-1], tail[-1]
    if _check_symbol(body) != check:
        return None
    return f"{PREFIX}-{year}-{tail}"


_QUERY_RE = re.compile(rf"^(\d{{4}})?([{ALPHABET}]{{{_RANDOM_LEN + 1}}})$")


def code_query(text: str) -> tuple[int | None, str] | None:
    """A tracking code typed in a search box, in any form: ``KN-2026-8F427SR``, ``kn20268f427sr``,
    ``2026-8F427SR`` or the bare suffix ``8f427sr``. Returns (year or None, the canonical suffix)
    when its check symbol holds, else None (the text is searched as words)."""
    compact = re.sub(r"[\s\-_.]", "", (text or "").upper())
    if compact.startswith(PREFIX) and len(compact) > len(PREFIX) + _RANDOM_LEN + 1:
        compact = compact[len(PREFIX) :]
    if len(compact) > _RANDOM_LEN + 1:
        year, tail = compact[: -_RANDOM_LEN - 1], compact[-_RANDOM_LEN - 1 :]
    else:
        year, tail = "", compact
    m = _QUERY_RE.match(year + tail.translate(_CONFUSABLE))
    if not m or _check_symbol(m.group(2)[:-1]) != m.group(2)[-1]:
        return None
    return (int(m.group(1)) if m.group(1) else None), m.group(2)


def new_token() -> str:
    """A secret token (50 bits) shown once to the petitioner, e.g. ``7F3K9-QX2M4``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(_TOKEN_LEN))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_token(text: str) -> str:
    """Uppercase, separators removed, confusable letters mapped; never raises."""
    return re.sub(r"[\s\-_.]", "", (text or "").upper()).translate(_CONFUSABLE)[:64]


def hash_token(token: str) -> str:
    """SHA-256 hex of the normalised token; tokens are random, so no salt is needed."""
    return hashlib.sha256(normalize_token(token).encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a typed token with the stored hash."""
    return hmac.compare_digest(hash_token(token), stored_hash or "")
