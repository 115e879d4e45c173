"""`council import-files`: an existing data directory's files into the configured store."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from council import storage
from council.file_import import import_files
from council.settings import Settings
from meetings.documents.generate import make_pdf
from meetings.models import DocumentVersion
from tests.conftest import ENGINE, free_port
from tests.council.test_storage import _keys, _post_pdf, _sitting
from tests.processes import cli_env, council_serve
from tests.storage import BUCKET, SeaweedS3


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


def test_a_running_instance_moves_its_files_into_a_bucket(
    tmp_path: Path, s3_server: SeaweedS3
) -> None:
    """The operator's journey, through the commands: an instance on its data directory imports
    its files into a bucket, and a node with an empty data directory serves them from there."""
    from tests.council.test_cli import _new_instance, _pg

    gen = _new_instance(tmp_path / "data")
    inst = next(gen)
    try:
        if ENGINE == "postgres":
            _pg(f'CREATE DATABASE "{inst.database_url.rsplit("/", 1)[1]}"')
        inst.run("migrate")
        inst.run("demo")
        on_disk = sorted(
            p for p in (inst.data_dir / "uploads" / "sha256").rglob("*") if p.is_file()
        )
        assert on_disk

        bucket = s3_server.settings_for(Settings.from_env({}, data_dir=str(tmp_path / "x")))
        s3_env = {
            "STORAGE_URL": str(bucket.storage_url),
            "S3_ENDPOINT_URL": s3_server.endpoint,
            "S3_ACCESS_KEY_ID": s3_server.access_key,
            "S3_SECRET_ACCESS_KEY": s3_server.secret_key,
        }
        out = _council(
            inst.env() | s3_env, "import-files", "--from", str(inst.data_dir / "uploads")
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"{len(on_disk)} files imported into s3://{BUCKET}/" in out.stdout

        # A second node: the same database, an empty data directory, files from the bucket.
        node = cli_env(tmp_path / "node", inst.database_url, **s3_env)
        port = free_port()
        with council_serve(node, port):
            base = f"http://127.0.0.1:{port}"
            token = httpx.post(
                f"{base}/api/v1/auth/token",
                json={"username": "hn.badinh.db001", "password": "demo-2026"},
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            sessions = httpx.get(f"{base}/api/v1/sessions", headers=auth).json()["items"]
            served = 0
            for session in sessions:
                docs = httpx.get(
                    f"{base}/api/v1/sessions/{session['id']}/documents", headers=auth
                ).json()["items"]
                for doc in docs:
                    r = httpx.get(f"{base}/api/v1/documents/{doc['id']}/file", headers=auth)
                    if doc["confidentiality"] == "confidential":
                        assert r.status_code == 403
                        continue
                    assert r.status_code == 200
                    key = storage.content_key(hashlib.sha256(r.content).hexdigest())
                    assert (inst.data_dir / "uploads" / key).read_bytes() == r.content
                    served += 1
            assert served >= 2
        assert not (tmp_path / "node" / "uploads" / "sha256").exists()
    finally:
        next(gen, None)


def _council(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "council.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
