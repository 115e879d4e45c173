"""Benchmark: a city's sitting day. Many councils sit at once on one deployment, and ten of them
vote in the same moment.

    .venv/bin/python bench/cityday.py [--delegates 2000] [--sittings N] [--polls 10]
                                      [--processes 8] [--runs 3] [--workers 2]
                                      [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                                      [--redis-url redis://127.0.0.1:6379/0]
                                      [--redis-channel PREFIX]

The delegates (python-socketio clients over websocket, in ``--processes`` processes) sit in
``--sittings`` sittings of 25–35 seats (70 for 2,000 delegates), each a council of its own with a
sitting in progress and every delegate checked in. They are served by ``council serve --workers 2``
on PostgreSQL (a database of the bench's own, created and dropped) with Redis. Their API tokens are
created directly in the database (no 2,000 logins).

Each run takes ``--polls`` sittings (other ones each run): their chairs open a poll each at the
same moment (``POST /api/v1/polls/{id}/open``), every eligible delegate of those sittings casts
over ``ballot:cast`` in one burst, and the chairs close them at the same moment. Measured, as
p50/p99 over every delegate concerned:

- poll opened → ``poll:opened`` received (and the last of its room: "by all");
- ballot cast → its ack;
- close → ``poll:closed`` with the result received;

and the same on a floor served in the same run to the same clients (each delegate holds a second
connection): a bare python-socketio server with ``AsyncRedisManager``, also two uvicorn workers,
whose ``POST /emit`` broadcasts a payload of the same size to a room and whose ``ballot:cast``
acks at once. Each figure is a ratio to its floor; the bench prints the median over ``--runs``
runs. Goals: every ratio ≤ 1.5, every ballot recorded, every tally exact.

The bench raises its own open-file limit (two sockets per delegate) and prints the memory of each
worker of both servers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import multiprocessing as mp
import os
import random
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHOICES = ("yes", "yes", "yes", "yes", "yes", "yes", "no", "no", "no", "abstain")
WAIT = 120.0  # an upper bound for anything to arrive


def choice_for(user_id: int, run: int) -> str:
    return CHOICES[(user_id * 7 + run) % len(CHOICES)]


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def raise_open_files() -> int:
    """Raise this process's open-file limit to its hard limit (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 1_048_576 if hard == resource.RLIM_INFINITY else hard
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- the floor: a bare python-socketio server on Redis ---------------------------------------


