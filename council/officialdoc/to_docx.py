"""The official layout as a Word document (python-docx), in Times New Roman by name."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from typing import Any

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

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

_ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
_FONT_ATTRS = ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _name_font(rpr: Any) -> None:
    """Times New Roman for every script, replacing the template's theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for attr in _FONT_ATTRS:
        fonts.set(qn(attr), r.FONT_NAME)


def _setup(document: Any) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(r.PAGE_WIDTH_MM), Mm(r.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(r.MARGINS.top), Mm(r.MARGINS.bottom)
    section.left_margin, section.right_margin = Mm(r.MARGINS.left), Mm(r.MARGINS.right)
    section.header_distance = Mm(r.MARGINS.top / 2)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _name_font(rpr)
    normal = document.styles["Normal"]
    normal.font.name = r.FONT_NAME
    normal.font.size = Pt(r.BODY_PT)
    _name_font(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(r.PARAGRAPH_AFTER_PT)
    fmt.line_spacing = r.LINE_SPACING


def _page_numbers(document: Any) -> None:
    """The page number centred in the top margin, on every page but the first."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(int(r.PAGE_NUMBER_PT * 2)))
    rpr.append(size)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _para(
    container: Any,
    text: str,
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: str = "center",
    after: float = 0,
    first: bool = False,
) -> Any:
    """A paragraph in ``container`` (a cell's first paragraph when ``first``)."""
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    paragraph.alignment = _ALIGN[align]
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(after)
    fmt.line_spacing = 1.0
    if text:
        run = paragraph.add_run(_nfc(text))
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
    return paragraph


def _rule(container: Any, width_mm: float, length_mm: float) -> None:
    """A short centred rule: a small empty paragraph's top border, between indents."""
    paragraph = container.add_paragraph()
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        top.set(qn(key), value)
    borders.append(top)
    ppr.append(borders)
    side = max((width_mm - length_mm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.right_indent = Mm(side), Mm(side)
    fmt.space_before, fmt.space_after = Pt(4), Pt(0)
    fmt.line_spacing = 1.0
    # The paragraph mark's size sets the empty paragraph's height: keep it small (last in pPr).
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "8")
    mark.append(size)
    ppr.append(mark)


def _grid(table: Any, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _keep_row(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def _header(document: Any, doc: OfficialDocument) -> None:
    table = document.add_table(rows=2, cols=2)
    _grid(table, (r.HEADER_LEFT_MM, r.HEADER_RIGHT_MM))
    left, right = table.rows[0].cells
    first = True
    for line in doc.issuer.parent:
        _para(left, line, size=r.ISSUER_PT, first=first)
        first = False
    for line in doc.issuer.lines:
        _para(left, line, size=r.ISSUER_PT, bold=True, first=first)
        first = False
    _rule(left, r.HEADER_LEFT_MM, r.HEADER_LEFT_MM / 3)
    _para(right, r.NATIONAL_NAME, size=r.NATIONAL_PT, bold=True, first=True)
    _para(right, r.MOTTO, size=r.MOTTO_PT, bold=True, underline=True)
    number, place = table.rows[1].cells
    _para(
        number,
        number_line(doc.number, doc.symbol) if doc.symbol else "",
        size=r.NUMBER_PT,
        first=True,
    )
    number.paragraphs[0].paragraph_format.space_before = Pt(6)
    text = date_line(doc.place, doc.date) if (doc.place or doc.date) else ""
    _para(place, text, size=r.DATE_PT, italic=True, first=True)
    place.paragraphs[0].paragraph_format.space_before = Pt(6)
    _para(document, "", size=r.BODY_PT, after=6)
    _para(document, doc.kind.upper(), size=r.KIND_PT, bold=True)
    if doc.summary:
        _para(document, doc.summary, size=r.SUMMARY_PT, bold=True)
        _rule(document, r.TEXT_WIDTH_MM, r.TEXT_WIDTH_MM / 4)
    _para(document, "", size=r.BODY_PT, after=6)


def _heading(document: Any, block: Heading) -> None:
    paragraph = _para(
        document,
        block.text,
        size=r.BODY_PT,
        bold=True,
        italic=block.level > 1,
        align="justify",
        after=r.PARAGRAPH_AFTER_PT,
    )
    paragraph.paragraph_format.first_line_indent = Mm(r.FIRST_LINE_INDENT_MM)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.line_spacing = r.LINE_SPACING


def _paragraph(document: Any, block: Paragraph) -> None:
    paragraph = _para(
        document,
        block.text,
        size=r.BODY_PT,
        bold=block.bold,
        italic=block.italic,
        align=block.align,
        after=r.PARAGRAPH_AFTER_PT,
    )
    if block.indent:
        paragraph.paragraph_format.first_line_indent = Mm(r.FIRST_LINE_INDENT_MM)
    paragraph.paragraph_format.line_spacing = r.LINE_SPACING


def _bullets(document: Any, block: Bullets) -> None:
    """Each item: the marker at the first-line indent, its text (wrapped lines too) further in."""
    hang = r.BULLET_TEXT_INDENT_MM - r.FIRST_LINE_INDENT_MM
    for i, item in enumerate(block.items):
        last = i == len(block.items) - 1
        paragraph = _para(
            document,
            f"{block.marker}\t{item}",
            size=r.BODY_PT,
            align="justify",
            after=r.PARAGRAPH_AFTER_PT if last else 2,
        )
        fmt = paragraph.paragraph_format
        fmt.left_indent = Mm(r.BULLET_TEXT_INDENT_MM)
        fmt.first_line_indent = Mm(-hang)
        fmt.tab_stops.add_tab_stop(Mm(r.BULLET_TEXT_INDENT_MM))
        fmt.line_spacing = r.LINE_SPACING


def _table(document: Any, block: Table) -> None:
    columns = len(block.header) or max((len(row) for row in block.rows), default=1)
    weights = block.widths if len(block.widths) == columns else (1.0,) * columns
    total = sum(weights)
    rows = ([block.header] if block.header else []) + list(block.rows)
    table = document.add_table(rows=len(rows), cols=columns)
    table.style = document.styles["Table Grid"]
    _grid(table, [r.TEXT_WIDTH_MM * w / total for w in weights])
    for index, values in enumerate(rows):
        heading = bool(block.header) and index == 0
        for i, cell in enumerate(table.rows[index].cells):
            value = values[i] if i < len(values) else ""
            _para(cell, value, size=r.TABLE_PT, bold=heading, align="left", first=True)
        if heading:
            table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    _para(document, "", size=r.BODY_PT, after=r.PARAGRAPH_AFTER_PT)


def _signer(cell: Any, signer: Signer) -> None:
    first = True
    if signer.authority:
        _para(cell, signer.authority.upper(), size=r.SIGNER_PT, bold=True, first=True)
        first = False
    _para(cell, signer.title.upper(), size=r.SIGNER_PT, bold=True, first=first)
    if signer.note:
        _para(cell, signer.note, size=r.SIGN_NOTE_PT, italic=True)
    space = _para(cell, "", size=r.SIGNER_PT)
    space.paragraph_format.space_after = Mm(r.SIGNATURE_SPACE_MM)
    _para(cell, signer.name, size=r.SIGNER_PT, bold=True)


def _recipients(cell: Any, recipients: Sequence[str]) -> None:
    _para(
        cell,
        "Nơi nhận:",
        size=r.RECIPIENTS_TITLE_PT,
        bold=True,
        italic=True,
        align="left",
        first=True,
    )
    for i, name in enumerate(recipients):
        end = "." if i == len(recipients) - 1 else ";"
        _para(cell, f"- {name.rstrip(';.')}{end}", size=r.RECIPIENTS_PT, align="left")


def _signatures(document: Any, doc: OfficialDocument) -> None:
    """Signers two to a row; "Nơi nhận" beside a lone signer (bottom left), else under them."""
    half = r.TEXT_WIDTH_MM / 2
    recipients_beside = bool(doc.recipients) and len(doc.signers) == 1
    rows = [doc.signers[i : i + 2] for i in range(0, len(doc.signers), 2)]
    extra = 1 if doc.recipients and not recipients_beside else 0
    if not rows and not extra:
        return
    table = document.add_table(rows=len(rows) + extra, cols=2)
    _grid(table, (half, half))
    for index, signers in enumerate(rows):
        left, right = table.rows[index].cells
        _keep_row(table.rows[index])
        if len(signers) == 2:
            _signer(left, signers[0])
            _signer(right, signers[1])
        else:
            _signer(right, signers[0])
            if recipients_beside:
                _recipients(left, doc.recipients)
    if extra:
        _recipients(table.rows[-1].cells[0], doc.recipients)


def write_block(document: Any, block: Block) -> None:
    if isinstance(block, Heading):
        _heading(document, block)
    elif isinstance(block, Paragraph):
        _paragraph(document, block)
    elif isinstance(block, Bullets):
        _bullets(document, block)
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, PageBreak):
        document.add_page_break()


def render_docx(doc: OfficialDocument) -> bytes:
    """The document as DOCX bytes: A4, the decree's margins and header, Times New Roman."""
    document = docx.Document()
    _setup(document)
    _page_numbers(document)
    props = document.core_properties
    props.title = _nfc(doc.title or f"{doc.kind} {doc.summary}".strip())
    props.author = _nfc(" ".join(doc.issuer.lines))
    props.language = "vi-VN"
    _header(document, doc)
    for block in doc.body:
        write_block(document, block)
    _signatures(document, doc)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
