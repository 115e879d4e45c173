"""The secret ballot against an attacker who holds the database: its files, its log, a dump, its
dead tuples. Each test plays the attacker after lone casts (one transaction per delegate, the case
that links a receipt to its ballot most plainly) and tries to say how each delegate voted.

The attacker wins if they recover more choices than chance: the most common choice guessed for
everyone (a third of the delegates here, the result being public after the close). Every attack
below recovered all of them from the design that stored each choice in plain text in the
receipt's transaction (issue 14).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox
from tortoise import connections

from council import keys
from council.settings import Settings
from meetings import services
from meetings.models import Ballot, BallotReceipt, Poll, SealedBallots
from meetings.voting import sealing
from tests.conftest import ENGINE
from tests.meetings.helpers import (
    Sitting,
    cast,
    close_poll,
    create_poll,
    open_poll,
    setup_running_session,
)

CHOICES = ("yes", "no", "abstain")
VOTERS = 24
# A choice as a JSON value (a string followed by , ] or }), as any JSON encoding of a ballot holds
# it; the poll's result names them only as keys ("yes": 8).
PLAIN = re.compile(rb'"(yes|no|abstain)"\s*[,\]}]')
# PostgreSQL's jsonb keeps keys, then values, without quotes: {"c": "no"} holds b"\0cno".
JSONB = re.compile(rb"\x00c(yes|no|abstain)(?![a-z])")


def _truth(s: Sitting) -> dict[int, str]:
    """Each voter's choice: a third each, in an order no attacker can guess."""
    choices = list(CHOICES) * (VOTERS // 3)
    random.Random(14).shuffle(choices)
    voters = [s.chair, *s.delegates[: VOTERS - 1]]
    return {u.id: c for u, c in zip(voters, choices, strict=True)}


async def _lone_casts(client: httpx.AsyncClient) -> tuple[Sitting, dict[str, Any], dict[int, str]]:
    """A secret poll, and each delegate casting alone: one transaction per ballot."""
    s = await setup_running_session(client, seats=30, present=VOTERS)
    poll = await create_poll(client, s, title="Bỏ phiếu kín", secret=True)
    assert (await open_poll(client, s, poll["id"])).status_code == 200
    truth = _truth(s)
    users = {u.id: u for u in [s.chair, *s.delegates]}
    for user_id, choice in truth.items():
        assert (await cast(client, s, users[user_id], poll["id"], choice)).status_code == 201
    return s, poll, truth


def _hits(guess: dict[int, str], truth: dict[int, str]) -> int:
    return sum(1 for user_id, choice in guess.items() if truth.get(user_id) == choice)


def _chance(truth: dict[int, str]) -> int:
    """What guessing the most common choice for everyone gets right."""
    return max(Counter(truth.values()).values())


async def _receipt_order(poll_id: int) -> list[int]:
    """Who voted, in the order the receipts were written (their ids): the attacker reads it."""
    return [
        r.user_id
        for r in await BallotReceipt.filter(poll_id=poll_id).order_by("id").only("user_id")
    ]


# --- SQLite: the database file and every frame of its write-ahead log -------------------------


def _wal_transactions(wal: bytes) -> list[dict[int, bytes]]:
    """The pages each transaction of a WAL file wrote, in the file's order, stale frames included
    (the attacker reads every frame, whatever its salt)."""
    if len(wal) < 32:
        return []
    page_size = int.from_bytes(wal[8:12], "big")
    transactions, pages, offset = [], {}, 32
    while offset + 24 + page_size <= len(wal):
        number = int.from_bytes(wal[offset : offset + 4], "big")
        commit = int.from_bytes(wal[offset + 4 : offset + 8], "big")
        pages[number] = wal[offset + 24 : offset + 24 + page_size]
        if commit:
            transactions.append(pages)
            pages = {}
        offset += 24 + page_size
    return transactions


def _choices_in(page: bytes) -> Counter[str]:
    return Counter(m.decode() for m in PLAIN.findall(page))


def _attack_sqlite(db: bytes, wal: bytes, order: list[int]) -> dict[int, str]:
    """Replay the log over the file: a transaction that added exactly one choice to its pages is
    one lone ballot; the n-th of them belongs to the n-th receipt."""
    page_size = int.from_bytes(wal[8:12], "big") if len(wal) >= 32 else 4096
    pages = {
        n + 1: db[n * page_size : (n + 1) * page_size] for n in range(len(db) // page_size or 0)
    }
    added: list[str] = []
    for transaction in _wal_transactions(wal):
        delta: Counter[str] = Counter()
        for number, page in transaction.items():
            delta.update(_choices_in(page))
            delta.subtract(_choices_in(pages.get(number, b"")))
            pages[number] = page
        gained = {c: n for c, n in delta.items() if n}
        if len(gained) == 1 and next(iter(gained.values())) == 1:
            added.append(next(iter(gained)))
    if len(added) != len(order):
        return {}
    return dict(zip(order, added, strict=True))


def _sqlite_files(settings: Settings) -> tuple[bytes, bytes]:
    path = Path(settings.database_url.split("://", 1)[1])
    wal = Path(f"{path}-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's files")
async def test_sqlite_file_and_every_wal_frame_do_not_tell_a_secret_choice(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s, poll, truth = await _lone_casts(client)
    order = await _receipt_order(poll["id"])

    db, wal = _sqlite_files(settings)  # while the poll is open
    assert _hits(_attack_sqlite(db, wal, order), truth) <= _chance(truth)
    assert not PLAIN.search(db) and not PLAIN.search(wal)

    await close_poll(client, s, poll["id"])
    db, wal = _sqlite_files(settings)  # after the close: the log still holds every cast
    assert _hits(_attack_sqlite(db, wal, order), truth) <= _chance(truth)
    assert not PLAIN.search(db) and not PLAIN.search(wal)
    await _sealed_ballots_look_alike(poll["id"], truth)


# --- PostgreSQL: a dump taken while the poll is open ------------------------------------------


def _copy_blocks(dump: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each table's columns and rows, in the order ``pg_dump`` wrote them (storage order)."""
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    current: list[list[str]] | None = None
    for line in dump.splitlines():
        head = re.match(r"COPY public\.(\w+) \((.*)\) FROM stdin;", line)
        if head:
            current = []
            tables[head.group(1)] = (
                [c.strip().strip('"') for c in head.group(2).split(",")],
                current,
            )
        elif line == "\\.":
            current = None
        elif current is not None:
            current.append(line.split("\t"))
    return tables


def _attack_dump(dump: str, poll_id: int) -> dict[int, str]:
    """Line the rows that hold a choice up with the receipts, both in the dump's order."""
    tables = _copy_blocks(dump)
    columns, rows = tables["meetings_ballot_receipt"]
    receipts = sorted(
        (int(r[columns.index("id")]), int(r[columns.index("user_id")]))
        for r in rows
        if r[columns.index("poll_id")] == str(poll_id)
    )
    order = [user_id for _, user_id in receipts]
    for name, (_, table_rows) in tables.items():
        found = [
            m.group(1).decode() for r in table_rows if (m := PLAIN.search("\t".join(r).encode()))
        ]
        if name != "meetings_ballot_receipt" and len(found) == len(order):
            return dict(zip(order, found, strict=True))
    return {}


def _pg_dsn(settings: Settings) -> str:
    return settings.database_url.replace("postgres://", "postgresql://", 1)


@pytest.mark.skipif(ENGINE != "postgres", reason="PostgreSQL's dump")
async def test_a_pg_dump_taken_while_the_poll_is_open_does_not_tell_a_secret_choice(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s, poll, truth = await _lone_casts(client)
    done = await asyncio.to_thread(
        subprocess.run,
        ["pg_dump", "--data-only", "--no-owner", _pg_dsn(settings)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )
    dump = done.stdout
    assert "meetings_ballot_receipt" in dump
    assert _hits(_attack_dump(dump, poll["id"]), truth) <= _chance(truth)
    assert not PLAIN.search(dump.encode())
    await _sealed_ballots_look_alike(poll["id"], truth)
    await close_poll(client, s, poll["id"])


# --- PostgreSQL: the heap through pageinspect, dead tuples included, after the close ----------


async def _heap_tuples() -> list[tuple[str, str, bytes]]:
    """(table, inserting transaction id, raw data) of every tuple on every page of every table,
    dead or alive, as ``pageinspect`` shows a superuser."""
    conn = connections.get("default")
    await conn.execute_script("CREATE EXTENSION IF NOT EXISTS pageinspect")
    tables = await conn.execute_query_dict(
        "SELECT relname, pg_relation_size(oid) / current_setting('block_size')::int AS pages "
        "FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
    )
    out = []
    for table in tables:
        for page in range(int(table["pages"])):
            rows = await conn.execute_query_dict(
                "SELECT t_xmin::text AS xmin, t_data FROM heap_page_items(get_raw_page($1, $2)) "
                "WHERE t_data IS NOT NULL",
                [table["relname"], page],
            )
            out += [(table["relname"], r["xmin"], bytes(r["t_data"])) for r in rows]
    return out


def _attack_heap(tuples: list[tuple[str, str, bytes]], receipts: dict[str, int]) -> dict[int, str]:
    """A tuple holding a choice, written by the same transaction as a receipt, is its ballot."""
    by_transaction: dict[str, set[str]] = {}
    for table, xmin, data in tuples:
        if table == "meetings_ballot_receipt":
            continue
        found = JSONB.search(data) or PLAIN.search(data)
        if found:
            by_transaction.setdefault(xmin, set()).add(found.group(1).decode())
    guess = {}
    for xmin, user_id in receipts.items():
        choices = by_transaction.get(xmin, set())
        if len(choices) == 1:
            guess[user_id] = next(iter(choices))
    return guess


@pytest.mark.skipif(ENGINE != "postgres", reason="PostgreSQL's heap")
async def test_dead_tuples_read_with_pageinspect_after_the_close_do_not_tell_a_secret_choice(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s, poll, truth = await _lone_casts(client)
    await close_poll(client, s, poll["id"])
    conn = connections.get("default")
    receipts = {
        r["xmin"]: int(r["user_id"])
        for r in await conn.execute_query_dict(
            "SELECT xmin::text AS xmin, user_id FROM meetings_ballot_receipt WHERE poll_id = $1",
            [poll["id"]],
        )
    }
    assert len(receipts) == VOTERS  # lone casts: one transaction each
    tuples = await _heap_tuples()
    assert _hits(_attack_heap(tuples, receipts), truth) <= _chance(truth)
    assert not any(
        JSONB.search(data) or PLAIN.search(data)
        for table, _, data in tuples
        if table.startswith("meetings_ballot")
    )
    await _sealed_ballots_look_alike(poll["id"], truth)


# --- what is stored instead ---------------------------------------------------------------------


async def _sealed_ballots_look_alike(poll_id: int, truth: dict[int, str]) -> None:
    """What is stored instead: boxes of one length whatever they hold, that open only with the
    key derived from SECRET_KEY (the operator's, which then finds exactly the cast choices)."""
    poll = await Poll.get(id=poll_id)
    boxes = [
        bytes(b)
        for b in await SealedBallots.filter(poll_id=poll_id).values_list("sealed", flat=True)
    ]
    slot = sealing.slot("motion", [], 1)
    if poll.status == "open":  # one box per lone cast, yes, no or abstain alike
        assert [len(b) for b in boxes] == [48 + 1 + slot] * VOTERS
    else:  # after the close: one box of every choice
        assert [len(b) for b in boxes] == [48 + 1 + VOTERS * slot]
    assert await Ballot.filter(poll_id=poll_id).count() == 0
    assert poll.ballot_key is not None and poll.sealed_key is not None
    with pytest.raises(CryptoError):  # the boxes are sealed to the poll's key, not any other
        SealedBox(PrivateKey.generate()).decrypt(boxes[0])
    settings_key = keys._secret
    try:
        keys.configure("another deployment's SECRET_KEY")
        with pytest.raises(sealing.KeyUnavailable):
            sealing.open_key(
                poll.ballot_key, poll.sealed_key, keys.derive("meetings.poll-key", str(poll_id))
            )
    finally:
        keys._secret = settings_key
    assert sorted(await services.stored_choices(poll_id)) == sorted(truth.values())