def floor_app() -> Any:
    """The floor's ASGI app (``uvicorn --factory bench.cityday:floor_app``): python-socketio with
    ``AsyncRedisManager``, a room join, a no-op ``ballot:cast`` and ``POST /emit``."""
    import json

    import socketio

    manager = socketio.AsyncRedisManager(
        os.environ["CITYDAY_REDIS_URL"], channel=os.environ["CITYDAY_REDIS_CHANNEL"]
    )
    sio = socketio.AsyncServer(
        async_mode="asgi", client_manager=manager, ping_interval=10, ping_timeout=10
    )

    @sio.on("join")
    async def join(sid: str, data: Any) -> dict[str, Any]:
        await sio.enter_room(sid, data["room"])
        return {"ok": True}

    @sio.on("ballot:cast")
    async def cast(sid: str, data: Any) -> dict[str, Any]:
        return {"ok": True, "recorded": True}

    async def emit(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) != ("POST", "/emit"):
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = json.loads(body)
        await sio.emit(request["event"], request["data"], room=request["room"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    return socketio.ASGIApp(sio, other_asgi_app=emit)


# --- client processes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Delegate:
    user_id: int
    sitting: int  # index
    session_id: int
    token: str


def client_process(conn: Any, app: str, floor: str, delegates: list[Delegate]) -> None:
    asyncio.run(_clients(conn, app, floor, delegates))


async def _clients(conn: Any, app: str, floor: str, delegates: list[Delegate]) -> None:
    import socketio

    loop = asyncio.get_running_loop()
    seen: dict[tuple[str, int], list[float]] = defaultdict(list)
    arrived = asyncio.Event()
    socks: dict[str, dict[int, socketio.AsyncClient]] = {"app": {}, "floor": {}}

    def recorder(kind: str, key: str) -> Any:
        async def on_event(data: Any) -> None:
            tag = data["poll"]["id"] if key == "poll" else data[key]
            seen[(kind, int(tag))].append(time.monotonic())
            arrived.set()

        return on_event

    async def connect(d: Delegate) -> None:
        # engine.io's 5 s for a request is short for the handshakes of thousands of sockets on a
        # loaded machine: 60 s, and three tries, as a tablet would try again.
        a = socketio.AsyncClient(reconnection=False, request_timeout=60)
        a.on("poll:opened", recorder("app:opened", "poll"))
        a.on("poll:closed", recorder("app:closed", "poll_id"))
        f = socketio.AsyncClient(reconnection=False, request_timeout=60)
        f.on("floor:opened", recorder("floor:opened", "tag"))
        f.on("floor:closed", recorder("floor:closed", "tag"))
        for attempt in range(3):
            try:
                if not a.connected:
                    await a.connect(
                        app, auth={"token": d.token}, transports=["websocket"], wait_timeout=60
                    )
                if not f.connected:
                    await f.connect(floor, transports=["websocket"], wait_timeout=60)
                break
            except socketio.exceptions.ConnectionError:
                if attempt == 2:
                    raise
                await asyncio.sleep(1 + attempt)
        ack = await a.call("session:join", {"session_id": d.session_id}, timeout=WAIT)
        if not ack.get("ok"):
            raise RuntimeError(f"join refused: {ack}")
        await f.call("join", {"room": f"sitting:{d.sitting}"}, timeout=WAIT)
        socks["app"][d.user_id], socks["floor"][d.user_id] = a, f

    for start in range(0, len(delegates), 20):
        await asyncio.gather(*(connect(d) for d in delegates[start : start + 20]))
    # As the served app does once started: collect the set-up's garbage and freeze what is left,
    # so that no full collection over it lands at random in a measured burst.
    gc.collect()
    gc.freeze()
    conn.send(("ready", len(delegates)))

    async def cast(server: str, polls: dict[int, int], run: int, at: float) -> list[Any]:
        voters = [d for d in delegates if d.sitting in polls]
        await asyncio.sleep(max(0.0, at - time.monotonic()))

        async def one(d: Delegate) -> tuple[float, bool, str]:
            payload = {"poll_id": polls[d.sitting], "choice": choice_for(d.user_id, run)}
            t0 = time.monotonic()
            ack = await socks[server][d.user_id].call("ballot:cast", payload, timeout=WAIT)
            ok = bool(ack.get("ok"))
            return time.monotonic() - t0, ok, "" if ok else ack["error"]["code"]

        return await asyncio.gather(*(one(d) for d in voters))

    while True:
        command, *args = await loop.run_in_executor(None, conn.recv)
        if command == "wait":
            kind, tags, deadline = args  # tags: {tag: sitting index}
            expected = {t: sum(1 for d in delegates if d.sitting == s) for t, s in tags.items()}
            while time.monotonic() < deadline and any(
                len(seen[(kind, t)]) < n for t, n in expected.items()
            ):
                arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), deadline - time.monotonic())
            conn.send({t: seen.pop((kind, t), []) for t in tags})
        elif command == "cast":
            server, polls, run, at = args
            conn.send(await cast(server, polls, run, at))
        elif command == "stop":
            every = [s for per in socks.values() for s in per.values()]
            await asyncio.gather(*(s.disconnect() for s in every), return_exceptions=True)
            conn.send("stopped")
            return


# --- set-up ----------------------------------------------------------------------------------


def seat_counts(delegates: int, sittings: int, rng: random.Random) -> list[int]:
    """``sittings`` sizes of 25–35 seats that add up to ``delegates``."""
    if not 25 * sittings <= delegates <= 35 * sittings:
        raise SystemExit(f"{delegates} delegates do not fit {sittings} sittings of 25-35 seats")
    sizes = [25] * sittings
    left = delegates - 25 * sittings
    while left:
        k = rng.randrange(sittings)
        if sizes[k] < 35:
            sizes[k] += 1
            left -= 1
    return sizes


@dataclass
class Sitting:
    index: int
    session_id: int
    chair_token: str
    delegate_ids: list[int]


