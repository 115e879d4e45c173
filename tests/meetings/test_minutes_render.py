"""Minutes rendered to DOCX and PDF keep every Vietnamese diacritic."""

import io
import unicodedata
from datetime import datetime

import docx
from pypdf import PdfReader

from meetings.fonts import BOLD, REGULAR
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
        starts_at=datetime(2025, 12, 8, 8, 0),
        closed_at=datetime(2025, 12, 8, 11, 30),
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
    "HỘI ĐỒNG NHÂN DÂN THÀNH PHỐ HÀ NỘI",
    "Kỳ họp thứ mười một, Hội đồng nhân dân khóa XVI",
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


def test_fonts_are_shipped_in_the_package() -> None:
    assert REGULAR.stat().st_size > 100_000 and BOLD.stat().st_size > 100_000
    assert (REGULAR.parent / "LICENSE").exists()


def test_minutes_pdf_text_reads_back_with_diacritics() -> None:
    data = render_pdf(_record())
    reader = PdfReader(io.BytesIO(data))
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    for expected in EXPECTED:
        assert _flat(expected) in text, expected
    # items come out in agenda order whatever order the record listed them
    assert text.index("1. Báo cáo tình hình") < text.index("2. Dự thảo Nghị quyết")
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts


def test_minutes_docx_has_the_same_content() -> None:
    document = docx.Document(io.BytesIO(render_docx(_record())))
    text = _flat(" ".join(p.text for p in document.paragraphs))
    for expected in EXPECTED:
        assert _flat(expected) in text, expected
    cells = " ".join(c.text for c in document.tables[0].rows[0].cells)
    assert "CHỦ TỌA" in cells and "Trần Văn Đức" in cells
