"""The commitments status report for the next sitting, and the list of question forms and groups:
as DOCX and PDF in the official layout (council.officialdoc, Nghị định 30/2020/NĐ-CP), and as XLSX
of plain data."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from council.localtime import local
from council.models import Agency, Council, User
from council.officialdoc import (
    Block,
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    issuer_of,
    place_of,
)
from questioning import tracker
from questioning.models import GroupConclusion, QuestionForm, QuestionGroup, QuestionTurn, Round
from questioning.services.commitments import commitments_of, state_of

STATE_VI = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành trễ hạn",
    "in_progress": "Đang thực hiện",
    "overdue": "Quá hạn",
}
COMMITMENT_HEADER = (
    "TT",
    "Cơ quan",
    "Người hứa",
    "Nội dung lời hứa",
    "Thời hạn",
    "Tiến độ",
    "Tình trạng",
)
FORM_HEADER = ("TT", "Đại biểu", "Người được chất vấn", "Lĩnh vực", "Câu hỏi", "Nhóm vấn đề")


async def _commitment_rows(council: Council) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for n, c in enumerate(await commitments_of(council.id), start=1):
        agency: Agency = c.agency  # type: ignore[assignment]
        rows.append(
            (
                str(n),
                agency.name,
                f"{c.official_name}, {c.official_title}",
                c.measure,
                c.deadline.strftime("%d/%m/%Y"),
                f"{c.percent}%",
                STATE_VI[state_of(c)],
            )
        )
    return rows


async def commitments_document(council: Council) -> OfficialDocument:
    rows = await _commitment_rows(council)
    counts = {s: sum(1 for r in rows if r[6] == STATE_VI[s]) for s in tracker.STATES}
    chair = await User.filter(council_id=council.id, role="chair", is_active=True).first()
    return OfficialDocument(
        issuer=issuer_of(council.name),
        kind="BÁO CÁO",
        summary="Kết quả thực hiện lời hứa tại phiên chất vấn",
        symbol="BC-HĐND",
        place=place_of(council.name),
        date=datetime.now(UTC),
        body=[
            Heading("I. TỔNG HỢP"),
            Paragraph(
                f"Tổng số lời hứa được theo dõi: {len(rows)}; hoàn thành đúng hạn: "
                f"{counts['done_on_time']}; hoàn thành trễ hạn: {counts['done_late']}; đang thực "
                f"hiện: {counts['in_progress']}; quá hạn: {counts['overdue']}."
            ),
            Heading("II. CHI TIẾT"),
            Table(COMMITMENT_HEADER, tuple(rows)),
            Paragraph(
                "Các lời hứa quá hạn được đề xuất đưa vào nhóm tái chất vấn tại kỳ họp tới.",
                italic=True,
            ),
        ],
        signers=[
            Signer("CHỦ TỊCH", chair.full_name if chair else "", authority="TM. THƯỜNG TRỰC HĐND")
        ],
        recipients=["Thường trực HĐND", "Các đại biểu HĐND", "Lưu: VT"],
    )


async def _form_rows(session_id: int) -> list[tuple[str, ...]]:
    rnd = await Round.get_or_none(session_id=session_id)
    if rnd is None:
        return []
    groups = {g.id: g.title for g in await QuestionGroup.filter(round_id=rnd.id)}
    rows: list[tuple[str, ...]] = []
    forms = await QuestionForm.filter(round_id=rnd.id, state="filed").order_by("id")
    for n, f in enumerate(forms, start=1):
        asker = await User.get(id=f.asker_id)
        rows.append(
            (
                str(n),
                asker.full_name,
                f"{f.official_name}, {f.official_title}",
                f.field,
                f.text,
                groups.get(f.group_id or 0, ""),
            )
        )
    return rows


PHASE_VI = {"asking": "Chất vấn", "answering": "Trả lời", "followup": "Tranh luận"}
TURN_HEADER = ("TT", "Phiếu số", "Nội dung", "Người phát biểu", "Bắt đầu", "Kết thúc")


def _clock(moment: datetime | None) -> str:
    return local(moment).strftime("%H:%M:%S") if moment else ""


async def _record_blocks(session_id: int) -> list[Block]:
    """The questioning sitting's record: each turn and each group's conclusion."""
    turns = await QuestionTurn.filter(session_id=session_id).order_by("started_at", "id")
    if not turns:
        return []
    rows = tuple(
        (
            str(n),
            str(t.form_id),
            PHASE_VI.get(t.phase, t.phase),
            t.speaker,
            _clock(t.started_at),
            _clock(t.ended_at),
        )
        for n, t in enumerate(turns, start=1)
    )
    blocks: list[Block] = [Heading("DIỄN BIẾN PHIÊN CHẤT VẤN"), Table(TURN_HEADER, rows)]
    rnd = await Round.get(session_id=session_id)
    for g in await QuestionGroup.filter(round_id=rnd.id, chosen=True):
        conclusion = await GroupConclusion.get_or_none(group_id=g.id)
        if conclusion is not None:
            blocks.append(Paragraph(f"Kết luận nhóm vấn đề “{g.title}”: {conclusion.text}"))
    return blocks


async def forms_document(council: Council, session_id: int, title: str) -> OfficialDocument:
    rows = await _form_rows(session_id)
    return OfficialDocument(
        issuer=issuer_of(council.name),
        kind="DANH SÁCH",
        summary=f"Phiếu chất vấn và nhóm vấn đề, {title}",
        place=place_of(council.name),
        date=datetime.now(UTC),
        body=[Table(FORM_HEADER, tuple(rows)), *await _record_blocks(session_id)],
        recipients=["Thường trực HĐND", "Lưu: VT"],
    )


def xlsx(header: tuple[str, ...], rows: list[tuple[str, ...]], sheet: str) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def commitments_xlsx(council: Council) -> bytes:
    return xlsx(COMMITMENT_HEADER, await _commitment_rows(council), "Lời hứa")


async def forms_xlsx(session_id: int) -> bytes:
    return xlsx(FORM_HEADER, await _form_rows(session_id), "Phiếu chất vấn")