async def set_up(sizes: list[int]) -> tuple[list[Sitting], list[Delegate]]:
    from datetime import UTC, datetime, timedelta

    from council.models import AuthToken, User
    from council.security import hash_password, new_token, token_hash
    from council.services import council_create
    from meetings import services
    from meetings.models import Attendance

    password = hash_password(secrets.token_urlsafe(16))
    expires = datetime.now(UTC) + timedelta(hours=12)
    sittings: list[Sitting] = []
    delegates: list[Delegate] = []
    tokens: list[AuthToken] = []

    def token_for(user: User) -> str:
        token = new_token()
        tokens.append(
            AuthToken(key_hash=token_hash(token), kind="api", user_id=user.id, expires_at=expires)
        )
        return token

    for index, seats in enumerate(sizes):
        code = f"CD{index:03d}"
        council = await council_create(
            None, code=code, name=f"Hội đồng nhân dân phường {index + 1}", level="city", seats=seats
        )
        staff = {}
        for role in ("secretariat", "chair"):
            staff[role] = await User.create(
                username=f"{code.lower()}.{role}",
                password_hash=password,
                role=role,
                full_name=f"{role} {code}",
                council_id=council.id,
            )
        await User.bulk_create(
            [
                User(
                    username=f"{code.lower()}.d{i:02d}",
                    password_hash=password,
                    role="delegate",
                    full_name=f"Đại biểu {i:02d} {code}",
                    council_id=council.id,
                )
                for i in range(seats)
            ]
        )
        people = list(await User.filter(council_id=council.id, role="delegate").order_by("id"))
        session = await services.session_create(
            staff["secretariat"],
            council_code=code,
            title=f"Kỳ họp thường lệ, phường {index + 1}",
            starts_at=datetime.now(UTC),
        )
        await services.item_create(
            staff["secretariat"], session.id, title="Dự thảo Nghị quyết", kind="draft_resolution"
        )
        await services.session_start(staff["chair"], session.id)
        await Attendance.bulk_create(
            [
                Attendance(session_id=session.id, user_id=d.id, checked_in_at=datetime.now(UTC))
                for d in people
            ]
        )
        sittings.append(
            Sitting(index, session.id, token_for(staff["chair"]), [d.id for d in people])
        )
        delegates += [Delegate(d.id, index, session.id, token_for(d)) for d in people]
    await AuthToken.bulk_create(tokens, batch_size=1000)
    return sittings, delegates


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], path: str) -> None:
    import httpx

    deadline = time.monotonic() + 600  # a worker's start-up takes a minute on a loaded machine
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"{url} exited with {proc.returncode}")
        try:
            if httpx.get(url + path, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not start")
        time.sleep(0.2)


def descendants(pid: int) -> list[int]:
    """The processes under ``pid`` (uvicorn's workers, from /proc)."""
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def workers_memory(name: str, proc: subprocess.Popen[bytes]) -> str:
    workers = [
        p
        for p in descendants(proc.pid)
        if "resource_tracker"
        not in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")
    ]
    figures = ", ".join(f"{rss_mb(p):.0f} MB" for p in workers)
    return f"{name}: supervisor {rss_mb(proc.pid):.0f} MB; workers {figures}"


def start_servers(
    data_dir: Path, url: str, redis_url: str, workers: int, channel: str
) -> tuple[list[subprocess.Popen[bytes]], str, str]:
    """`council serve --workers N` and the floor (uvicorn, N workers), both ready, each on a
    Redis channel of its own (``channel`` and a suffix): pub/sub channels are shared by every
    database of a Redis server, so on the default one each server's workers would also receive
    the other's broadcasts (and those of any other run or test on that server)."""
    procs: list[subprocess.Popen[bytes]] = []
    secret = secrets.token_urlsafe(48)
    app_port, floor_port = free_port(), free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COUNCIL_", "DATABASE_", "REDIS_", "SECRET_", "STORAGE_", "S3_"))
    }
    node = {
        **env,
        "COUNCIL_DATA_DIR": str(data_dir / "node"),
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "REDIS_CHANNEL": f"{channel}-app",
        "SECRET_KEY": secret,
    }
    log = (data_dir / "serve.log").open("wb")
    procs.append(
        subprocess.Popen(
            [sys.executable, "-m", "council.cli", "serve", "--host", "127.0.0.1"]
            + ["--port", str(app_port), "--workers", str(workers)],
            env=node,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
        )
    )
    procs.append(
        subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.cityday:floor_app", "--factory"]
            + ["--host", "127.0.0.1", "--port", str(floor_port)]
            + ["--workers", str(workers), "--log-level", "warning"],
            env={
                **env,
                "CITYDAY_REDIS_URL": redis_url,
                "CITYDAY_REDIS_CHANNEL": f"{channel}-floor",
            },
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
        )
    )
    app, floor = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{floor_port}"
    try:
        wait_ready(app, procs[0], "/readyz")
        wait_ready(floor, procs[1], "/emit-not-here")
    except BaseException:
        for proc in procs:
            proc.kill()
        raise
    return procs, app, floor


