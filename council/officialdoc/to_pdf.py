"""The official layout as PDF (fpdf2), in Liberation Serif embedded from ``fonts/``."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.enums import Align
from fpdf.fonts import FontFace

from council.officialdoc import rules as r
from council.officialdoc.model import (
    Block,
    Bullets,
    Heading,
    OfficialDocument,
    PageBreak,
    Paragraph,
    Signer,
    Table,
)
from council.officialdoc.wording import date_line, number_line

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "LiberationSerif"
FONT_FILES = {
    "": FONT_DIR / "LiberationSerif-Regular.ttf",
    "B": FONT_DIR / "LiberationSerif-Bold.ttf",
    "I": FONT_DIR / "LiberationSerif-Italic.ttf",
    "BI": FONT_DIR / "LiberationSerif-BoldItalic.ttf",
}
PT = 25.4 / 72  # millimetres per point
_ALIGN = {"justify": Align.J, "left": Align.L, "center": Align.C, "right": Align.R}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# A single line of Times is about 1.15 em high; the decree's spacing multiplies that.
LINE_FACTOR = 1.15 * r.LINE_SPACING


def line_height(size_pt: float) -> float:
    return size_pt * PT * LINE_FACTOR


class _Pdf(FPDF):
    """A4 with the decree's margins; page numbers centred in the top margin from page 2 on."""

    def __init__(self) -> None:
        super().__init__(format="A4", unit="mm")
        for style, path in FONT_FILES.items():
            self.add_font(FAMILY, style, str(path))
        self.set_margins(r.MARGINS.left, r.MARGINS.top, r.MARGINS.right)
        self.set_auto_page_break(auto=True, margin=r.MARGINS.bottom)
        self.set_lang("vi")
        self.numbered = True

    def header(self) -> None:
        if not self.numbered or self.page_no() < 2:
            return
        self.set_font(FAMILY, "", r.PAGE_NUMBER_PT)
        self.set_xy(self.l_margin, r.MARGINS.top / 2 - 2)
        self.cell(self.epw, line_height(r.PAGE_NUMBER_PT), str(self.page_no()), align="C")
        self.set_xy(self.l_margin, r.MARGINS.top)

    def finish(self) -> bytes:
        """The document's bytes; the font files fontTools keeps open (lazy loading) are closed."""
        data = bytes(self.output())
        self.close_fonts()
        return data

    def close_fonts(self) -> None:
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()

    def font(self, style: str, size: float) -> None:
        self.set_font(FAMILY, style, size)

    def centred(self, x: float, width: float, text: str, style: str, size: float) -> float:
        """Write ``text`` centred in the column at ``x``; the y under it."""
        self.font(style, size)
        self.set_x(x)
        self.multi_cell(width, line_height(size), _nfc(text), align="C", new_x="LEFT", new_y="NEXT")
        return self.get_y()

    def rule(self, centre: float, length: float, y: float) -> None:
        self.set_line_width(0.3)
        self.line(centre - length / 2, y, centre + length / 2, y)


def _header(pdf: _Pdf, doc: OfficialDocument) -> None:
    left, top = pdf.l_margin, pdf.t_margin
    right = left + r.HEADER_LEFT_MM
    # Left column: superior body (upright), the issuing body (bold), a short rule.
    y = top
    pdf.set_y(y)
    for line in doc.issuer.parent:
        y = pdf.centred(left, r.HEADER_LEFT_MM, line, "", r.ISSUER_PT)
    for line in doc.issuer.lines:
        y = pdf.centred(left, r.HEADER_LEFT_MM, line, "B", r.ISSUER_PT)
    pdf.rule(left + r.HEADER_LEFT_MM / 2, r.HEADER_LEFT_MM / 3, y + 0.8)
    left_end = y + 1.5
    # Right column: the national name and the motto, underlined by a rule as long as itself.
    pdf.set_y(top)
    y = pdf.centred(right, r.HEADER_RIGHT_MM, r.NATIONAL_NAME, "B", r.NATIONAL_PT)
    y = pdf.centred(right, r.HEADER_RIGHT_MM, r.MOTTO, "B", r.MOTTO_PT)
    pdf.font("B", r.MOTTO_PT)
    pdf.rule(right + r.HEADER_RIGHT_MM / 2, pdf.get_string_width(r.MOTTO), y + 0.3)
    right_end = y + 1.5
    # Second row: the number under the body, the place and date under the motto.
    row = max(left_end, right_end) + 2
    end = row
    if doc.symbol:
        pdf.set_y(row)
        end = pdf.centred(
            left, r.HEADER_LEFT_MM, number_line(doc.number, doc.symbol), "", r.NUMBER_PT
        )
    if doc.place or doc.date:
        pdf.set_y(row)
        end = max(
            end,
            pdf.centred(right, r.HEADER_RIGHT_MM, date_line(doc.place, doc.date), "I", r.DATE_PT),
        )
    # The document's kind and summary, with a short rule under the summary.
    pdf.set_y(end + 6)
    y = pdf.centred(left, pdf.epw, doc.kind.upper(), "B", r.KIND_PT)
    if doc.summary:
        y = pdf.centred(left, pdf.epw, doc.summary, "B", r.SUMMARY_PT)
        pdf.font("B", r.SUMMARY_PT)
        width = min(pdf.get_string_width(_nfc(doc.summary)), pdf.epw)
        pdf.rule(left + pdf.epw / 2, max(width / 3, 25.0), y + 1.5)
    pdf.set_y(y + 5)


