"""The two reports a secretariat puts on the session agenda, as DOCX and PDF in the official
layout (``council.officialdoc``, Nghị định 30/2020/NĐ-CP), and as XLSX:

- the summary report of voters' petitions (báo cáo tổng hợp ý kiến, kiến nghị cử tri), by field,
  then by topic (``petitions.report_topics``: one group per issue with its count, communes and
  agencies);
- the report on results of resolving them (báo cáo kết quả giải quyết), with the unresolved ones
  that carry over to the next cycle.

Like minutes, these are official documents of the council and are always written in Vietnamese.
They are built from plain records, never from the database, so they are easy to test.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from council.officialdoc import (
    Block,
    Bullets,
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    issuer_of,
    place_of,
    render_docx,
    render_pdf,
)
from petitions import labels
from petitions.categories import CATEGORIES, vi_name
from petitions.exports import cell
from petitions.report_topics import UNASSIGNED, Field, Topic, group_by_topic

SYMBOL = "BC-HĐND"
AGENCY_KEYS = ("assigned", "answered", "on_time", "resolved", "roadmap", "not_resolved")


@dataclass
class ReportPetition:
    """One petition as the reports see it: no personal data."""

    code: str
    title: str
    body: str
    category: str
    commune: str
    channel: str
    status: str
    weight: int = 1
    agency: str | None = None
    central_body: str | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    on_time: bool | None = None
    resolution: str | None = None
    roadmap_date: date | None = None
    carried_over: bool = False


@dataclass
class ReportInput:
    council_name: str
    cycle_label: str
    petitions: list[ReportPetition]
    generated_at: datetime
    meetings: int = 0
    attendees: int = 0
    next_cycle_label: str | None = None
    place: str = ""  # the place in the date line; the council's own place when empty
    chair_name: str = ""  # who signs for the Standing Committee; a blank line to sign on
    number: int | None = None  # the report's number; dots to fill in by hand when None


@dataclass
class Group:
    category: str
    agencies: dict[str, list[ReportPetition]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.agencies.values())


def _vi(table: dict, key: str | None) -> str:
    return labels.text(table, key, "vi")


def _pct(part: int, whole: int) -> str:
    return "0%" if whole == 0 else f"{100 * part / whole:.2f}".replace(".", ",") + "%"


def group_by_field_and_agency(items: Iterable[ReportPetition]) -> list[Group]:
    """Fields in the standard order, agencies by name, petitions by weight then title."""
    order = {c.code: i for i, c in enumerate(CATEGORIES)}
    buckets: dict[str, dict[str, list[ReportPetition]]] = defaultdict(lambda: defaultdict(list))
    for p in items:
        buckets[p.category][p.agency or p.central_body or UNASSIGNED].append(p)
    groups = []
    for cat in sorted(buckets, key=lambda c: (order.get(c, 999), c)):
        agencies = {
            name: sorted(ps, key=lambda p: (-p.weight, p.title))
            for name, ps in sorted(
                buckets[cat].items(), key=lambda kv: (kv[0] == UNASSIGNED, kv[0])
            )
        }
        groups.append(Group(cat, agencies))
    return groups


@dataclass
class Results:
    total: int
    answered: int
    on_time: int
    finished_with_deadline: int
    resolved: int
    roadmap: int
    not_resolved: int
    pending: int
    by_agency: list[tuple[str, dict[str, int]]]
    carried: list[ReportPetition]


_ANSWERED = {"answered", "published", "closed"}


def compute_results(items: list[ReportPetition]) -> Results:
    """The figures of the results report."""
    per_agency: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    carried = []
    for p in items:
        name = p.agency or p.central_body or UNASSIGNED
        c = per_agency[name]
        c["assigned"] += 1
        totals["total"] += 1
        if p.status in _ANSWERED:
            c["answered"] += 1
            totals["answered"] += 1
            if p.on_time is not None:
                totals["finished"] += 1
                if p.on_time:
                    c["on_time"] += 1
                    totals["on_time"] += 1
        if p.resolution:
            c[p.resolution] += 1
            totals[p.resolution] += 1
        if p.resolution != "resolved":
            carried.append(p)
    return Results(
        total=totals["total"],
        answered=totals["answered"],
        on_time=totals["on_time"],
        finished_with_deadline=totals["finished"],
        resolved=totals["resolved"],
        roadmap=totals["roadmap"],
        not_resolved=totals["not_resolved"],
        pending=totals["total"] - totals["answered"],
        by_agency=sorted(((k, dict(v)) for k, v in per_agency.items()), key=lambda kv: kv[0]),
        carried=carried,
    )


def _signers(data: ReportInput) -> list[Signer]:
    return [Signer("CHỦ TỊCH", data.chair_name, authority="TM. THƯỜNG TRỰC HĐND")]


def _frame(data: ReportInput, summary: str, body: list[Block]) -> OfficialDocument:
    """The official frame (Nghị định 30/2020/NĐ-CP) around a report's body."""
    return OfficialDocument(
        issuer=issuer_of(data.council_name),
        kind="BÁO CÁO",
        summary=f"{summary} {data.cycle_label.lower()}",
        symbol=SYMBOL,
        number=data.number,
        place=data.place or place_of(data.council_name),
        date=data.generated_at,
        body=body,
        signers=_signers(data),
        recipients=["Các vị đại biểu Hội đồng nhân dân", "Lưu: VT"],
        title=f"{summary} — {data.cycle_label}",
    )


