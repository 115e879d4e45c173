"""What every stage of a backup and a restore shares: the format's constants, the error, the
search indexes' write locks, running the PostgreSQL tools, the database's engine and path."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from council.settings import Settings

FORMAT = 1
MIGRATIONS_TABLE = "tortoise_migrations"
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")
_CHUNK = 1 << 20
_TOC = re.compile(r"^_(?P<name>.+)_\d+\.toc$")


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, for the operator."""


# --- helpers ------------------------------------------------------------------------------------


def app_version() -> str:
    try:
        return metadata.version("council-platform")
    except metadata.PackageNotFoundError:
        return "unknown"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_tree(source: Path, target: Path) -> int:
    """Copy regular files (never following links) from ``source`` into ``target``; return the count."""
    count = 0
    if not source.is_dir():
        return 0
    for folder, dirs, files in os.walk(source, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            src = Path(folder) / name
            if src.is_symlink() or not src.is_file():
                continue
            dst = target / src.relative_to(source)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            count += 1
    return count


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def _index_lock_files(index_dir: Path) -> list[Path]:
    """The lock files an index writer holds: the search package's ``writer.lock`` (held for a whole
    batch, rebuild or clear) and Whoosh's own ``<name>_WRITELOCK`` (held for each commit)."""
    found: list[Path] = []
    if not index_dir.is_dir():
        return found
    for folder in sorted({p.parent for p in index_dir.rglob("*") if p.is_file()}):
        if (folder / "writer.lock").is_file():
            found.append(folder / "writer.lock")
        names = {m["name"] for p in folder.glob("_*.toc") if (m := _TOC.match(p.name))}
        found.extend(folder / f"{name}_WRITELOCK" for name in sorted(names))
    return found


def _try_flock(path: Path) -> int | None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextlib.asynccontextmanager
async def index_write_locks(index_dir: Path, wait: float = 120.0) -> AsyncIterator[int]:
    """Hold every index writer's locks (in the order writers take them) for the duration.

    While held, index updates wait in the database's outbox, so a database snapshot taken inside
    matches the copied indexes exactly. Yields the number of locks held."""
    fds: list[int] = []
    try:
        for path in await asyncio.to_thread(_index_lock_files, index_dir):
            deadline = time.monotonic() + wait
            while (fd := await asyncio.to_thread(_try_flock, path)) is None:
                if time.monotonic() > deadline:
                    raise BackupError(f"the search index {path.parent} stayed locked by a writer")
                await asyncio.sleep(0.1)
            fds.append(fd)
        yield len(fds)
    finally:
        for fd in reversed(fds):
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _pg_dsn(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}"


def _pg_env(url: str) -> dict[str, str]:
    """libpq variables for ``url``, so no password appears on a command line."""
    parts = urlsplit(url)
    env = dict(os.environ)
    env.update(
        PGHOST=parts.hostname or "127.0.0.1",
        PGPORT=str(parts.port or 5432),
        PGUSER=unquote(parts.username or "postgres"),
        PGDATABASE=unquote((parts.path or "/").lstrip("/")) or "postgres",
    )
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return env


def _tool_major(tool: str) -> int | None:
    """The major version of a PostgreSQL client tool, or None when it is not installed."""
    path = shutil.which(tool)
    if path is None:
        return None
    import subprocess

    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


async def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        *cmd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await proc.communicate()
    if proc.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {err.decode(errors='replace').strip()}")


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.database_url.split("://", 1)[1])


def _engine(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgres"


@dataclass
class _Snapshot:
    method: str
    tables: dict[str, int]
    migrations: list[list[str]]
