"""The resolvers of questioning's operations: the council (and agency) a target belongs to, from
the ids that name it (``questioning/operations.py`` declares which operation uses which)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from council.errors import NotFound
from council.i18n import N_
from council.models import Agency, Council
from council.permissions import Scope
from questioning import links
from questioning.models import Commitment, QuestionForm, QuestionGroup, Round


def _int(params: Mapping[str, Any], name: str) -> int:
    try:
        return int(params.get(name))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound() from None


async def _council_and_agencies(council_id: int) -> Scope:
    """The council, and for an agency's officials every agency of it: the service then lets only
    the agency the form asks, or the commitment names, answer or report."""
    ids = await Agency.filter(council_id=council_id).values_list("id", flat=True)
    return Scope(council_ids=frozenset({council_id}), agency_ids=frozenset(int(i) for i in ids))  # type: ignore[call-overload]


async def session_scope(params: Mapping[str, Any]) -> Scope:
    council_id, _title, starts_at, _status = await links.sitting(_int(params, "session_id"))
    return Scope.council(council_id, on=starts_at)  # a closed term's sitting is read-only


async def form_scope(params: Mapping[str, Any]) -> Scope:
    form = await QuestionForm.get_or_none(id=_int(params, "form_id"))
    if form is None:
        raise NotFound(N_("No such question form."))
    return await _council_and_agencies(form.council_id)


async def group_scope(params: Mapping[str, Any]) -> Scope:
    group = await QuestionGroup.get_or_none(id=_int(params, "group_id"))
    if group is None:
        raise NotFound(N_("No such question group."))
    rnd = await Round.get(id=group.round_id)
    return Scope.council(rnd.council_id)


async def commitment_scope(params: Mapping[str, Any]) -> Scope:
    c = await Commitment.get_or_none(id=_int(params, "commitment_id"))
    if c is None:
        raise NotFound(N_("No such commitment."))
    return await _council_and_agencies(c.council_id)


async def council_by_code(code: str) -> Council:
    council = await Council.get_or_none(code=code[:32])
    if council is None:
        raise NotFound(N_("No council has this code."))
    return council


async def council_code_scope(params: Mapping[str, Any]) -> Scope:
    return Scope.council((await council_by_code(str(params.get("code", "")))).id)
