"""Stateless nodes, proven: two `council serve` processes with separate, empty data directories
and one SECRET_KEY, on one PostgreSQL, one Redis and one S3 bucket (SeaweedFS), behind nginx
configured by the very block of docs/operations.md ("Several machines").

Clients reach the nodes only through nginx, from loopback addresses of their own: nginx's
``hash $remote_addr consistent`` sends each address to one node, and its access log tells which.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import socketio

from council.models import User
from council.ratelimit import Rate
from council.settings import Settings
from meetings.documents.generate import make_pdf
from tests.conftest import ENGINE, free_port
from tests.factories import PASSWORD, bearer, make_commune, make_user
from tests.meetings.helpers import (
    PDF_PAGES,
    Sitting,
    add_agenda,
    check_in,
    create_poll,
    create_session,
    setup_council,
    start_session,
)
from tests.processes import NGINX, Nginx, cli_env, council_serve
from tests.storage import SeaweedS3

REDIS_URL = os.environ.get("REDIS_URL")
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
WAIT = 20.0  # an upper bound for an event to arrive, not a measured expectation

pytestmark = pytest.mark.skipif(not NGINX.exists(), reason="needs nginx (Debian's nginx-light)")


def guide_block() -> str:
    """The nginx block of docs/operations.md, as written."""
    block = re.search(
        r"<!-- nginx-multinode:start -->\n```nginx\n(.*?)```\n<!-- nginx-multinode:end -->",
        GUIDE.read_text(),
        re.S,
    )
    assert block, "docs/operations.md lost its nginx block"
    return block.group(1)


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs openssl for a certificate")
def test_the_guide_nginx_block_is_valid_as_written(tmp_path: Path) -> None:
    """With HTTPS, as the guide has it: only the certificate's paths are the test's own."""
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=hdnd.example.gov.vn", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    config = guide_block()
    for path in ("/etc/ssl/hdnd/fullchain.pem", "/etc/ssl/hdnd/privkey.pem"):
        assert path in config, path
    config = config.replace("/etc/ssl/hdnd/fullchain.pem", str(cert))
    config = config.replace("/etc/ssl/hdnd/privkey.pem", str(key))
    Nginx(tmp_path / "nginx", config).check()


def guide_config(upstreams: list[int], port: int) -> str:
    """The nginx block of the guide, on loopback: the nodes' ports, a plain-HTTP listener."""
    config = guide_block()
    servers = re.findall(r"^    server 10\.0\.0\.\d+:8000 ", config, re.M)
    assert len(servers) == len(upstreams)
    for server, node in zip(servers, upstreams, strict=True):
        config = config.replace(server, f"    server 127.0.0.1:{node} ", 1)
    replaced = {
        "    listen 443 ssl;\n": f"    listen 127.0.0.1:{port};\n",
        "    ssl_certificate     /etc/ssl/hdnd/fullchain.pem;\n": "",
        "    ssl_certificate_key /etc/ssl/hdnd/privkey.pem;\n": "",
    }
    for old, new in replaced.items():
        assert old in config, old
        config = config.replace(old, new)
    return config


@dataclass
class Cluster:
    nginx: Nginx
    url: str  # nginx
    nodes: dict[str, subprocess.Popen[bytes]]  # upstream address → its process
    data_dirs: list[Path]
    addresses: dict[str, list[str]] = field(default_factory=dict)  # upstream → client addresses

    def http(self, address: str) -> httpx.AsyncClient:
        """An HTTP client that reaches nginx from ``address``."""
        transport = httpx.AsyncHTTPTransport(local_address=address)
        return httpx.AsyncClient(base_url=self.url, transport=transport, timeout=30)

    async def upstream_of(self, address: str) -> str:
        uri = f"/healthz?probe={secrets.token_hex(4)}"
        async with self.http(address) as http:
            assert (await http.get(uri)).status_code == 200
        return await asyncio.to_thread(self.nginx.upstream_of, address, uri)


