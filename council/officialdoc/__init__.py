"""Documents in the Vietnamese administrative layout (Nghị định 30/2020/NĐ-CP, Phụ lục I).

One frame for every generated document (minutes, reports, resolutions, records), as DOCX and PDF:
A4 with the decree's margins; Times New Roman (DOCX) / Liberation Serif embedded (PDF); the
two-column header (issuing body and its number on the left, national name, motto and the place
and date on the right); the document's kind and summary; page numbers from page 2; the
signatures and "Nơi nhận" at the end. A document fills only the body::

    from council.officialdoc import (
        Bullets, Heading, OfficialDocument, Paragraph, Signer, Table,
        issuer_of, place_of, render_docx, render_pdf,
    )

    doc = OfficialDocument(
        issuer=issuer_of(council.name),          # ("HỘI ĐỒNG NHÂN DÂN", "PHƯỜNG BA ĐÌNH")
        kind="BÁO CÁO",
        summary="Tổng hợp ý kiến, kiến nghị của cử tri",
        symbol="BC-HĐND", number=12,             # "Số: 12/BC-HĐND"; None prints dots
        place=place_of(council.name), date=now,  # "Ba Đình, ngày 07 tháng 12 năm 2026" (local)
        body=[Heading("I. ..."), Paragraph("..."), Bullets(("...", "...")), Table(...)],
        signers=[Signer("CHỦ TỊCH", "Nguyễn Văn A", authority="TM. THƯỜNG TRỰC HĐND")],
        recipients=["Thường trực HĐND thành phố", "Lưu: VT"],
    )
    pdf_bytes, docx_bytes = render_pdf(doc), render_docx(doc)

``text_pages_pdf(pages)`` lays plain text out one page per entry, in the same font and margins
(the viewer's rendering of a DOCX). Both renderers are CPU work: call them off the event loop.
"""

from council.officialdoc.model import (
    Block,
    Bullets,
    Heading,
    Issuer,
    OfficialDocument,
    PageBreak,
    Paragraph,
    Signer,
    Table,
)
from council.officialdoc.to_docx import render_docx
from council.officialdoc.to_pdf import FONT_FILES, render_pdf, text_pages_pdf
from council.officialdoc.wording import (
    date_line,
    date_words,
    issuer_of,
    number_line,
    number_text,
    place_of,
)

__all__ = [
    "FONT_FILES",
    "Block",
    "Bullets",
    "Heading",
    "Issuer",
    "OfficialDocument",
    "PageBreak",
    "Paragraph",
    "Signer",
    "Table",
    "date_line",
    "date_words",
    "issuer_of",
    "number_line",
    "number_text",
    "place_of",
    "render_docx",
    "render_pdf",
    "text_pages_pdf",
]
