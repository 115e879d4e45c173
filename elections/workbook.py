"""The results workbook: one XLSX template to export and import the polling areas' counts of an
election, all constituencies in one sheet.

Row 1 holds the column keys the import reads, row 2 their Vietnamese labels, and each row from
row 3 on is one polling area: ``constituency``, ``area`` (numbers), ``name``, the six counts, and
one ``candidate:<id>`` column per candidate of the election (a candidate's cell is left empty on
the rows of other constituencies). Rows whose counts are all empty are skipped. An import checks
every row with the same rules as the API (``services.area_check``) and saves all of them or none.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from tortoise.transactions import in_transaction

from council import audit
from council.archives import check_zip
from council.errors import Invalid
from council.i18n import N_
from council.models import User
from elections import services
from elections.models import Candidate, Constituency, Election, PollingArea

SHEET = "ket-qua"
AREA_KEYS = ("constituency", "area", "name", *services.COUNT_FIELDS)
LABELS = {
    "constituency": "Đơn vị bầu cử số",
    "area": "Khu vực bỏ phiếu số",
    "name": "Tên khu vực bỏ phiếu",
    "registered": "Số cử tri trong danh sách",
    "voted": "Số cử tri đã bỏ phiếu",
    "issued": "Số phiếu phát ra",
    "received": "Số phiếu thu vào",
    "valid": "Số phiếu hợp lệ",
    "invalid": "Số phiếu không hợp lệ",
}
CANDIDATE_PREFIX = "candidate:"
MAX_ROWS = 5_000
MAX_BYTES = 10 << 20
LIMIT = 10_000_000  # as the API's bounds on each count


async def export(election: Election) -> bytes:
    """The election's polling areas as the template; a constituency without any gets one empty
    row to fill in."""
    constituencies = await Constituency.filter(election_id=election.id).order_by("number")
    candidates: list[Candidate] = []
    for c in constituencies:
        candidates += await Candidate.filter(constituency_id=c.id, withdrawn=False).order_by("id")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append([*AREA_KEYS, *(f"{CANDIDATE_PREFIX}{c.id}" for c in candidates)])
    ws.append([*(LABELS[k] for k in AREA_KEYS), *(c.full_name for c in candidates)])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for c in constituencies:
        areas = await PollingArea.filter(constituency_id=c.id).order_by("number")
        own = {cand.id for cand in candidates if cand.constituency_id == c.id}  # type: ignore[attr-defined]
        if not areas:
            ws.append([c.number, 1, ""])
            continue
        for a in areas:
            ws.append(
                [
                    c.number,
                    a.number,
                    a.name,
                    *(getattr(a, f) if a.counted else None for f in services.COUNT_FIELDS),
                    *(
                        (int(a.votes.get(str(cand.id), 0)) if a.counted else None)
                        if cand.id in own
                        else None
                        for cand in candidates
                    ),
                ]
            )
    ws.freeze_panes = "D3"
    ws.column_dimensions["C"].width = 32
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class Row:
    line: int
    constituency: int
    area: int
    name: str
    counts: dict[str, int]
    votes: dict[int, int]


@dataclass
class RowProblem:
    line: int
    codes: list[str]
    messages: list[str]


def _number(value: Any) -> int | None:
    """A whole number from a cell (openpyxl gives int, float or str); None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        value = int(value)
    number = int(str(value).strip())
    if not -LIMIT <= number <= LIMIT:
        raise OverflowError
    return number


