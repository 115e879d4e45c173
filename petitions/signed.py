"""Short-lived values signed for the one browser that filed or supported a petition.

The filing receipt (code and secret token) and the support confirmation are kept in an HttpOnly
cookie rather than a URL, so they survive a refresh, Back and the language switch without the
token entering a query string, a log line or another person's screen. The value is signed with
the instance's secret key and a purpose (itsdangerous: HMAC-SHA256, the purpose as its salt),
and carries its own expiry; it is not encrypted: it only ever holds what this browser was already
shown.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from itsdangerous import BadData, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

MAX_LENGTH = 4000


def _serializer(key: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(
        key, salt=f"petitions.{purpose}", signer_kwargs={"digest_method": hashlib.sha256}
    )


def seal(
    payload: dict[str, Any], key: str, purpose: str, max_age: int, now: float | None = None
) -> str:
    """``payload`` as a signed text valid for ``max_age`` seconds, for ``purpose`` only."""
    expires = int((time.time() if now is None else now) + max_age)
    return str(_serializer(key, purpose).dumps({"p": payload, "exp": expires}))


def unseal(
    value: str | None, key: str, purpose: str, now: float | None = None
) -> dict[str, Any] | None:
    """The payload of a value ``seal`` made for ``purpose``; None if forged, altered or expired."""
    if not value or len(value) > MAX_LENGTH:
        return None
    try:
        data = _serializer(key, purpose).loads(value)
    except (BadData, ValueError):
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
