"""The app as separate processes, for the tests that need real ones: `council …` commands and
`council serve` on a data directory and database of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

# Settings a test's processes must not inherit from the environment running the suite.
_OWN = (
    "REDIS_URL",
    "SECRET_KEY",
    "DATABASE_URL",
    "COUNCIL_DATA_DIR",
    "STORAGE_URL",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
)


def cli_env(data_dir: Path | str, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a `council` process on ``data_dir`` (and ``database_url``; by default
    the SQLite file in the data directory), without the suite's own settings."""
    env = {k: v for k, v in os.environ.items() if k not in _OWN}
    env.update(COUNCIL_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **extra)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def council_serve(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`council serve` on 127.0.0.1:``port``, ready (``/readyz``) when entered, stopped on exit."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "council.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, "council serve exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "council serve did not start"
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
