"""The device cookie: a random id the server signs, so that a browser which logged in to an
account before is recognised and keeps its own login budget (``council.throttle``).

The database keeps only ``key(id)``, an HMAC of the id, never the id itself: a copy of the
database does not give anyone a cookie. ``code(key)`` is the short form a person reads out to the
secretariat to unlock an account for that one device.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from council import keys

COOKIE = "council_device"
MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie
CODE_LENGTH = 8


def _mac(purpose: str, text: str) -> bytes:
    return hmac.new(keys.derive(purpose), text.encode(), hashlib.sha256).digest()


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def new_cookie() -> tuple[str, str]:
    """A new device: (its id, the cookie value that carries it signed)."""
    device = secrets.token_urlsafe(18)
    sig = base64.urlsafe_b64encode(_mac("council.device-cookie", device)[:18]).decode()
    return device, f"{device}.{sig}"


def verify(value: str | None) -> str | None:
    """The device id of a cookie this server signed, or None."""
    if not value or len(value) > 100 or "." not in value:
        return None
    device, _, sig = value.partition(".")
    expected = base64.urlsafe_b64encode(_mac("council.device-cookie", device)[:18]).decode()
    return device if hmac.compare_digest(sig.encode(), expected.encode()) else None


def key(device: str) -> str:
    """What the database stores for a device (32 characters)."""
    return _b32(_mac("council.device-key", device))[:32]


def code(device_key: str) -> str:
    """The code shown on a locked-out device, for the secretariat to unlock it."""
    return device_key[:CODE_LENGTH]


def normalise_code(text: str) -> str:
    """What a person typed (any case, with dashes or spaces) as ``code`` writes it. The code has
    no 0, 1 or 8 (base32): read out as O, I and B."""
    typed = text.upper().translate(str.maketrans("018", "OIB"))
    return "".join(ch for ch in typed if ch.isalnum())[:CODE_LENGTH]


def show_code(device_key: str) -> str:
    c = code(device_key)
    return f"{c[:4]}-{c[4:]}"


def from_request(request: Request) -> tuple[str, str | None]:
    """This browser's device id, and the cookie to give it when it had none (or a forged one)."""
    device = verify(request.cookies.get(COOKIE))
    if device is not None:
        return device, None
    return new_cookie()


def set_cookie(request: Request, response: Response, value: str | None) -> None:
    if value is None:
        return
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
