"""The server's health while a hostile document is uploaded (issue 14, item 6).

Starts `council serve` (its own data directory, SQLite, a free port), then probes ``/healthz``
every 10 ms and prints its p50/p99/max latency in three phases of the same run:
- ``baseline``: no upload;
- ``slow PDF``: during the upload of a 150 KB PDF whose one page holds 3 million text operators
  (some 15 s of pypdf): read in a worker process, stopped at ``--worker-seconds``;
- ``zip bomb``: during the upload of a DOCX that inflates to ``--bomb-mb`` MB (1.5 GB by default),
  refused from its directory before anything is inflated (uploaded again and again for as long
  as the baseline lasted).
Each phase also prints the upload's answer and time, and the server process's peak RSS in it.
Target: p99 under 100 ms during the uploads.

``--python`` runs the server with another checkout's interpreter (e.g. an older main's
``.venv/bin/python``, to compare); the hostile files are built by this checkout.

Run: ``.venv/bin/python bench/upload_health.py [--seconds 5] [--bomb-mb 1536]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.conftest import free_port  # noqa: E402
from tests.hostile import docx_bomb, heavy_pdf  # noqa: E402
from tests.processes import cli_env  # noqa: E402

PASSWORD = "bench-password-123"


def _checkout(python: str) -> Path:
    """The checkout an interpreter belongs to (``CHECKOUT/.venv/bin/python``); else this one.
    Processes run there: ``python -m`` imports from the working directory first."""
    path = Path(python).absolute()
    return path.parents[2] if path.parent.parent.name == ".venv" else ROOT


def _cli(python: str, env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [python, "-m", "council.cli", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=_checkout(python),
    )


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM starts again from VmRSS


def _probe(base: str, stop: Any, out: Any) -> None:
    """Probe ``/healthz`` every 10 ms until ``stop`` is set; send the latencies in ms.

    A process of its own: the bench's own work (encoding a 4 MB upload) must not delay it."""
    latencies: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/healthz")
        out.send("ready")
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = client.get("/healthz").status_code == 200
            except httpx.TransportError:  # a timeout (30 s) counts as its whole wait
                ok = False
            latencies.append((time.perf_counter() - started) * 1000 * (1 if ok else -1))
            time.sleep(0.01)
    out.send(latencies)


async def _phase(
    base: str, pid: int, label: str, seconds: float, upload: tuple[str, bytes] | None, auth: dict
) -> None:
    _reset_peak(pid)
    context = mp.get_context("spawn")
    stop = context.Event()
    receive, send = context.Pipe(duplex=False)
    prober = context.Process(target=_probe, args=(base, stop, send))
    prober.start()
    assert await asyncio.to_thread(receive.recv) == "ready"
    answer = ""
    await asyncio.sleep(0.5)  # probes before the upload count too
    if upload is None:
        await asyncio.sleep(seconds)
    else:
        # The upload again and again for ``seconds`` (once at least): enough probes meet it.
        name, data = upload
        answers, times = set(), []
        end = time.monotonic() + seconds
        async with httpx.AsyncClient(base_url=base, timeout=300) as client:
            while not times or time.monotonic() < end:
                started = time.perf_counter()
                r = await client.post(
                    f"/api/v1/sessions/{auth['session']}/documents",
                    headers=auth["headers"],
                    data={"title": "Tờ trình", "confidentiality": "internal"},
                    files={"file": (name, data, "application/octet-stream")},
                )
                times.append(time.perf_counter() - started)
                error = r.json().get("error", {}).get("code", "") if r.status_code >= 400 else ""
                answers.add(f"{r.status_code} {error}".strip())
        answer = (
            f"{', '.join(sorted(answers))}: {len(times)} upload(s),"
            f" {statistics.median(times):.2f} s each (median)"
        )
        await asyncio.sleep(0.5)
    stop.set()
    signed = await asyncio.to_thread(receive.recv)
    prober.join()
    latencies = [abs(ms) for ms in signed]  # negative: the probe failed after that long
    failed = sum(1 for ms in signed if ms < 0)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(
        f"{label:<10} {len(latencies):>6} {failed:>6} {q[49]:>8.1f} {q[98]:>8.1f}"
        f" {max(latencies):>8.1f} {_peak_rss_mb(pid):>9.0f}   {answer}"
    )


async def _prepare(base: str) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        r = await client.post(
            "/api/v1/auth/token", json={"username": "bench-sec", "password": PASSWORD}
        )
        r.raise_for_status()
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = await client.post(
            "/api/v1/sessions",
            headers=headers,
            json={
                "council_code": "BENCH",
                "title": "Kỳ họp thứ nhất",
                "starts_at": datetime.now(UTC).isoformat(),
            },
        )
        r.raise_for_status()
        return {"headers": headers, "session": r.json()["id"]}


@contextmanager
def _serve(python: str, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """`council serve` on a free port, ready when entered: (its address, its pid)."""
    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "council.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=_checkout(python),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, "council serve exited"
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "council serve did not start"
            time.sleep(0.1)
        yield base, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


async def _measure(base: str, pid: int, args: argparse.Namespace) -> None:
    slow_pdf = heavy_pdf(3_000_000)
    bomb = docx_bomb(args.bomb_mb << 20)
    auth = await _prepare(base)
    print(f"server: {args.python}; /healthz every 10 ms; latencies in ms")
    print(
        f"{'phase':<10} {'probes':>6} {'failed':>6} {'p50':>8} {'p99':>8} {'max':>8}"
        f" {'peak RSS':>9}   upload"
    )
    await _phase(base, pid, "baseline", args.seconds, None, auth)
    await _phase(base, pid, "slow PDF", 0, ("bao-cao.pdf", slow_pdf), auth)
    await _phase(base, pid, "zip bomb", args.seconds, ("to-trinh.docx", bomb), auth)
    print(
        f"(slow PDF: {len(slow_pdf) / 1024:.0f} KB; zip bomb: {len(bomb) / (1 << 20):.1f} MB"
        f" inflating to {args.bomb_mb} MB; peak RSS in MB, of the server process)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="length of the baseline")
    parser.add_argument("--bomb-mb", type=int, default=1536, help="the zip bomb inflated, MB")
    parser.add_argument("--worker-seconds", default="10", help="COUNCIL_WORKER_SECONDS")
    parser.add_argument("--python", default=sys.executable, help="the server's interpreter")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as folder:
        env = cli_env(folder, COUNCIL_WORKER_SECONDS=args.worker_seconds)
        _cli(args.python, env, "migrate")
        council = ("--code", "BENCH", "--name", "HĐND Bench", "--level", "city", "--seats", "5")
        _cli(args.python, env, "create-council", *council)
        user = ("--username", "bench-sec", "--password", PASSWORD, "--role", "secretariat")
        _cli(args.python, env, "create-user", *user, "--council", "BENCH")
        with _serve(args.python, env) as (base, pid):
            asyncio.run(_measure(base, pid, args))


if __name__ == "__main__":
    main()
