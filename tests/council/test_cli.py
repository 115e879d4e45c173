"""Every `council` command of the contract, run as a real subprocess against a fresh instance."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ENGINE, PG_URL, _pg_url, free_port
from tests.processes import cli_env

COMMANDS = (
    "serve",
    "migrate",
    "demo",
    "create-user",
    "create-council",
    "reindex",
    "verify-audit",
    "backup",
    "restore",
    "import-files",
    "import-divisions",
)


@dataclass
class Instance:
    """A data directory and a database of its own, driven only through the CLI."""

    data_dir: Path
    database_url: str

    def env(self) -> dict[str, str]:
        return cli_env(self.data_dir, self.database_url)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "council.cli", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        if check:
            assert result.returncode == 0, (
                f"council {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
            )
        return result


def _pg(sql: str) -> None:
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


def _new_instance(folder: Path) -> Iterator[Instance]:
    folder.mkdir(parents=True)
    if ENGINE == "postgres":
        name = f"council_cli_{uuid.uuid4().hex[:10]}"
        yield Instance(folder, _pg_url(name))
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield Instance(folder, f"sqlite://{folder / 'council.db'}")


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """A migrated instance shared by this module's tests (created through `council migrate`)."""
    folder = tmp_path_factory.mktemp("cli") / "data"
    gen = _new_instance(folder)
    inst = next(gen)
    if ENGINE == "postgres":
        _pg(f'CREATE DATABASE "{inst.database_url.rsplit("/", 1)[1]}"')
    out = inst.run("migrate")
    assert "migrations applied" in out.stdout
    yield inst
    next(gen, None)


@pytest.fixture
def empty_instance(tmp_path: Path) -> Iterator[Instance]:
    """A data directory and a database name that do not exist yet."""
    yield from _new_instance(tmp_path / "empty")


def test_console_script_lists_every_contract_command() -> None:
    script = Path(sys.executable).with_name("council")
    assert script.exists(), "the `council` console script is not installed next to python"
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
    for command in COMMANDS:
        assert command in out


def test_migrate_is_idempotent(instance: Instance) -> None:
    assert "migrations applied" in instance.run("migrate").stdout


def test_demo_twice_is_safe_and_prints_the_logins(instance: Instance) -> None:
    first = instance.run("demo").stdout
    for role in ("admin", "secretariat", "chair", "delegate", "agency", "citizen"):
        assert re.search(rf"^\s+{role}\s+\S+\s+\S+", first, re.M), f"no {role} login in:\n{first}"
    entries = instance.run("verify-audit").stdout
    second = instance.run("demo").stdout
    assert set(second.splitlines()) == set(first.splitlines())  # the same logins, again
    # The second run changed nothing: no new audit entry, so no new council, agency or user.
    assert instance.run("verify-audit").stdout == entries
    out = instance.run(
        "create-council",
        "--code",
        "HN",
        "--name",
        "Hà Nội",
        "--level",
        "city",
        "--seats",
        "95",
        check=False,
    )
    assert out.returncode == 1 and "duplicate" in out.stderr


def test_create_council_and_user(instance: Instance) -> None:
    out = instance.run(
        "create-council",
        "--code",
        "DN",
        "--name",
        "Hội đồng nhân dân thành phố Đà Nẵng",
        "--level",
        "city",
        "--seats",
        "52",
    ).stdout
    assert "created council DN" in out and "52 seats" in out
    out = instance.run(
        "create-council",
        "--code",
        "DN-HC",
        "--name",
        "Hội đồng nhân dân phường Hải Châu",
        "--level",
        "commune",
        "--parent",
        "DN",
        "--seats",
        "27",
        "--quorum",
        "3/5",
    ).stdout
    assert "created council DN-HC" in out
    out = instance.run(
        "create-user",
        "--username",
        "vanphong.dn",
        "--password",
        "mat-khau-dai-9",
        "--role",
        "secretariat",
        "--council",
        "DN",
        "--full-name",
        "Văn phòng Đà Nẵng",
    ).stdout
    assert "created user vanphong.dn" in out and "secretariat" in out

    dup = instance.run(
        "create-user",
        "--username",
        "vanphong.dn",
        "--password",
        "mat-khau-dai-9",
        "--role",
        "secretariat",
        "--council",
        "DN",
        check=False,
    )
    assert dup.returncode == 1 and dup.stderr.startswith("error:")
    short = instance.run(
        "create-user",
        "--username",
        "ngan",
        "--password",
        "123",
        "--role",
        "delegate",
        "--council",
        "DN",
        check=False,
    )
    assert short.returncode == 1 and "password" in short.stderr
    orphan = instance.run(
        "create-council",
        "--code",
        "X-1",
        "--name",
        "Xã",
        "--level",
        "commune",
        "--seats",
        "20",
        check=False,
    )
    assert orphan.returncode == 1 and "parent_code" in orphan.stderr
    bad_role = instance.run(
        "create-user",
        "--username",
        "u1",
        "--password",
        "mat-khau-dai-9",
        "--role",
        "mayor",
        check=False,
    )
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr


