"""A node's copies of a bucket's blobs (council/storage/blobcache.py), on a real S3 server: a
document is downloaded once for all the pages drawn from it, the copies stay within their limit,
a damaged object is never kept, and a copy deleted while a worker reads it takes nothing away."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from council import storage
from council.settings import Settings
from council.storage import blobcache
from council.storage.blobcache import BlobCache, content_sha
from meetings.documents.generate import make_pdf
from tests.storage import SeaweedS3

PDF = make_pdf("Báo cáo mật", ["Trang một.", "Trang hai."])


def _kept(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def on_s3(settings: Settings, s3_server: SeaweedS3) -> Settings:
    s3_server.settings_for(settings)
    storage.configure(settings)
    return settings


async def _read(key: str) -> bytes:
    async with storage.local_copy(key) as path:
        return path.read_bytes()


async def test_a_blob_is_downloaded_once_per_node(on_s3: Settings) -> None:
    stored = await storage.save_bytes(PDF, mime="application/pdf")
    async with storage.local_copy(stored.path) as first:
        assert first.read_bytes() == PDF
        assert first.parent == storage.backend().staging_dir()  # a private link, not the copy
    assert not first.exists()
    assert _kept(on_s3.data_dir / "blobs") == [stored.sha256]
    assert (on_s3.data_dir / "blobs" / stored.sha256).stat().st_mode & 0o777 == 0o600

    # Gone from the bucket: the node still has it (a content key never changes), the bucket not.
    await storage.backend().delete(stored.path)
    with pytest.raises(storage.BlobMissing):
        await storage.read_bytes(stored.path)
    assert await _read(stored.path) == PDF


async def test_no_copies_are_kept_when_the_setting_is_zero(on_s3: Settings) -> None:
    on_s3.blob_cache_mb = 0
    storage.configure(on_s3)
    stored = await storage.save_bytes(PDF, mime="application/pdf")
    assert await _read(stored.path) == PDF
    assert _kept(on_s3.data_dir / "blobs") == []
    await storage.backend().delete(stored.path)
    with pytest.raises(storage.BlobMissing):
        await _read(stored.path)


async def test_the_least_recently_used_copies_go_first(on_s3: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "blobs"
    store = storage.use(
        storage.from_settings(on_s3),
        BlobCache(folder, limit=2 * 40_000 + 100, staging=tmp_path / "staging"),
    )
    blobs = {name: os.urandom(40_000) for name in "abc"}
    keys = {
        n: (await storage.save_bytes(b, mime="application/octet-stream")).path
        for n, b in blobs.items()
    }
    sha = {n: hashlib.sha256(b).hexdigest() for n, b in blobs.items()}
    for name in ("a", "b"):
        assert await _read(keys[name]) == blobs[name]
    os.utime(folder / sha["b"], (1, 1))  # b read long ago; a just now
    assert await _read(keys["a"]) == blobs["a"]  # and again: a is the most recent
    assert await _read(keys["c"]) == blobs["c"]
    assert _kept(folder) == sorted([sha["a"], sha["c"]])

    for key in keys.values():
        await store.delete(key)
    assert await _read(keys["a"]) == blobs["a"]
    assert await _read(keys["c"]) == blobs["c"]
    with pytest.raises(storage.BlobMissing):
        await _read(keys["b"])


async def test_a_damaged_object_is_read_but_never_kept(on_s3: Settings) -> None:
    claimed = hashlib.sha256(b"the real document").hexdigest()
    key = storage.content_key(claimed)
    await storage.backend().put_bytes(key, b"something else", mime="application/pdf")
    assert await _read(key) == b"something else"  # as before: the reader gets what is stored
    assert _kept(on_s3.data_dir / "blobs") == []


async def test_a_copy_evicted_while_read_is_still_whole(on_s3: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "blobs"
    cache = BlobCache(folder, limit=1 << 20, staging=tmp_path / "staging")
    storage.use(storage.from_settings(on_s3), cache)
    stored = await storage.save_bytes(PDF, mime="application/pdf")
    assert await _read(stored.path) == PDF
    async with storage.local_copy(stored.path) as path:
        cache.limit = 0
        assert cache.trim() == 0 and _kept(folder) == []  # another process made room
        assert path.read_bytes() == PDF


def test_only_content_keys_are_kept() -> None:
    sha = "ab" + "cd" + "0" * 60
    assert content_sha(f"sha256/ab/cd/{sha}") == sha
    for key in (f"sha256/ab/ce/{sha}", "cache/pages/x/150/1.webp", f"sha256/ab/cd/{sha}x", sha):
        assert content_sha(key) is None


async def test_the_data_directory_keeps_no_copies(settings: Settings) -> None:
    storage.configure(settings)
    stored = await storage.save_bytes(PDF, mime="application/pdf")
    async with storage.local_copy(stored.path) as path:
        assert path == storage.backend().local_path(stored.path)  # the stored file itself
    assert not (settings.data_dir / "blobs").exists()


async def test_a_released_file_leaves_the_node_and_idle_copies_go(on_s3: Settings) -> None:
    folder = on_s3.data_dir / "blobs"
    gone = await storage.save_bytes(PDF, mime="application/pdf")
    assert await _read(gone.path) == PDF and _kept(folder) == [gone.sha256]
    assert await storage.release(gone.path)  # no row names it: deleted, and the copy with it
    assert _kept(folder) == []

    idle = await storage.save_bytes(b"%PDF-1.4 old agenda", mime="application/pdf")
    assert await _read(idle.path) == b"%PDF-1.4 old agenda"
    week = blobcache.MAX_IDLE_SECONDS + 60
    os.utime(folder / idle.sha256, (time.time() - week, time.time() - week))
    storage.configure(on_s3)  # a start trims: unused for a week, gone whatever room is left
    assert _kept(folder) == []

    assert await _read(idle.path) == b"%PDF-1.4 old agenda"
    on_s3.blob_cache_mb = 0
    storage.configure(on_s3)  # turned off: no copy stays on the node
    assert not folder.exists()


async def test_a_copy_that_cannot_be_kept_is_still_read(on_s3: Settings, tmp_path: Path) -> None:
    blocked = tmp_path / "blobs"
    blocked.write_text("a file where the folder should be")  # mkdir fails: ENOTDIR/EEXIST
    storage.use(storage.from_settings(on_s3), BlobCache(blocked, 1 << 20, tmp_path / "staging"))
    stored = await storage.save_bytes(PDF, mime="application/pdf")
    assert await _read(stored.path) == PDF
    assert await _read(stored.path) == PDF  # downloaded again, never a 500
    assert blocked.is_file() and not any((tmp_path / "staging").iterdir())