@pytest.fixture
async def cluster(
    settings: Settings, s3_server: SeaweedS3, tmp_path: Path
) -> AsyncIterator[Cluster]:
    assert REDIS_URL
    store = s3_server.settings_for(Settings.from_env({}, data_dir=str(tmp_path)))
    ports = [free_port(), free_port()]
    data_dirs = [tmp_path / "node-a", tmp_path / "node-b"]
    with contextlib.ExitStack() as stack:
        nodes = {}
        for data_dir, port in zip(data_dirs, ports, strict=True):
            data_dir.mkdir()
            env = cli_env(
                data_dir,
                settings.database_url,
                REDIS_URL=REDIS_URL,
                SECRET_KEY=settings.secret_key,
                STORAGE_URL=str(store.storage_url),
                S3_ENDPOINT_URL=str(store.s3_endpoint_url),
                S3_ACCESS_KEY_ID=str(store.s3_access_key_id),
                S3_SECRET_ACCESS_KEY=str(store.s3_secret_access_key),
                S3_REGION="us-east-1",
                SEARCH_BACKEND="postgres",
            )
            log = tmp_path / f"{data_dir.name}.log"
            nodes[f"127.0.0.1:{port}"] = stack.enter_context(council_serve(env, port, log))
        nginx_port = free_port()
        nginx = Nginx(tmp_path / "nginx", guide_config(ports, nginx_port))
        nginx.start(nginx_port)
        stack.callback(nginx.stop)
        c = Cluster(nginx, f"http://127.0.0.1:{nginx_port}", nodes, data_dirs)
        # Client addresses of a network of this run's own (the rate limits in Redis are per
        # address), sorted by the node nginx sends them to.
        net = f"127.{random.randrange(2, 250)}.{random.randrange(0, 250)}"
        for host in range(2, 42):
            address = f"{net}.{host}"
            c.addresses.setdefault(await c.upstream_of(address), []).append(address)
        assert sorted(c.addresses) == sorted(nodes), c.addresses
        yield c


class Tablet:
    """A delegate's Socket.IO client through nginx from one address; it reconnects by itself."""

    def __init__(self, cluster: Cluster, address: str, token: str) -> None:
        self.address = address
        self.token = token
        self.url = cluster.url

        def session() -> aiohttp.ClientSession:
            return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0)))

        self.sio = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            http_session=session,
        )
        self.received: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.connects = 0
        self.reconnected = asyncio.Event()  # connected again after a first connection
        self.sio.on("*", self._any)
        self.sio.on("connect", self._connect)

    async def _any(self, name: str, data: Any = None) -> None:
        await self.received.put((name, data))

    async def _connect(self) -> None:
        self.connects += 1
        if self.connects > 1:
            self.reconnected.set()

    async def connect(self, transport: str = "websocket") -> None:
        await self.sio.connect(
            self.url,
            auth={"token": self.token},
            transports=[transport],
            socketio_path="/socket.io",
            wait_timeout=10,
        )

    async def join(self, session_id: int) -> dict[str, Any]:
        ack = await self.sio.call("session:join", {"session_id": session_id}, timeout=WAIT)
        assert ack["ok"] is True, ack
        return dict(ack)

    async def next(self, name: str, match: Callable[[Any], bool] | None = None) -> Any:
        async with asyncio.timeout(WAIT):
            while True:
                got, data = await self.received.get()
                if got == name and (match is None or match(data)):
                    return data


@contextlib.asynccontextmanager
async def tablets(cluster: Cluster) -> AsyncIterator[list[Tablet]]:
    made: list[Tablet] = []
    try:
        yield made
    finally:
        for t in made:
            t.sio.reconnection = False
            with contextlib.suppress(Exception):
                await t.sio.disconnect()


async def _running_sitting(http: httpx.AsyncClient, present: int) -> Sitting:
    """A council's sitting in progress, set up through the nodes (nginx), ``present`` checked in."""
    s = await setup_council(seats=present + 5, delegates=present)
    await create_session(http, s)
    await add_agenda(http, s)
    await start_session(http, s)
    await check_in(http, s, [s.chair, *s.delegates[: present - 1]])
    return s


def _nothing_kept(data_dirs: list[Path]) -> None:
    """Neither node kept a file or a search index of its own: they are in the bucket and the
    database."""
    for data_dir in data_dirs:
        kept = [
            p for p in data_dir.rglob("*") if p.is_file() and {"uploads", "index"} & set(p.parts)
        ]
        assert not kept, f"a node kept files of its own: {kept}"


# --- the walk ------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.skipif(ENGINE != "postgres", reason="nodes share one PostgreSQL database")
@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")
async def test_two_stateless_nodes_behind_nginx(cluster: Cluster) -> None:
    (node_a, addresses_a), (node_b, addresses_b) = cluster.addresses.items()
    a, b = addresses_a[0], addresses_b[0]
    async with cluster.http(a) as via_a, cluster.http(b) as via_b:
        s = await _running_sitting(via_a, present=13)
        await _a_document_uploaded_on_one_node_is_read_on_the_other(s, via_a, via_b)
        await _a_petition_filed_on_one_node_is_found_by_search_on_each(s, via_a, via_b)
        await _failed_logins_on_both_nodes_count_together(cluster, addresses_a, addresses_b)
        await _the_polling_fallback_sticks_to_one_node(cluster, s, addresses_a[1], addresses_b[1])
        await _a_vote_survives_the_loss_of_a_node(cluster, s, node_a, a, b, via_b)
    _nothing_kept(cluster.data_dirs)