def read(data: bytes) -> list[Row | RowProblem]:
    """Parse the template's rows; a row that is not even readable becomes a RowProblem."""
    if len(data) > MAX_BYTES:
        raise Invalid(fields={"file": str(N_("The workbook is larger than 10 MB."))})
    check_zip(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise Invalid(
            fields={"file": str(N_("This is not an XLSX workbook made from the template."))}
        ) from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    if tuple(header[: len(AREA_KEYS)]) != AREA_KEYS:
        raise Invalid(
            fields={
                "file": str(
                    N_("The first row must hold the template's column keys: {keys}.").format(
                        keys=", ".join(AREA_KEYS)
                    )
                )
            }
        )
    candidate_cols: dict[int, int] = {}
    for i, key in enumerate(header[len(AREA_KEYS) :], start=len(AREA_KEYS)):
        if not key:
            continue
        try:
            if not key.startswith(CANDIDATE_PREFIX):
                raise ValueError
            candidate_cols[i] = int(key[len(CANDIDATE_PREFIX) :])
        except ValueError:
            raise Invalid(
                fields={
                    "file": str(
                        N_("Column {key} is not a candidate column (candidate:<id>).").format(
                            key=key
                        )
                    )
                }
            ) from None
    out: list[Row | RowProblem] = []
    next(rows, None)  # the labels
    for line, values in enumerate(rows, start=3):
        if line - 2 > MAX_ROWS:
            raise Invalid(fields={"file": str(N_("The workbook has too many rows."))})
        cells = list(values) + [None] * (len(header) - len(values))
        try:
            numbers = [_number(cells[i]) for i in range(len(AREA_KEYS)) if AREA_KEYS[i] != "name"]
            votes = {cid: _number(cells[i]) for i, cid in candidate_cols.items()}
        except OverflowError:
            out.append(
                RowProblem(line, ["out_of_range"], [str(N_("This number is out of range."))])
            )
            continue
        except (ValueError, TypeError):
            out.append(RowProblem(line, ["not_a_number"], [str(N_("Counts are whole numbers."))]))
            continue
        constituency, area, *counts = numbers
        if all(n is None for n in counts) and all(v is None for v in votes.values()):
            continue  # an empty row of the template
        if constituency is None or area is None:
            out.append(
                RowProblem(
                    line,
                    ["area_name"],
                    [str(N_("Give the constituency and polling area numbers."))],
                )
            )
            continue
        out.append(
            Row(
                line=line,
                constituency=constituency,
                area=area,
                name=str(cells[2] or "").strip(),
                counts={f: n or 0 for f, n in zip(services.COUNT_FIELDS, counts, strict=True)},
                votes={cid: v for cid, v in votes.items() if v is not None},
            )
        )
    return out


async def import_counts(actor: User, election: Election, data: bytes) -> int:
    """area.import: every row of the workbook checked as ``area.save`` checks one area, then all
    saved in one transaction; any problem refuses the whole file, naming each row's reasons."""
    services.require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    await services.require_open(election)
    parsed = read(data)
    constituencies = {
        c.number: c for c in await Constituency.filter(election_id=election.id).order_by("number")
    }
    standing = {n: await services.standing_ids(c) for n, c in constituencies.items()}
    problems: list[RowProblem] = [p for p in parsed if isinstance(p, RowProblem)]
    checked: list[tuple[Constituency, Row, dict[str, int], dict[int, int]]] = []
    seen: set[tuple[int, int]] = set()
    for row in parsed:
        if isinstance(row, RowProblem):
            continue
        constituency = constituencies.get(row.constituency)
        if constituency is None:
            problems.append(
                RowProblem(
                    row.line,
                    ["unknown_constituency"],
                    [str(N_("No constituency has this number in this election."))],
                )
            )
            continue
        if (row.constituency, row.area) in seen:
            problems.append(
                RowProblem(
                    row.line,
                    ["duplicate_area"],
                    [str(N_("This polling area is on an earlier row too."))],
                )
            )
            continue
        seen.add((row.constituency, row.area))
        # Empty cells of the constituency's own candidates count as 0 votes; a number in another
        # constituency's candidate column is an error (area_check names it).
        numbers, votes, found = services.area_check(
            constituency,
            standing[row.constituency],
            number=row.area,
            name=row.name,
            counts=row.counts,
            votes=row.votes,
        )
        if found:
            problems.append(RowProblem(row.line, [c for c, _ in found], [m for _, m in found]))
        else:
            checked.append((constituency, row, numbers, votes))
    if problems:
        problems.sort(key=lambda p: p.line)
        raise Invalid(
            N_("Nothing was imported: {n} rows have problems. {first}").format(
                n=len(problems),
                first=" ".join(
                    str(N_("Row {line}: {reasons}")).format(
                        line=p.line, reasons=" ".join(p.messages)
                    )
                    for p in problems[:5]
                ),
            ),
            rows=[{"row": p.line, "problems": p.codes, "messages": p.messages} for p in problems],
        )
    if not checked:
        raise Invalid(fields={"file": str(N_("The workbook has no counts to import."))})
    async with in_transaction():
        for constituency, row, numbers, votes in checked:
            await services.area_write(
                constituency, number=row.area, name=row.name, numbers=numbers, votes=votes
            )
        await services.mark_counting(election)
        await audit.record(
            "area.import",
            actor=actor,
            target_type="election",
            target_id=election.id,
            council_id=election.council_id,  # type: ignore[attr-defined]
            details={
                "slug": election.slug,
                "areas": [[c.number, r.area] for c, r, _, _ in checked],
            },
        )
    return len(checked)