def _paragraph(pdf: _Pdf, block: Paragraph) -> None:
    style = ("B" if block.bold else "") + ("I" if block.italic else "")
    with pdf.text_columns(
        text_align=_ALIGN.get(block.align, Align.J), line_height=LINE_FACTOR
    ) as cols:
        with cols.paragraph(
            first_line_indent=r.FIRST_LINE_INDENT_MM if block.indent else 0,
            bottom_margin=r.PARAGRAPH_AFTER_PT * PT,
        ) as par:
            pdf.font(style, r.BODY_PT)
            par.write(_nfc(block.text))


def _heading(pdf: _Pdf, block: Heading) -> None:
    pdf.ln(1)
    style = "B" if block.level <= 1 else "BI"
    with pdf.text_columns(text_align=Align.L, line_height=LINE_FACTOR) as cols:
        with cols.paragraph(
            first_line_indent=r.FIRST_LINE_INDENT_MM, bottom_margin=r.PARAGRAPH_AFTER_PT * PT
        ) as par:
            pdf.font(style, r.BODY_PT)
            par.write(_nfc(block.text))


def _bullets(pdf: _Pdf, block: Bullets) -> None:
    """Each item: the marker at the first-line indent, its text (wrapped lines too) further in."""
    gap = r.BULLET_TEXT_INDENT_MM - r.FIRST_LINE_INDENT_MM
    pdf.font("", r.BODY_PT)
    marker = pdf.get_string_width(block.marker)
    with pdf.text_columns(
        text_align=Align.J,
        line_height=LINE_FACTOR,
        l_margin=pdf.l_margin + r.BULLET_TEXT_INDENT_MM,
    ) as cols:
        for item in block.items:
            with cols.paragraph(
                bullet_string=block.marker,
                bullet_r_margin=max(gap - marker, 0.5),
                bottom_margin=2 * PT,
            ) as par:
                pdf.font("", r.BODY_PT)
                par.write(_nfc(item))
    pdf.ln(r.PARAGRAPH_AFTER_PT * PT)


def _table(pdf: _Pdf, block: Table) -> None:
    columns = len(block.header) or max((len(row) for row in block.rows), default=1)
    widths = tuple(block.widths) if len(block.widths) == columns else (1.0,) * columns
    pdf.font("", r.TABLE_PT)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        line_height=line_height(r.TABLE_PT),
        text_align="LEFT",
        first_row_as_headings=bool(block.header),
        headings_style=FontFace(emphasis="BOLD"),
        padding=1,
        align="LEFT",
    ) as table:
        if block.header:
            heading = table.row()
            for text in block.header:
                heading.cell(_nfc(text))
        for values in block.rows:
            row = table.row()
            for i in range(columns):
                row.cell(_nfc(values[i]) if i < len(values) else "")
    pdf.ln(r.PARAGRAPH_AFTER_PT * PT)


def _signer_height(pdf: _Pdf, signer: Signer, width: float) -> float:
    lines = (1 if signer.authority else 0) + 1 + (1 if signer.note else 0) + 1
    return lines * line_height(r.SIGNER_PT) + r.SIGNATURE_SPACE_MM + 2


def _signer(pdf: _Pdf, signer: Signer, x: float, width: float, top: float) -> float:
    pdf.set_y(top)
    y = top
    if signer.authority:
        y = pdf.centred(x, width, signer.authority.upper(), "B", r.SIGNER_PT)
    y = pdf.centred(x, width, signer.title.upper(), "B", r.SIGNER_PT)
    if signer.note:
        y = pdf.centred(x, width, signer.note, "I", r.SIGN_NOTE_PT)
    pdf.set_y(y + r.SIGNATURE_SPACE_MM)
    return pdf.centred(x, width, signer.name, "B", r.SIGNER_PT)


