"""Where a signature stamp goes on the minutes: in the signer's block, between "(Ký, ghi rõ họ
tên)" and the signer's printed name (Nghị định 30/2020, Phụ lục I), found by the name's last
occurrence on the last page. None when the name is not there (an uploaded edit laid out
otherwise): the signing then uses its default box."""

from __future__ import annotations

import pypdfium2 as pdfium

STAMP_W, STAMP_H = 190, 46
GAP = 3  # points between the stamp and the name under it


def stamp_box(pdf: bytes, name: str) -> tuple[int, int, int, int] | None:
    if not name.strip():
        return None
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[len(doc) - 1]
        width = page.get_width()
        text = page.get_textpage()
        searcher = text.search(name.strip(), match_case=True)
        found, hit = None, searcher.get_next()
        while hit is not None:
            found, hit = hit, searcher.get_next()
        if found is None:
            return None
        start, count = found
        left, _, _, top = text.get_charbox(start)
        right = text.get_charbox(start + count - 1)[2]
    finally:
        doc.close()
    middle = (left + right) / 2
    x0 = int(max(10, min(width - 10 - STAMP_W, middle - STAMP_W / 2)))
    y0 = int(top + GAP)
    return (x0, y0, x0 + STAMP_W, y0 + STAMP_H)


def signable_page_count(pdf: bytes) -> int:
    """``page_count`` of a PDF a signature can be added to; -1 when pyHanko cannot update it
    (protected by a password, or damaged beyond what it reads): such an edit is refused when it
    is uploaded, not at the signing that ends its review and approval (run in a worker)."""
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    try:
        if IncrementalPdfFileWriter(BytesIO(pdf), strict=False).prev.encrypted:
            return -1
    except Exception:  # noqa: BLE001 — whatever pyHanko cannot read, it cannot sign
        return -1
    return page_count(pdf)


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has; raises when pdfium cannot read it (run in a worker: the file
    comes from outside)."""
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()