# --- the coordinator -------------------------------------------------------------------------


def _recv(pipe: Any) -> Any:
    try:
        return pipe.recv()
    except EOFError:
        raise RuntimeError(
            "a client process died (see its traceback above): the run is void, try again"
        ) from None


def _gather(pipes: list[Any], message: tuple[Any, ...]) -> list[Any]:
    for pipe in pipes:
        pipe.send(message)
    return [_recv(pipe) for pipe in pipes]


async def ask(pipes: list[Any], message: tuple[Any, ...]) -> list[Any]:
    return await asyncio.get_running_loop().run_in_executor(None, _gather, pipes, message)


async def received(
    pipes: list[Any], kind: str, tags: dict[int, int], t0: dict[int, float]
) -> tuple[list[float], list[float]]:
    """Every client's latency, and per room the latency of its last client ("by all")."""
    answers = await ask(pipes, ("wait", kind, tags, time.monotonic() + WAIT))
    per_tag: dict[int, list[float]] = defaultdict(list)
    for answer in answers:
        for tag, times in answer.items():
            per_tag[tag] += [t - t0[tag] for t in times]
    every = [x for xs in per_tag.values() for x in xs]
    return every, [max(xs) for xs in per_tag.values() if xs]


@dataclass
class Figures:
    opened: list[float]
    opened_all: list[float]
    acks: list[float]
    closed: list[float]
    closed_all: list[float]
    refused: int


async def floor_round(
    http: Any, floor: str, pipes: list[Any], chosen: list[Sitting], run: int, sample: dict[str, Any]
) -> Figures:
    tags = {run * 1000 + s.index: s.index for s in chosen}
    await asyncio.sleep(0.5)  # each step starts on a quiet server

    async def emit(event: str, tag: int, data: dict[str, Any]) -> float:
        body = {"event": event, "room": f"sitting:{tags[tag]}", "data": {**data, "tag": tag}}
        t0 = time.monotonic()
        r = await http.post(f"{floor}/emit", json=body)
        r.raise_for_status()
        return t0

    t0 = dict(
        zip(
            tags,
            await asyncio.gather(*(emit("floor:opened", t, sample["opened"]) for t in tags)),
            strict=True,
        )
    )
    opened, opened_all = await received(pipes, "floor:opened", tags, t0)
    polls = {s.index: run * 1000 + s.index for s in chosen}
    at = time.monotonic() + 0.5
    results = [x for per in await ask(pipes, ("cast", "floor", polls, run, at)) for x in per]
    await asyncio.sleep(0.5)
    t0 = dict(
        zip(
            tags,
            await asyncio.gather(*(emit("floor:closed", t, sample["closed"]) for t in tags)),
            strict=True,
        )
    )
    closed, closed_all = await received(pipes, "floor:closed", tags, t0)
    return Figures(
        opened,
        opened_all,
        [r[0] for r in results],
        closed,
        closed_all,
        sum(not r[1] for r in results),
    )


