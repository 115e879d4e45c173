"""council.archives: ZIP bombs refused from their directory, ordinary office files let through."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from council import uploads
from council.archives import MAX_MEMBERS, UnsafeArchive, check_zip
from meetings.documents.extract import ExtractionError, extract_docx
from meetings.documents.generate import make_docx
from tests.hostile import docx_bomb


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _reason(source: bytes | Path) -> str | None:
    try:
        check_zip(source)
    except UnsafeArchive as refused:
        assert refused.code == "unsafe_archive" and refused.status == 422
        return str(refused.details["reason"])
    return None


def test_the_bomb_of_the_issue_is_refused_in_milliseconds(tmp_path: Path) -> None:
    bomb = docx_bomb(1536 << 20)
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:  # a real bomb: that is what it declares
        assert zf.getinfo("word/document.xml").file_size > 1500 << 20
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb)
    started = time.perf_counter()
    assert _reason(bomb) == _reason(path) == "size"
    assert time.perf_counter() - started < 0.5
    with pytest.raises(UnsafeArchive):  # the extractor checks too, before opening it
        extract_docx(path)


def test_a_bomb_hidden_among_incompressible_parts_is_caught_by_its_ratio() -> None:
    # 20 MB of images keep the whole archive's ratio low; one 20 MB part inflates 1,000 times.
    images = {f"word/media/image{i}.jpeg": os.urandom(2 << 20) for i in range(10)}
    hidden = _zip({**images, "word/document.xml": b"<w:p/>" * ((20 << 20) // 6)})
    assert _reason(hidden) == "ratio"
    # The same parts without the bomb pass: big but honest.
    assert _reason(_zip(images)) is None


def test_too_many_members_and_ordinary_files() -> None:
    many = _zip({f"part{i}.xml": b"" for i in range(MAX_MEMBERS + 1)}, zipfile.ZIP_STORED)
    assert _reason(many) == "members"
    assert _reason(make_docx("Tờ trình", ["Trang một", "Trang hai"])) is None
    # A small part may inflate as much as it likes (styles of repeated XML).
    assert _reason(_zip({"word/styles.xml": b"<w:style/>" * 400_000})) is None
    assert _reason(b"%PDF-1.7 not an archive") is None  # its own reader says what is wrong
    with pytest.raises(ExtractionError):
        extract_docx(b"PK\x03\x04 broken")


def test_a_file_object_is_left_where_it_was() -> None:
    fh = io.BytesIO(make_docx("A", ["b"]))
    fh.seek(5)
    check_zip(fh)
    assert fh.tell() == 5


async def test_store_bytes_refuses_a_received_bomb_but_trusts_generated_files(settings) -> None:
    from council import storage

    storage.configure(settings)
    with pytest.raises(UnsafeArchive):
        await uploads.store_bytes(
            docx_bomb(300 << 20), original_name="x.docx", allowed={uploads.DOCX}
        )
    kept = await uploads.store_bytes(
        make_docx("A", ["b"]), original_name="a.docx", mime=uploads.DOCX
    )
    assert kept.size > 0
