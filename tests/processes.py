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
    "SEARCH_BACKEND",
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
def council_serve(
    env: dict[str, str], port: int, log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`council serve` on 127.0.0.1:``port``, ready (``/readyz``) when entered, stopped on exit;
    its output goes to ``log`` when given."""
    out = log.open("ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "council.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=out,
    )
    if log:
        out.close()  # type: ignore[union-attr]
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


NGINX = Path("/usr/sbin/nginx")


class Nginx:
    """nginx (Debian's nginx-light) on a loopback port, with a config of the test's own.

    ``http_block`` is what goes inside ``http { }``; around it, everything is kept in ``folder``
    (pid, logs, temporary files), and the access log names the upstream that served each request
    (``$remote_addr $status $request_uri $upstream_addr``)."""

    def __init__(self, folder: Path, http_block: str) -> None:
        self.folder = folder
        self.access_log = folder / "access.log"
        self.proc: subprocess.Popen[bytes] | None = None
        temps = "\n".join(
            f"    {kind}_temp_path {folder / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # As root, nginx would run its workers as nobody, who cannot enter the test's folders.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        self.config = (
            f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n"
            "    log_format upstream '$remote_addr $status $request_uri $upstream_addr';\n"
            f"    access_log {self.access_log} upstream;\n{temps}\n{http_block}\n}}\n"
        )

    def check(self) -> Path:
        """Write the config and have nginx test it (``nginx -t``); its path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "nginx.conf"
        path.write_text(self.config)
        check = subprocess.run(
            [str(NGINX), "-t", "-p", str(self.folder), "-e", "stderr", "-c", str(path)],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, f"nginx refuses the config:\n{check.stderr}\n{self.config}"
        return path

    def start(self, port: int) -> None:
        path = self.check()
        self.proc = subprocess.Popen(
            [
                str(NGINX),
                "-p",
                str(self.folder),
                "-e",
                str(self.folder / "error.log"),
                "-c",
                str(path),
            ],
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            assert self.proc.poll() is None, (self.folder / "error.log").read_text()
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                return
            except httpx.TransportError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)

    def upstream_of(self, remote: str, uri: str) -> str:
        """The upstream that served the last request for ``uri`` from ``remote``."""
        deadline = time.monotonic() + 5
        while True:  # the line is written once the response is sent
            for line in reversed(self.access_log.read_text().splitlines()):
                parts = line.split(" ", 3)
                if parts[0] == remote and parts[2] == uri:
                    return parts[3]
            assert time.monotonic() < deadline, f"no request for {uri} from {remote} logged"
            time.sleep(0.02)

    def requests(self, remote: str, prefix: str) -> list[str]:
        """The upstreams (``$upstream_addr``: each tried, comma-separated) of the requests from
        ``remote`` whose URI starts with ``prefix``, oldest first."""
        return [
            parts[3]
            for parts in (line.split(" ", 3) for line in self.access_log.read_text().splitlines())
            if parts[0] == remote and parts[2].startswith(prefix)
        ]

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