def _recipients(pdf: _Pdf, recipients: Sequence[str], x: float, width: float, top: float) -> float:
    pdf.set_xy(x, top)
    pdf.font("BI", r.RECIPIENTS_TITLE_PT)
    pdf.cell(width, line_height(r.RECIPIENTS_TITLE_PT), "Nơi nhận:", new_x="LEFT", new_y="NEXT")
    pdf.font("", r.RECIPIENTS_PT)
    for i, name in enumerate(recipients):
        end = "." if i == len(recipients) - 1 else ";"
        pdf.set_x(x)
        text = _nfc(f"- {name.rstrip(';.')}{end}")
        pdf.multi_cell(
            width, line_height(r.RECIPIENTS_PT), text, align="L", new_x="LEFT", new_y="NEXT"
        )
    return pdf.get_y()


def _signatures(pdf: _Pdf, doc: OfficialDocument) -> None:
    """Signers two to a row; "Nơi nhận" beside a lone signer (bottom left), else under them."""
    left, width = pdf.l_margin, pdf.epw
    half = width / 2
    rows = [doc.signers[i : i + 2] for i in range(0, len(doc.signers), 2)]
    recipients_beside = bool(doc.recipients) and len(doc.signers) == 1
    pdf.ln(4)
    for row in rows:
        need = max(_signer_height(pdf, s, half) for s in row)
        if pdf.get_y() + need > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        ends = []
        if len(row) == 2:
            ends += [
                _signer(pdf, row[0], left, half, top),
                _signer(pdf, row[1], left + half, half, top),
            ]
        else:
            ends.append(_signer(pdf, row[0], left + half, half, top))
            if recipients_beside:
                ends.append(_recipients(pdf, doc.recipients, left, half, top))
        pdf.set_y(max(ends) + 4)
    if doc.recipients and not recipients_beside:
        need = (len(doc.recipients) + 1) * line_height(r.RECIPIENTS_PT)
        if pdf.get_y() + need > pdf.page_break_trigger:
            pdf.add_page()
        _recipients(pdf, doc.recipients, left, half, pdf.get_y())


def write_block(pdf: _Pdf, block: Block) -> None:
    if isinstance(block, Heading):
        _heading(pdf, block)
    elif isinstance(block, Paragraph):
        _paragraph(pdf, block)
    elif isinstance(block, Bullets):
        _bullets(pdf, block)
    elif isinstance(block, Table):
        _table(pdf, block)
    elif isinstance(block, PageBreak):
        pdf.add_page()


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as PDF bytes: A4, the decree's margins and header, every Vietnamese letter."""
    pdf = _Pdf()
    pdf.set_title(_nfc(doc.title or f"{doc.kind} {doc.summary}".strip()))
    pdf.set_author(_nfc(" ".join(doc.issuer.lines)))
    pdf.add_page()
    _header(pdf, doc)
    for block in doc.body:
        write_block(pdf, block)
    if doc.signers or doc.recipients:
        _signatures(pdf, doc)
    return pdf.finish()


MIN_TEXT_PT = 9.0


def _height(pdf: _Pdf, text: str, size: float) -> float:
    """The height ``text`` takes at ``size`` across the text width."""
    pdf.font("", size)
    total = 0.0
    for para in text.split("\n"):
        lines = pdf.multi_cell(
            pdf.epw, line_height(size), para or " ", dry_run=True, output="LINES"
        )
        total += len(cast(list[str], lines)) * line_height(size)
    return total


def text_pages_pdf(pages: Sequence[str], *, title: str = "") -> bytes:
    """One A4 page per entry of ``pages``, each text laid out in the official font and margins.

    For showing a document that has text but no layout of its own (a DOCX, whose pages were cut
    from its text): page N of the result is page N of the text. A text too long for the page at
    the body size is set smaller, down to 9 pt, then on a page as tall as it needs."""
    pdf, measure = _Pdf(), _Pdf()
    pdf.numbered = False
    pdf.set_auto_page_break(auto=False)
    measure.add_page()
    if title:
        pdf.set_title(_nfc(title))
    room = r.PAGE_HEIGHT_MM - r.MARGINS.top - r.MARGINS.bottom
    for text in pages or [""]:
        text = _nfc(text)
        size = r.BODY_PT
        height = _height(measure, text, size)
        while height > room and size > MIN_TEXT_PT:
            size -= 1
            height = _height(measure, text, size)
        page_height = max(r.PAGE_HEIGHT_MM, height + r.MARGINS.top + r.MARGINS.bottom + 2)
        pdf.add_page(format=(r.PAGE_WIDTH_MM, page_height))
        pdf.font("", size)
        for para in text.split("\n"):
            pdf.multi_cell(
                pdf.epw, line_height(size), para or " ", align="L", new_x="LMARGIN", new_y="NEXT"
            )
    measure.close_fonts()
    return pdf.finish()