async def app_round(
    http: Any, app: str, pipes: list[Any], chosen: list[Sitting], run: int, sample: dict[str, Any]
) -> tuple[Figures, bool]:
    def chair(s: Sitting) -> dict[str, str]:
        return {"Authorization": f"Bearer {s.chair_token}"}

    async def create(s: Sitting) -> int:
        r = await http.post(
            f"{app}/api/v1/sessions/{s.session_id}/polls",
            headers=chair(s),
            json={"title": f"Biểu quyết lượt {run + 1}", "kind": "motion", "secret": False},
        )
        r.raise_for_status()
        return int(r.json()["id"])

    ids = await asyncio.gather(*map(create, chosen))
    poll_ids = dict(zip([s.index for s in chosen], ids, strict=True))
    tags = {poll_ids[s.index]: s.index for s in chosen}
    await asyncio.sleep(0.5)  # each step starts on a quiet server

    async def act(s: Sitting, verb: str) -> tuple[int, float, dict[str, Any]]:
        t0 = time.monotonic()
        r = await http.post(f"{app}/api/v1/polls/{poll_ids[s.index]}/{verb}", headers=chair(s))
        r.raise_for_status()
        return poll_ids[s.index], t0, r.json()

    done = await asyncio.gather(*(act(s, "open") for s in chosen))
    sample["opened"] = {"poll": done[0][2]}  # the floor's payloads: the same sizes
    opened, opened_all = await received(pipes, "app:opened", tags, {p: t for p, t, _ in done})
    at = time.monotonic() + 0.5
    results = [x for per in await ask(pipes, ("cast", "app", poll_ids, run, at)) for x in per]
    await asyncio.sleep(0.5)  # a chair closes seconds after the last ballot, not at once
    done = await asyncio.gather(*(act(s, "close") for s in chosen))
    sample["closed"] = {"poll_id": done[0][0], "result": done[0][2].get("result")}
    closed, closed_all = await received(pipes, "app:closed", tags, {p: t for p, t, _ in done})

    exact = True
    for s in chosen:
        r = await http.get(f"{app}/api/v1/polls/{poll_ids[s.index]}", headers=chair(s))
        poll = r.json()
        truth = Counter(choice_for(u, run) for u in s.delegate_ids)
        result = poll["result"]
        recorded = {b["user_id"]: b["choice"] for b in result.get("ballots", [])}
        good = (
            poll["voted"] == len(s.delegate_ids)
            and all(result[c] == truth[c] for c in ("yes", "no", "abstain"))
            and recorded == {u: choice_for(u, run) for u in s.delegate_ids}
        )
        if not good:
            print(f"  sitting {s.index}: poll {poll['id']} WRONG: {result}", flush=True)
        exact &= good
    refused = [r for r in results if not r[1]]
    if refused:
        print(f"  refused: {Counter(r[2] for r in refused)}", flush=True)
    figures = Figures(opened, opened_all, [r[0] for r in results], closed, closed_all, len(refused))
    return figures, exact and not refused


def ratios(app: Figures, floor: Figures) -> dict[str, tuple[float, float, float, float]]:
    """name → (app p50, app p99, ratio p50, ratio p99)."""
    out = {}
    for name, mine, base in (
        ("poll opened -> received", app.opened, floor.opened),
        ("poll opened -> received by all", app.opened_all, floor.opened_all),
        ("ballot cast -> ack", app.acks, floor.acks),
        ("close -> result received", app.closed, floor.closed),
        ("close -> result received by all", app.closed_all, floor.closed_all),
    ):
        p50, p99, f50, f99 = pct(mine, 50), pct(mine, 99), pct(base, 50), pct(base, 99)
        out[name] = (p50, p99, f50, f99)
    return out