def test_reindex(instance: Instance) -> None:
    out = instance.run("reindex")
    assert "Traceback" not in out.stderr
    for line in out.stdout.splitlines():
        assert re.fullmatch(r"\w+: \d+ documents indexed", line), line


def test_verify_audit_counts_entries(instance: Instance) -> None:
    out = instance.run("verify-audit").stdout
    match = re.search(r"intact: (\d+) entries", out)
    assert match and int(match.group(1)) > 0


def test_councils_from_the_official_divisions(empty_instance: Instance) -> None:
    inst = empty_instance
    if ENGINE == "postgres":
        _pg(f'CREATE DATABASE "{inst.database_url.rsplit("/", 1)[1]}"')
    inst.run("migrate")
    out = inst.run("create-council", "--division", "00004", check=False)
    assert out.returncode == 1 and "parent_missing" in out.stderr
    out = inst.run("create-council", "--division", "01", "--seats", "125").stdout
    assert "vn-01" in out and "Hội đồng nhân dân thành phố Hà Nội" in out and "125 seats" in out
    out = inst.run("create-council", "--division", "00004", "--code", "HN-BADINH").stdout
    assert "HN-BADINH" in out and "phường Ba Đình" in out and "seats not set" in out
    out = inst.run("import-divisions", "--province", "01").stdout
    assert "125 councils created, 2 already there" in out
    out = inst.run("import-divisions", "--province", "01").stdout
    assert "0 councils created, 127 already there" in out
    out = inst.run("create-council", "--division", "1", check=False)
    assert out.returncode == 1 and "'division'" in out.stderr
    out = inst.run("create-council", "--code", "X1", check=False)
    assert out.returncode == 2 and "--division" in out.stderr


def test_backup_then_restore_into_an_empty_instance(
    instance: Instance, empty_instance: Instance, tmp_path: Path
) -> None:
    instance.run(
        "create-council",
        "--code",
        "BK",
        "--name",
        "Hội đồng nhân dân tỉnh Bắc Kạn",
        "--level",
        "city",
        "--seats",
        "40",
    )
    instance.run(
        "create-user",
        "--username",
        "chutoa.bk",
        "--password",
        "mat-khau-dai-9",
        "--role",
        "chair",
        "--council",
        "BK",
    )
    before = instance.run("verify-audit").stdout
    archive = tmp_path / "council-backup.tar.gz"
    out = instance.run("backup", str(archive)).stdout
    assert "backup written to" in out and archive.is_file()

    out = empty_instance.run("restore", str(archive)).stdout
    assert "verified" in out
    assert empty_instance.run("verify-audit").stdout == before
    # The restored instance knows the people created before the backup.
    dup = empty_instance.run(
        "create-user",
        "--username",
        "chutoa.bk",
        "--password",
        "mat-khau-dai-9",
        "--role",
        "chair",
        "--council",
        "BK",
        check=False,
    )
    assert dup.returncode == 1 and "duplicate" in dup.stderr

    again = empty_instance.run("restore", str(archive), check=False)
    assert again.returncode == 1 and again.stderr.startswith("error:")
    assert "Traceback" not in again.stderr
    taken = instance.run("backup", str(archive), check=False)
    assert taken.returncode == 1 and "already exists" in taken.stderr


def test_restore_of_something_that_is_not_a_backup_fails_cleanly(
    empty_instance: Instance, tmp_path: Path
) -> None:
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "manifest.json").write_text(json.dumps({"format": 99}))
    out = empty_instance.run("restore", str(tmp_path / "junk"), check=False)
    assert out.returncode == 1 and "unknown backup format" in out.stderr


def test_serve_answers_healthz_and_stops(instance: Instance) -> None:
    instance.run(
        "create-user",
        "--username",
        "quantri.serve",
        "--password",
        "mat-khau-dai-9",
        "--role",
        "admin",
    )
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "council.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=instance.env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (
                f"council serve exited early:\n{proc.stdout.read() if proc.stdout else ''}"
            )
            try:
                response = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "council serve did not answer within 60 s"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        assert httpx.get(f"{base}/readyz", timeout=5).json()["status"] == "ok"
        login = httpx.post(
            f"{base}/api/v1/auth/token",
            timeout=10,
            json={"username": "quantri.serve", "password": "mat-khau-dai-9"},
        )
        assert login.status_code == 200 and login.json()["token_type"] == "bearer"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    output = proc.stdout.read() if proc.stdout else ""
    # A graceful stop: uvicorn finishes the shutdown, then re-raises SIGTERM to report it.
    assert proc.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output and "Traceback" not in output
