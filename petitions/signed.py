"""Short-lived values signed for the one browser that filed or supported a petition.

The filing receipt (code and secret token) and the support confirmation are kept in an HttpOnly
cookie rather than a URL, so they survive a refresh, Back and the language switch without the
token entering a query string, a log line or another person's screen. The value is signed with
the instance's secret key and a purpose, and carries its own expiry; it is not encrypted: it only
ever holds what this browser was already shown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: str, purpose: str, body: str) -> str:
    digest = hmac.new(key.encode(), f"{purpose}.{body}".encode(), hashlib.sha256).digest()
    return _b64(digest)


def seal(
    payload: dict[str, Any], key: str, purpose: str, max_age: int, now: float | None = None
) -> str:
    """``payload`` as a signed text valid for ``max_age`` seconds, for ``purpose`` only."""
    expires = int((time.time() if now is None else now) + max_age)
    body = _b64(json.dumps({"p": payload, "exp": expires}, separators=(",", ":")).encode())
    return f"{body}.{_mac(key, purpose, body)}"


def unseal(
    value: str | None, key: str, purpose: str, now: float | None = None
) -> dict[str, Any] | None:
    """The payload of a value ``seal`` made for ``purpose``; None if forged, altered or expired."""
    if not value or value.count(".") != 1 or len(value) > 4000:
        return None
    body, mac = value.split(".")
    if not hmac.compare_digest(mac.encode(), _mac(key, purpose, body).encode()):
        return None
    try:
        data = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), dict):
        return None
    if not isinstance(data.get("exp"), int) or data["exp"] < (time.time() if now is None else now):
        return None
    return data["p"]


def set_cookie(
    response: Response, request: Request, name: str, value: str, *, path: str, max_age: int
) -> None:
    """An HttpOnly, SameSite=Strict cookie for ``path`` only (Secure behind HTTPS)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
