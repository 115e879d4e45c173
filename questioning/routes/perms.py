"""Each questioning operation's permission, declared once: the API route and the page both use it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from council.errors import NotFound
from council.i18n import N_
from council.models import Council
from council.permissions import COUNCIL_MEMBERS, Permission, Scope, allow, public
from questioning import links
from questioning.models import Commitment, QuestionForm, QuestionGroup, Round

STAFF = ("secretariat", "chair")
ASKERS = ("delegate", "chair")


def _int(params: Mapping[str, Any], name: str) -> int:
    try:
        return int(params.get(name))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound() from None


async def _session(params: Mapping[str, Any]) -> Scope:
    council_id, *_ = await links.sitting(_int(params, "session_id"))
    return Scope.council(council_id)


async def _form(params: Mapping[str, Any]) -> Scope:
    form = await QuestionForm.get_or_none(id=_int(params, "form_id"))
    if form is None:
        raise NotFound(N_("No such question form."))
    return Scope(council_ids=frozenset({form.council_id}), agency_ids=frozenset({form.agency_id}))


async def _group(params: Mapping[str, Any]) -> Scope:
    group = await QuestionGroup.get_or_none(id=_int(params, "group_id"))
    if group is None:
        raise NotFound(N_("No such question group."))
    rnd = await Round.get(id=group.round_id)
    return Scope.council(rnd.council_id)


async def _commitment(params: Mapping[str, Any]) -> Scope:
    c = await Commitment.get_or_none(id=_int(params, "commitment_id"))
    if c is None:
        raise NotFound(N_("No such commitment."))
    return Scope(council_ids=frozenset({c.council_id}), agency_ids=frozenset({c.agency_id}))


async def council_by_code(code: str) -> Council:
    council = await Council.get_or_none(code=code[:32])
    if council is None:
        raise NotFound(N_("No council has this code."))
    return council


async def _council_code(params: Mapping[str, Any]) -> Scope:
    return Scope.council((await council_by_code(str(params.get("code", "")))).id)


def _staff(name: str, resolve: Any) -> Permission:
    return allow(name, *STAFF, scope="council", resolve=resolve)


OPERATIONS: dict[str, Permission] = {
    "question.file": allow("question.file", *ASKERS, scope="council", resolve=_session),
    "question.edit": allow("question.edit", *ASKERS, scope="council", resolve=_form),
    "question.withdraw": allow("question.withdraw", *ASKERS, scope="council", resolve=_form),
    # The service narrows these to what the caller may see (public: chosen forms, after).
    "question.list": public("question.list"),
    "question.view": public("question.view"),
    "question_group.list": allow(
        "question_group.list", *COUNCIL_MEMBERS, scope="council", resolve=_session
    ),
    "question_group.create": _staff("question_group.create", _session),
    "question_group.edit": _staff("question_group.edit", _group),
    "question_group.choose": _staff("question_group.choose", _group),
    "question_group.move": _staff("question_group.move", _session),
    "question_group.propose": _staff("question_group.propose", _session),
    "question_group.requestion": _staff("question_group.requestion", _session),
    "question_group.fix": _staff("question_group.fix", _session),
    "questioning.hold": _staff("questioning.hold", _session),
    "questioning.call": _staff("questioning.call", _session),
    "questioning.answer": _staff("questioning.answer", _session),
    "questioning.followup": _staff("questioning.followup", _session),
    "questioning.conclude": _staff("questioning.conclude", _session),
    "questioning.live": allow(
        "questioning.live", *COUNCIL_MEMBERS, "display", scope="council", resolve=_session
    ),
    "selection.open": _staff("selection.open", _session),
    "selection.close": _staff("selection.close", _session),
    "selection.vote": allow("selection.vote", *ASKERS, scope="council", resolve=_session),
    "selection.view": allow("selection.view", *COUNCIL_MEMBERS, scope="council", resolve=_session),
    "answer.request": _staff("answer.request", _form),
    "answer.submit": allow(
        "answer.submit", "agency", "secretariat", scope="council", resolve=_form
    ),
    "answer.assess": allow("answer.assess", *ASKERS, scope="council", resolve=_form),
    "commitment.create": _staff("commitment.create", _session),
    "commitment.report": allow(
        "commitment.report", "agency", *STAFF, scope="council", resolve=_commitment
    ),
    "questioning.report": allow(
        "questioning.report", *COUNCIL_MEMBERS, scope="council", resolve=_council_code
    ),
    "question.report": _staff("question.report", _session),
    "commitment.list": public("commitment.list"),
    "commitment.view": public("commitment.view"),
    "questioning.inbox": allow("questioning.inbox", *COUNCIL_MEMBERS, "agency"),
}
