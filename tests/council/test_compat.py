"""Guards of the third-party internals seam (``council.compat``): one test per library that
fails, naming what changed, when an upgrade moves what a compat module relies on; and a check
that no module outside the seam touches those private names."""

from __future__ import annotations

import asyncio
import inspect
import re
import sqlite3
from importlib import metadata
from pathlib import Path

import pytest
import socketio
from packaging.version import Version
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from council.compat import aiosqlite as compat_aiosqlite
from council.compat import socketio as compat_socketio
from council.compat import tortoise as compat_tortoise
from council.compat import whoosh as compat_whoosh

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("council", "meetings", "petitions", "assistant")

# distribution → (compat module, the private names only that module may use)
SEAM = {
    "aiosqlite": (compat_aiosqlite, ("._execute(", "._conn")),
    "tortoise-orm": (
        compat_tortoise,
        ("._parent", "_enable_global_fallback", "EXECUTOR_CACHE"),
    ),
    "python-socketio": (
        compat_socketio,
        ("_handle_event_internal", "_trigger_event", "_send_packet"),
    ),
    "whoosh-reloaded": (
        compat_whoosh,
        (
            "._postfile",
            "._postwriter",
            "._blocklimit",
            "._write_block",
            "._read_data",
            "._next_block",
            "._maxid",
            "._perdoc",
            "._cached_reader",
            "._lenfield",
            "._dbfile",
            "._fixedlen",
            "._basepos",
        ),
    ),
}


@pytest.mark.parametrize("dist", sorted(SEAM))
def test_the_installed_version_is_one_the_seam_was_checked_against(dist: str) -> None:
    module, _ = SEAM[dist]
    low, high = module.SUPPORTED
    installed = Version(metadata.version(dist))
    assert Version(low) <= installed < Version(high), (
        f"{dist} {installed} is outside {low} <= v < {high}, the versions whose internals "
        f"{module.__name__} was written against: check them, then move its SUPPORTED and the "
        f"pin in pyproject.toml"
    )


def test_the_pins_in_pyproject_match_the_seam() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    for dist, (module, _) in SEAM.items():
        low, high = module.SUPPORTED
        pattern = rf'"{re.escape(dist)}(\[[^\]]*\])?>={re.escape(low)},<{re.escape(high)}"'
        assert re.search(pattern, text, re.IGNORECASE), f"pyproject.toml: pin {dist} {low}..{high}"


def _uses(text: str, name: str) -> bool:
    end = r"\b" if name[-1].isalnum() or name[-1] == "_" else ""
    return re.search(re.escape(name) + end, text) is not None


def test_no_module_outside_the_seam_uses_those_internals() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "compat" in path.parts or "migrations" in path.parts:
                continue
            text = path.read_text()
            for dist, (_, names) in SEAM.items():
                found += [f"{path.relative_to(ROOT)}: {dist} {n}" for n in names if _uses(text, n)]
    assert found == [], "private internals outside council/compat:\n" + "\n".join(found)


async def test_aiosqlite_runs_a_function_in_the_connection_thread(tmp_path: Path) -> None:
    import aiosqlite

    assert inspect.iscoroutinefunction(aiosqlite.Connection._execute)
    assert isinstance(aiosqlite.Connection.__dict__["_conn"], property)
    async with aiosqlite.connect(tmp_path / "x.db") as conn:
        assert compat_aiosqlite.in_thread(conn)

        def work(db: sqlite3.Connection, n: int) -> tuple[int, bool]:
            value = db.execute("SELECT ? + 1", (n,)).fetchone()[0]
            return value, isinstance(db, sqlite3.Connection)

        assert await compat_aiosqlite.run_in_thread(conn, work, 41) == (42, True)


async def test_tortoise_root_client_cache_and_shared_init(tmp_path: Path) -> None:
    from tortoise.backends.base import executor

    assert isinstance(executor.EXECUTOR_CACHE, dict)
    assert "_enable_global_fallback" in inspect.signature(Tortoise.init).parameters
    config = {
        "connections": {"default": f"sqlite://{tmp_path / 'x.db'}"},
        "apps": {"council": {"models": ["council.search.models"]}},
    }

    async def other_task() -> str:
        # Shared: a task that is not a child of the one that initialised sees the connection.
        from council.search.models import SearchOutbox

        return str(SearchOutbox._meta.db.capabilities.dialect)

    await compat_tortoise.init(config, shared=True)
    try:
        from council.search.models import SearchOutbox

        root = SearchOutbox._meta.db
        async with in_transaction() as tx:
            assert tx is not root
            assert compat_tortoise.root_client(SearchOutbox._meta.db) is root
            assert compat_tortoise.root_client(tx) is root
        assert isinstance(root, BaseDBAsyncClient)
        assert await asyncio.get_running_loop().create_task(other_task()) == "sqlite"
        executor.EXECUTOR_CACHE[("probe",)] = ()  # type: ignore[index]
        compat_tortoise.clear_executor_cache()
        assert executor.EXECUTOR_CACHE == {}
    finally:
        await Tortoise.close_connections()


def test_the_python_socketio_hooks_of_deferred_acks_still_exist() -> None:
    """``DeferringServer`` overrides two methods of python-socketio's AsyncServer and sends acks
    with a third: an upgrade that renames or reshapes them must fail here, not silently stop acks
    (``tests/council/test_realtime.py`` runs deferred acks end to end)."""
    internal = inspect.signature(socketio.AsyncServer._handle_event_internal)
    assert list(internal.parameters) == [
        "self",
        "server",
        "sid",
        "eio_sid",
        "data",
        "namespace",
        "id",
    ]
    trigger = inspect.signature(socketio.AsyncServer._trigger_event)
    assert list(trigger.parameters) == ["self", "event", "namespace", "args"]
    assert inspect.iscoroutinefunction(socketio.AsyncServer._send_packet)
    assert list(inspect.signature(socketio.AsyncServer._send_packet).parameters)[:3] == [
        "self",
        "eio_sid",
        "pkt",
    ]
    assert hasattr(socketio.AsyncServer(), "not_handled")
    assert issubclass(compat_socketio.DeferringServer, socketio.AsyncServer)


def test_whoosh_codec_internals_are_there() -> None:
    """The bulk writer and the block reader need these; ``tests/council/search/test_bulk.py`` and
    ``test_execute.py`` check the results equal Whoosh's own writer and searcher."""
    from whoosh.codec import whoosh3

    assert compat_whoosh.codec_supported()
    assert compat_whoosh.reader_supported()
    assert callable(whoosh3._lenfield) and whoosh3.LENGTHS_COLUMN is not None
    for name in ("_mini_ids", "_mini_weights", "_write_block", "_new_block"):
        assert hasattr(whoosh3.W3PostingsWriter, name), name
    params = inspect.signature(whoosh3.W3PostingsWriter.__init__).parameters
    assert list(params)[:3] == ["self", "postfile", "blocklimit"], list(params)
