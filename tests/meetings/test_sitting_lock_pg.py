"""The sitting's turn on PostgreSQL (``meetings.services.common.lock_sitting``): a poll's opening,
the questioning's turns and the close take it, and it never deadlocks the edits that insert a row
for the sitting (a change notice) after taking the audit chain's lock.

The interleavings are forced, not hoped for: an edit is held right after its audit entry, or
another connection holds the council's audit chain lock, and the test waits (on
``pg_stat_activity``) until each transaction is where the case needs it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from council import audit
from council.settings import Settings
from meetings.models import AgendaItem, Poll, Session
from meetings.services import notices
from tests.conftest import ENGINE
from tests.meetings.helpers import create_poll, open_poll, setup_running_session

pytestmark = pytest.mark.skipif(ENGINE != "postgres", reason="PostgreSQL's row locks")


async def _until_waiting(watcher: asyncpg.Connection, events: set[str]) -> None:
    """Until a backend of this database waits for a lock of one of the kinds ``events``
    (``advisory``: the audit chain's; ``transactionid``/``tuple``: a row's)."""
    for _ in range(1000):
        rows = await watcher.fetch(
            "SELECT wait_event FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        if {r["wait_event"] for r in rows} & events:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"nobody waits for {events}")


@pytest.mark.parametrize("edit", ["move", "reorder"])
async def test_an_agenda_edit_and_a_poll_opening_at_once_both_succeed(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    """The secretariat moves an item or reorders the agenda (audit entry written: the chain's lock held) while the chair
    opens a vote (the sitting's lock taken, waiting for the chain). The move's change notice
    then inserts a row referencing the sitting: with FOR UPDATE on the sitting that waited for
    the opening, which waited for the move (deadlock, a 500); with FOR NO KEY UPDATE it does
    not wait, and both succeed."""
    s = await setup_running_session(client, seats=8, present=6)
    poll = await create_poll(client, s)
    audited, go = asyncio.Event(), asyncio.Event()
    real = notices.record_change

    async def after_audit(*args: Any, **kwargs: Any) -> Any:
        audited.set()
        await go.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(notices, "record_change", after_audit)
    watcher = await asyncpg.connect(settings.database_url)
    try:
        url, body = (
            (f"/api/v1/items/{s.items[3]}/move", {"position": 1})
            if edit == "move"
            else (
                f"/api/v1/sessions/{s.session_id}/items/order",
                {"order": [s.items[3], *s.items[:3]]},
            )
        )
        move = asyncio.ensure_future(client.post(url, headers=s.h(s.secretariat), json=body))
        await asyncio.wait_for(audited.wait(), 30)
        opening = asyncio.ensure_future(open_poll(client, s, poll["id"]))
        await _until_waiting(watcher, {"advisory"})  # the opening holds the sitting's lock
        go.set()
        moved, opened = await asyncio.wait_for(asyncio.gather(move, opening), 60)
    finally:
        go.set()
        await watcher.close()
    assert moved.status_code == 200, moved.text
    assert opened.status_code == 200, opened.text
    assert (await AgendaItem.get(id=s.items[3])).position == 1
    assert (await Poll.get(id=poll["id"])).status == "open"


async def test_a_sitting_never_closes_while_a_vote_opens(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """The opening holds the sitting's lock (waiting for the chain, held here by another
    connection) when the close comes: the close waits for the sitting's turn, then sees the open
    vote (409), instead of closing a sitting with a vote open."""
    s = await setup_running_session(client, seats=8, present=6)
    poll = await create_poll(client, s)
    rival = await asyncpg.connect(settings.database_url)
    watcher = await asyncpg.connect(settings.database_url)
    try:
        transaction = rival.transaction()
        await transaction.start()
        await rival.execute(
            "SELECT pg_advisory_xact_lock($1, $2)", audit._ADVISORY_KEY, s.council.id
        )
        opening = asyncio.ensure_future(open_poll(client, s, poll["id"]))
        await _until_waiting(watcher, {"advisory"})
        closing = asyncio.ensure_future(
            client.post(f"/api/v1/sessions/{s.session_id}/close", headers=s.h(s.chair))
        )
        await _until_waiting(watcher, {"transactionid", "tuple"})  # the close waits for the row
        await transaction.rollback()
        opened, closed = await asyncio.wait_for(asyncio.gather(opening, closing), 60)
    finally:
        await rival.close()
        await watcher.close()
    assert opened.status_code == 200, opened.text
    assert closed.status_code == 409, closed.text
    assert closed.json()["error"]["code"] == "poll_open"
    assert (await Session.get(id=s.session_id)).status == "in_progress"
    assert (await Poll.get(id=poll["id"])).status == "open"
