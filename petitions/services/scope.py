"""Who sees which petitions, who sees personal data, and who may take which action."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.expressions import Q

from council.errors import Forbidden, NotFound
from council.i18n import N_
from council.models import User
from council.permissions import Scope
from petitions.codes import normalize_code
from petitions.models import Petition
from petitions.workflow import ACTION_ROLES, Action

STAFF_ROLES = frozenset({"admin", "secretariat", "chair", "delegate", "agency"})
PERSONAL_DATA_ROLES = frozenset({"admin", "secretariat", "agency"})
MANAGER_ROLES = frozenset({"admin", "secretariat"})


def visible_filter(user: User) -> Q | None:
    """Filter for the petitions ``user`` may see; None means all (admin)."""
    if user.role == "admin":
        return None
    if user.role == "agency":
        if user.agency_id is None:
            raise Forbidden()
        return Q(agency_id=user.agency_id)
    if user.role in STAFF_ROLES and user.council_id is not None:
        # Their own council's petitions, and those escalated to it.
        return Q(council_id=user.council_id) | Q(handler_id=user.council_id)
    raise Forbidden(N_("Only council staff and agencies can see petitions."))


def visible_query(user: User) -> Any:
    """A queryset of the petitions ``user`` may see."""
    q = visible_filter(user)
    return Petition.all() if q is None else Petition.filter(q)


def can_see(user: User | None, p: Petition) -> bool:
    if user is None:
        return False
    if user.role == "admin":
        return True
    if user.role == "agency":
        return user.agency_id is not None and p.agency_id == user.agency_id
    if user.role in STAFF_ROLES and user.council_id is not None:
        return user.council_id in (p.council_id, p.handler_id)
    return False


def sees_personal_data(user: User | None, p: Petition) -> bool:
    """Name, phone, e-mail and address: only staff of the handling council or agency."""
    if user is None or user.role not in PERSONAL_DATA_ROLES:
        return False
    if user.role == "admin":
        return True
    if user.role == "agency":
        return user.agency_id is not None and p.agency_id == user.agency_id
    return user.council_id is not None and user.council_id in (p.council_id, p.handler_id)


def check_action(user: User, p: Petition, action: Action) -> None:
    """Finer rule behind the route's permission: the handling council's secretariat acts; the
    assigned agency answers and reports the resolution."""
    if user.role not in ACTION_ROLES[action]:
        raise Forbidden(N_("Your role may not do this."), operation=f"petition.{action.value}")
    if user.role == "admin":
        return
    if user.role == "agency":
        if p.agency_id is None or p.agency_id != user.agency_id:
            raise Forbidden(N_("This petition is not assigned to your agency."))
        return
    if user.council_id != p.handler_id:
        raise Forbidden(N_("Only the council handling this petition can do this."))


async def petition_for_staff(user: User, code: str) -> Petition:
    """The petition ``code`` if ``user`` may see it (404 when it does not exist, 403 otherwise)."""
    p = await get_by_code(code)
    if not can_see(user, p):
        raise Forbidden(N_("This belongs to another council or agency."))
    return p


async def get_by_code(code: str) -> Petition:
    canonical = normalize_code(code or "")
    p = await Petition.get_or_none(code=canonical) if canonical else None
    if p is None:
        raise NotFound(N_("No petition has this code."))
    return p


async def petition_scope(params: Mapping[str, Any]) -> Scope:
    """Permission resolver: a petition belongs to its receiving and handling councils and agency."""
    p = await get_by_code(str(params.get("code", "")))
    return Scope(
        council_ids=frozenset({p.council_id, p.handler_id}),
        agency_ids=frozenset({p.agency_id} if p.agency_id else ()),
    )