async def _a_document_uploaded_on_one_node_is_read_on_the_other(
    s: Sitting, via_a: httpx.AsyncClient, via_b: httpx.AsyncClient
) -> None:
    pdf = make_pdf("Báo cáo kinh tế - xã hội", PDF_PAGES)
    r = await via_a.post(
        f"/api/v1/sessions/{s.session_id}/documents",
        headers=s.h(s.secretariat),
        data={"title": "Báo cáo kinh tế - xã hội", "confidentiality": "internal"},
        files={"file": ("bao-cao.pdf", pdf, "application/pdf")},
    )
    assert r.status_code == 201, r.text
    document_id = r.json()["id"]
    delegate = s.h(s.delegates[0])
    r = await via_b.get(f"/api/v1/documents/{document_id}/file", headers=delegate)
    assert r.status_code == 200, r.text
    assert r.content == pdf
    r = await via_b.get(f"/api/v1/documents/{document_id}", headers=delegate)
    assert r.status_code == 200, r.text
    assert [p["number"] for p in r.json()["pages"]] == [1, 2]
    assert "chuyển đổi số" in r.json()["pages"][1]["text"]


async def _a_petition_filed_on_one_node_is_found_by_search_on_each(
    s: Sitting, via_a: httpx.AsyncClient, via_b: httpx.AsyncClient
) -> None:
    """Filed through node A, found at once through both. (With Whoosh, each node would drain the
    search outbox into an index of its own, and node B would never find it.)"""
    ward = await make_commune(s.council)
    staff = await bearer(await make_user("secretariat", ward))
    r = await via_a.post(
        "/api/v1/petitions",
        json={
            "council_code": ward.code,
            "category": "transport",
            "title": "Đề nghị lắp đèn chiếu sáng ngõ Văn Chương",
            "body": "Ngõ Văn Chương tối om sau 19 giờ, người đi bộ dễ bị ngã.",
            "name": "Phạm Văn Lâm",
        },
    )
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    for via in (via_b, via_a):
        r = await via.get("/api/v1/petitions", params={"q": "đèn chiếu sáng"}, headers=staff)
        assert r.status_code == 200, r.text
        assert code in [item["code"] for item in r.json()["items"]], via is via_a


async def _failed_logins_on_both_nodes_count_together(
    cluster: Cluster, addresses_a: list[str], addresses_b: list[str]
) -> None:
    """The failed logins an account is allowed, spread over both nodes and over enough addresses
    that none reaches a budget of its own: the account is throttled on both nodes."""
    user = await make_user("citizen", username=f"throttle.{secrets.token_hex(4)}")
    defaults = Settings.from_env({})
    # Per account (from devices it never logged in from, once the login devices of issue 14 are
    # there); per address, and per account and address, the login rate.
    account = Rate.parse(getattr(defaults, "login_account_rate", defaults.login_rate)).count
    per_address = Rate.parse(defaults.login_rate).count - 1
    pairs = max(1, math.ceil(account / per_address / 2))
    spread = [x for pair in zip(addresses_a[2:], addresses_b[2:], strict=False) for x in pair]
    guessers = spread[: 2 * pairs]
    fresh = spread[2 * pairs : 2 * pairs + 2]  # one on each node
    bad = {"username": user.username, "password": "not the password"}
    for attempt in range(account):
        async with cluster.http(guessers[attempt % len(guessers)]) as via:
            r = await via.post("/api/v1/auth/token", json=bad)
            assert r.status_code == 401, (attempt, r.text)
    good = {"username": user.username, "password": PASSWORD}
    for address in fresh:
        async with cluster.http(address) as via:
            r = await via.post("/api/v1/auth/token", json=good)
            assert r.status_code == 429, r.text
            assert int(r.headers["Retry-After"]) > 0
    assert {await cluster.upstream_of(a) for a in fresh} == set(cluster.nodes)


async def _the_polling_fallback_sticks_to_one_node(
    cluster: Cluster, s: Sitting, address_a: str, address_b: str
) -> None:
    """A tablet on long-polling (a network that blocks WebSocket): each of its requests must
    reach the node that holds its Socket.IO session, or it is refused as unknown."""
    async with tablets(cluster) as made:
        for address in (address_a, address_b):
            t = Tablet(cluster, address, (await bearer(s.delegates[1]))["Authorization"][7:])
            made.append(t)
            await t.connect("polling")
            state = await t.join(s.session_id)
            assert state["session"]["id"] == s.session_id
        # Many round trips on each, all answered by the same node.
        for _ in range(5):
            for t in made:
                await t.join(s.session_id)
        assert all(t.connects == 1 for t in made)