def _and(items: list[str]) -> str:
    """ "a", "a và b", "a, b và c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} và {items[-1]}"


def _topic_line(n: str, t: Topic[ReportPetition]) -> str:
    """One issue in a sentence: what, how many, from where, who answers."""
    agencies = _and(t.handlers)
    if t.count == 1:
        p = t.petitions[0]
        voters = f"; {p.weight} lượt cử tri" if p.weight > 1 else ""
        return (
            f"{n}. {p.title} (cử tri {t.communes[0]}{voters}; cơ quan giải quyết: {agencies}; "
            f"mã {p.code}). {p.body}"
        )
    return (
        f"{n}. Về {t.name}: {t.count} kiến nghị của cử tri {_and(t.communes)} "
        f"({t.voters} lượt cử tri); cơ quan giải quyết: {agencies}. "
        f"{t.petitions[0].body}"
    )


def _codes_line(t: Topic[ReportPetition]) -> Paragraph:
    return Paragraph(f"Mã kiến nghị: {', '.join(t.codes)}.", italic=True)


def _general(data: ReportInput, fields: list[Field[ReportPetition]]) -> list[Block]:
    items = data.petitions
    voters = sum(p.weight for p in items)
    topics = sum(len(f.topics) for f in fields)
    if data.meetings:
        met = (
            f"{data.cycle_label}, các đại biểu Hội đồng nhân dân đã tổ chức {data.meetings} "
            f"cuộc tiếp xúc cử tri với {data.attendees} lượt cử tri tham dự."
        )
    else:
        met = f"{data.cycle_label}, chưa tổ chức cuộc tiếp xúc cử tri nào."
    blocks: list[Block] = [
        Heading("I. TÌNH HÌNH CHUNG"),
        Paragraph(met),
        Paragraph(
            f"Thường trực Hội đồng nhân dân đã tổng hợp {len(items)} ý kiến, kiến nghị của cử "
            f"tri ({voters} lượt cử tri, sau khi gộp các kiến nghị trùng nhau), thuộc "
            f"{topics} nhóm vấn đề trong {len(fields)} lĩnh vực, nhận qua các kênh:"
        ),
    ]
    channels = Counter(p.channel for p in items)
    if channels:
        lines = [
            f"{_vi(labels.CHANNEL, ch)}: {n} kiến nghị"
            for ch, n in sorted(channels.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        blocks.append(Bullets(tuple(f"{line};" for line in lines[:-1]) + (f"{lines[-1]}.",)))
    carried = sum(1 for p in items if p.carried_over)
    if carried:
        blocks.append(
            Paragraph(f"Trong đó có {carried} kiến nghị kỳ trước chưa được giải quyết xong.")
        )
    return blocks


def summary_document(data: ReportInput) -> OfficialDocument:
    """Summary report of voters' petitions: by field, then by topic (count, communes,
    agencies), in the official layout."""
    fields = group_by_topic(data.petitions)
    body = _general(data, fields)
    body.append(Heading("II. NỘI DUNG Ý KIẾN, KIẾN NGHỊ THEO LĨNH VỰC"))
    if not fields:
        body.append(Paragraph("Không có kiến nghị trong kỳ."))
    for i, f in enumerate(fields, start=1):
        body.append(
            Heading(
                f"{i}. Lĩnh vực {vi_name(f.category).lower()}: {f.count} kiến nghị, "
                f"{len(f.topics)} nhóm vấn đề",
                level=2,
            )
        )
        for j, t in enumerate(f.topics, start=1):
            body.append(Paragraph(_topic_line(f"{i}.{j}", t)))
            if t.count > 1:
                body.append(_codes_line(t))
    return _frame(data, "Tổng hợp ý kiến, kiến nghị của cử tri", body)


def _counted(values: Iterable[str]) -> str:
    counts = Counter(values)
    return ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def results_document(data: ReportInput) -> OfficialDocument:
    """Report on results of resolving voters' petitions: figures, the table by agency, the
    answers by topic and the issues carried over, in the official layout."""
    r = compute_results(data.petitions)
    body: list[Block] = [
        Heading("I. KẾT QUẢ CHUNG"),
        Bullets(
            (
                f"Tổng số kiến nghị: {r.total}.",
                f"Đã trả lời: {r.answered}/{r.total} kiến nghị ({_pct(r.answered, r.total)}); "
                f"chưa trả lời: {r.pending}.",
                f"Trả lời đúng hạn: {r.on_time}/{r.finished_with_deadline} kiến nghị đã trả lời "
                f"có thời hạn ({_pct(r.on_time, r.finished_with_deadline)}).",
                f"Đã giải quyết xong: {r.resolved}; có lộ trình giải quyết: {r.roadmap}; "
                f"chưa giải quyết được: {r.not_resolved}.",
            )
        ),
        Heading("II. KẾT QUẢ THEO CƠ QUAN GIẢI QUYẾT"),
        Table(
            (
                "Cơ quan",
                "Số kiến nghị",
                "Đã trả lời",
                "Đúng hạn",
                "Đã giải quyết",
                "Có lộ trình",
                "Chưa giải quyết",
            ),
            tuple(
                (name, *(str(counts.get(k, 0)) for k in AGENCY_KEYS))
                for name, counts in r.by_agency
            ),
            widths=(3, 1, 1, 1, 1, 1, 1),
        ),
        Heading("III. NỘI DUNG TRẢ LỜI THEO NHÓM VẤN ĐỀ"),
    ]
    fields = group_by_topic(data.petitions)
    for i, f in enumerate(fields, start=1):
        body.append(Heading(f"{i}. Lĩnh vực {vi_name(f.category).lower()}", level=2))
        for j, t in enumerate(f.topics, start=1):
            head = (
                f"{i}.{j}. Về {t.name}: {t.count} kiến nghị của cử tri {_and(t.communes)}"
                if t.count > 1
                else f"{i}.{j}. {t.name} (cử tri {t.communes[0]}; mã {t.petitions[0].code})"
            )
            body.append(Paragraph(f"{head}; cơ quan giải quyết: {_and(t.handlers)}.", bold=True))
            lines = [
                f"Tình trạng: {_counted(_vi(labels.STATUS, p.status).lower() for p in t.petitions)}.",
                f"Kết quả: {_counted(_resolution_vi(p) for p in t.petitions)}.",
            ]
            answers = list(dict.fromkeys(p.answer for p in t.petitions if p.answer))
            lines += [f"Trả lời: {a}" for a in answers[:3]]
            body.append(Bullets(tuple(lines)))
            if t.count > 1:
                body.append(_codes_line(t))
    body.append(Heading("IV. KIẾN NGHỊ CHƯA GIẢI QUYẾT XONG, CHUYỂN KỲ SAU"))
    carried_fields = group_by_topic(r.carried)
    if not carried_fields:
        body.append(Paragraph("Không có."))
    else:
        lines = []
        for f in carried_fields:
            for t in f.topics:
                what = (
                    f"Về {t.name} ({t.count} kiến nghị" if t.count > 1 else f"{t.name} (1 kiến nghị"
                )
                lines.append(
                    f"{what}; cử tri {_and(t.communes)}; {_and(t.handlers)}): "
                    f"{_counted(_resolution_vi(p) for p in t.petitions)}; "
                    f"mã {', '.join(t.codes)}."
                )
        body.append(Bullets(tuple(lines)))
        if data.next_cycle_label:
            body.append(
                Paragraph(
                    f"Các kiến nghị trên được chuyển sang kỳ tiếp theo "
                    f"({data.next_cycle_label.lower()})."
                )
            )
    return _frame(data, "Kết quả giải quyết, trả lời ý kiến, kiến nghị của cử tri", body)


def summary_docx(data: ReportInput) -> bytes:
    return render_docx(summary_document(data))


def summary_pdf(data: ReportInput) -> bytes:
    return render_pdf(summary_document(data))


def results_docx(data: ReportInput) -> bytes:
    return render_docx(results_document(data))


def results_pdf(data: ReportInput) -> bytes:
    return render_pdf(results_document(data))


def _resolution_vi(p: ReportPetition) -> str:
    if not p.resolution:
        return "chưa có kết quả"
    text = _vi(labels.RESOLUTION, p.resolution).lower()
    if p.resolution == "roadmap" and p.roadmap_date:
        text += f" (dự kiến xong trước {p.roadmap_date:%d/%m/%Y})"
    return text


def summary_xlsx(data: ReportInput) -> bytes:
    """The summary report as a workbook: one row per petition, in field and agency order."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    ws.append([f"Tổng hợp ý kiến, kiến nghị của cử tri — {data.council_name} — {data.cycle_label}"])
    ws["A1"].font = Font(bold=True)
    heads = [
        "STT",
        "Lĩnh vực",
        "Cơ quan giải quyết",
        "Mã",
        "Nội dung",
        "Chi tiết",
        "Xã/phường",
        "Kênh",
        "Số cử tri",
        "Chuyển từ kỳ trước",
    ]
    ws.append(heads)
    for c in ws[2]:
        c.font = Font(bold=True)
    n = 0
    for group in group_by_field_and_agency(data.petitions):
        for agency, ps in group.agencies.items():
            for p in ps:
                n += 1
                ws.append(
                    [
                        cell(v)
                        for v in (
                            n,
                            vi_name(group.category),
                            agency,
                            p.code,
                            p.title,
                            p.body,
                            p.commune,
                            _vi(labels.CHANNEL, p.channel),
                            p.weight,
                            p.carried_over,
                        )
                    ]
                )
    by_topic = wb.create_sheet("Theo nhóm vấn đề")
    by_topic.append(
        [
            "Lĩnh vực",
            "Nhóm vấn đề",
            "Số kiến nghị",
            "Số cử tri",
            "Xã/phường",
            "Cơ quan giải quyết",
            "Mã kiến nghị",
        ]
    )
    for f in group_by_topic(data.petitions):
        for t in f.topics:
            by_topic.append(
                [
                    cell(v)
                    for v in (
                        vi_name(f.category),
                        t.name,
                        t.count,
                        t.voters,
                        ", ".join(t.communes),
                        ", ".join(t.handlers),
                        ", ".join(t.codes),
                    )
                ]
            )
    for c in by_topic[1]:
        c.font = Font(bold=True)
    _widths(by_topic)
    by_field = wb.create_sheet("Theo lĩnh vực")
    by_field.append(["Lĩnh vực", "Số kiến nghị", "Số cử tri"])
    for group in group_by_field_and_agency(data.petitions):
        ps = [p for v in group.agencies.values() for p in v]
        by_field.append([vi_name(group.category), len(ps), sum(p.weight for p in ps)])
    _widths(ws)
    return _save_wb(wb)


