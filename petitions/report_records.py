"""The records the two session reports are built from (``summary_report``: the summary of
voters' petitions; ``results_report``: the results of resolving them), and what both share: the
official frame (``council.officialdoc``, Nghị định 30/2020/NĐ-CP), Vietnamese labels, percentages
and the XLSX finish. The records are plain data, never the database
(``petitions.services.reports.report_input`` reads them), so the reports are easy to test.

Like minutes, these are official documents of the council and are always written in Vietnamese.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment

from council.officialdoc import Block, OfficialDocument, Paragraph, Signer, issuer_of, place_of
from petitions import labels
from petitions.report_topics import Topic

SYMBOL = "BC-HĐND"


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


def vi_text(table: dict, key: str | None) -> str:
    return labels.text(table, key, "vi")


def percent(part: int, whole: int) -> str:
    return "0%" if whole == 0 else f"{100 * part / whole:.2f}".replace(".", ",") + "%"


def _signers(data: ReportInput) -> list[Signer]:
    return [Signer("CHỦ TỊCH", data.chair_name, authority="TM. THƯỜNG TRỰC HĐND")]


def official_frame(data: ReportInput, summary: str, body: list[Block]) -> OfficialDocument:
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


def and_list(items: list[str]) -> str:
    """ "a", "a và b", "a, b và c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} và {items[-1]}"


def fit_widths(ws) -> None:
    for column in ws.columns:
        letter = column[0].column_letter
        longest = max((len(str(c.value or "")) for c in column[:200]), default=10)
        ws.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        for c in column:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def codes_line(t: Topic[ReportPetition]) -> Paragraph:
    return Paragraph(f"Mã kiến nghị: {', '.join(t.codes)}.", italic=True)
