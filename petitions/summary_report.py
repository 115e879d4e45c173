"""The summary report of voters' petitions (báo cáo tổng hợp ý kiến, kiến nghị cử tri) a
secretariat puts on the session agenda: by field, then by topic (``petitions.report_topics``: one
group per issue with its count, communes and agencies), as DOCX and PDF in the official layout and
as XLSX. Operation ``petition.report`` (``kind=summary``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from council.officialdoc import (
    Block,
    Bullets,
    Heading,
    OfficialDocument,
    Paragraph,
    render_docx,
    render_pdf,
)
from petitions import labels
from petitions.categories import CATEGORIES, vi_name
from petitions.exports import cell
from petitions.report_records import (
    ReportInput,
    ReportPetition,
    and_list,
    codes_line,
    fit_widths,
    official_frame,
    vi_text,
    workbook_bytes,
)
from petitions.report_topics import UNASSIGNED, Field, Topic, group_by_topic


@dataclass
class Group:
    category: str
    agencies: dict[str, list[ReportPetition]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.agencies.values())


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


def _topic_line(n: str, t: Topic[ReportPetition]) -> str:
    """One issue in a sentence: what, how many, from where, who answers."""
    agencies = and_list(t.handlers)
    if t.count == 1:
        p = t.petitions[0]
        voters = f"; {p.weight} lượt cử tri" if p.weight > 1 else ""
        return (
            f"{n}. {p.title} (cử tri {t.communes[0]}{voters}; cơ quan giải quyết: {agencies}; "
            f"mã {p.code}). {p.body}"
        )
    return (
        f"{n}. Về {t.name}: {t.count} kiến nghị của cử tri {and_list(t.communes)} "
        f"({t.voters} lượt cử tri); cơ quan giải quyết: {agencies}. "
        f"{t.petitions[0].body}"
    )


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
            f"{vi_text(labels.CHANNEL, ch)}: {n} kiến nghị"
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
                body.append(codes_line(t))
    return official_frame(data, "Tổng hợp ý kiến, kiến nghị của cử tri", body)


def summary_docx(data: ReportInput) -> bytes:
    return render_docx(summary_document(data))


def summary_pdf(data: ReportInput) -> bytes:
    return render_pdf(summary_document(data))


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
                            vi_text(labels.CHANNEL, p.channel),
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
    fit_widths(by_topic)
    by_field = wb.create_sheet("Theo lĩnh vực")
    by_field.append(["Lĩnh vực", "Số kiến nghị", "Số cử tri"])
    for group in group_by_field_and_agency(data.petitions):
        ps = [p for v in group.agencies.values() for p in v]
        by_field.append([vi_name(group.category), len(ps), sum(p.weight for p in ps)])
    fit_widths(ws)
    return workbook_bytes(wb)
