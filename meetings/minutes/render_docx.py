"""Lay the minutes out as a Word document (python-docx)."""

from __future__ import annotations

import io
import unicodedata

from meetings.minutes.record import MinutesRecord, minutes_lines


def render_docx(record: MinutesRecord) -> bytes:
    """The minutes as DOCX bytes."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    for line in minutes_lines(record):
        text = unicodedata.normalize("NFC", line.text)
        if line.style == "header":
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(text).bold = True
        elif line.style == "title":
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.bold = True
            run.font.size = Pt(15)
        elif line.style == "heading":
            p = document.add_paragraph()
            p.add_run(text).bold = True
        elif line.style == "subheading":
            p = document.add_paragraph()
            p.add_run(text).italic = True
        elif line.style == "bullet":
            document.add_paragraph(text, style="List Bullet")
        elif line.style == "signatures":
            table = document.add_table(rows=1, cols=2)
            for cell, part in zip(table.rows[0].cells, text.split("|"), strict=True):
                title, _, name = part.partition("\n")
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.add_run(title).bold = True
                cell.add_paragraph("(Ký, ghi rõ họ tên)").alignment = WD_ALIGN_PARAGRAPH.CENTER
                cell.add_paragraph("\n\n" + name).alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
