"""Lay the minutes out as PDF (fpdf2) with the DejaVu Sans font shipped in ``meetings/fonts``."""

from __future__ import annotations

import unicodedata

from meetings.fonts import BOLD, REGULAR
from meetings.minutes.record import MinutesRecord, minutes_lines


def render_pdf(record: MinutesRecord) -> bytes:
    """The minutes as PDF bytes; every Vietnamese diacritic is drawn from the embedded font."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("DejaVu", "", str(REGULAR))
    pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.set_title(unicodedata.normalize("NFC", f"Biên bản — {record.session_title}"))
    pdf.add_page()
    width = pdf.epw
    for line in minutes_lines(record):
        text = unicodedata.normalize("NFC", line.text)
        if line.style == "header":
            pdf.set_font("DejaVu", "B", 10)
            pdf.multi_cell(width, 6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        elif line.style == "title":
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 14)
            pdf.multi_cell(width, 8, text, align="C", new_x="LMARGIN", new_y="NEXT")
        elif line.style == "heading":
            pdf.ln(3)
            pdf.set_font("DejaVu", "B", 12)
            pdf.multi_cell(width, 7, text, new_x="LMARGIN", new_y="NEXT")
        elif line.style == "subheading":
            pdf.ln(1)
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")
        elif line.style == "bullet":
            pdf.set_font("DejaVu", "", 11)
            pdf.set_x(pdf.l_margin + 6)
            pdf.multi_cell(width - 6, 6, "• " + text, new_x="LMARGIN", new_y="NEXT")
        elif line.style == "signatures":
            pdf.ln(8)
            parts = [p.partition("\n") for p in text.split("|")]
            pdf.set_font("DejaVu", "B", 11)
            for title, _, _ in parts:
                pdf.cell(width / 2, 6, title, align="C")
            pdf.ln(6)
            pdf.set_font("DejaVu", "", 9)
            for _ in parts:
                pdf.cell(width / 2, 5, "(Ký, ghi rõ họ tên)", align="C")
            pdf.ln(22)
            pdf.set_font("DejaVu", "B", 11)
            for _, _, name in parts:
                pdf.cell(width / 2, 6, name, align="C")
            pdf.ln(6)
        else:
            pdf.set_font("DejaVu", "", 11)
            pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
