"""Minutes rendered to DOCX and PDF: the official layout, local times, every Vietnamese diacritic."""

import io
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import docx
from pypdf import PdfReader

from meetings.minutes import (
    AttendanceRecord,
    ItemRecord,
    MinutesRecord,
    SpeakerRecord,
    VoteRecord,
    render_docx,
    render_pdf,
)
from meetings.voting.tally import tally_confidence, tally_election, tally_motion


def _record() -> MinutesRecord:
    motion = tally_motion(["yes"] * 16 + ["no"] * 4 + ["abstain"] * 2, 30)
    election = tally_election(
        [[1]] * 18 + [[2]] * 4, [(1, "Nguyễn Thị Hương"), (2, "Đỗ Văn Khánh")], 30, 1
    )
    confidence = tally_confidence(
        [{1: "low"}] * 20 + [{1: "high"}] * 2, [(1, "Phạm Quốc Việt")], 30
    )
    return MinutesRecord(
        council_name="thành phố Hà Nội",
        session_title="Kỳ họp thứ mười một, Hội đồng nhân dân khóa XVI",
        # Stored in UTC: 01:00 and 04:30 UTC are 08:00 and 11:30 in Hà Nội.
        starts_at=datetime(2025, 12, 8, 1, 0, tzinfo=UTC),
        closed_at=datetime(2025, 12, 8, 4, 30, tzinfo=UTC),
        number=12,
        location="Hội trường Thành ủy",
        chair_name="Trần Văn Đức",
        secretary_name="Lê Thị Ánh",
        attendance=AttendanceRecord(
            seats=30,
            quorum=20,
            present=[f"Đại biểu {i}" for i in range(22)],
            absent=["Vũ Hồng Nhung"],
        ),
        items=[
            ItemRecord(
                2,
                "Dự thảo Nghị quyết về dự toán ngân sách năm 2026",
                "Dự thảo nghị quyết",
                votes=[
                    VoteRecord(
                        "Thông qua Nghị quyết",
                        "motion",
                        False,
                        motion,
                        named=[("Nguyễn Văn Ước", "tán thành")],
                    )
                ],
            ),
            ItemRecord(
                1,
                "Báo cáo tình hình kinh tế - xã hội",
                "Báo cáo",
                speakers=[SpeakerRecord("Hoàng Minh Tuấn", seconds=185)],
            ),
            ItemRecord(
                3,
                "Bầu Phó Chủ tịch HĐND",
                "Khác",
                votes=[VoteRecord("Bầu Phó Chủ tịch", "election", True, election)],
            ),
        ],
        other_votes=[VoteRecord("Lấy phiếu tín nhiệm", "confidence", True, confidence)],
    )


EXPECTED = [
    "HỘI ĐỒNG NHÂN DÂN",
    "THÀNH PHỐ HÀ NỘI",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 12/BB-HĐND",
    "Hà Nội, ngày 08 tháng 12 năm 2025",
    "BIÊN BẢN",
    "Kỳ họp thứ mười một, Hội đồng nhân dân khóa XVI",
    "Thời gian bắt đầu: 08 giờ 00 phút, ngày 08 tháng 12 năm 2025",
    "Kỳ họp kết thúc lúc 11 giờ 30 phút, ngày 08 tháng 12 năm 2025.",
    "Tổng số đại biểu: 30. Có mặt: 22. Vắng mặt: 8.",
    "16/30 đại biểu tán thành, chiếm 53,33% tổng số đại biểu",
    "Kết quả: thông qua",
    "Nguyễn Thị Hương: 18/30 đại biểu bầu, chiếm 60,00% tổng số đại biểu — trúng cử",
    "tín nhiệm thấp 20/30 (66,67%)",
    "Hoàng Minh Tuấn (3 phút 5 giây)",
    "Nguyễn Văn Ước: tán thành",
    "Vũ Hồng Nhung",
]


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_minutes_pdf_text_reads_back_with_diacritics() -> None:
    data = render_pdf(_record())
    reader = PdfReader(io.BytesIO(data))
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    for expected in EXPECTED:
        assert _flat(expected) in text, expected
    # items come out in agenda order whatever order the record listed them
    assert text.index("1. Báo cáo tình hình") < text.index("2. Dự thảo Nghị quyết")
    assert "HỘI ĐỒNG NHÂN DÂN HỘI ĐỒNG NHÂN DÂN" not in text
    assert "giờ 00 phút, ngày 08" in text and "01 giờ 00" not in text
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert fonts <= {f"LiberationSerif{s}" for s in ("", "Bold", "Italic", "BoldItalic")}
    last = _flat(reader.pages[-1].extract_text())
    assert "THƯ KÝ" in last and "CHỦ TỌA" in last and "Trần Văn Đức" in last
    assert round(float(reader.pages[0].mediabox.width) * 25.4 / 72) == 210


def test_minutes_docx_has_the_same_content() -> None:
    document = docx.Document(io.BytesIO(render_docx(_record())))
    cells = [
        p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs
    ]
    text = _flat(" ".join([p.text for p in document.paragraphs] + cells))
    for expected in EXPECTED:
        assert _flat(expected) in text, expected
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert round(document.sections[0].page_width.mm) == 210
    signatures = " ".join(c.text for c in document.tables[-1].rows[0].cells)
    assert "THƯ KÝ" in signatures and "Lê Thị Ánh" in signatures
    assert "CHỦ TỌA" in signatures and "Trần Văn Đức" in signatures
    # Bullets keep their hanging indent (they lost it with the "List Bullet" style).
    bullet = next(p for p in document.paragraphs if "Hoàng Minh Tuấn" in p.text)
    assert round(bullet.paragraph_format.left_indent.mm) == 15


async def test_minutes_of_a_real_sitting_print_its_local_start_time(client) -> None:
    from meetings.models import Session
    from tests.meetings.helpers import setup_running_session

    s = await setup_running_session(client, seats=5, present=4)
    session = await Session.get(id=s.session_id)
    assert session.started_at is not None
    local_start = session.started_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    utc_start = session.started_at.astimezone(UTC)
    r = await client.get(f"/api/v1/sessions/{s.session_id}/minutes.pdf", headers=s.h(s.chair))
    text = _flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages))
    assert f"Thời gian bắt đầu: {local_start:%H} giờ {local_start:%M} phút" in text
    assert f"{utc_start:%H} giờ {utc_start:%M} phút" not in text
