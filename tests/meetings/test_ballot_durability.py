"""Secret ballots survive what a server goes through: a kill -9 in the middle of a burst, a restart,
a backup restored on another node. Crash safety comes before secrecy from the operator: the poll's
key lives in the database (sealed under SECRET_KEY), so any node that has both can close it."""

from __future__ import annotations

import asyncio
import random
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tortoise.context import TortoiseContext

from council import db, keys
from council.backup import backup, restore
from council.errors import DomainError
from council.models import User
from council.settings import Settings
from meetings import services
from meetings.models import BallotReceipt, Poll
from tests.conftest import ENGINE, _pg_admin, _pg_url, free_port
from tests.meetings.helpers import (
    Sitting,
    cast,
    close_poll,
    create_poll,
    open_poll,
    setup_running_session,
)
from tests.processes import cli_env, council_serve

CHOICES = ("yes", "no", "abstain")


def _choices(voters: list[User], seed: int) -> dict[int, str]:
    rng = random.Random(seed)
    return {u.id: rng.choice(CHOICES) for u in voters}


async def _secret_poll(client: httpx.AsyncClient, present: int) -> tuple[Sitting, int, list[User]]:
    s = await setup_running_session(client, seats=present + 5, present=present)
    poll = await create_poll(client, s, title="Bỏ phiếu kín bãi nhiệm", secret=True)
    assert (await open_poll(client, s, poll["id"])).status_code == 200
    return s, poll["id"], [s.chair, *s.delegates[: present - 1]]


async def test_kill_9_during_a_burst_loses_no_acknowledged_ballot_and_counts_none_twice(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s, poll_id, voters = await _secret_poll(client, present=80)
    truth = _choices(voters, 9)
    env = cli_env(settings.data_dir, settings.database_url)
    port = free_port()
    acked: set[int] = set()
    with council_serve(env, port) as server:

        async def one(http: httpx.AsyncClient, user: User) -> None:
            try:
                r = await http.post(
                    f"/api/v1/polls/{poll_id}/ballots",
                    headers=s.h(user),
                    json={"choice": truth[user.id]},
                )
            except httpx.HTTPError:
                return  # the server died with this cast in flight: committed or not, unknown
            if r.status_code == 201:
                acked.add(user.id)

        async def kill_once_a_batch_of_the_burst_commits() -> None:
            # As soon as the database holds a ballot of the burst: batches are being written,
            # some committed and not yet answered, others not yet begun.
            for _ in range(15_000):  # polls the database from this process, up to 30 s
                if await BallotReceipt.filter(poll_id=poll_id).count() > len(first):
                    break
                await asyncio.sleep(0.002)
            server.send_signal(signal.SIGKILL)

        limits = httpx.Limits(max_connections=len(voters))
        base = f"http://127.0.0.1:{port}"
        first, burst = voters[:10], voters[10:]
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
            await asyncio.gather(*[one(http, u) for u in first])
            assert acked == {u.id for u in first}
            killer = asyncio.create_task(kill_once_a_batch_of_the_burst_commits())
            await asyncio.gather(*[one(http, u) for u in burst])
            await asyncio.wait_for(killer, 30)
        assert server.wait(timeout=10) == -signal.SIGKILL
    assert len(acked) < len(voters)

    # Restarted: every acknowledged ballot is there, and every delegate may cast (again).
    with council_serve(env, port):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            answers = {}
            for user in voters:
                r = await cast(http, s, user, poll_id, truth[user.id])
                answers[user.id] = (
                    r.status_code if r.status_code == 201 else r.json()["error"]["code"]
                )
            assert all(answers[u] == "already_voted" for u in acked)
            assert set(answers.values()) <= {201, "already_voted"}
            # The poll interrupted by the crash closes and tallies on the restarted server.
            result = (await close_poll(http, s, poll_id))["result"]
    counts = Counter(truth.values())
    assert (result["yes"], result["no"], result["abstain"]) == (
        counts["yes"],
        counts["no"],
        counts["abstain"],
    )
    poll = await Poll.get(id=poll_id)
    assert poll.voted == len(voters) == await BallotReceipt.filter(poll_id=poll_id).count()
    assert sorted(await services.stored_choices(poll_id)) == sorted(truth.values())


@pytest.fixture
async def elsewhere(tmp_path: Path) -> AsyncIterator[tuple[Path, str]]:
    """Another node's data directory and a database for it that does not exist yet."""
    if ENGINE == "postgres":
        name = f"council_node_{uuid.uuid4().hex[:10]}"
        yield tmp_path / "node2", _pg_url(name)
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield tmp_path / "node2", f"sqlite://{tmp_path / 'node2' / 'council.db'}"


@pytest.mark.parametrize("same_key", [True, False])
async def test_a_backup_of_an_open_secret_poll_is_tallied_on_a_node_with_the_same_secret_key(
    client: httpx.AsyncClient,
    settings: Settings,
    elsewhere: tuple[Path, str],
    tmp_path: Path,
    same_key: bool,
) -> None:
    s, poll_id, voters = await _secret_poll(client, present=12)
    truth = _choices(voters, 4)
    for user in voters:
        assert (await cast(client, s, user, poll_id, truth[user.id])).status_code == 201
    await backup(settings, tmp_path / "backup")
    # The backup holds the database and the files, not the key that opens the poll's key.
    assert settings.secret_key.encode() not in b"".join(
        p.read_bytes() for p in (tmp_path / "backup").rglob("*") if p.is_file()
    )

    data_dir, url = elsewhere
    key = settings.secret_key if same_key else "a key of another deployment, " + "x" * 40
    node = Settings.from_env({"SECRET_KEY": key}, data_dir=str(data_dir), database_url=url)
    try:
        async with TortoiseContext():
            await restore(node, tmp_path / "backup")
            await db.init(node)
            chair = await User.get(id=s.chair.id)
            if same_key:
                poll = await services.poll_close(chair, poll_id)
                counts = Counter(truth.values())
                assert poll.result is not None
                assert [poll.result[c] for c in CHOICES] == [counts[c] for c in CHOICES]
            else:
                with pytest.raises(DomainError) as refused:
                    await services.poll_close(chair, poll_id)
                assert (refused.value.code, refused.value.status) == ("ballot_key_unavailable", 503)
                assert (await Poll.get(id=poll_id)).status == "open"  # nothing was lost
            await db.close()
    finally:
        keys.configure(settings.secret_key)
    # This node's poll is untouched, and closes here too.
    result = (await close_poll(client, s, poll_id))["result"]
    assert result["yes"] == Counter(truth.values())["yes"]
