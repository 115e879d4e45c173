"""The official layout (Nghị định 30/2020/NĐ-CP), read back from the PDF and the DOCX it writes."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from council.officialdoc import (
    FONT_FILES,
    Bullets,
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    date_line,
    date_words,
    issuer_of,
    number_line,
    place_of,
    render_docx,
    render_pdf,
    text_pages_pdf,
)

MM_PER_PT = 25.4 / 72
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _mm(length: object) -> float:
    return round(length.mm, 1)  # type: ignore[attr-defined]


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _document(**changes: object) -> OfficialDocument:
    long_item = "Đại biểu Nguyễn Văn Ước: tán thành, " + "một dòng dài để thử xuống dòng " * 4
    fields: dict[str, object] = {
        "issuer": issuer_of("Hội đồng nhân dân phường Ba Đình"),
        "kind": "Biên bản",
        "summary": "Kỳ họp thứ hai, Hội đồng nhân dân phường Ba Đình khóa I",
        "symbol": "BB-HĐND",
        "number": 7,
        "place": place_of("Hội đồng nhân dân phường Ba Đình"),
        # 03:57 UTC is 10:57 in Hà Nội: the same day; 20:00 UTC on the 6th is the 7th there.
        "date": datetime(2026, 12, 6, 20, 0, tzinfo=UTC),
        "body": [
            Heading("I. THÀNH PHẦN THAM DỰ"),
            Paragraph("Tổng số đại biểu: 31. Có mặt: 28. " * 6),
            Bullets(tuple([long_item] + [f"Đại biểu số {i}: tán thành" for i in range(60)])),
            Heading("Biểu quyết từng đại biểu", level=2),
            Table(("Họ và tên", "Biểu quyết"), (("Lê Văn Bình", "tán thành"),), (3, 1)),
        ],
        "signers": [Signer("THƯ KÝ", "Lê Thị Ánh"), Signer("CHỦ TỌA", "Trần Văn Đức")],
    }
    fields.update(changes)
    return OfficialDocument(**fields)  # type: ignore[arg-type]


# --- the words of the frame -------------------------------------------------------------------


def test_the_fonts_are_the_committed_liberation_serif_files_with_their_licence() -> None:
    folder = next(iter(FONT_FILES.values())).parent
    recorded = dict(
        re.findall(
            r"\| (LiberationSerif-\w+\.ttf) \| ([0-9a-f]{64}) \|",
            (folder / "SOURCE.md").read_text(),
        )
    )
    assert sorted(recorded) == sorted(p.name for p in FONT_FILES.values())
    for path in FONT_FILES.values():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded[path.name]
    assert "SIL Open Font License" in (folder / "LICENSE").read_text()


@pytest.mark.parametrize(
    ("name", "lines", "place"),
    [
        ("Hội đồng nhân dân phường Ba Đình", ("HỘI ĐỒNG NHÂN DÂN", "PHƯỜNG BA ĐÌNH"), "Ba Đình"),
        ("thành phố Hà Nội", ("HỘI ĐỒNG NHÂN DÂN", "THÀNH PHỐ HÀ NỘI"), "Hà Nội"),
        (
            "HỘI ĐỒNG NHÂN DÂN HỘI ĐỒNG NHÂN DÂN xã Sóc Sơn",
            ("HỘI ĐỒNG NHÂN DÂN", "XÃ SÓC SƠN"),
            "Sóc Sơn",
        ),
        ("HĐND đặc khu Phú Quốc", ("HỘI ĐỒNG NHÂN DÂN", "ĐẶC KHU PHÚ QUỐC"), "Phú Quốc"),
        ("Hội đồng nhân dân phường 3", ("HỘI ĐỒNG NHÂN DÂN", "PHƯỜNG 3"), "Phường 3"),
    ],
)
def test_the_issuing_body_is_named_once_on_two_lines(
    name: str, lines: tuple[str, ...], place: str
) -> None:
    assert issuer_of(name).lines == lines
    assert place_of(name) == place


def test_numbers_and_dates_as_the_decree_writes_them() -> None:
    assert number_line(7, "BB-HĐND") == "Số: 07/BB-HĐND"
    assert number_line(12, "BB-HĐND") == "Số: 12/BB-HĐND"
    assert number_line(None, "BB-HĐND") == "Số: ......./BB-HĐND"
    assert date_words(date(2026, 12, 7)) == "ngày 07 tháng 12 năm 2026"
    assert date_words(date(2026, 2, 15)) == "ngày 15 tháng 02 năm 2026"
    assert date_words(date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    # A moment is read in Vietnam's time: 20:00 UTC on 6 December is the 7th in Hà Nội.
    assert date_line("Ba Đình", datetime(2026, 12, 6, 20, 0, tzinfo=UTC)) == (
        "Ba Đình, ngày 07 tháng 12 năm 2026"
    )
    assert date_line("Ba Đình", None) == "Ba Đình, ngày ... tháng ... năm ......"


# --- PDF ----------------------------------------------------------------------------------------


def _positions(page) -> list[tuple[float, float, str]]:  # type: ignore[no-untyped-def]
    """(x mm from the left, y mm from the top, text) of every piece of text on ``page``."""
    height = float(page.mediabox.height)
    out: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            x = (tm[4] * cm[0] + cm[4]) * MM_PER_PT
            y = (height - (tm[5] * cm[3] + cm[5])) * MM_PER_PT
            out.append((x, y, _flat(text)))

    page.extract_text(visitor_text=visit)
    return out


def test_pdf_frame_page_fonts_header_number_date_and_signatures() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(_document())))
    assert len(reader.pages) >= 2
    for page in reader.pages:  # A4
        assert round(float(page.mediabox.width) * MM_PER_PT) == 210
        assert round(float(page.mediabox.height) * MM_PER_PT) == 297
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"} <= {
        f.replace("Bold", "-Bold")
        .replace("Italic", "-Italic")
        .replace("-Bold-Italic", "-BoldItalic")
        for f in fonts
    }
    for page in reader.pages:  # embedded, not named only
        for f in page["/Resources"]["/Font"].values():
            descriptor = f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()

    first = _positions(reader.pages[0])
    texts = [t for _, _, t in first]
    left_column = [t for x, _, t in first if x < 95 and "HỘI ĐỒNG" in t or "PHƯỜNG BA ĐÌNH" == t]
    assert left_column[:2] == ["HỘI ĐỒNG NHÂN DÂN", "PHƯỜNG BA ĐÌNH"]
    assert "HỘI ĐỒNG NHÂN DÂN HỘI ĐỒNG NHÂN DÂN" not in " ".join(texts)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 07/BB-HĐND",
        "Ba Đình, ngày 07 tháng 12 năm 2026",
        "BIÊN BẢN",
        "Kỳ họp thứ hai, Hội đồng nhân dân phường Ba Đình khóa I",
    ):
        assert expected in texts, expected

    def where(text: str) -> tuple[float, float]:
        return next((x, y) for x, y, t in first if t == text)

    # Two columns: the body and its number on the left, the national name and the date right.
    assert where("HỘI ĐỒNG NHÂN DÂN")[0] < 95 < where("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")[0]
    assert where("Số: 07/BB-HĐND")[0] < 95 < where("Ba Đình, ngày 07 tháng 12 năm 2026")[0]
    assert where("Số: 07/BB-HĐND")[1] == pytest.approx(
        where("Ba Đình, ngày 07 tháng 12 năm 2026")[1], abs=0.5
    )
    # The header starts within the top margin's 20-25 mm, the text within the side margins.
    assert 20 <= min(y for _, y, _ in first) <= 30
    for page in reader.pages:
        for x, _, _ in _positions(page):
            assert x >= 30 - 0.01
    # A bullet's text wraps under its own first line, past the marker.
    bullets = [(x, t) for x, _, t in first if "dòng dài" in t or t.startswith("một dòng")]
    assert len({round(x) for x, _ in bullets}) == 1 and bullets[0][0] > 40
    marker = min(x for x, _, t in first if t == "-")
    assert 39 <= marker <= 42

    # Page numbers: centred in the top margin from page 2 on, none on the first page.
    assert not any(t == "1" for _, y, t in first if y < 20)
    x, y, number = min(_positions(reader.pages[1]), key=lambda p: p[1])
    assert number == "2" and y < 20 and 30 + 165 / 2 - 5 < x < 30 + 165 / 2 + 5

    last = _positions(reader.pages[-1])
    signatures = {t: (x, y) for x, y, t in last}
    assert {"THƯ KÝ", "CHỦ TỌA", "Lê Thị Ánh", "Trần Văn Đức"} <= set(signatures)
    assert signatures["THƯ KÝ"][0] < signatures["CHỦ TỌA"][0]
    assert signatures["THƯ KÝ"][1] < signatures["Lê Thị Ánh"][1]  # the name under the title


def test_pdf_places_recipients_beside_a_lone_signer() -> None:
    doc = _document(
        body=[Paragraph("Nội dung.")],
        signers=[Signer("CHỦ TỊCH", "Nguyễn Văn An", authority="TM. Thường trực HĐND")],
        recipients=["Thường trực HĐND thành phố", "Lưu: VT"],
        number=None,
    )
    page = PdfReader(io.BytesIO(render_pdf(doc))).pages[0]
    found = {t: (x, y) for x, y, t in _positions(page)}
    assert "Số: ......./BB-HĐND" in found
    assert {"TM. THƯỜNG TRỰC HĐND", "CHỦ TỊCH", "Nguyễn Văn An", "Nơi nhận:"} <= set(found)
    assert "- Thường trực HĐND thành phố;" in found and "- Lưu: VT." in found
    assert found["Nơi nhận:"][0] < 95 < found["CHỦ TỊCH"][0]


def test_text_pages_keep_their_numbering_and_fit_long_pages() -> None:
    pages = ["Trang một: ngắn.", "Trang hai. " + "Một đoạn rất dài của trang hai. " * 400, "Ba"]
    reader = PdfReader(io.BytesIO(text_pages_pdf(pages, title="Tờ trình")))
    assert len(reader.pages) == 3
    assert "Trang một" in reader.pages[0].extract_text()
    assert _flat(reader.pages[2].extract_text()) == "Ba"
    assert round(float(reader.pages[0].mediabox.height) * MM_PER_PT) == 297
    assert "Trang hai" in reader.pages[1].extract_text()


# --- DOCX ---------------------------------------------------------------------------------------


def test_docx_frame_page_font_header_number_date_bullets_and_signatures() -> None:
    document = docx.Document(io.BytesIO(render_docx(_document())))
    section = document.sections[0]
    assert (_mm(section.page_width), _mm(section.page_height)) == (210, 297)  # A4, not Letter
    assert (_mm(section.top_margin), _mm(section.bottom_margin)) == (20, 20)
    assert (_mm(section.left_margin), _mm(section.right_margin)) == (30, 15)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    fonts = normal.element.rPr.find(f"{W}rFonts")
    assert {fonts.get(f"{W}{a}") for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {
        "Times New Roman"
    }
    defaults = document.styles.element.find(f"{W}docDefaults").find(
        f"{W}rPrDefault/{W}rPr/{W}rFonts"
    )
    assert not [a for a in defaults.attrib if a.endswith("Theme")]
    for run in (r for p in document.paragraphs for r in p.runs):
        assert run.font.name in (None, "Times New Roman")

    header = document.tables[0]
    left, right = (c.paragraphs for c in header.rows[0].cells)
    assert [p.text for p in left if p.text] == ["HỘI ĐỒNG NHÂN DÂN", "PHƯỜNG BA ĐÌNH"]
    assert all(r.bold for p in left for r in p.runs)
    assert any(p._p.find(f"{W}pPr/{W}pBdr") is not None for p in left)  # the short rule
    assert [p.text for p in right] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert right[1].runs[0].underline and right[1].runs[0].bold
    number, place = header.rows[1].cells
    assert number.text == "Số: 07/BB-HĐND"
    assert place.text == "Ba Đình, ngày 07 tháng 12 năm 2026" and place.paragraphs[0].runs[0].italic

    texts = [p.text for p in document.paragraphs]
    assert (
        "BIÊN BẢN" in texts and "Kỳ họp thứ hai, Hội đồng nhân dân phường Ba Đình khóa I" in texts
    )
    bullets = [p for p in document.paragraphs if p.text.startswith("-\t")]
    assert len(bullets) == 61
    for p in bullets:
        fmt = p.paragraph_format
        assert _mm(fmt.left_indent) == 15 and _mm(fmt.first_line_indent) == -5
    body = next(p for p in document.paragraphs if p.text.startswith("Tổng số đại biểu"))
    assert _mm(body.paragraph_format.first_line_indent) == 10

    # Page numbers in the header from page 2: a PAGE field, and a first page without one.
    assert section.different_first_page_header_footer
    assert section.header._element.find(f".//{W}fldSimple").get(f"{W}instr") == "PAGE"
    assert not section.first_page_header.paragraphs[0].text

    signatures = document.tables[-1].rows[0].cells
    left_sign = [p.text for p in signatures[0].paragraphs if p.text]
    right_sign = [p.text for p in signatures[1].paragraphs if p.text]
    assert left_sign == ["THƯ KÝ", "(Ký, ghi rõ họ tên)", "Lê Thị Ánh"]
    assert right_sign == ["CHỦ TỌA", "(Ký, ghi rõ họ tên)", "Trần Văn Đức"]
    grid = document.tables[1]
    assert [c.text for c in grid.rows[0].cells] == ["Họ và tên", "Biểu quyết"]
    assert document.core_properties.language == "vi-VN"


def test_docx_recipients_and_unset_number(tmp_path: Path) -> None:
    doc = _document(
        signers=[Signer("CHỦ TỊCH", "Nguyễn Văn An")],
        recipients=["Thường trực HĐND thành phố", "Lưu: VT"],
        number=None,
        date=None,
    )
    document = docx.Document(io.BytesIO(render_docx(doc)))
    number, place = document.tables[0].rows[1].cells
    assert number.text == "Số: ......./BB-HĐND"
    assert place.text == "Ba Đình, ngày ... tháng ... năm ......"
    left, right = document.tables[-1].rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "Nơi nhận:",
        "- Thường trực HĐND thành phố;",
        "- Lưu: VT.",
    ]
    assert "CHỦ TỊCH" in right.text
