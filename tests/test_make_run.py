"""The README's first command: `make run` migrates, loads the demo, prints its logins and serves,
on the port asked for (`make run PORT=…`), with the site's own address following that port."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from council.settings import Settings
from tests.conftest import free_port
from tests.processes import cli_env

ROOT = Path(__file__).resolve().parent.parent
LOGIN_LINE = re.compile(r"^\s+(\w+)\s+(\S+)\s+(\S+)\s*$", re.M)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop make and the server it started (their own process group, started by this test)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_serves_the_demo_on_the_port_asked_for(tmp_path: Path) -> None:
    port = free_port()
    env = cli_env(tmp_path / "data")
    for inherited in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PORT", "COUNCIL_BASE_URL"):
        env.pop(inherited, None)
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, f"make run exited:\n{log.read_text()[-3000:]}"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no /healthz:\n{log.read_text()[-3000:]}"
            time.sleep(0.3)

        printed = log.read_text()
        assert "Demo data loaded. Logins (username / password):" in printed
        logins = LOGIN_LINE.findall(printed.split("Logins (username / password):", 1)[1])
        roles = {role for role, _, _ in logins}
        assert {"admin", "secretariat", "chair", "delegate"} <= roles, printed[-2000:]

        role, username, password = next(line for line in logins if line[0] == "chair")
        r = httpx.post(
            f"{base}/api/v1/auth/token", json={"username": username, "password": password}
        )
        assert r.status_code == 200, r.text
        me = httpx.get(
            f"{base}/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
        )
        assert me.status_code == 200 and me.json()["role"] == "chair"

        # The site's own address follows the port: a page at 127.0.0.1:PORT may open Socket.IO
        # (here asked through another host name, so that only the configured origin can match).
        handshake = f"http://localhost:{port}/socket.io/?EIO=4&transport=polling"
        ok = httpx.get(handshake, headers={"Origin": base})
        assert ok.status_code == 200, ok.text
        other = httpx.get(handshake, headers={"Origin": "http://127.0.0.1:8000"})
        assert other.status_code == 400
    finally:
        _stop(proc)


def test_the_site_address_follows_the_port_unless_set(tmp_path: Path) -> None:
    data = str(tmp_path)
    assert Settings.from_env({}, data_dir=data).base_url == "http://127.0.0.1:8000"
    assert Settings.from_env({"PORT": "8123"}, data_dir=data).base_url == "http://127.0.0.1:8123"
    given = Settings.from_env(
        {"PORT": "8123", "COUNCIL_BASE_URL": "https://hdnd.example.vn/"}, data_dir=data
    )
    assert given.base_url == "https://hdnd.example.vn" and given.port == 8123
    with pytest.raises(ValueError, match="PORT"):
        Settings.from_env({"PORT": "eighty"}, data_dir=data)
