"""Database faults answer 503 ``unavailable`` with Retry-After, never 500; reads are tried again.

PostgreSQL: the server drops the app's connections (``pg_terminate_backend``) again and again
while requests run. SQLite: another process holds the write lock past the busy timeout.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY

from council.settings import Settings
from tests.conftest import ENGINE
from tests.factories import bearer, make_council, make_user


def _faults(outcome: str) -> float:
    return REGISTRY.get_sample_value("council_db_faults_total", {"outcome": outcome}) or 0.0


def _unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "unavailable"
    assert int(r.headers["Retry-After"]) > 0


@pytest.mark.skipif(ENGINE != "postgres", reason="drops PostgreSQL connections")
async def test_dropped_connections_answer_503_never_500(
    settings: Settings, live_server: str
) -> None:
    import asyncpg

    admin = await make_user("admin")
    chair = await make_user("chair", await make_council())
    admin_h, chair_h = await bearer(admin), await bearer(chair)
    database = settings.database_url.rsplit("/", 1)[1]
    killer = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://"))
    retried_before = _faults("retried")
    statuses: Counter[tuple[str, int]] = Counter()
    stop = time.monotonic() + 6

    async def drop_connections() -> int:
        dropped = 0
        while time.monotonic() < stop:
            dropped += len(
                await killer.fetch(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = $1 AND pid <> pg_backend_pid()",
                    database,
                )
            )
            await asyncio.sleep(1.0)
        return dropped

    async def user(n: int, http: httpx.AsyncClient) -> None:
        i = 0
        while time.monotonic() < stop:
            i += 1
            if i % 4 == 0:
                r = await http.post(
                    "/api/v1/councils",
                    json={
                        "code": f"F{n}X{i}",
                        "name": f"Council {n} {i}",
                        "level": "city",
                        "seats": 9,
                    },
                    headers=admin_h,
                )
            else:
                r = await http.get("/api/v1/me", headers=chair_h)
            statuses[(r.request.method, r.status_code)] += 1
            if r.status_code == 503:
                _unavailable(r)
            else:
                assert r.status_code in (200, 201), r.text

    try:
        async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
            dropped, *_ = await asyncio.gather(
                drop_connections(), *(user(n, http) for n in range(6))
            )
    finally:
        await killer.close()
    assert dropped > 0
    assert not [k for k in statuses if k[1] >= 500 and k[1] != 503], statuses
    # Reads met dropped connections and were tried again; most of them were answered.
    assert _faults("retried") > retried_before, statuses
    reads_ok, reads = statuses[("GET", 200)], sum(v for k, v in statuses.items() if k[0] == "GET")
    assert reads_ok >= reads * 0.8, statuses
    # Once the connections stay up, everything answers again.
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        assert (await http.get("/api/v1/me", headers=chair_h)).status_code == 200


@pytest.mark.skipif(ENGINE != "sqlite", reason="locks the SQLite file")
async def test_a_locked_sqlite_file_answers_503_never_500(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    """Another process holds the write lock past the busy timeout (10 s): the write answers
    503 unavailable; reads (WAL) go on; once the lock is gone, writes work again."""
    admin_h = await bearer(await make_user("admin"))
    path = Path(settings.database_url.split("://", 1)[1])
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        body = {"code": "LOCKED", "name": "Hội đồng bị khóa", "level": "city", "seats": 9}
        r = await client.post("/api/v1/councils", json=body, headers=admin_h)
        _unavailable(r)
        assert (await client.get("/api/v1/councils")).status_code == 200
    finally:
        other.execute("ROLLBACK")
        other.close()
    r = await client.post("/api/v1/councils", json=body, headers=admin_h)
    assert r.status_code == 201, r.text


@pytest.mark.skipif(ENGINE != "postgres", reason="PostgreSQL's deadlock detector")
async def test_a_deadlock_answers_503_never_500(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    """Another connection locks the sitting's row FOR UPDATE; an agenda move takes the council's
    audit chain lock, then waits for that row (its change notice's foreign key); the other
    connection then waits for the chain. PostgreSQL breaks the deadlock by rolling back the move
    (the other connection looks for deadlocks only after a minute): 503 unavailable, not 500."""
    import asyncpg

    from council import audit
    from meetings.models import Session
    from tests.meetings.helpers import setup_running_session

    s = await setup_running_session(client, seats=8, present=6)
    rival = await asyncpg.connect(settings.database_url)
    watcher = await asyncpg.connect(settings.database_url)
    try:
        transaction = rival.transaction()
        await transaction.start()
        await rival.execute("SET LOCAL deadlock_timeout = '60s'")
        await rival.execute(
            f"SELECT id FROM {Session._meta.db_table} WHERE id = $1 FOR UPDATE", s.session_id
        )
        move = asyncio.ensure_future(
            client.post(
                f"/api/v1/items/{s.items[3]}/move",
                headers=s.h(s.secretariat),
                json={"position": 1},
            )
        )
        for _ in range(1000):  # until the move waits for the sitting's row
            rows = await watcher.fetch(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple')"
            )
            if rows:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the move never waited for the sitting's row")
        chain = asyncio.ensure_future(
            rival.execute("SELECT pg_advisory_xact_lock($1, $2)", audit._ADVISORY_KEY, s.council.id)
        )
        r = await asyncio.wait_for(move, 60)
        await asyncio.wait_for(chain, 60)
        await transaction.rollback()
    finally:
        await rival.close()
        await watcher.close()
    _unavailable(r)
