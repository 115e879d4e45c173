"""The report on results of resolving voters' petitions (báo cáo kết quả giải quyết): the
figures, the table by agency, the answers by topic and the issues that carry over to the next
cycle, as DOCX and PDF in the official layout and as XLSX. Operation ``petition.report``
(``kind=results``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from council.officialdoc import (
    Block,
    Bullets,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    render_docx,
    render_pdf,
)
from petitions import labels
from petitions.categories import vi_name
from petitions.exports import cell
from petitions.report_records import (
    ReportInput,
    ReportPetition,
    and_list,
    codes_line,
    fit_widths,
    official_frame,
    percent,
    vi_text,
    workbook_bytes,
)
from petitions.report_topics import UNASSIGNED, group_by_topic

AGENCY_KEYS = ("assigned", "answered", "on_time", "resolved", "roadmap", "not_resolved")


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
                f"Đã trả lời: {r.answered}/{r.total} kiến nghị ({percent(r.answered, r.total)}); "
                f"chưa trả lời: {r.pending}.",
                f"Trả lời đúng hạn: {r.on_time}/{r.finished_with_deadline} kiến nghị đã trả lời "
                f"có thời hạn ({percent(r.on_time, r.finished_with_deadline)}).",
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
                f"{i}.{j}. Về {t.name}: {t.count} kiến nghị của cử tri {and_list(t.communes)}"
                if t.count > 1
                else f"{i}.{j}. {t.name} (cử tri {t.communes[0]}; mã {t.petitions[0].code})"
            )
            body.append(
                Paragraph(f"{head}; cơ quan giải quyết: {and_list(t.handlers)}.", bold=True)
            )
            lines = [
                f"Tình trạng: {_counted(vi_text(labels.STATUS, p.status).lower() for p in t.petitions)}.",
                f"Kết quả: {_counted(_resolution_vi(p) for p in t.petitions)}.",
            ]
            answers = list(dict.fromkeys(p.answer for p in t.petitions if p.answer))
            lines += [f"Trả lời: {a}" for a in answers[:3]]
            body.append(Bullets(tuple(lines)))
            if t.count > 1:
                body.append(codes_line(t))
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
                    f"{what}; cử tri {and_list(t.communes)}; {and_list(t.handlers)}): "
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
    return official_frame(data, "Kết quả giải quyết, trả lời ý kiến, kiến nghị của cử tri", body)


def results_docx(data: ReportInput) -> bytes:
    return render_docx(results_document(data))


def results_pdf(data: ReportInput) -> bytes:
    return render_pdf(results_document(data))


def _resolution_vi(p: ReportPetition) -> str:
    if not p.resolution:
        return "chưa có kết quả"
    text = vi_text(labels.RESOLUTION, p.resolution).lower()
    if p.resolution == "roadmap" and p.roadmap_date:
        text += f" (dự kiến xong trước {p.roadmap_date:%d/%m/%Y})"
    return text


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
                    vi_text(labels.STATUS, p.status),
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
        fit_widths(sheet)
    return workbook_bytes(wb)
