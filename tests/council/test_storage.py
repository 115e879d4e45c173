"""council.storage on both backends (the data directory and a real S3 server): content-addressed
puts, streaming reads with ranges, downloads through the routes under their checks, shared blobs,
the readiness probe and `council import-files`."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from starlette.datastructures import Headers, UploadFile

from council import storage, uploads
from council.errors import TooLarge
from council.settings import Settings
from meetings.documents.generate import make_pdf
from meetings.models import DocumentVersion
from petitions.models import Attachment
from tests.factories import login
from tests.meetings.helpers import add_agenda, create_session, setup_council, upload_document
from tests.petitions.helpers import setup_world
from tests.storage import BUCKET, SeaweedS3

PDF = make_pdf("Tờ trình", ["Dự toán ngân sách năm 2027: 1.234 tỷ đồng.", "Trang hai."])


@pytest.fixture
def app(store_settings: Settings) -> Any:
    from council.app import create_app

    return create_app(store_settings, manage_db=False)


async def _keys() -> list[str]:
    return [key async for key, _ in storage.backend().iterate()]


def _upload(data: bytes, name: str = "a.pdf") -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=name, headers=Headers({}))


# --- the layer --------------------------------------------------------------------------------


async def test_put_read_range_and_iterate(store_settings: Settings) -> None:
    stored = await uploads.store_upload(
        _upload(PDF, "tờ trình.pdf"), allowed={uploads.PDF}, max_bytes=1 << 20
    )
    sha = hashlib.sha256(PDF).hexdigest()
    assert stored.path == f"sha256/{sha[:2]}/{sha[2:4]}/{sha}" == storage.content_key(sha)
    assert (stored.sha256, stored.size, stored.mime) == (sha, len(PDF), uploads.PDF)
    assert stored.original_name == "tờ trình.pdf" and stored.created
    assert await storage.read_bytes(stored.path) == PDF
    assert await storage.size(stored.path) == len(PDF)
    middle = b"".join([c async for c in storage.stream(stored.path, 10, 19)])
    assert middle == PDF[10:20]
    tail = b"".join([c async for c in storage.stream(stored.path, len(PDF) - 5)])
    assert tail == PDF[-5:]
    async with storage.local_copy(stored.path) as path:
        assert path.read_bytes() == PDF
    assert await _keys() == [stored.path]  # nothing else: no staging file is ever listed
    await storage.check()


async def test_the_same_bytes_are_stored_once(store_settings: Settings) -> None:
    first = await uploads.store_bytes(PDF, original_name="a.pdf", allowed={uploads.PDF})
    second = await uploads.store_upload(
        _upload(PDF, "b.pdf"), allowed={uploads.PDF}, max_bytes=1 << 20
    )
    assert first.path == second.path
    assert (first.created, second.created) == (True, False)
    assert (first.original_name, second.original_name) == ("a.pdf", "b.pdf")
    assert await _keys() == [first.path]


async def test_refused_uploads_leave_nothing(store_settings: Settings) -> None:
    with pytest.raises(TooLarge):
        await uploads.store_upload(_upload(PDF), allowed={uploads.PDF}, max_bytes=100)
    with pytest.raises(Exception, match="unsupported_type"):
        await uploads.store_upload(_upload(b"plain text"), allowed={uploads.PDF}, max_bytes=1000)
    assert await _keys() == []
    assert not any(storage.backend().staging_dir().iterdir())


def test_stale_partial_uploads_are_swept_at_start(store_settings: Settings) -> None:
    """A process that died mid-upload leaves a spooled file; the next start removes it, but not
    one that another worker is writing right now."""
    import time

    staging = storage.backend().staging_dir()
    stale, fresh = staging / "dead.partial", staging / "live.partial"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 7 * 3600
    os.utime(stale, (old, old))
    storage.configure(store_settings)
    assert not stale.exists() and fresh.exists()


async def test_missing_objects_and_hostile_keys(store_settings: Settings) -> None:
    absent = storage.content_key("0" * 64)
    assert not await storage.exists(absent)
    with pytest.raises(storage.BlobMissing):
        await storage.read_bytes(absent)
    for key in ("../secret_key", "/etc/passwd", ".partial/x", "a/../../b", "a//b", ""):
        with pytest.raises(ValueError):
            await storage.exists(key)


async def test_check_fails_when_the_folder_cannot_be_written(settings: Settings) -> None:
    storage.configure(settings)
    staging = storage.backend().staging_dir()
    staging.chmod(0o500)
    try:
        if os.access(staging, os.W_OK):  # root writes anywhere: take the folder away instead
            staging.chmod(0o700)
            shutil.rmtree(staging)
        with pytest.raises(storage.StorageUnavailable, match="cannot be written"):
            await storage.check()
    finally:
        if staging.exists():
            staging.chmod(0o700)


def test_storage_url_is_parsed(settings: Settings, tmp_path: Path) -> None:
    settings.storage_url = f"file://{tmp_path / 'files'}"
    backend = storage.from_settings(settings)
    assert backend.name == "file" and backend.describe() == f"file://{tmp_path / 'files'}"
    settings.storage_url = "s3://hdnd-files/council/prod"
    settings.s3_endpoint_url = "http://127.0.0.1:9"
    backend = storage.from_settings(settings)
    assert backend.describe() == "s3://hdnd-files/council/prod/ at http://127.0.0.1:9"
    for bad in ("s3:///nobucket", "ftp://x/y", "/srv/files"):
        settings.storage_url = bad
        with pytest.raises(ValueError, match="STORAGE_URL"):
            storage.from_settings(settings)


# --- through the routes -----------------------------------------------------------------------


async def _sitting(client: Any) -> Any:
    s = await setup_council(seats=5, delegates=3)
    await create_session(client, s)
    await add_agenda(client, s)
    await client.post(f"/api/v1/sessions/{s.session_id}/publish", headers=s.h(s.secretariat))
    return s


async def test_document_upload_then_download_with_ranges(client: Any, anon: Any) -> None:
    s = await _sitting(client)
    doc = await upload_document(client, s, title="Báo cáo", confidentiality="internal")
    version = await DocumentVersion.get(document_id=doc["id"])
    assert await storage.exists(version.path)
    url = f"/api/v1/documents/{doc['id']}/file"
    whole = await client.get(url, headers=s.h(s.delegates[0]))
    assert whole.status_code == 200, whole.text
    data = await storage.read_bytes(version.path)
    assert whole.content == data and hashlib.sha256(data).hexdigest() == version.sha256
    assert whole.headers["content-type"] == "application/pdf"
    assert whole.headers["accept-ranges"] == "bytes"
    assert "document-" in whole.headers["content-disposition"]
    part = await client.get(url, headers={**s.h(s.delegates[0]), "Range": "bytes=5-14"})
    assert part.status_code == 206 and part.content == data[5:15]
    assert part.headers["content-range"] == f"bytes 5-14/{len(data)}"
    last = await client.get(url, headers={**s.h(s.delegates[0]), "Range": "bytes=-7"})
    assert last.status_code == 206 and last.content == data[-7:]
    beyond = await client.get(
        url, headers={**s.h(s.delegates[0]), "Range": f"bytes={len(data) + 5}-"}
    )
    assert beyond.status_code == 416
    # Every check still holds: no login, another council's delegate.
    assert (await anon.get(url)).status_code == 401
    other = await setup_council(seats=5, delegates=1, code="HN-HK")
    refused = await anon.get(url, headers=other.h(other.delegates[0]))
    assert refused.status_code in (403, 404) and refused.content != data


async def test_confidential_files_stay_view_only(client: Any) -> None:
    s = await _sitting(client)
    doc = await upload_document(client, s, title="Hồ sơ nhân sự", confidentiality="confidential")
    r = await client.get(f"/api/v1/documents/{doc['id']}/file", headers=s.h(s.delegates[0]))
    assert r.status_code == 403


async def _post_pdf(client: Any, s: Any, title: str, data: bytes = PDF) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/documents",
        headers=s.h(s.secretariat),
        data={"title": title, "confidentiality": "internal"},
        files={"file": ("to-trinh.pdf", data, "application/pdf")},
    )
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def test_two_documents_of_the_same_file_share_one_blob(client: Any) -> None:
    s = await _sitting(client)
    a = await _post_pdf(client, s, "Bản gửi đại biểu")
    b = await _post_pdf(client, s, "Bản gửi Thường trực")
    va = await DocumentVersion.get(document_id=a["id"])
    vb = await DocumentVersion.get(document_id=b["id"])
    assert va.path == vb.path and va.id != vb.id
    assert await _keys() == [va.path]
    for doc in (a, b):
        r = await client.get(f"/api/v1/documents/{doc['id']}/file", headers=s.h(s.delegates[0]))
        assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == va.sha256


async def test_a_shared_blob_outlives_one_of_its_rows(client: Any) -> None:
    """Deleting a row releases its blob only when no other row names it."""
    s = await _sitting(client)
    a = await _post_pdf(client, s, "Một")
    b = await _post_pdf(client, s, "Hai")
    va = await DocumentVersion.get(document_id=a["id"])
    vb = await DocumentVersion.get(document_id=b["id"])
    await va.delete()
    assert await storage.release(va.path) is False
    assert await storage.exists(vb.path)
    r = await client.get(f"/api/v1/documents/{b['id']}/file", headers=s.h(s.delegates[0]))
    assert r.status_code == 200
    # A failed operation that stored the same bytes again does not take the blob with it.
    again = await uploads.store_bytes(r.content, original_name="x.pdf", allowed={uploads.PDF})
    assert not again.created
    await storage.discard(again)
    assert await storage.exists(vb.path)
    await vb.delete()
    assert await storage.release(vb.path) is True
    assert await _keys() == []


async def test_unreadable_document_leaves_no_blob(client: Any) -> None:
    s = await _sitting(client)
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/documents",
        headers=s.h(s.secretariat),
        data={"title": "x"},
        files={"file": ("a.pdf", b"%PDF-1.4\n%broken", "application/pdf")},
    )
    assert (r.status_code, r.json()["error"]["code"]) == (422, "unreadable_document")
    assert await _keys() == []


async def test_petition_attachment_download_keeps_its_checks(client: Any) -> None:
    w = await setup_world()
    await login(client, w.commune_sec)
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    form = {
        "council_code": "HN-BADINH",
        "channel": "assisted",
        "category": "social",
        "title": "Chậm chi trả trợ cấp",
        "body": "Bà Lan 85 tuổi chưa nhận trợ cấp.",
        "name": "Lê Thị Lan",
    }
    r = await client.post(
        "/petitions/staff/file", data=form, files={"consent": ("dong-y.png", png, "image/png")}
    )
    assert r.status_code == 303
    attachment = await Attachment.get(kind="consent")
    assert attachment.path == storage.content_key(hashlib.sha256(png).hexdigest())
    code = re.search(r"KN-\d{4}-[0-9A-Z]{7}", (await client.get("/petitions/receipt")).text)
    assert code is not None
    link = f"/petitions/staff/{code.group(0)}/attachments/{attachment.id}"
    r = await client.get(link)
    assert r.status_code == 200 and r.content == png
    assert r.headers["cache-control"] == "private, no-store"
    assert r.headers["content-disposition"].startswith("attachment")
    await login(client, w.commune_chair)
    assert (await client.get(link)).status_code == 403


# --- readiness --------------------------------------------------------------------------------


async def test_not_ready_when_the_s3_server_is_down(settings: Settings, tmp_path: Path) -> None:
    """/readyz answers 503 once the bucket's server stops; requests for files answer 503 too,
    never a 500."""
    import time

    import httpx

    from council.app import create_app

    server = SeaweedS3(tmp_path / "weed")
    server.start()
    try:
        app = create_app(server.settings_for(settings), manage_db=False)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        assert (await client.get("/readyz")).json()["storage"] == "ok"
        s = await _sitting(client)
        doc = await _post_pdf(client, s, "Trước khi dừng")
    finally:
        server.stop()
    started = time.monotonic()
    r = await client.get("/readyz")
    assert r.status_code == 503
    assert (r.json()["status"], r.json()["storage"], r.json()["database"]) == (
        "unavailable",
        "down",
        "ok",
    )
    assert time.monotonic() - started < 10  # one attempt, short timeouts
    assert (await client.get("/healthz")).status_code == 200  # the process itself is fine
    r = await client.get(f"/api/v1/documents/{doc['id']}/file", headers=s.h(s.delegates[0]))
    assert (r.status_code, r.json()["error"]["code"]) == (503, "storage_unavailable")
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/documents",
        headers=s.h(s.secretariat),
        data={"title": "Sau khi dừng"},
        files={"file": ("b.pdf", make_pdf("Khác", ["x"]), "application/pdf")},
    )
    assert (r.status_code, r.json()["error"]["code"]) == (503, "storage_unavailable")
    assert not any(storage.backend().staging_dir().iterdir())  # nothing left half-sent
    await client.aclose()


async def test_check_names_a_missing_bucket(settings: Settings, s3_server: SeaweedS3) -> None:
    s3_server.settings_for(settings)
    settings.storage_url = "s3://no-such-bucket-here/x"
    storage.configure(settings)
    with pytest.raises(storage.StorageUnavailable, match="no-such-bucket-here does not exist"):
        await storage.check()
    settings.storage_url = f"s3://{BUCKET}/x"
    settings.s3_secret_access_key = "wrong"
    storage.configure(settings)
    with pytest.raises(storage.StorageUnavailable, match="access denied"):
        await storage.check()


async def test_rendered_pages_are_cached_in_the_store_and_forgotten(
    store_settings: Settings,
) -> None:
    """The viewer's shared renderings live in the file store (so every node shares them) under
    ``cache/``; forgetting a document's prefix drops them and nothing else."""
    from council import pageimages

    made: list[str] = []

    async def make() -> bytes:
        made.append("x")
        return b"RIFF....WEBP"

    document = await storage.save_bytes(PDF, mime=uploads.PDF)
    for number in (1, 2):
        assert await pageimages.cached(f"pages/abc/150/{number}.webp", make) == b"RIFF....WEBP"
    assert await pageimages.cached("pages/abc/150/1.webp", make) == b"RIFF....WEBP"
    assert await pageimages.cached("pages/abd/150/1.webp", make) == b"RIFF....WEBP"
    assert len(made) == 3
    await pageimages.forget("pages/abc")
    assert await _keys() == sorted([document.path, "cache/pages/abd/150/1.webp"])


async def test_page_images_are_drawn_from_the_store(client: Any) -> None:
    """The viewer draws a page from the stored file (a temporary copy when it is in a bucket)
    and keeps the shared rendering in the store."""
    s = await _sitting(client)
    doc = await _post_pdf(client, s, "Tờ trình")
    r = await client.get(f"/api/v1/documents/{doc['id']}/pages/1.webp", headers=s.h(s.delegates[0]))
    assert r.status_code == 200 and r.content[8:12] == b"WEBP"
    sha = (await DocumentVersion.get(document_id=doc["id"])).sha256
    assert await storage.read_bytes(f"cache/pages/{sha}/150/1.webp") == r.content
    assert not any(storage.backend().staging_dir().iterdir())  # the copy is gone
