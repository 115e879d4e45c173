"""Every meetings operation: declared once in the registry, pointed at by its routes and events,
and its permission matrix (roles × own and other council) as declared."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from council.models import Council
from council.realtime import EVENTS
from council.registry import REGISTRY, Operation
from meetings import events as _events  # noqa: F401  (registers the Socket.IO events)
from meetings import operations as ops
from meetings import permissions as scopes
from meetings.models import (
    AgendaItem,
    Document,
    HallDisplay,
    HandVote,
    Poll,
    Session,
    SpeakerRequest,
)
from meetings.resolutions.models import Resolution
from meetings.routes import routes as meetings_routes
from tests.factories import make_council, make_user
from tests.operations import assert_permission_matrix

MEETINGS_OPS = sorted(
    (op for op in vars(ops).values() if isinstance(op, Operation)), key=lambda o: o.name
)
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
_ITEM_IDS = itertools.count(1)


async def _session(council: Council) -> dict[str, Any]:
    session = await Session.create(council=council, title="Kỳ họp", starts_at=NOW)
    return {"session_id": session.id, "_session": session}


async def _poll(council: Council) -> dict[str, Any]:
    session = (await _session(council))["_session"]
    poll = await Poll.create(session=session, title="Biểu quyết", seats=council.seats)
    return {"poll_id": poll.id, "_poll": poll}


async def _item(council: Council) -> dict[str, Any]:
    session = (await _session(council))["_session"]
    item = await AgendaItem.create(session=session, position=1, title="Nội dung")
    return {"item_id": item.id}


async def _document(council: Council) -> dict[str, Any]:
    session = (await _session(council))["_session"]
    document = await Document.create(session=session, title="Tờ trình")
    return {"document_id": document.id}


async def _speaker(council: Council) -> dict[str, Any]:
    session = (await _session(council))["_session"]
    user = await make_user("delegate", council)
    request = await SpeakerRequest.create(session=session, user=user, requested_at=NOW)
    return {"request_id": request.id}


async def _hand_vote(council: Council) -> dict[str, Any]:
    poll = (await _poll(council))["_poll"]
    user = await make_user("delegate", council)
    vote = await HandVote.create(
        poll=poll, user=user, choice={"c": "yes"}, entered_by_id=user.id, entered_at=NOW
    )
    return {"hand_vote_id": vote.id}


async def _display(council: Council) -> dict[str, Any]:
    user = await make_user("delegate", council)
    display = await HallDisplay.create(
        council=council, user=user, label="Màn hình", key_hash=f"k{user.id}", created_at=NOW
    )
    return {"display_id": display.id}


async def _resolution(council: Council) -> dict[str, Any]:
    session = (await _session(council))["_session"]
    resolution = await Resolution.create(
        council=council, session=session, item_id=next(_ITEM_IDS), poll_id=1, year=2026,
        number=next(_ITEM_IDS), title="Nghị quyết", passed_at=NOW, issued_at=NOW,
    )  # fmt: skip
    return {"resolution_id": resolution.id}


async def _council_code(council: Council) -> dict[str, Any]:
    return {"council_code": council.code}


async def _nothing(council: Council) -> dict[str, Any]:
    return {}


# The target each scope resolver reads, made in a given council.
TARGETS: dict[Any, Callable[[Council], Awaitable[dict[str, Any]]]] = {
    None: _nothing,
    scopes.session_scope: _session,
    scopes.poll_scope: _poll,
    scopes.cached_poll_scope: _poll,
    scopes.item_scope: _item,
    scopes.document_scope: _document,
    scopes.speaker_scope: _speaker,
    scopes.hand_vote_scope: _hand_vote,
    scopes.display_scope: _display,
    scopes.council_code_scope: _council_code,
    scopes.resolution_scope: _resolution,
}


@pytest.mark.parametrize("op", MEETINGS_OPS, ids=lambda op: op.name)
async def test_permission_matrix(settings: Any, op: Operation) -> None:
    own = await make_council()
    other = await make_council()
    make = TARGETS.get(op.permission.resolve)
    assert make is not None, f"{op.name}: add a target for its resolver to TARGETS"
    params = {k: v for k, v in (await make(own)).items() if not k.startswith("_")}
    await assert_permission_matrix(op, params, own, other)


def test_every_meetings_route_and_event_points_at_a_registered_operation() -> None:
    names = {route.name.split(":")[0] for route in meetings_routes}  # type: ignore[attr-defined]
    assert names <= set(REGISTRY), sorted(names - set(REGISTRY))
    events = {n: s for n, s in EVENTS.items() if s.handler.__module__ == "meetings.events"}
    assert set(events) == {"session:join", "ballot:cast", "speaker:request", "speaker:withdraw"}
    for name, spec in events.items():
        assert REGISTRY[spec.perm.name].permission is spec.perm, name
    # Every operation is reached by some route or event.
    reached = names | {spec.perm.name for spec in events.values()}
    assert {op.name for op in MEETINGS_OPS} <= reached, {op.name for op in MEETINGS_OPS} - reached


def test_ballot_cast_is_declared_once_for_http_and_socketio() -> None:
    """One permission (resolved from the cached poll facts) and one input schema: the event's
    payload is the HTTP body plus the poll's id from the path."""
    event = EVENTS["ballot:cast"]
    assert event.perm is ops.BALLOT_CAST.permission
    assert event.perm.resolve is scopes.cached_poll_scope
    assert issubclass(event.body, ops.BALLOT_CAST.body)  # type: ignore[arg-type]
    assert set(event.body.model_fields) == {"poll_id", "choice"}  # type: ignore[union-attr]
    assert set(ops.BALLOT_CAST.body.model_fields) == {"choice"}  # type: ignore[union-attr]


# Entries the system writes on its own, with no actor's operation behind them.
SYSTEM_ENTRIES = {"attendance.new_day"}  # a sitting's next day begins: yesterday's roll is kept


def test_audit_entries_are_named_after_operations() -> None:
    """Every audit entry the meetings services write carries a registered operation's name."""
    root = Path(__file__).resolve().parents[2] / "meetings"
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        for call in ast.walk(ast.parse(path.read_text())):
            if not isinstance(call, ast.Call):
                continue
            func = ast.unparse(call.func)
            if func in ("audit.record", "audit.Draft", "notices.record_change"):
                for arg in call.args[:3]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        if "." in arg.value:
                            found[arg.value] = f"{path.name}:{call.lineno}"
    assert len(found) > 30  # the scan sees the services' entries
    unknown = {name: where for name, where in found.items() if name not in REGISTRY}
    assert set(unknown) == SYSTEM_ENTRIES, unknown