async def _a_vote_survives_the_loss_of_a_node(
    cluster: Cluster,
    s: Sitting,
    node_a: str,
    a: str,
    b: str,
    via_b: httpx.AsyncClient,
) -> None:
    voters = s.delegates[:12]  # checked in; the chair does not vote here
    on_a, on_b = voters[:6], voters[6:]
    rng = random.Random(18)
    truth = {u.id: rng.choice(["yes", "no", "abstain"]) for u in voters}
    poll = await create_poll(via_b, s, title="Thông qua Nghị quyết về đèn chiếu sáng")
    async with tablets(cluster) as made:
        tablet: dict[int, Tablet] = {}
        for user, address in [*((u, a) for u in on_a), *((u, b) for u in on_b)]:
            t = Tablet(cluster, address, (await bearer(user))["Authorization"][7:])
            made.append(t)
            tablet[user.id] = t
            await t.connect()
            await t.join(s.session_id)
        watcher_b = tablet[on_b[0].id]
        watcher_a = tablet[on_a[0].id]

        r = await via_b.post(f"/api/v1/polls/{poll['id']}/open", headers=s.h(s.chair))
        assert r.status_code == 200, r.text
        # Opened through node B: node A's tablets are told.
        await watcher_a.next("poll:opened", lambda d: d["poll"]["id"] == poll["id"])

        async def cast(user: User, within: float = WAIT) -> dict[str, Any]:
            payload = {"poll_id": poll["id"], "choice": truth[user.id]}
            return dict(await tablet[user.id].sio.call("ballot:cast", payload, timeout=within))

        # A ballot cast on node A is seen live by the tablets of node B, and the other way round.
        assert (await cast(on_a[0]))["ok"] is True
        await watcher_b.next("poll:progress", lambda d: d["voted"] >= 1)
        assert (await cast(on_b[0]))["ok"] is True
        await watcher_a.next("poll:progress", lambda d: d["voted"] >= 2)
        acked = {on_a[0].id, on_b[0].id}

        # Node A's other tablets cast one after another; node A is killed after the first
        # answer, with the others' ballots sent, in flight or not yet sent.
        first_answer = asyncio.Event()

        async def cast_on_a(user: User, delay: float) -> None:
            await asyncio.sleep(delay)
            with contextlib.suppress(Exception):  # killed with it in flight: unknown
                if (await cast(user, within=3))["ok"] is True:
                    acked.add(user.id)
                    first_answer.set()

        burst = [asyncio.create_task(cast_on_a(u, 0.03 * i)) for i, u in enumerate(on_a[1:])]
        await asyncio.wait_for(first_answer.wait(), WAIT)
        cluster.nodes[node_a].send_signal(signal.SIGKILL)
        await asyncio.gather(*burst)
        assert cluster.nodes[node_a].wait(timeout=10) == -signal.SIGKILL

        # Node A's tablets reconnect through nginx (to node B), join again, and learn whether
        # their ballot counted; those whose ballot did not, cast it now.
        for user in on_a:
            t = tablet[user.id]
            await asyncio.wait_for(t.reconnected.wait(), WAIT)
            state = await t.join(s.session_id)
            if user.id in acked:  # no acknowledged ballot is lost
                assert state["poll"]["has_voted"] is True, user.id
            elif not state["poll"]["has_voted"]:  # else committed, its answer lost in the kill
                assert (await cast(user))["ok"] is True
            acked.add(user.id)
        for user in on_b[1:]:
            assert (await cast(user))["ok"] is True
            acked.add(user.id)

    # Their sockets now closed, nginx has logged them: node A's tablets came back through B.
    for line in cluster.nginx.requests(a, "/socket.io/")[-len(on_a) :]:
        assert line.rsplit(", ", 1)[-1] != node_a, line

    r = await via_b.post(f"/api/v1/polls/{poll['id']}/close", headers=s.h(s.chair))
    assert r.status_code == 200, r.text
    result = r.json()["result"]
    counts = Counter(truth.values())
    assert (result["yes"], result["no"], result["abstain"]) == (
        counts["yes"],
        counts["no"],
        counts["abstain"],
    )
    assert {b["user_id"]: b["choice"] for b in result["ballots"]} == truth
