"""`council import-files`: an existing data directory's files into the configured store."""

from __future__ import annotations

from typing import Any

import pytest

from council import storage
from council.settings import Settings
from council.storage.importing import import_files
from meetings.documents.generate import make_pdf
from meetings.models import DocumentVersion
from tests.council.test_storage import _keys, _post_pdf, _sitting
from tests.storage import SeaweedS3


@pytest.fixture
def store_app(store_settings: Settings) -> Any:
    from council.app import create_app

    return create_app(store_settings, manage_db=False)


@pytest.fixture
async def store_client(store_app: Any) -> Any:
    import httpx

    transport = httpx.ASGITransport(app=store_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_import_files_brings_a_data_directory_into_the_store(
    store_client: Any, store_settings: Settings
) -> None:
    """Files stored before content addressing, in the data directory, move into the configured
    store (the same folder, or a bucket); their rows follow; a second run finds nothing to do."""
    client = store_client
    s = await _sitting(client)
    old = await _post_pdf(client, s, "Tờ trình cũ")
    gone = await _post_pdf(client, s, "Tệp đã mất", make_pdf("Khác", ["Nội dung khác."]))
    version = await DocumentVersion.get(document_id=old["id"])
    data = await storage.read_bytes(version.path)
    # What an instance of the previous release holds: random names under uploads/meetings/.
    await DocumentVersion.filter(id=version.id).update(path="meetings/0a1b2c3d.pdf")
    await DocumentVersion.filter(document_id=gone["id"]).update(path="meetings/ffff0000.pdf")
    for blob in await _keys():
        await storage.release(blob)
    assert await _keys() == []
    source = store_settings.uploads_dir
    (source / "meetings").mkdir(parents=True)
    (source / "meetings" / "0a1b2c3d.pdf").write_bytes(data)
    (source / "petitions").mkdir()
    (source / "petitions" / "orphan.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    report = await import_files(source, remove=True)
    assert (report.imported, report.rows, report.removed) == (1, 1, 1)
    assert report.unreferenced == ["petitions/orphan.png"]
    assert report.missing == ["meetings/ffff0000.pdf"] and not report.ok
    version = await DocumentVersion.get(id=version.id)
    assert version.path == storage.content_key(version.sha256)
    assert [k for k in await _keys() if not k.startswith("petitions/")] == [version.path]
    assert not (source / "meetings" / "0a1b2c3d.pdf").exists()
    r = await client.get(f"/api/v1/documents/{old['id']}/file", headers=s.h(s.delegates[0]))
    assert r.status_code == 200 and r.content == data

    again = await import_files(source, remove=True)
    assert (again.imported, again.rows) == (0, 0)
    assert again.in_place == (1 if store_settings.storage_url is None else 0)


async def test_import_files_copies_content_addressed_files_into_a_bucket(
    client: Any, settings: Settings, s3_server: SeaweedS3
) -> None:
    """An instance that ran on its data directory switches to a bucket: its files follow."""
    storage.configure(settings)
    s = await _sitting(client)
    doc = await _post_pdf(client, s, "Báo cáo")
    version = await DocumentVersion.get(document_id=doc["id"])
    local = settings.uploads_dir / version.path
    assert local.is_file()
    damaged = await _post_pdf(client, s, "Hỏng", make_pdf("Hỏng", ["Trang bị hỏng."]))
    broken = await DocumentVersion.get(document_id=damaged["id"])
    (settings.uploads_dir / broken.path).write_bytes(b"%PDF-1.4 changed on disk")

    storage.configure(s3_server.settings_for(settings))
    report = await import_files(settings.uploads_dir)
    assert (report.imported, report.rows, report.removed) == (1, 0, 0)
    assert report.damaged == [broken.path] and report.missing == [broken.path]
    assert await _keys() == [version.path]
    assert await storage.read_bytes(version.path) == local.read_bytes()
