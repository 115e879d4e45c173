"""The audit chain: what writes an entry, and `council verify-audit` catching tampering.

The tampering is done the way an insider with database access would: raw SQL on the table.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import httpx
from tortoise import connections

from council.models import AuditEntry, Council
from council.settings import Settings
from tests.factories import PASSWORD, bearer, login, make_council, make_user


def verify_audit(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """`council verify-audit` as a subprocess against this test's data directory and database."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SECRET_KEY")}
    env.update(COUNCIL_DATA_DIR=str(settings.data_dir), DATABASE_URL=settings.database_url)
    return subprocess.run(
        [sys.executable, "-m", "council.cli", "verify-audit", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _entries(**filters: Any) -> list[AuditEntry]:
    return await AuditEntry.filter(**filters).order_by("id")


async def _sql(query: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        for i in range(query.count("?")):
            query = query.replace("?", f"${i + 1}", 1)
    return list(await conn.execute_query_dict(query, values or []))


async def _chain_of(n: int) -> list[AuditEntry]:
    """At least ``n`` entries from real operations, in one council's chain (its users' creation),
    beside entries of the deployment's chain (the administrator's)."""
    city = await make_council("HN")
    admin = await make_user("admin")
    while await AuditEntry.filter(chain=city.id).count() < n:
        await make_user("delegate", city)
    entries = await _entries(chain=city.id)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1)) and admin
    assert {e.council_id for e in entries} == {city.id}
    assert await AuditEntry.filter(chain=0).exists()
    return entries


# --- what is recorded ------------------------------------------------------------------------


async def test_logins_failures_denials_and_changes_are_recorded(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    city = await make_council("HN")
    admin = await make_user("admin", username="quantri")
    delegate = await make_user("delegate", city, username="daibieu.hn")
    start = max([e.id for e in await AuditEntry.all()], default=0)

    r = await client.post(
        "/api/v1/auth/token", json={"username": "daibieu.hn", "password": PASSWORD}
    )
    assert r.status_code == 200
    r = await client.post(
        "/api/v1/auth/token", json={"username": "daibieu.hn", "password": "sai-mat-khau"}
    )
    assert r.status_code == 401
    r = await client.post(
        "/api/v1/councils",
        headers=await bearer(delegate),
        json={"code": "DN", "name": "Đà Nẵng", "level": "city", "seats": 52},
    )
    assert r.status_code == 403
    r = await client.post(
        "/api/v1/councils",
        headers=await bearer(admin),
        json={"code": "DN", "name": "Đà Nẵng", "level": "city", "seats": 52},
    )
    assert r.status_code == 201
    r = await client.post(
        "/api/v1/users",
        headers=await bearer(admin),
        json={
            "username": "vanphong.dn",
            "password": PASSWORD,
            "role": "secretariat",
            "council_code": "DN",
            "full_name": "Văn phòng",
        },
    )
    assert r.status_code == 201

    new = await AuditEntry.filter(id__gt=start).order_by("id")
    ops = [e.operation for e in new]
    assert "auth.token" in ops and "auth.login_failed" in ops
    assert "permission.denied" in ops and "council.create" in ops and "user.create" in ops

    token = next(e for e in new if e.operation == "auth.token" and e.actor_id == delegate.id)
    assert token.actor_name == "daibieu.hn" and token.created_at is not None
    failed = next(e for e in new if e.operation == "auth.login_failed")
    assert failed.details.get("username") == "daibieu.hn" and "sai-mat-khau" not in str(
        failed.details
    )
    denied = next(e for e in new if e.operation == "permission.denied")
    assert denied.actor_id == delegate.id and denied.target_id == "council.create"
    assert denied.council_id == city.id
    created = next(e for e in new if e.operation == "council.create")
    assert created.actor_id == admin.id
    user_created = next(e for e in new if e.operation == "user.create")
    assert user_created.actor_id == admin.id and PASSWORD not in str(user_created.details)
    for chain in {e.chain for e in new}:  # each chain's new entries follow one another
        linked = [e for e in new if e.chain == chain]
        assert all(e.prev_hash == p.hash for p, e in zip(linked, linked[1:], strict=False))


async def test_browser_login_and_logout_are_recorded(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    user = await make_user("citizen", username="congdan1")
    page = await client.get("/login")
    csrf = client.cookies.get("csrftoken")
    assert page.status_code == 200 and csrf
    r = await client.post(
        "/login", data={"username": "congdan1", "password": PASSWORD, "csrf_token": csrf}
    )
    assert r.status_code == 303
    # The login rotated the CSRF token: the page after it carries the new one.
    r = await client.post("/logout", data={"csrf_token": client.cookies.get("csrftoken")})
    assert r.status_code == 303
    ops = [e.operation for e in await _entries(actor_id=user.id)]
    assert ops[-2:] == ["auth.login", "auth.logout"]


async def test_a_denied_page_is_recorded(client: httpx.AsyncClient, settings: Settings) -> None:
    city = await make_council("HN")
    delegate = await make_user("delegate", city)
    await login(client, delegate)
    before = await AuditEntry.filter(operation="permission.denied").count()
    r = await client.post(
        "/api/v1/agencies",
        json={
            "code": "SO-XD",
            "name": "Sở Xây dựng",
            "council_code": "HN",
            "categories": ["transport"],
        },
    )
    assert r.status_code == 403
    assert await AuditEntry.filter(operation="permission.denied").count() == before + 1


# --- verify-audit --------------------------------------------------------------------------------


async def test_verify_audit_passes_on_an_intact_chain(settings: Settings) -> None:
    entries = await _chain_of(6)
    every = await _entries()
    out = verify_audit(settings)
    assert out.returncode == 0, out.stderr
    assert re.search(
        rf"intact: {len(every)} entries \(head {every[-1].hash}\); 2 chains", out.stdout
    )
    # One anchor per chain: the deployment's (SEQ:HASH), then the council's (COUNCIL:SEQ:HASH).
    deployment = (await _entries(chain=0))[-1]
    council = entries[-1]
    assert re.findall(r"^anchor: (\S+)$", out.stdout, re.M) == [
        f"{deployment.seq}:{deployment.hash}",
        f"{council.council_id}:{council.seq}:{council.hash}",
    ]


async def test_each_council_has_its_own_chain_from_its_first_entry(settings: Settings) -> None:
    """Entries of two councils and of none, interleaved: three chains, each numbered from 1 and
    linked from the genesis, each verified on its own."""
    from council.audit import GENESIS

    a, b = await make_council("HN"), await make_council("HP")
    for _ in range(3):
        await make_user("delegate", a)
        await make_user("delegate", b)
        await make_user("admin")
    for chain in (0, a.id, b.id):
        entries = await _entries(chain=chain)
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1)), chain
        assert entries[0].prev_hash == GENESIS
        assert all(x.hash == y.prev_hash for x, y in zip(entries, entries[1:], strict=False))
        assert {e.council_id or 0 for e in entries} == {chain}
    assert verify_audit(settings).returncode == 0


async def test_an_entry_moved_to_another_council_s_chain_is_caught(settings: Settings) -> None:
    """The chain column is not hashed, but an entry sits only in its council's chain (or the
    deployment's): moved to another council's chain, with the seq that follows there, it is
    caught."""
    entries = await _chain_of(3)
    other = await make_council("HP")
    await make_user("delegate", other)
    last = (await _entries(chain=other.id))[-1]
    victim = entries[-1]
    await _sql(
        "UPDATE audit_entry SET chain = ?, seq = ? WHERE id = ?",
        [other.id, last.seq + 1, victim.id],
    )
    out = verify_audit(settings)
    assert out.returncode == 1
    assert f"seq={last.seq + 1} id={victim.id} of council {other.id}'s chain" in out.stdout


async def test_an_anchor_printed_by_verify_audit_catches_the_newest_entries_cut_off(
    settings: Settings,
) -> None:
    """Deleting the newest entries of a council's chain leaves a chain that verifies by itself;
    the anchor recorded by an earlier run (or printed in a session's minutes) shows them gone."""
    entries = await _chain_of(4)
    city = entries[0].council_id
    out = verify_audit(settings)
    assert out.returncode == 0, out.stderr
    anchor = re.search(rf"^anchor: ({city}:\d+:[0-9a-f]{{64}})$", out.stdout, re.M)
    assert anchor, out.stdout
    seq = int(anchor.group(1).split(":")[1])
    await make_user("delegate", await make_council("HP"))  # the chains go on
    await make_user("delegate", await Council.get(id=city))
    assert verify_audit(settings, "--anchor", anchor.group(1)).returncode == 0

    await _sql("DELETE FROM audit_entry WHERE chain = ? AND seq >= ?", [city, seq - 1])
    assert verify_audit(settings).returncode == 0  # the chain alone cannot tell
    out = verify_audit(settings, "--anchor", anchor.group(1))
    assert out.returncode == 1
    assert f"broken at entry seq={seq} of council {city}'s chain:" in out.stdout
    assert "cut" in out.stdout


async def test_an_anchor_catches_a_chain_rewritten_from_an_entry_on(settings: Settings) -> None:
    """An insider rewrites an entry and every hash after it: the chain verifies again, but not
    against the hash recorded for that entry."""
    from council.audit import compute_hash

    entries = await _chain_of(5)
    anchor = f"{entries[2].council_id}:{entries[2].seq}:{entries[2].hash}"
    prev = entries[1].hash
    for entry in entries[2:]:
        if entry is entries[2]:
            entry.details = {"note": "rewritten"}
        entry.prev_hash = prev
        entry.hash = compute_hash(entry)
        await _sql(
            "UPDATE audit_entry SET details = ?, prev_hash = ?, hash = ? WHERE id = ?",
            [json.dumps(entry.details), entry.prev_hash, entry.hash, entry.id],
        )
        prev = entry.hash
    assert verify_audit(settings).returncode == 0
    out = verify_audit(settings, "--anchor", anchor)
    assert out.returncode == 1
    assert f"seq={entries[2].seq} id={entries[2].id}" in out.stdout and "anchor" in out.stdout


async def test_verify_audit_refuses_a_malformed_anchor(settings: Settings) -> None:
    for bad in (
        "7",
        "x:" + "0" * 64,
        "7:abc",
        "0:" + "0" * 64,
        "7:" + "g" * 64,
        "0:7:" + "0" * 64,
        "3:0:" + "0" * 64,
        "3:7:" + "0" * 63,
    ):
        out = verify_audit(settings, "--anchor", bad)
        assert out.returncode == 2 and "COUNCIL:SEQ:HASH" in out.stderr, (bad, out.stderr)


async def test_verify_audit_detects_an_edited_entry(settings: Settings) -> None:
    entries = await _chain_of(6)
    victim = entries[2]
    await _sql("UPDATE audit_entry SET actor_name = ? WHERE id = ?", ["someone-else", victim.id])
    out = verify_audit(settings)
    assert out.returncode == 1
    assert f"seq={victim.seq} id={victim.id}" in out.stdout and "changed" in out.stdout


async def test_verify_audit_detects_an_edit_that_recomputes_the_entry_hash(
    settings: Settings,
) -> None:
    """Rewriting an entry with a fresh, valid hash still breaks the link to the next one."""
    from council.audit import compute_hash

    entries = await _chain_of(6)
    victim = entries[2]
    victim.details = {"note": "rewritten"}
    new_hash = compute_hash(victim)
    await _sql(
        "UPDATE audit_entry SET details = ?, hash = ? WHERE id = ?",
        ['{"note":"rewritten"}', new_hash, victim.id],
    )
    out = verify_audit(settings)
    assert out.returncode == 1
    following = entries[3]
    assert f"seq={following.seq} id={following.id}" in out.stdout


async def test_verify_audit_detects_a_deleted_entry(settings: Settings) -> None:
    entries = await _chain_of(6)
    await _sql("DELETE FROM audit_entry WHERE id = ?", [entries[2].id])
    out = verify_audit(settings)
    assert out.returncode == 1
    after = entries[3]
    assert f"seq={after.seq} id={after.id}" in out.stdout and "missing" in out.stdout


async def test_verify_audit_detects_two_swapped_entries(settings: Settings) -> None:
    """Two rows exchange their place in the table (every column but the row id)."""
    entries = await _chain_of(6)
    a, b = entries[2], entries[3]
    columns = [
        "seq",
        "created_at",
        "actor_id",
        "actor_name",
        "operation",
        "target_type",
        "target_id",
        "council_id",
        "ip",
        "details",
        "prev_hash",
        "hash",
    ]
    rows = {
        r["id"]: r for r in await _sql("SELECT * FROM audit_entry WHERE id IN (?, ?)", [a.id, b.id])
    }
    await _sql("UPDATE audit_entry SET seq = ? WHERE id = ?", [-1, a.id])
    for target, source in ((b.id, a.id), (a.id, b.id)):
        sets = ", ".join(f"{c} = ?" for c in columns)
        values = [_raw(rows[source][c]) for c in columns]
        await _sql(f"UPDATE audit_entry SET {sets} WHERE id = ?", [*values, target])
    out = verify_audit(settings)
    assert out.returncode == 1
    assert f"seq={b.seq} id={a.id}" in out.stdout  # the first row out of place
    assert "out of order" in out.stdout or "missing" in out.stdout


async def test_verify_audit_detects_swapped_contents_with_sequence_kept(settings: Settings) -> None:
    """The subtler swap: the sequence numbers stay, the contents of two entries trade places."""
    entries = await _chain_of(6)
    a, b = entries[2], entries[3]
    columns = ["operation", "actor_id", "actor_name", "target_type", "target_id", "details"]
    rows = {
        r["id"]: r for r in await _sql("SELECT * FROM audit_entry WHERE id IN (?, ?)", [a.id, b.id])
    }
    for target, source in ((a.id, b.id), (b.id, a.id)):
        sets = ", ".join(f"{c} = ?" for c in columns)
        await _sql(
            f"UPDATE audit_entry SET {sets} WHERE id = ?",
            [*[_raw(rows[source][c]) for c in columns], target],
        )
    out = verify_audit(settings)
    assert out.returncode == 1
    assert f"seq={a.seq} id={a.id}" in out.stdout


def _raw(value: Any) -> Any:
    """A value read back from the driver, ready to be written again (JSON columns as text)."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return value


def test_the_migration_creates_the_append_function_the_code_calls() -> None:
    """PostgreSQL's ``council_audit_append`` is created by the migration from a frozen copy of
    ``council.audit.PG_APPEND_FUNCTION``: a change to one without the other (and a new migration)
    would hash or insert differently from what the code expects."""
    import importlib

    from council import audit

    migration = importlib.import_module("council.migrations.0008_audit_append_function")
    assert migration.PG_APPEND_FUNCTION == audit.PG_APPEND_FUNCTION
