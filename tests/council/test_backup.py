"""`council backup` / `council restore`: database, uploads and search indexes round-trip on both engines."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext
from whoosh import fields as wfields
from whoosh import index as windex
from whoosh.index import LockError
from whoosh.qparser import QueryParser

from council import audit_verify, db, pageimages, storage, uploads
from council.backup import BackupError, backup, index_write_locks, restore
from council.models import Council, User
from council.settings import Settings
from tests.conftest import ENGINE, _pg_admin, _pg_url, free_port
from tests.factories import make_agency, make_commune, make_council, make_delegates, make_user
from tests.storage import SeaweedS3

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + "Tờ trình ngân sách".encode() * 50


async def _populate(settings: Settings) -> dict[str, Any]:
    """Councils, people, audit entries, one uploaded file and one search index."""
    city = await make_council("HN", seats=95)
    commune = await make_commune(city, "HN-BD")
    await make_agency(city, "SO-XD")
    await make_delegates(commune, 5)
    await make_user("secretariat", city, username="vanphong.hn")
    stored = await uploads.store_bytes(PDF, mime=uploads.PDF, original_name="to-trinh.pdf")
    folder = settings.index_dir / "petitions"
    folder.mkdir(parents=True)
    schema = wfields.Schema(code=wfields.ID(stored=True, unique=True), body=wfields.TEXT)
    ix = windex.create_in(str(folder), schema, indexname="petitions")
    writer = ix.writer()
    writer.add_document(code="KN-0001", body="sửa chữa đường giao thông liên xã")
    writer.add_document(code="KN-0002", body="ô nhiễm môi trường khu công nghiệp")
    writer.commit()
    return {"upload": stored.path, "sha256": stored.sha256}


def _sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


async def _pg_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        names = [
            r[0]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        out = {}
        for n in names:
            rows = [tuple(r.values()) for r in await conn.fetch(f'SELECT * FROM "{n}"')]
            out[n] = sorted(rows, key=repr)
        return out
    finally:
        await conn.close()


def _sqlite_file(settings: Settings) -> Path:
    return Path(settings.database_url.split("://", 1)[1])


async def _rows(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    if settings.is_sqlite:
        return _sqlite_rows(_sqlite_file(settings))
    return await _pg_rows(settings.database_url)


@pytest.fixture
async def target(tmp_path: Path) -> AsyncIterator[Settings]:
    """An empty instance to restore into: a fresh data dir, and a database that does not exist yet."""
    data = tmp_path / "restored"
    if ENGINE == "postgres":
        name = f"council_restore_{uuid.uuid4().hex[:10]}"
        yield Settings.from_env({}, data_dir=str(data), database_url=_pg_url(name))
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield Settings.from_env(
            {}, data_dir=str(data), database_url=f"sqlite://{data / 'council.db'}"
        )


async def _check_restored(
    source: Settings, target: Settings, populated: dict[str, Any], *, derived: bool = True
) -> None:
    """``derived=False``: the backup left out the PostgreSQL search tables (``fts_*``, rebuilt by
    ``council reindex``), as a copy-method backup does (docs/operations.md)."""
    before = await _rows(source)
    if not derived:
        before = {table: rows for table, rows in before.items() if not table.startswith("fts_")}
    assert await _rows(target) == before
    store = storage.from_settings(target)
    restored = b"".join([chunk async for chunk in store.open(populated["upload"])])
    assert restored == PDF
    assert hashlib.sha256(restored).hexdigest() == populated["sha256"]
    assert [key async for key, _ in store.iterate()] == [populated["upload"]]
    ix = windex.open_dir(str(target.index_dir / "petitions"), indexname="petitions")
    with ix.searcher() as searcher:
        hits = searcher.search(QueryParser("body", ix.schema).parse("giao thông"))
        assert [h["code"] for h in hits] == ["KN-0001"]
    # The restored instance works through the ORM: the audit chain and logins survived.
    async with TortoiseContext():
        await db.init(target)
        result = await audit_verify.verify()
        assert result.ok and result.count > 5
        assert await Council.filter(code="HN-BD").exists()
        assert await User.filter(username="vanphong.hn").exists()
        # New rows get fresh keys after a restore (sequences were moved past the restored ids).
        await make_council("NEW", seats=9)
    assert not await Council.filter(code="NEW").exists()  # the source was never touched


@pytest.mark.parametrize("packaging", ["dir", "tar.gz"])
async def test_round_trip(
    settings: Settings, app: Any, target: Settings, tmp_path: Path, packaging: str
) -> None:
    populated = await _populate(settings)
    path = tmp_path / ("backup" if packaging == "dir" else "backup.tar.gz")

    summary = await backup(settings, path)
    assert str(path) in summary

    if packaging == "dir":
        manifest = json.loads((path / "manifest.json").read_text())
    else:
        with tarfile.open(path) as tar:
            member = tar.extractfile("manifest.json")
            assert member is not None
            manifest = json.loads(member.read())
    assert manifest["engine"] == ENGINE
    if ENGINE == "sqlite":
        assert manifest["database"]["method"] == "sqlite3-backup-api"
    else:
        assert manifest["database"]["method"] == ("pg_dump" if shutil.which("pg_dump") else "copy")
    assert manifest["version"]
    assert manifest["tables"]["council"] == 2
    assert manifest["tables"]["user"] == await User.all().count()
    assert ["council", "0001_initial"] in manifest["migrations"]
    assert manifest["files"][f"uploads/{populated['upload']}"]["sha256"] == populated["sha256"]
    assert any(name.startswith("index/petitions/") for name in manifest["files"])

    summary = await restore(target, path)
    assert "verified" in summary
    await _check_restored(settings, target, populated)


@pytest.mark.parametrize(
    ("source_store", "target_store"), [("s3", "s3"), ("s3", "file"), ("file", "s3")]
)
async def test_round_trip_with_object_storage(
    settings: Settings,
    target: Settings,
    tmp_path: Path,
    s3_server: SeaweedS3,
    source_store: str,
    target_store: str,
) -> None:
    """The bucket's objects are in the backup, with their checksums, and restore into a bucket
    or a folder alike."""
    if source_store == "s3":
        s3_server.settings_for(settings)
    if target_store == "s3":
        s3_server.settings_for(target)
    storage.configure(settings)
    populated = await _populate(settings)
    if source_store == "s3":
        assert not (settings.uploads_dir / populated["upload"]).exists()  # in the bucket only

    async def draw() -> bytes:
        return b"a page image, drawn again whenever it is missing"

    await pageimages.cached(f"pages/{populated['sha256']}/150/1.webp", draw)
    summary = await backup(settings, tmp_path / "b")
    assert "1 stored files" in summary  # the rendering is not backed up
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["storage"] == {"backend": source_store, "objects": 1, "bytes": len(PDF)}
    assert not [rel for rel in manifest["files"] if rel.startswith("uploads/cache/")]
    assert manifest["files"][f"uploads/{populated['upload']}"]["sha256"] == populated["sha256"]

    summary = await restore(target, tmp_path / "b")
    await _check_restored(settings, target, populated)

    # A second restore into the same store is refused: it is no longer empty.
    again = Settings.from_env(
        {}, data_dir=str(tmp_path / "again"), database_url=target.database_url
    )
    again.storage_url, again.s3_endpoint_url = target.storage_url, target.s3_endpoint_url
    again.s3_access_key_id, again.s3_secret_access_key = (
        target.s3_access_key_id,
        target.s3_secret_access_key,
    )
    if target_store == "file":
        again.storage_url = f"file://{target.uploads_dir}"
    with pytest.raises(BackupError, match=r"file store .* is not empty"):
        await restore(again, tmp_path / "b")


async def test_backup_fails_clearly_when_the_bucket_is_down(
    settings: Settings, tmp_path: Path
) -> None:
    settings.storage_url = "s3://council/files"
    settings.s3_endpoint_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(BackupError, match="cannot be read"):
        await backup(settings, tmp_path / "b")
    assert not (tmp_path / "b").exists()


@pytest.mark.skipif(ENGINE != "postgres", reason="the COPY method is PostgreSQL's")
async def test_round_trip_postgres_copy_method(
    settings: Settings, app: Any, target: Settings, tmp_path: Path
) -> None:
    """Without a usable pg_dump, the dump is a COPY of every table in foreign-key order."""
    populated = await _populate(settings)
    await backup(settings, tmp_path / "b", method="copy")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["database"]["method"] == "copy"
    order = json.loads((tmp_path / "b" / "database" / "tables.json").read_text())
    assert order.index("council") < order.index("user") < order.index("auth_token")
    await restore(target, tmp_path / "b")
    await _check_restored(settings, target, populated, derived=False)


async def test_restore_refuses_a_database_that_has_data(
    settings: Settings, app: Any, tmp_path: Path
) -> None:
    await _populate(settings)
    await backup(settings, tmp_path / "b")
    with pytest.raises(BackupError, match="not empty|empty one"):
        await restore(settings, tmp_path / "b")


async def test_backup_refuses_an_existing_path(
    settings: Settings, app: Any, tmp_path: Path
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "something").write_text("x")
    with pytest.raises(BackupError, match="already exists"):
        await backup(settings, tmp_path / "b")


async def test_damaged_backup_is_refused_before_anything_is_restored(
    settings: Settings, app: Any, target: Settings, tmp_path: Path
) -> None:
    populated = await _populate(settings)
    await backup(settings, tmp_path / "b")
    damaged = tmp_path / "b" / "uploads" / populated["upload"]
    damaged.write_bytes(damaged.read_bytes().replace(b"%%EOF", b"%%EOX"))
    with pytest.raises(BackupError, match="checksum"):
        await restore(target, tmp_path / "b")
    assert not any(p.is_file() for p in target.uploads_dir.rglob("*"))
    if ENGINE == "sqlite":
        assert not _sqlite_file(target).exists()

    (tmp_path / "b" / "uploads" / "planted.pdf").write_bytes(PDF)
    damaged.write_bytes(PDF)
    with pytest.raises(BackupError, match="planted.pdf"):
        await restore(target, tmp_path / "b")


async def test_index_copy_waits_for_the_index_writer(settings: Settings, tmp_path: Path) -> None:
    """A backup never copies an index in the middle of a commit: it takes the writers' locks."""
    folder = settings.index_dir / "docs"
    folder.mkdir(parents=True)
    ix = windex.create_in(str(folder), wfields.Schema(body=wfields.TEXT), indexname="docs")
    writer = ix.writer()
    writer.add_document(body="biên bản kỳ họp")
    with pytest.raises(BackupError, match="locked"):
        async with index_write_locks(settings.index_dir, wait=0.3):
            pass
    writer.commit()
    async with index_write_locks(settings.index_dir, wait=0.3) as held:
        assert held == 1
        with pytest.raises(LockError):
            ix.writer(timeout=0)  # and while the backup holds it, no writer starts


async def test_backup_waits_for_the_search_packages_writer_lock(settings: Settings) -> None:
    """The search package's batch lock (``writer.lock``, an flock) is honoured too."""
    folder = settings.index_dir / "petitions"
    folder.mkdir(parents=True)
    holder = os.open(folder / "writer.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(BackupError, match="locked"):
            async with index_write_locks(settings.index_dir, wait=0.3):
                pass
    finally:
        os.close(holder)
    async with index_write_locks(settings.index_dir, wait=0.3) as held:
        assert held == 1
        other = os.open(folder / "writer.lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)
