"""PDF pages as images (pypdfium2), for a viewer that works where browsers show no inline PDF.

Rendering parses an upload: :func:`run` draws in a worker process within limits of memory and
time (``council.workers``), never in the server, and within limits of pages and pixels here.
``cached`` is the one place that knows where rendered pages are kept.
"""

from __future__ import annotations

import functools
import io
import math
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from council import storage, workers
from council.officialdoc import FONT_FILES

# 150 dpi: an A4 page 1240 px wide, sharp across a 10-inch tablet (see bench/viewer.py).
DPI = 150
WEBP_QUALITY = 80
MAX_PAGES = 2_000
# A page larger than this (a poster, a hostile MediaBox) is drawn smaller, never bigger.
MAX_PIXELS = 12_000_000
MEDIA_TYPE = "image/webp"

T = TypeVar("T")
_pdfium = threading.Lock()  # PDFium is not thread-safe (callers outside the workers: bench/)
workers.preload("pypdfium2", "PIL.Image")


class RenderError(ValueError):
    """The file could not be drawn: not a PDF PDFium reads, too many pages, no such page."""


@dataclass(frozen=True)
class PageSize:
    """A page's size in pixels as :func:`render_page` draws it."""

    width: int
    height: int


def _scale(width_pt: float, height_pt: float, dpi: int) -> float:
    scale = dpi / 72
    pixels = width_pt * scale * height_pt * scale
    if pixels > MAX_PIXELS:
        scale *= math.sqrt(MAX_PIXELS / pixels) * 0.998  # room for rounding the sides up
    return scale


def _open(pdf: bytes | Path):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    except pdfium.PdfiumError as exc:
        raise RenderError(f"unreadable PDF: {exc}") from exc
    if len(document) > MAX_PAGES:
        document.close()
        raise RenderError(f"more than {MAX_PAGES} pages")
    return document


def page_sizes(pdf: bytes | Path, dpi: int = DPI) -> list[PageSize]:
    """Each page's size in pixels at ``dpi`` (blocking: call through :func:`run`)."""
    with _pdfium:
        document = _open(pdf)
        try:
            sizes = []
            for index in range(len(document)):
                width, height = document.get_page_size(index)
                scale = _scale(width, height, dpi)
                # as PDFium sizes its bitmap
                sizes.append(PageSize(math.ceil(width * scale), math.ceil(height * scale)))
            return sizes
        finally:
            document.close()


def render_page(
    pdf: bytes | Path, number: int, *, dpi: int = DPI, watermark: str | None = None
) -> bytes:
    """Page ``number`` (from 1) as WebP; ``watermark`` is burnt into the picture across the page."""
    with _pdfium:
        document = _open(pdf)
        try:
            if not 1 <= number <= len(document):
                raise RenderError(f"no page {number}")
            page = document[number - 1]
            try:
                width, height = page.get_size()
                bitmap = page.render(scale=_scale(width, height, dpi), may_draw_forms=True)
                image = bitmap.to_pil().convert("RGB")
            finally:
                page.close()
        finally:
            document.close()
    if watermark:
        image = burn_watermark(image, watermark)
    out = io.BytesIO()
    # method 2: 30 KiB instead of 29 for a text page, in half the time of the default 4.
    image.save(out, format="WEBP", quality=WEBP_QUALITY, method=2)
    return out.getvalue()


def burn_watermark(image, text: str):  # type: ignore[no-untyped-def]
    """``text`` repeated diagonally over the whole picture, dark enough to survive a photo."""
    from PIL import Image

    mask = _watermark_mask(text, image.size)
    ink = Image.new("RGB", image.size, (150, 20, 20))
    return Image.composite(ink, image, mask)


@functools.lru_cache(maxsize=8)
def _watermark_mask(text: str, size: tuple[int, int]):  # type: ignore[no-untyped-def]
    """The watermark alone (no page content), kept for the next pages of the same reader."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    em = max(14, width // 40)
    font = ImageFont.truetype(str(FONT_FILES["B"]), em)
    side = int(math.hypot(width, height)) + em * 4
    layer = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(layer)
    label = f"{text}    "
    step_x = int(draw.textlength(label, font=font)) or em
    for row, y in enumerate(range(0, side, em * 5)):
        offset = (row % 2) * step_x // 2
        for x in range(-step_x + offset, side, step_x):
            draw.text((x, y), label, fill=70, font=font)
    layer = layer.rotate(30, resample=Image.Resampling.BILINEAR)
    left, top = (side - width) // 2, (side - height) // 2
    return layer.crop((left, top, left + width, top + height))


async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking render in a worker process (``fn`` a module-level function)."""
    return await workers.run(fn, *args, **kwargs)


CACHE = storage.CACHE_PREFIX  # shared renderings (derived data, never a document)


def _cache_key(key: str) -> str:
    if not key or ".." in key.split("/") or key.startswith("/"):
        raise ValueError(f"bad cache key {key!r}")
    return storage.check_key(CACHE + key)


async def cached(key: str, make: Callable[[], Awaitable[bytes]]) -> bytes:
    """The bytes kept under ``key``; made by ``make`` and kept when missing.

    Only shared renderings go here, never a watermarked or confidential page. They are kept in
    the file store (``council.storage``, under ``cache/``), so every node shares them."""
    stored = _cache_key(key)
    try:
        return await storage.read_bytes(stored)
    except storage.BlobMissing:
        pass
    data = await make()
    mime = MEDIA_TYPE if stored.endswith(".webp") else "application/octet-stream"
    await storage.backend().put_bytes(stored, data, mime=mime)
    return data


async def forget(prefix: str) -> None:
    """Drop everything kept under ``prefix`` (a document made confidential leaves the cache)."""
    stored = _cache_key(prefix).rstrip("/") + "/"
    store = storage.backend()
    for found in [key async for key, _ in store.iterate(stored)]:
        await store.delete(found)