def results_xlsx(data: ReportInput) -> bytes:
    """The results report as a workbook: per agency, per petition, and the carry-over list."""
    r = compute_results(data.petitions)
    wb = Workbook()
    ws = wb.active
    ws.title = "Theo cơ quan"
    ws.append(
        [
            "Cơ quan",
            "Số kiến nghị",
            "Đã trả lời",
            "Đúng hạn",
            "Đã giải quyết",
            "Có lộ trình",
            "Chưa giải quyết",
        ]
    )
    for name, counts in r.by_agency:
        ws.append(
            [cell(name)]
            + [
                counts.get(k, 0)
                for k in ("assigned", "answered", "on_time", "resolved", "roadmap", "not_resolved")
            ]
        )
    ws.append(["Tổng", r.total, r.answered, r.on_time, r.resolved, r.roadmap, r.not_resolved])
    detail = wb.create_sheet("Chi tiết")
    detail.append(
        [
            "Mã",
            "Nội dung",
            "Lĩnh vực",
            "Cơ quan",
            "Xã/phường",
            "Tình trạng",
            "Kết quả",
            "Đúng hạn",
            "Trả lời",
        ]
    )
    for p in data.petitions:
        detail.append(
            [
                cell(v)
                for v in (
                    p.code,
                    p.title,
                    vi_name(p.category),
                    p.agency or p.central_body or UNASSIGNED,
                    p.commune,
                    _vi(labels.STATUS, p.status),
                    _resolution_vi(p),
                    "" if p.on_time is None else ("Có" if p.on_time else "Không"),
                    p.answer or "",
                )
            ]
        )
    carried = wb.create_sheet("Chuyển kỳ sau")
    carried.append(["Mã", "Nội dung", "Cơ quan", "Xã/phường", "Kết quả"])
    for p in r.carried:
        carried.append(
            [
                cell(v)
                for v in (
                    p.code,
                    p.title,
                    p.agency or p.central_body or UNASSIGNED,
                    p.commune,
                    _resolution_vi(p),
                )
            ]
        )
    for sheet in (ws, detail, carried):
        for c in sheet[1]:
            c.font = Font(bold=True)
        _widths(sheet)
    return _save_wb(wb)


def _widths(ws) -> None:
    for column in ws.columns:
        letter = column[0].column_letter
        longest = max((len(str(c.value or "")) for c in column[:200]), default=10)
        ws.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        for c in column:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def _save_wb(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
