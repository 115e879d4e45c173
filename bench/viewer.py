"""Bytes and time per page of the document viewer's page images (issue 15, item 2).

For three kinds of page — a text page as the demo's reports are, a page of minutes in the official
layout, and a scanned-looking page (a photograph of paper: noise and grey) — renders every page at
several resolutions as WebP (the viewer's format) and PNG, and prints the median bytes per page,
the median render time, and each figure's ratio to the viewer's choice (WebP at
``council.pageimages.DPI``), measured in the same run. The confidential watermark's cost is
printed beside it.

Run: ``.venv/bin/python bench/viewer.py [--pages 12]``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from council import pageimages  # noqa: E402
from council.officialdoc import (  # noqa: E402
    Bullets,
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    issuer_of,
    place_of,
    render_pdf,
    text_pages_pdf,
)
from meetings.demo import _report_pages  # noqa: E402
from meetings.documents.generate import make_pdf  # noqa: E402

DPIS = (96, 120, 150, 200)


def _minutes(pages: int) -> bytes:
    body = []
    for i in range(pages * 2):
        body += [
            Heading(f"{i + 1}. Nội dung thứ {i + 1} của chương trình kỳ họp"),
            Paragraph("Đại biểu thảo luận về dự toán ngân sách và phương án phân bổ vốn. " * 5),
            Bullets(tuple(f"Đại biểu Nguyễn Văn {i}-{j}: tán thành" for j in range(8))),
        ]
    name = "Hội đồng nhân dân phường Ba Đình"
    return render_pdf(
        OfficialDocument(
            issuer=issuer_of(name),
            kind="Biên bản",
            summary="Kỳ họp thứ hai",
            symbol="BB-HĐND",
            place=place_of(name),
            body=body,
            signers=[Signer("THƯ KÝ", "Lê Thị Ánh"), Signer("CHỦ TỌA", "Trần Văn Đức")],
        )
    )


def _scanned(pages: int) -> bytes:
    """Pages that are photographs of paper: a grey, noisy picture with text on it."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFilter

    from council.officialdoc import FONT_FILES

    pdf = FPDF(format="A4")
    for n in range(pages):
        image = Image.effect_noise((1240, 1754), 28).convert("RGB")
        image = Image.blend(image, Image.new("RGB", image.size, (232, 228, 218)), 0.75)
        draw = ImageDraw.Draw(image)
        from PIL import ImageFont

        font = ImageFont.truetype(str(FONT_FILES[""]), 26)
        for line in range(50):
            draw.text(
                (120, 120 + line * 31),
                f"Dòng {line + 1} của trang quét {n + 1}: " * 2,
                fill=(30, 30, 30),
                font=font,
            )
        image = image.filter(ImageFilter.GaussianBlur(0.6))
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=80)
        pdf.add_page()
        pdf.image(buf, x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def _png(pdf: bytes, number: int, dpi: int) -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    page = document[number - 1]
    image = page.render(scale=dpi / 72).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _measure(pdf: bytes, pages: int, render: Callable[[bytes, int], bytes]) -> tuple[float, float]:
    sizes, times = [], []
    for number in range(1, pages + 1):
        start = time.perf_counter()
        data = render(pdf, number)
        times.append(time.perf_counter() - start)
        sizes.append(len(data))
    return statistics.median(sizes), statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=12)
    args = parser.parse_args()
    n = args.pages
    corpora = {
        "text (demo report)": make_pdf("Báo cáo", (_report_pages() * n)[:n]),
        "minutes (official layout)": _minutes(n),
        "DOCX text pages": text_pages_pdf((_report_pages() * n)[:n]),
        "scanned paper": _scanned(n),
    }
    print(f"median per page over {n} pages; ratio = against WebP at {pageimages.DPI} dpi\n")
    for name, pdf in corpora.items():
        pages = min(n, len(pageimages.page_sizes(pdf)))
        base_bytes, base_ms = _measure(
            pdf, pages, lambda p, k: pageimages.render_page(p, k, dpi=pageimages.DPI)
        )
        size = pageimages.page_sizes(pdf)[0]
        print(f"{name}: {pages} pages, {size.width}x{size.height} px at {pageimages.DPI} dpi")
        for dpi in DPIS:
            webp = _measure(pdf, pages, lambda p, k, d=dpi: pageimages.render_page(p, k, dpi=d))
            png = _measure(pdf, pages, lambda p, k, d=dpi: _png(p, k, d))
            print(
                f"  {dpi:>3} dpi  webp {webp[0] / 1024:7.1f} KiB ({webp[0] / base_bytes:4.2f}) "
                f"{webp[1]:6.1f} ms ({webp[1] / base_ms:4.2f})   "
                f"png {png[0] / 1024:7.1f} KiB ({png[0] / base_bytes:4.2f}) {png[1]:6.1f} ms"
            )
        marked = _measure(
            pdf,
            pages,
            lambda p, k: pageimages.render_page(
                p, k, watermark="Nguyễn Văn An · db001 · 10:57 07/12/2026"
            ),
        )
        print(
            f"  watermarked webp {marked[0] / 1024:7.1f} KiB ({marked[0] / base_bytes:4.2f}) "
            f"{marked[1]:6.1f} ms ({marked[1] / base_ms:4.2f})\n"
        )


if __name__ == "__main__":
    main()
