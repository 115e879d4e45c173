"""Permissions declared as data on every route and every Socket.IO event.

A ``Permission`` names the operation, the roles allowed, and the scope: ``any`` (role is enough),
``council`` (the target belongs to the user's council) or ``agency`` (to the user's agency). A
``resolve`` coroutine maps the request's parameters to the target's ``Scope``. ``admin`` passes every
scope check; the server checks each request and each event, and a denial is audited.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from council import terms
from council.errors import Forbidden, NotFound, Unauthorized
from council.i18n import N_
from council.models import User

ALL_STAFF = frozenset({"admin", "secretariat", "chair"})
COUNCIL_MEMBERS = frozenset({"admin", "secretariat", "chair", "delegate"})
EVERY_ROLE = frozenset(
    {"admin", "secretariat", "chair", "delegate", "agency", "citizen", "display"}
)


@dataclass(frozen=True)
class Scope:
    """Who owns the target: any of ``council_ids`` (e.g. a commune and the city it escalated to)
    or ``agency_ids``. ``on``: when the target's record is dated (a sitting's start), so that a
    write to a closed term's record is refused (``council.terms``)."""

    council_ids: frozenset[int] = frozenset()
    agency_ids: frozenset[int] = frozenset()
    on: datetime | None = None

    @classmethod
    def council(cls, *ids: int | None, on: datetime | None = None) -> Scope:
        return cls(council_ids=frozenset(i for i in ids if i is not None), on=on)

    @classmethod
    def agency(cls, *ids: int | None) -> Scope:
        return cls(agency_ids=frozenset(i for i in ids if i is not None))


Resolver = Callable[[Mapping[str, Any]], Awaitable[Scope]]


@dataclass(frozen=True)
class Permission:
    name: str
    roles: frozenset[str] | None = None  # None: anyone, logged in or not
    scope: Literal["any", "council", "agency"] = "any"
    resolve: Resolver | None = field(default=None, compare=False)
    login: bool = True  # False only with roles=None: anonymous allowed

    @property
    def public(self) -> bool:
        return self.roles is None and not self.login

    def describe(self) -> str:
        if self.public:
            return "public"
        roles = ", ".join(sorted(self.roles)) if self.roles else "any logged-in user"
        return f"{roles}; scope: {self.scope}"


def public(name: str) -> Permission:
    return Permission(name, roles=None, login=False)


def logged_in(name: str) -> Permission:
    return Permission(name, roles=None, login=True)


def allow(
    name: str,
    *roles: str,
    scope: Literal["any", "council", "agency"] = "any",
    resolve: Resolver | None = None,
) -> Permission:
    return Permission(name, frozenset(roles), scope, resolve)


def in_scope(user: User, scope: Scope) -> bool:
    """Whether ``user`` may act on a target owned as ``scope`` describes."""
    if user.role == "admin":
        return True
    if user.agency_id is not None and user.agency_id in scope.agency_ids:
        return True
    return user.council_id is not None and user.council_id in scope.council_ids


def check_caller(perm: Permission, user: User | None) -> None:
    """Raise Unauthorized / Forbidden unless ``user`` may do ``perm`` on some target: what can be
    told before reading the request's body, so that a caller without the right learns nothing
    of how a valid body looks."""
    if perm.public:
        return
    if user is None:
        raise Unauthorized()
    if perm.roles is not None and user.role not in perm.roles:
        raise Forbidden(N_("Your role may not do this."), operation=perm.name)


async def check(
    perm: Permission,
    user: User | None,
    params: Mapping[str, Any],
    *,
    write: bool = False,
    resolved: Awaitable[Scope] | None = None,
) -> None:
    """Raise Unauthorized / Forbidden unless ``user`` may do ``perm`` on ``params``' target; with
    ``write``, TermClosed (409) when the target is a record of a closed term, admin or not.

    ``resolved``: ``perm.resolve(params)`` already started by the caller (``council.web`` starts
    it while it authenticates the caller), awaited here where it would have been called, so that
    its outcome (NotFound, say) is told no sooner than before. The caller settles it should it not
    be awaited."""
    check_caller(perm, user)
    if perm.public or user is None:
        return
    if perm.scope == "any":
        return
    if user.role == "admin":
        if write and perm.resolve is not None:
            try:
                scope = await (resolved or perm.resolve(params))
            except NotFound:  # the admin meets the service's own answer, as before
                return
            await _require_open_term(perm, scope)
        return
    if perm.resolve is None:
        if perm.scope == "council" and user.council_id is not None:
            return
        if perm.scope == "agency" and user.agency_id is not None:
            return
        raise Forbidden(operation=perm.name)
    scope = await (resolved or perm.resolve(params))
    if not in_scope(user, scope):
        raise Forbidden(N_("This belongs to another council or agency."), operation=perm.name)
    if write:
        await _require_open_term(perm, scope)


async def _require_open_term(perm: Permission, scope: Scope) -> None:
    if scope.on is not None:
        for council_id in scope.council_ids:
            await terms.require_open(council_id, scope.on, perm.name)
