"""Summary and results reports (DOCX, XLSX), exports and the Open311 serialisation."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from petitions import open311
from petitions.exports import PUBLIC_COLUMNS, cell, to_csv, to_xlsx
from petitions.report_records import ReportInput, ReportPetition
from petitions.report_topics import group_by_topic
from petitions.results_report import compute_results, results_docx, results_pdf, results_xlsx
from petitions.summary_report import (
    group_by_field_and_agency,
    summary_docx,
    summary_pdf,
    summary_xlsx,
)


def _items() -> list[ReportPetition]:
    return [
        ReportPetition(
            "KN-2026-AAAAAA1",
            "Sửa đường liên xã",
            "Đường hư hỏng nặng.",
            "transport",
            "Phường Ba Đình",
            "voter_meeting",
            "published",
            weight=12,
            agency="Sở Xây dựng",
            answer="Đã đưa vào kế hoạch 2026.",
            on_time=True,
            resolution="roadmap",
            roadmap_date=date(2026, 12, 31),
        ),
        ReportPetition(
            "KN-2026-AAAAAA2",
            "Thu gom rác",
            "Rác tồn đọng.",
            "environment",
            "Xã Sóc Sơn",
            "online",
            "closed",
            agency="Sở Nông nghiệp và Môi trường",
            answer="Đã thu gom.",
            on_time=False,
            resolution="resolved",
        ),
        ReportPetition(
            "KN-2026-AAAAAA3",
            "Đèn tín hiệu ngã tư",
            "Thiếu đèn.",
            "transport",
            "Phường Ba Đình",
            "online",
            "assigned",
            agency="Sở Xây dựng",
            carried_over=True,
        ),
        ReportPetition(
            "KN-2026-AAAAAA4",
            "Cấp nước sạch",
            "Thiếu nước.",
            "water_power",
            "Xã Sóc Sơn",
            "mail",
            "escalated",
            central_body="Bộ Xây dựng",
        ),
    ]


def _input() -> ReportInput:
    return ReportInput(
        "Thành phố Hà Nội",
        "Trước kỳ họp thứ 5",
        _items(),
        datetime(2026, 6, 1, tzinfo=UTC),
        meetings=3,
        attendees=420,
        next_cycle_label="Trước kỳ họp thứ 6",
        place="Hà Nội",
    )


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_grouping_order() -> None:
    groups = group_by_field_and_agency(_items())
    assert [g.category for g in groups] == ["transport", "environment", "water_power"]
    transport = groups[0]
    assert list(transport.agencies) == ["Sở Xây dựng"]
    assert [p.code for p in transport.agencies["Sở Xây dựng"]] == [
        "KN-2026-AAAAAA1",
        "KN-2026-AAAAAA3",
    ]


def test_results_figures() -> None:
    r = compute_results(_items())
    assert (r.total, r.answered, r.pending) == (4, 2, 2)
    assert (r.on_time, r.finished_with_deadline) == (1, 2)
    assert (r.resolved, r.roadmap, r.not_resolved) == (1, 1, 0)
    assert {p.code for p in r.carried} == {"KN-2026-AAAAAA1", "KN-2026-AAAAAA3", "KN-2026-AAAAAA4"}
    assert dict(r.by_agency)["Sở Xây dựng"] == {
        "assigned": 2,
        "answered": 1,
        "on_time": 1,
        "roadmap": 1,
    }


def _grouped_input() -> ReportInput:
    """The fixtures plus three voters of three communes raising the same road."""
    data = _input()
    same_road = [
        ("Đề nghị sửa đường liên xã", "Hội đồng nhân dân phường Hoàn Kiếm"),
        ("Sửa đường liên xã bị hư hỏng", "Xã Sóc Sơn"),
        ("Đề nghị sửa đường liên xã", "Phường Ba Đình"),
    ]
    data.petitions += [
        ReportPetition(
            f"KN-2026-BBBBBB{n}",
            title,
            "Mặt đường xuống cấp, nhiều ổ gà.",
            "transport",
            commune,
            "online",
            "assigned",
            agency="Sở Xây dựng",
        )
        for n, (title, commune) in enumerate(same_road, start=1)
    ]
    data.chair_name = "Nguyễn Văn An"
    data.number = 12
    return data


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    pages = [p.extract_text() for p in reader.pages]
    assert all(
        (float(p.mediabox.width), float(p.mediabox.height)) == pytest.approx((595.3, 841.9), 0.5)
        for p in reader.pages
    )  # A4
    fonts = {
        str(f["/BaseFont"])
        for p in reader.pages
        for f in (p["/Resources"].get("/Font") or {}).values()
    }
    assert fonts and all("LiberationSerif" in f for f in fonts), fonts
    return " ".join(unicodedata.normalize("NFC", " ".join(pages)).split())


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_topics_group_the_same_issue_with_its_count_and_communes() -> None:
    fields = group_by_topic(_grouped_input().petitions)
    transport = fields[0]
    assert transport.category == "transport" and transport.count == 5
    road = transport.topics[0]
    assert (road.count, road.name) == (4, "sửa đường liên xã")
    assert road.communes == ["phường Ba Đình", "phường Hoàn Kiếm", "xã Sóc Sơn"]
    assert road.petitions[0].code == "KN-2026-AAAAAA1"  # the heaviest first (12 voters)
    assert [t.count for t in transport.topics] == [4, 1]


def test_summary_in_the_official_layout_read_back_from_pdf_and_docx() -> None:
    data = _grouped_input()
    for text in (_pdf_text(summary_pdf(data)), _flat(_docx_text(summary_docx(data)))):
        assert "HỘI ĐỒNG NHÂN DÂN" in text and "THÀNH PHỐ HÀ NỘI" in text
        assert (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
        )
        assert "Số: 12/BC-HĐND" in text and "Hà Nội, ngày 01 tháng 6 năm 2026" in text
        assert "Tổng hợp ý kiến, kiến nghị của cử tri trước kỳ họp thứ 5" in text
        assert "Trước kỳ họp thứ 5, các đại biểu Hội đồng nhân dân đã tổ chức 3 cuộc" in text
        assert "Trong trước" not in text  # the grammar the old report had
        assert "7 ý kiến, kiến nghị của cử tri (18 lượt cử tri" in text
        assert "1. Lĩnh vực giao thông: 5 kiến nghị, 2 nhóm vấn đề" in text
        assert (
            "1.1. Về sửa đường liên xã: 4 kiến nghị của cử tri phường Ba Đình, phường Hoàn "
            "Kiếm và xã Sóc Sơn (15 lượt cử tri); cơ quan giải quyết: Sở Xây dựng." in text
        )
        assert (
            "Mã kiến nghị: KN-2026-AAAAAA1, KN-2026-BBBBBB1, KN-2026-BBBBBB2, KN-2026-BBBBBB3."
            in text
        )
        assert (
            "1.2. Đèn tín hiệu ngã tư (cử tri phường Ba Đình; cơ quan giải quyết: Sở Xây dựng; mã KN-2026-AAAAAA3)"
            in text
        )
        assert "Trong đó có 1 kiến nghị kỳ trước chưa được giải quyết xong." in text
        assert "TM. THƯỜNG TRỰC HĐND" in text and "Nguyễn Văn An" in text and "Nơi nhận" in text
        assert text.count("Sửa đường liên xã") <= 1  # one group, not a row per petition


def test_results_in_the_official_layout_read_back_from_pdf_and_docx() -> None:
    data = _grouped_input()
    for text in (_pdf_text(results_pdf(data)), _flat(_docx_text(results_docx(data)))):
        assert "Kết quả giải quyết, trả lời ý kiến, kiến nghị của cử tri trước kỳ họp thứ 5" in text
        assert "Đã trả lời: 2/7 kiến nghị (28,57%)" in text
        assert "Trả lời đúng hạn: 1/2 kiến nghị đã trả lời có thời hạn (50,00%)" in text
        assert "1.1. Về sửa đường liên xã: 4 kiến nghị của cử tri" in text
        assert "Tình trạng: 3 đã giao cơ quan giải quyết, 1 đã công khai trả lời." in text
        assert "dự kiến xong trước 31/12/2026" in text
        assert "Trả lời: Đã đưa vào kế hoạch 2026." in text
        assert "Các kiến nghị trên được chuyển sang kỳ tiếp theo (trước kỳ họp thứ 6)." in text
        assert "Số: 12/BC-HĐND" in text and "Nguyễn Văn An" in text


def test_xlsx_reports() -> None:
    wb = load_workbook(io.BytesIO(summary_xlsx(_input())))
    rows = list(wb["Tổng hợp"].iter_rows(min_row=3, values_only=True))
    assert [r[3] for r in rows] == [
        "KN-2026-AAAAAA1",
        "KN-2026-AAAAAA3",
        "KN-2026-AAAAAA2",
        "KN-2026-AAAAAA4",
    ]
    assert list(wb["Theo lĩnh vực"].iter_rows(min_row=2, values_only=True))[0] == (
        "Giao thông",
        2,
        13,
    )
    wb = load_workbook(io.BytesIO(summary_xlsx(_grouped_input())))
    road = next(wb["Theo nhóm vấn đề"].iter_rows(min_row=2, values_only=True))
    assert road[:5] == (
        "Giao thông",
        "sửa đường liên xã",
        4,
        15,
        "phường Ba Đình, phường Hoàn Kiếm, xã Sóc Sơn",
    )
    wb = load_workbook(io.BytesIO(results_xlsx(_input())))
    assert list(wb["Theo cơ quan"].iter_rows(values_only=True))[-1] == ("Tổng", 4, 2, 1, 1, 1, 0)
    assert len(list(wb["Chuyển kỳ sau"].iter_rows(min_row=2))) == 3


def test_exports_defuse_formulas() -> None:
    rows = [{"code": "KN-1", "title": '=HYPERLINK("http://x")', "weight": 3, "answer": None}]
    data = to_csv(rows, PUBLIC_COLUMNS)
    assert data.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[1][1].startswith("'=")
    wb = load_workbook(io.BytesIO(to_xlsx(rows, PUBLIC_COLUMNS, "x")))
    assert wb.active["B2"].value.startswith("'=")
    assert cell(True) == "✓" and cell(None) == "" and cell(2) == 2


def _public_request() -> open311.PublicRequest:
    return open311.PublicRequest(
        code="KN-2026-AAAAAA1",
        category="transport",
        category_name="Giao thông",
        title="Sửa đường <b>",
        description="Đường & cầu",
        status="published",
        answer="Đã có kế hoạch",
        agency="Sở Xây dựng",
        commune="Phường Ba Đình",
        requested=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
        updated=datetime(2026, 3, 9, tzinfo=UTC),
        expected=None,
    )


def test_open311_json_and_xml() -> None:
    services = open311.services("vi")
    assert {s["service_code"] for s in services} >= {"transport", "land", "environment"}
    req = open311.request(_public_request())
    assert req["status"] == "open" and req["address"] == "Phường Ba Đình"
    assert req["requested_datetime"] == "2026-03-01T02:00:00+00:00"
    json.dumps(req)
    xml = open311.to_xml("service_requests", "request", [req])
    root = ET.fromstring(xml)
    assert root.find("request/service_request_id").text == "KN-2026-AAAAAA1"
    assert root.find("request/description").text.startswith("Sửa đường <b>")
    assert b"&lt;b&gt;" in xml and b"&amp;" in xml


def test_a_petition_left_alone_joins_the_group_its_title_names() -> None:
    data = _grouped_input()
    lone = ReportPetition(
        "KN-2026-CCCCCC1",
        "Sửa đường liên xã đoạn qua thôn Đông, xóm Chùa và khu tái định cư",
        "Ổ gà.",
        "transport",
        "Xã Sóc Sơn",
        "online",
        "received",
    )
    road = group_by_topic([*data.petitions, lone])[0].topics[0]
    assert road.name == "sửa đường liên xã" and "KN-2026-CCCCCC1" in road.codes
    assert road.count == 5


def test_two_lone_petitions_sharing_a_phrase_make_a_group() -> None:
    def built(code: str, title: str) -> ReportPetition:
        return ReportPetition(
            code,
            title,
            "Công trình không phép.",
            "construction",
            "Xã Sóc Sơn",
            "online",
            "received",
        )

    fields = group_by_topic(
        [
            built("KN-2026-DDDDDD1", "Xây dựng sai phép tại thôn Trung"),
            built("KN-2026-DDDDDD2", "Xây dựng sai phép tại khu tái định cư Đồng Tàu"),
            built("KN-2026-DDDDDD3", "Cấp phép xây dựng nhà ở riêng lẻ còn chậm"),
        ]
    )
    (construction,) = fields
    assert [(t.name, t.count) for t in construction.topics] == [
        ("xây dựng sai phép", 2),
        ("Cấp phép xây dựng nhà ở riêng lẻ còn chậm", 1),
    ]
