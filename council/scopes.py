"""Scope resolvers of the core's operations (``council.operations``): the council that owns the
target named in the path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from council.errors import NotFound
from council.i18n import N_
from council.models import Council, User
from council.permissions import Scope


def _int(params: Mapping[str, Any], name: str) -> int:
    try:
        return int(params.get(name))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound() from None


async def council_scope(params: Mapping[str, Any]) -> Scope:
    """The council in the path."""
    council = await Council.get_or_none(id=_int(params, "council_id"))
    if council is None:
        raise NotFound(N_("No such council."))
    return Scope.council(council.id)


async def user_scope(params: Mapping[str, Any]) -> Scope:
    """The council of the user in the path (none for admins and citizens: only an admin passes)."""
    user = await User.get_or_none(id=_int(params, "user_id"))
    if user is None:
        raise NotFound(N_("No such user."))
    return Scope.council(user.council_id)


async def council_by_id_or_code(params: Mapping[str, Any]) -> Scope:
    """The council in the path, by id (``council_id``, pages) or by code (``code``, the API)."""
    if "council_id" in params:
        try:
            council = await Council.get_or_none(id=int(params.get("council_id")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            council = None
        if council is None:
            raise NotFound(N_("No such council."))
    else:
        council = await Council.get_or_none(code=str(params.get("code", ""))[:32])
        if council is None:
            raise NotFound(N_("No council has this code."))
    return Scope.council(council.id)
