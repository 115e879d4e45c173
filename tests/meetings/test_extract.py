"""Per-page text extraction from real PDF and DOCX files."""

import io
import unicodedata

import docx
import pytest

from meetings.documents.extract import (
    DOCX_MIME,
    PDF_MIME,
    ExtractionError,
    extract_docx,
    extract_pages,
    extract_pdf,
)
from meetings.documents.generate import make_docx, make_pdf

PAGES = [
    "Báo cáo tình hình kinh tế - xã hội năm 2025.\nTổng thu ngân sách đạt 1.234 tỷ đồng.",
    "Phương hướng, nhiệm vụ năm 2026: đẩy mạnh chuyển đổi số, cải cách hành chính.",
    "Kiến nghị của cử tri về đường giao thông nông thôn xã Đông Anh.",
]


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def test_pdf_pages_keep_vietnamese_text() -> None:
    data = make_pdf("Tờ trình số 12/TTr-UBND", PAGES)
    pages = extract_pdf(data)
    assert [p.number for p in pages] == [1, 2, 3]
    assert "Tờ trình số 12/TTr-UBND" in pages[0].text
    assert "Tổng thu ngân sách đạt 1.234 tỷ đồng." in pages[0].text
    assert "chuyển đổi số" in pages[1].text and "Báo cáo" not in pages[1].text
    assert "Đông Anh" in pages[2].text
    assert all(p.text == _nfc(p.text) for p in pages)


def test_docx_splits_on_explicit_page_breaks() -> None:
    pages = extract_docx(make_docx("Dự thảo Nghị quyết", PAGES))
    assert len(pages) == 3
    assert pages[0].text.startswith("Dự thảo Nghị quyết")
    assert "1.234 tỷ đồng" in pages[0].text
    assert pages[1].text == PAGES[1]
    assert pages[2].text == PAGES[2]


def test_docx_page_break_before_paragraph_starts_a_page() -> None:
    document = docx.Document()
    document.add_paragraph("Trang một")
    p = document.add_paragraph("Trang hai")
    p.paragraph_format.page_break_before = True
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Thu"
    table.rows[0].cells[1].text = "1.000"
    buf = io.BytesIO()
    document.save(buf)
    pages = extract_docx(buf.getvalue())
    assert [p.text for p in pages] == ["Trang một", "Trang hai\nThu | 1.000"]


def test_docx_without_breaks_is_cut_by_amount_of_text_at_paragraphs() -> None:
    document = docx.Document()
    para = "Đại biểu Hội đồng nhân dân thảo luận về dự toán ngân sách. " * 10  # ~590 chars
    for _ in range(12):
        document.add_paragraph(para.strip())
    buf = io.BytesIO()
    document.save(buf)
    pages = extract_docx(buf.getvalue(), chars_per_page=3000)
    assert len(pages) == 3  # 5 + 5 + 2 paragraphs
    assert all(len(p.text) <= 3000 for p in pages)
    assert sum(p.text.count("\n") + 1 for p in pages) == 12


def test_extract_pages_dispatches_and_rejects_garbage() -> None:
    assert extract_pages(make_pdf("A", ["b"]), PDF_MIME)[0].text.startswith("A")
    assert extract_pages(make_docx("A", ["b"]), DOCX_MIME)[0].text == "A\nb"
    with pytest.raises(ExtractionError):
        extract_pages(b"%PDF-1.4 not really", PDF_MIME)
    with pytest.raises(ExtractionError):
        extract_pages(b"PK\x03\x04 broken zip", DOCX_MIME)
    with pytest.raises(ExtractionError):
        extract_pages(b"hello", "text/plain")
