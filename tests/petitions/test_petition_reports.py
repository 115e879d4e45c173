"""Summary and results reports (DOCX, XLSX), exports and the Open311 serialisation."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

from docx import Document
from openpyxl import load_workbook

from petitions import open311
from petitions.exports import PUBLIC_COLUMNS, cell, to_csv, to_xlsx
from petitions.reports import (
    ReportInput,
    ReportPetition,
    compute_results,
    group_by_field_and_agency,
    results_docx,
    results_xlsx,
    summary_docx,
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


def test_summary_docx() -> None:
    text = _docx_text(summary_docx(_input()))
    assert "Tổng hợp ý kiến, kiến nghị của cử tri" in text
    assert "đã tổ chức 3 cuộc tiếp xúc cử tri với 420 lượt cử tri" in text
    assert "4 ý kiến, kiến nghị" in text and "15 lượt cử tri" in text
    assert "1. Lĩnh vực giao thông (2)" in text
    assert "Cơ quan giải quyết: Bộ Xây dựng" in text
    assert "Sửa đường liên xã (Phường Ba Đình; 12 cử tri; mã KN-2026-AAAAAA1)" in text
    assert "1 kiến nghị chuyển từ kỳ trước" in text


def test_results_docx() -> None:
    text = _docx_text(results_docx(_input()))
    assert "Đã trả lời: 2/4 (50,00%)" in text
    assert "Trả lời đúng hạn: 1/2 (50,00%)" in text
    assert "có lộ trình giải quyết (dự kiến xong trước 31/12/2026)" in text
    assert "Các kiến nghị trên được chuyển sang trước kỳ họp thứ 6." in text
    assert "Trả lời: Đã thu gom." in text


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
