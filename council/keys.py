"""Keys derived from ``SECRET_KEY`` (HKDF-SHA256, RFC 5869), one per purpose and context.

For what the database keeps but must not be able to read by itself: a secret poll's private key
is stored sealed under ``derive("meetings.poll-key", str(poll_id))``. Every node of a deployment
shares ``SECRET_KEY``, and ``council backup`` does not copy it. Configured by ``council.db.init``:
whatever reads or writes the database gets the keys that go with it.
"""

from __future__ import annotations

import hashlib
import hmac

_SALT = b"council.keys v1"
_secret: bytes | None = None


def configure(secret_key: str) -> None:
    global _secret
    _secret = hmac.new(_SALT, secret_key.encode(), hashlib.sha256).digest()  # HKDF-Extract


def derive(purpose: str, context: str = "", length: int = 32) -> bytes:
    """``length`` bytes for ``purpose`` (a dotted name) and ``context`` (HKDF-Expand)."""
    if _secret is None:
        raise RuntimeError("council.keys is not configured (council.db.init does it)")
    info = f"{purpose}\x00{context}".encode()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(_secret, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]
