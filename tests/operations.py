"""``assert_permission_matrix``: an operation's permission, checked for every role × the target's
own council and another one, against what the registry declares (``council.registry``)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from council import permissions
from council.errors import Forbidden, Unauthorized
from council.models import Agency, Council, User
from council.permissions import EVERY_ROLE
from council.registry import Operation

_seq = itertools.count(1)


def expected(op: Operation, role: str | None, own: bool) -> str:
    """What the registry says: ``allowed``, ``forbidden`` or ``unauthorized``."""
    perm = op.permission
    if perm.public:
        return "allowed"
    if role is None:
        return "unauthorized"
    if not op.may(role):
        return "forbidden"
    if role == "admin" or perm.scope == "any":
        return "allowed"
    return "allowed" if own else "forbidden"


async def _user(role: str, council: Council, agency: Agency | None = None) -> User:
    """A user of ``role`` belonging to ``council`` (``agency``, or a new agency of it, for
    ``agency``)."""
    n = next(_seq)
    if role != "agency":
        agency = None
    elif agency is None:
        agency = await Agency.create(code=f"MX{n}", name=f"Cơ quan {n}", council=council)
    return await User.create(
        username=f"matrix-{role}-{n}",
        password_hash="x",
        role=role,
        council=None if role in ("admin", "agency") else council,
        agency=agency,
    )


async def outcome(op: Operation, user: User | None, params: Mapping[str, Any]) -> str:
    try:
        await permissions.check(op.permission, user, params)
    except Unauthorized:
        return "unauthorized"
    except Forbidden:
        return "forbidden"
    return "allowed"


async def assert_permission_matrix(
    op: Operation,
    params: Mapping[str, Any],
    own: Council,
    other: Council,
    *,
    own_agency: Agency | None = None,
) -> None:
    """Every role of ``own`` and of ``other`` (and no one logged in) on the target that
    ``params`` name, which belongs to ``own``: each outcome as the registry declares it.
    ``own_agency``: the agency of ``own`` that the target is assigned to (the own council's
    ``agency`` user works there; the other council's at a new agency of its own)."""
    wrong = []
    for role in sorted(EVERY_ROLE):
        for council, is_own in ((own, True), (other, False)):
            user = await _user(role, council, own_agency if is_own else None)
            got, want = await outcome(op, user, params), expected(op, role, is_own)
            if got != want:
                wrong.append(
                    f"{role} of the {'own' if is_own else 'other'} council: {got}, not {want}"
                )
    got, want = await outcome(op, None, params), expected(op, None, True)
    if got != want:
        wrong.append(f"anonymous: {got}, not {want}")
    assert not wrong, f"{op.name}:\n" + "\n".join(wrong)
