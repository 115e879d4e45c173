"""PDF pages drawn as images: sizes, limits, the burnt-in watermark, the shared cache."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import numpy
import pytest
from PIL import Image

from council import pageimages, storage
from council.pageimages import RenderError
from council.storage.local import LocalBackend
from meetings.documents.generate import make_pdf


def _image(data: bytes) -> Image.Image:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return Image.open(io.BytesIO(data)).convert("RGB")


def _ink(image: Image.Image) -> int:
    """Pixels that are clearly not paper."""
    return int((numpy.asarray(image.convert("L")) < 128).sum())


def _red(image: Image.Image) -> int:
    """Pixels tinted by the watermark's red."""
    rgb = numpy.asarray(image).astype(int)
    return int(((rgb[..., 0] - rgb[..., 1] > 25) & (rgb[..., 0] - rgb[..., 2] > 25)).sum())


def test_pages_are_drawn_at_the_viewer_resolution() -> None:
    pdf = make_pdf("Báo cáo", ["Trang một: nội dung.", "Trang hai: nội dung khác hẳn. " * 20])
    sizes = pageimages.page_sizes(pdf)
    assert sizes == [pageimages.PageSize(1241, 1754)] * 2  # A4 at 150 dpi
    first, second = (_image(pageimages.render_page(pdf, n)) for n in (1, 2))
    assert first.size == (1241, 1754)
    assert _ink(first) > 500 and _ink(second) > _ink(first)
    with pytest.raises(RenderError):
        pageimages.render_page(pdf, 3)
    with pytest.raises(RenderError):
        pageimages.page_sizes(b"%PDF-1.7 not really")


def test_a_huge_page_is_drawn_smaller_never_bigger() -> None:
    from fpdf import FPDF

    pdf = FPDF(format=(5000, 5000))  # 5 m square: 870 million pixels at 150 dpi
    pdf.add_page()
    size = pageimages.page_sizes(bytes(pdf.output()))[0]
    assert size.width * size.height <= pageimages.MAX_PIXELS
    assert _image(pageimages.render_page(bytes(pdf.output()), 1)).size == (size.width, size.height)


def test_watermark_is_burnt_into_the_picture() -> None:
    pdf = make_pdf("Hồ sơ nhân sự", ["Tài liệu mật."])
    clean = _image(pageimages.render_page(pdf, 1))
    marked = _image(pageimages.render_page(pdf, 1, watermark="Nguyễn Văn An · db001 · 10:57"))
    other = _image(pageimages.render_page(pdf, 1, watermark="Trần Thị Bình · db002 · 10:57"))
    assert _red(clean) == 0
    width, height = marked.size
    for box in (
        (0, 0, width // 2, height // 2),
        (width // 2, 0, width, height // 2),
        (0, height // 2, width // 2, height),
        (width // 2, height // 2, width, height),
    ):
        assert _red(marked.crop(box)) > 2_000, box  # across the whole page, not a corner
    assert (numpy.asarray(marked) != numpy.asarray(other)).any()


async def test_cached_keeps_one_copy_and_refuses_keys_outside_the_cache(tmp_path: Path) -> None:
    storage.use(LocalBackend(tmp_path / "uploads"))
    calls = 0

    async def make() -> bytes:
        nonlocal calls
        calls += 1
        return b"page"

    assert await pageimages.cached("pages/abc/150/1.webp", make) == b"page"
    assert await pageimages.cached("pages/abc/150/1.webp", make) == b"page"
    assert calls == 1
    assert (
        tmp_path / "uploads" / "cache" / "pages" / "abc" / "150" / "1.webp"
    ).read_bytes() == b"page"
    for key in ("../x", "/etc/passwd", "pages/../../x", ""):
        with pytest.raises(ValueError):
            await pageimages.cached(key, make)


async def test_renders_run_in_worker_processes_off_the_event_loop() -> None:
    pdf = make_pdf("Báo cáo", ["Trang."] * 3)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    try:
        images = await asyncio.gather(
            *(pageimages.run(pageimages.render_page, pdf, n) for n in (1, 2, 3))
        )
    finally:
        task.cancel()
    assert len(images) == 3 and ticks > 3  # the loop kept turning while pages were drawn
