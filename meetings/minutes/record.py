"""The plain record minutes are drafted from, and the lines of their body.

Minutes are a legal record of the council and are always drafted in Vietnamese. The frame around
these lines (header, number, place and date, signatures) is laid out by ``meetings.minutes.layout``
with ``council.officialdoc``; times are written in Vietnam's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from council.localtime import local
from meetings.voting.tally import TallyResult
from meetings.voting.wording import result_lines


@dataclass
class SpeakerRecord:
    name: str
    started_at: datetime | None = None
    seconds: int | None = None


@dataclass
class VoteRecord:
    title: str
    kind: str
    secret: bool
    result: TallyResult
    closed_at: datetime | None = None
    # Named polls only: (delegate name, choice as worded).
    named: list[tuple[str, str]] | None = None
    # Named polls only: delegates whose vote was given by show of hands (their device failed),
    # recorded by the secretariat and confirmed by the chair.
    by_hand: list[str] = field(default_factory=list)
    # A re-vote (biểu quyết lại): when the vote it repeats closed ("lúc 14 giờ 26 phút ngày …"),
    # and why.
    revote_of: str = ""
    revote_reason: str = ""


@dataclass
class ItemRecord:
    position: int
    title: str
    kind_label: str
    description: str = ""
    speakers: list[SpeakerRecord] = field(default_factory=list)
    votes: list[VoteRecord] = field(default_factory=list)
    # What another domain recorded during the item (``council.minutes_sections``: the live
    # questioning), as (style, text) lines printed after the speakers.
    sections: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DayAttendance:
    """Attendance of one day of the sitting (Vietnam's calendar day)."""

    day: date
    present: list[str] = field(default_factory=list)
    # Absent with a reason (vắng mặt có lý do): (name, reason).
    excused: list[tuple[str, str]] = field(default_factory=list)
    # Absent without a recorded reason.
    absent: list[str] = field(default_factory=list)


@dataclass
class CheckInUndone:
    """A check-in the secretariat took back as a mistake."""

    name: str
    at: datetime
    by: str


@dataclass
class AttendanceRecord:
    seats: int
    quorum: int
    # The last (or only) day of the sitting: ``absent`` includes the excused ones.
    present: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    excused: list[tuple[str, str]] = field(default_factory=list)
    # Every day, first to last; one entry for a sitting of one day.
    days: list[DayAttendance] = field(default_factory=list)
    undone: list[CheckInUndone] = field(default_factory=list)

    @property
    def quorum_met(self) -> bool:
        return len(self.present) >= self.quorum


@dataclass
class MinutesRecord:
    council_name: str
    session_title: str
    starts_at: datetime
    attendance: AttendanceRecord
    items: list[ItemRecord] = field(default_factory=list)
    other_votes: list[VoteRecord] = field(default_factory=list)
    # Those who had the floor while no agenda item was current.
    other_speakers: list[SpeakerRecord] = field(default_factory=list)
    closed_at: datetime | None = None
    location: str = ""
    chair_name: str = ""
    secretary_name: str = ""
    # The audit entry of the session's close, (chain, seq, hash): printed in the minutes, it
    # anchors the council's audit chain outside the database
    # (``council verify-audit --anchor COUNCIL:SEQ:HASH``).
    audit_anchor: tuple[int, int, str] | None = None
    # The minutes' number, set by the secretariat ("Số: 07/BB-HĐND"); None prints dots.
    number: int | None = None


@dataclass
class Line:
    """One line of the minutes' body: ``style`` is heading, subheading, text, note or bullet."""

    style: str
    text: str


def _when(dt: datetime) -> str:
    dt = local(dt)
    return f"{dt:%H} giờ {dt:%M} phút, ngày {dt:%d} tháng {dt:%m} năm {dt:%Y}"


def _vote_lines(vote: VoteRecord) -> list[Line]:
    mode = "bỏ phiếu kín" if vote.secret else "biểu quyết công khai"
    again = " — biểu quyết lại" if vote.revote_of else ""
    out = [Line("subheading", f"Biểu quyết: {vote.title} ({mode}){again}")]
    if vote.revote_of:
        out.append(
            Line(
                "text",
                f"Biểu quyết lại; lần biểu quyết trước kết thúc {vote.revote_of}. "
                f"Lý do: {vote.revote_reason}",
            )
        )
    out += [Line("bullet", text) for text in result_lines(vote.result, "vi")]
    if vote.named:
        out.append(Line("text", "Kết quả biểu quyết của từng đại biểu:"))
        out += [Line("bullet", f"{name}: {choice}") for name, choice in vote.named]
    if vote.by_hand:
        out.append(
            Line(
                "text",
                "Biểu quyết bằng giơ tay, thư ký ghi nhận (thiết bị gặp sự cố): "
                + ", ".join(vote.by_hand)
                + ".",
            )
        )
    return out


def _attendance_lines(att: AttendanceRecord) -> list[Line]:
    """Who was present, absent with a reason and absent, per day when the sitting had several;
    and the check-ins the secretariat undid."""
    lines: list[Line] = []
    several = len(att.days) > 1
    excused = {name for name, _ in att.excused}
    only = DayAttendance(
        date.min, att.present, att.excused, [n for n in att.absent if n not in excused]
    )
    for day in att.days or [only]:
        if several:
            lines.append(
                Line(
                    "text",
                    f"Ngày {day.day:%d/%m/%Y}: có mặt {len(day.present)}/{att.seats} đại biểu.",
                )
            )
        if day.present:
            lines.append(Line("text", "Đại biểu có mặt: " + ", ".join(day.present) + "."))
        if day.excused:
            lines.append(
                Line(
                    "text",
                    "Đại biểu vắng mặt có lý do: "
                    + "; ".join(f"{name} ({reason})" for name, reason in day.excused)
                    + ".",
                )
            )
        if day.absent:
            lines.append(Line("text", "Đại biểu vắng mặt: " + ", ".join(day.absent) + "."))
    for undone in att.undone:
        lines.append(
            Line(
                "text",
                f"Hủy xác nhận có mặt do nhầm lẫn: {undone.name} "
                f"(lúc {undone.at:%H} giờ {undone.at:%M} phút, {undone.by} thực hiện).",
            )
        )
    return lines


def minutes_lines(record: MinutesRecord) -> list[Line]:
    """Everything the body of the minutes says, in order; the layout only places these lines."""
    att = record.attendance
    lines = [
        Line(
            "note",
            "(Dự thảo, lập từ dữ liệu phiên họp; có giá trị khi có chữ ký của chủ tọa và thư ký)",
        ),
        Line("text", f"Thời gian bắt đầu: {_when(record.starts_at)}"),
    ]
    if record.location:
        lines.append(Line("text", f"Địa điểm: {record.location}"))
    lines += [
        Line("heading", "I. THÀNH PHẦN THAM DỰ"),
        Line(
            "text",
            f"Tổng số đại biểu: {att.seats}. Có mặt: {len(att.present)}. "
            f"Vắng mặt: {att.seats - len(att.present)}.",
        ),
        Line(
            "text",
            (
                f"Số đại biểu có mặt {'đạt' if att.quorum_met else 'chưa đạt'} số lượng tối thiểu "
                f"({att.quorum}/{att.seats}) để tiến hành kỳ họp."
            ),
        ),
    ]
    if record.chair_name:
        lines.append(Line("text", f"Chủ tọa: {record.chair_name}"))
    if record.secretary_name:
        lines.append(Line("text", f"Thư ký: {record.secretary_name}"))
    lines += _attendance_lines(att)
    vacant = att.seats - len(att.present) - len(att.absent)
    if vacant > 0:
        lines.append(Line("text", f"Số ghế đại biểu còn khuyết: {vacant}."))
    lines.append(Line("heading", "II. NỘI DUNG KỲ HỌP"))
    for item in sorted(record.items, key=lambda i: i.position):
        lines.append(Line("subheading", f"{item.position}. {item.title} ({item.kind_label})"))
        if item.description:
            lines.append(Line("text", item.description))
        if item.speakers:
            lines.append(Line("text", "Đại biểu phát biểu:"))
            lines += _speaker_lines(item.speakers)
        lines += [Line(style, text) for style, text in item.sections]
        for vote in item.votes:
            lines += _vote_lines(vote)
    if record.other_speakers:
        lines.append(Line("subheading", "Phát biểu ngoài các nội dung của chương trình"))
        lines += _speaker_lines(record.other_speakers)
    if record.other_votes:
        lines.append(Line("heading", "III. CÁC NỘI DUNG BIỂU QUYẾT KHÁC"))
        for vote in record.other_votes:
            lines += _vote_lines(vote)
    if record.closed_at:
        lines.append(Line("text", f"Kỳ họp kết thúc lúc {_when(record.closed_at)}."))
    if record.audit_anchor:
        chain, seq, digest = record.audit_anchor
        # As ``council.audit.anchor_text``: the council's chain, or the deployment's (no prefix).
        anchor = f"{chain}:{seq}:{digest}" if chain else f"{seq}:{digest}"
        lines.append(
            Line(
                "text",
                f"Nhật ký kiểm toán: việc kết thúc kỳ họp được ghi tại mục số {seq}, "
                f"mã băm {digest}. Đối chiếu: council verify-audit --anchor {anchor}",
            )
        )
    return lines


def _speaker_lines(speakers: list[SpeakerRecord]) -> list[Line]:
    return [
        Line(
            "bullet",
            sp.name + (f" ({sp.seconds // 60} phút {sp.seconds % 60} giây)" if sp.seconds else ""),
        )
        for sp in speakers
    ]