async def main(args: argparse.Namespace) -> int:
    import asyncpg
    import httpx
    from tortoise import Tortoise

    from council import db
    from council.settings import Settings

    limit = raise_open_files()
    rng = random.Random(2026)
    sittings_n = args.sittings or round(args.delegates * 70 / 2000)
    args.polls = args.polls or min(10, sittings_n)
    sizes = seat_counts(args.delegates, sittings_n, rng)
    if args.polls > sittings_n:
        raise SystemExit("more polls than sittings")
    print(
        f"{args.delegates} delegates in {sittings_n} sittings of {min(sizes)}-{max(sizes)} seats; "
        f"{args.polls} polls at once; {args.processes} client processes; open files {limit}",
        flush=True,
    )
    admin = args.database_url
    name = f"bench_cityday_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = admin.rsplit("/", 1)[0] + "/" + name
    conn = await asyncpg.connect(admin.replace("postgres://", "postgresql://", 1))
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-cityday-"))
    procs: list[subprocess.Popen[bytes]] = []
    clients: list[Any] = []
    try:
        settings = Settings.from_env({}, data_dir=str(data_dir / "setup"), database_url=url)
        await db.migrate(settings)
        await Tortoise.close_connections()
        await db.init(settings)
        started = time.monotonic()
        sittings, delegates = await set_up(sizes)
        await db.close()
        print(f"set up in {time.monotonic() - started:.0f} s (tokens created directly)", flush=True)

        channel = args.redis_channel or f"cityday-{os.getpid()}"
        procs, app, floor = start_servers(data_dir, url, args.redis_url, args.workers, channel)

        ctx = mp.get_context("spawn")
        pipes = []
        per = math.ceil(len(delegates) / args.processes)
        shuffled = delegates[:]
        rng.shuffle(shuffled)  # each process holds delegates of many sittings
        for k in range(args.processes):
            parent, child = ctx.Pipe()
            chunk = shuffled[k * per : (k + 1) * per]
            proc = ctx.Process(target=client_process, args=(child, app, floor, chunk), daemon=True)
            proc.start()
            # Only the child holds its end: should it die (a socket dropped mid-run, say), the
            # coordinator's read ends with EOFError instead of waiting forever.
            child.close()
            pipes.append(parent)
            clients.append(proc)
        started = time.monotonic()
        ready = await asyncio.get_running_loop().run_in_executor(
            None, lambda: [_recv(p) for p in pipes]
        )
        print(
            f"{sum(r[1] for r in ready)} delegates connected to both servers over websocket in "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )
        print(workers_memory("council serve", procs[0]), flush=True)

        sample: dict[str, Any] = {}
        per_run: list[dict[str, tuple[float, float, float, float]]] = []
        ok = True
        limits = httpx.Limits(max_connections=4 * args.polls)
        async with httpx.AsyncClient(timeout=WAIT, limits=limits) as http:
            # A warm-up round on each server (not measured): pools, prepared statements, the
            # payloads the floor sends.
            chosen = [
                sittings[(args.runs * args.polls + k) % sittings_n] for k in range(args.polls)
            ]
            await app_round(http, app, pipes, chosen, args.runs, sample)
            await floor_round(http, floor, pipes, chosen, args.runs, sample)
            for run in range(args.runs):
                chosen = [sittings[(run * args.polls + k) % sittings_n] for k in range(args.polls)]
                # Alternately first and second, so that neither server always meets the other's
                # tail (Redis, PostgreSQL's background work, the clients' garbage).
                if run % 2 == 0:
                    base = await floor_round(http, floor, pipes, chosen, run, sample)
                    mine, exact = await app_round(http, app, pipes, chosen, run, sample)
                else:
                    mine, exact = await app_round(http, app, pipes, chosen, run, sample)
                    base = await floor_round(http, floor, pipes, chosen, run, sample)
                ok &= exact
                figures = ratios(mine, base)
                per_run.append(figures)
                voters = sum(len(s.delegate_ids) for s in chosen)
                print(
                    f"run {run + 1}: {voters} ballots in one burst over {args.polls} sittings, "
                    f"{'all recorded, tallies exact' if exact else 'NOT ALL RECORDED OR TALLY WRONG'}",
                    flush=True,
                )
                for label, (p50, p99, f50, f99) in figures.items():
                    print(
                        f"  {label:<32} p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
                        f"  | floor p50 {f50 * 1000:7.1f} p99 {f99 * 1000:7.1f}"
                        f"  | ratio p50 {p50 / f50:5.2f} p99 {p99 / f99:5.2f}",
                        flush=True,
                    )
        print(f"\nmedian of {args.runs} runs:")
        worst = 0.0
        for label in per_run[0]:
            cols = list(zip(*(r[label] for r in per_run), strict=True))
            p50, p99, f50, f99 = (statistics.median(c) for c in cols)
            r50 = statistics.median(r[label][0] / r[label][2] for r in per_run)
            r99 = statistics.median(r[label][1] / r[label][3] for r in per_run)
            worst = max(worst, r50, r99)
            print(
                f"  {label:<32} p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
                f"  | floor p50 {f50 * 1000:7.1f} p99 {f99 * 1000:7.1f}"
                f"  | ratio p50 {r50:5.2f} p99 {r99:5.2f}"
            )
        print(workers_memory("council serve", procs[0]))
        print(workers_memory("bare python-socketio floor", procs[1]))
        print(
            f"worst ratio to floor: {worst:.2f} (goal ≤ 1.5); "
            f"every ballot recorded and every tally exact: {ok}"
        )
        await ask(pipes, ("stop",))
        return 0 if ok else 1
    finally:
        for proc in clients:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
        for server in procs:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        conn = await asyncpg.connect(admin.replace("postgres://", "postgresql://", 1))
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--delegates", type=int, default=2000)
    parser.add_argument("--sittings", type=int, default=0, help="default: 70 per 2,000 delegates")
    parser.add_argument("--polls", type=int, default=0, help="default: 10, or fewer sittings")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server's database; the bench creates and drops one of its own beside it",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument(
        "--redis-channel",
        default="",
        help="prefix of the servers' pub/sub channels (default: cityday-PID, this run's own)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    sys.exit(asyncio.run(main(parser.parse_args())))
