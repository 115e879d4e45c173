"""Write simple Vietnamese PDF and DOCX files (demo documents and test fixtures)."""

from __future__ import annotations

import io
import unicodedata

from meetings.fonts import BOLD, REGULAR


def make_pdf(title: str, pages: list[str]) -> bytes:
    """A PDF with ``title`` on top of the first page and one page per entry of ``pages``."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("DejaVu", "", str(REGULAR))
    pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.set_title(unicodedata.normalize("NFC", title))
    for i, text in enumerate(pages):
        pdf.add_page()
        if i == 0:
            pdf.set_font("DejaVu", "B", 14)
            pdf.multi_cell(
                0, 8, unicodedata.normalize("NFC", title), align="C", new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(4)
        pdf.set_font("DejaVu", "", 11)
        for para in unicodedata.normalize("NFC", text).split("\n"):
            pdf.multi_cell(0, 6, para, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_docx(title: str, pages: list[str]) -> bytes:
    """A DOCX with ``title`` as heading and an explicit page break between ``pages``."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.add_heading(unicodedata.normalize("NFC", title), level=1)
    for i, text in enumerate(pages):
        paras = unicodedata.normalize("NFC", text).split("\n")
        for j, para in enumerate(paras):
            p = document.add_paragraph(para)
            if j == len(paras) - 1 and i < len(pages) - 1:
                p.add_run().add_break(WD_BREAK.PAGE)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
