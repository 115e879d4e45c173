"""The two reports a secretariat puts on the session agenda, as DOCX and XLSX.

- the summary report of voters' petitions (báo cáo tổng hợp ý kiến, kiến nghị cử tri), grouped by
  field and by agency;
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

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from council.localtime import local
from petitions import labels
from petitions.categories import CATEGORIES, vi_name
from petitions.exports import cell

UNASSIGNED = "Chưa giao cơ quan giải quyết"


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
    place: str = ""


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


def _heading(doc, council: str, title: str, subtitle: str, generated: datetime, place: str) -> None:
    top = doc.add_table(rows=1, cols=2)
    left, right = top.rows[0].cells
    name = council
    if name.lower().startswith("hội đồng nhân dân"):
        name = name[len("hội đồng nhân dân") :].strip()
    left.text = f"HỘI ĐỒNG NHÂN DÂN\n{name.upper()}"
    right.text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    for c in (left, right):
        for par in c.paragraphs:
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in par.runs:
                run.bold = True
    generated = local(generated)  # the day in Vietnam, not in UTC
    when = doc.add_paragraph(
        f"{place + ', ' if place else ''}ngày {generated.day:02d} tháng {generated.month:02d} "
        f"năm {generated.year}"
    )
    when.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for text, size in (("BÁO CÁO", 14), (title, 13), (subtitle, 12)):
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = par.add_run(text)
        run.bold = True
        run.font.size = Pt(size)


def _save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def summary_docx(data: ReportInput) -> bytes:
    """Summary report of voters' petitions, grouped by field and agency (DOCX)."""
    doc = Document()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(13)
    _heading(
        doc,
        data.council_name,
        "Tổng hợp ý kiến, kiến nghị của cử tri",
        data.cycle_label,
        data.generated_at,
        data.place,
    )
    items = data.petitions
    voters = sum(p.weight for p in items)
    doc.add_heading("I. TÌNH HÌNH CHUNG", level=2)
    doc.add_paragraph(
        f"Trong {data.cycle_label.lower()}, đã tổ chức {data.meetings} cuộc tiếp xúc cử tri với "
        f"{data.attendees} lượt cử tri tham dự. Tổng hợp được {len(items)} ý kiến, kiến nghị "
        f"(phản ánh ý kiến của {voters} lượt cử tri sau khi gộp các kiến nghị trùng nhau)."
    )
    channels = Counter(p.channel for p in items)
    for ch, n in sorted(channels.items(), key=lambda kv: -kv[1]):
        doc.add_paragraph(f"{_vi(labels.CHANNEL, ch)}: {n} kiến nghị", style="List Bullet")
    carried = sum(1 for p in items if p.carried_over)
    if carried:
        doc.add_paragraph(
            f"Trong đó {carried} kiến nghị chuyển từ kỳ trước chưa được giải quyết xong."
        )
    doc.add_heading("II. NỘI DUNG Ý KIẾN, KIẾN NGHỊ THEO LĨNH VỰC", level=2)
    for i, group in enumerate(group_by_field_and_agency(items), start=1):
        doc.add_heading(f"{i}. Lĩnh vực {vi_name(group.category).lower()} ({group.count})", level=3)
        for agency, ps in group.agencies.items():
            par = doc.add_paragraph()
            par.add_run(f"Cơ quan giải quyết: {agency}").italic = True
            for p in ps:
                entry = doc.add_paragraph(style="List Number")
                entry.add_run(p.title).bold = True
                weight = f"; {p.weight} cử tri" if p.weight > 1 else ""
                entry.add_run(f" ({p.commune}{weight}; mã {p.code}). ")
                entry.add_run(p.body)
    return _save(doc)


def results_docx(data: ReportInput) -> bytes:
    """Report on results of resolving voters' petitions, with the carry-over list (DOCX)."""
    doc = Document()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(13)
    _heading(
        doc,
        data.council_name,
        "Kết quả giải quyết, trả lời ý kiến, kiến nghị của cử tri",
        data.cycle_label,
        data.generated_at,
        data.place,
    )
    r = compute_results(data.petitions)
    doc.add_heading("I. KẾT QUẢ CHUNG", level=2)
    for line in (
        f"Tổng số kiến nghị: {r.total}.",
        f"Đã trả lời: {r.answered}/{r.total} ({_pct(r.answered, r.total)}); "
        f"chưa trả lời: {r.pending}.",
        f"Trả lời đúng hạn: {r.on_time}/{r.finished_with_deadline} "
        f"({_pct(r.on_time, r.finished_with_deadline)}).",
        f"Đã giải quyết xong: {r.resolved}; có lộ trình giải quyết: {r.roadmap}; "
        f"chưa giải quyết được: {r.not_resolved}.",
    ):
        doc.add_paragraph(line, style="List Bullet")
    doc.add_heading("II. KẾT QUẢ THEO CƠ QUAN GIẢI QUYẾT", level=2)
    heads = [
        "Cơ quan",
        "Số kiến nghị",
        "Đã trả lời",
        "Đúng hạn",
        "Đã giải quyết",
        "Có lộ trình",
        "Chưa giải quyết",
    ]
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    for c, h in zip(table.rows[0].cells, heads, strict=True):
        c.text = h
    for name, counts in r.by_agency:
        row = table.add_row().cells
        values = [name] + [
            str(counts.get(k, 0))
            for k in ("assigned", "answered", "on_time", "resolved", "roadmap", "not_resolved")
        ]
        for c, v in zip(row, values, strict=True):
            c.text = v
    doc.add_heading("III. NỘI DUNG TRẢ LỜI", level=2)
    for group in group_by_field_and_agency(data.petitions):
        doc.add_heading(f"Lĩnh vực {vi_name(group.category).lower()}", level=3)
        for agency, ps in group.agencies.items():
            for p in ps:
                par = doc.add_paragraph(style="List Number")
                par.add_run(p.title).bold = True
                par.add_run(f" ({p.commune}; {agency}; mã {p.code})")
                status = _vi(labels.STATUS, p.status)
                resolution = _resolution_vi(p)
                doc.add_paragraph(f"Tình trạng: {status}. Kết quả: {resolution}.")
                if p.answer:
                    doc.add_paragraph(f"Trả lời: {p.answer}")
    doc.add_heading("IV. KIẾN NGHỊ CHƯA GIẢI QUYẾT XONG, CHUYỂN KỲ SAU", level=2)
    if not r.carried:
        doc.add_paragraph("Không có.")
    for p in r.carried:
        doc.add_paragraph(
            f"{p.title} ({p.commune}; {p.agency or p.central_body or UNASSIGNED}; mã {p.code}) — "
            f"{_resolution_vi(p)}",
            style="List Bullet",
        )
    if data.next_cycle_label and r.carried:
        doc.add_paragraph(f"Các kiến nghị trên được chuyển sang {data.next_cycle_label.lower()}.")
    return _save(doc)


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
