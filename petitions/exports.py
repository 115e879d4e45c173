"""CSV and XLSX writers for petition lists. Cells that a spreadsheet would run as a formula are
defused (OWASP "CSV injection"), and CSV carries a BOM so Excel reads Vietnamese correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from council.i18n import N_, LazyString
from council.localtime import local

Column = tuple[str, LazyString]

PUBLIC_COLUMNS: tuple[Column, ...] = (
    ("code", N_("Code")),
    ("title", N_("Title")),
    ("category", N_("Field")),
    ("council", N_("Council")),
    ("status", N_("Status")),
    ("agency", N_("Agency")),
    ("filed_at", N_("Filed")),
    ("answered_at", N_("Answered")),
    ("resolution", N_("Resolution")),
    ("weight", N_("Voters")),
    ("answer", N_("Answer")),
)
STAFF_COLUMNS: tuple[Column, ...] = (
    *PUBLIC_COLUMNS[:6],
    ("channel", N_("Channel")),
    ("cycle", N_("Cycle")),
    ("due_at", N_("Due")),
    ("overdue", N_("Overdue")),
    *PUBLIC_COLUMNS[6:],
    ("body", N_("Content")),
)
PERSONAL_COLUMNS: tuple[Column, ...] = (
    ("name", N_("Full name")),
    ("phone", N_("Phone")),
    ("email", N_("E-mail")),
    ("address", N_("Address")),
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> bytes:
    """UTF-8 CSV (with BOM) of ``rows`` under translated headers."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([str(label) for _, label in columns])
    for row in rows:
        writer.writerow([cell(row.get(key)) for key, _ in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], title: str) -> bytes:
    """An XLSX workbook with one sheet of ``rows``."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31] or "Sheet"
    ws.append([str(label) for _, label in columns])
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append([cell(row.get(key)) for key, _ in columns])
    for i, (key, _) in enumerate(columns, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = 60 if key in ("title", "body", "answer") else 16
    for row_cells in ws.iter_rows(min_row=2):
        for c in row_cells:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
