"""The results workbook (area.import): the XLSX template exported, filled in and imported back for
all constituencies at once; inconsistent rows refused with the API's reasons, atomically."""

from __future__ import annotations

import io
from typing import Any

import httpx
from openpyxl import Workbook, load_workbook
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import AuditEntry
from elections.models import Election, PollingArea
from tests.elections.test_elections import _profile, _setup_election
from tests.factories import bearer, error_code, login, make_council, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _two_constituencies(client: httpx.AsyncClient, h: dict[str, str], code: str):
    ward = await make_council(code=code, seats=3)
    slug, ids1 = await _setup_election(client, ward, h, seats=2, n=3)
    r = await client.put(
        f"/api/v1/elections/{slug}/constituencies/2",
        headers=h,
        json={"area": "Tổ dân phố 13 đến 20", "seats": 1, "registered": 500},
    )
    assert r.status_code == 200, r.text
    ids2 = []
    for i, born in enumerate(("1971-01-01", "1982-02-02")):
        r = await client.post(
            f"/api/v1/elections/{slug}/constituencies/2/candidates",
            headers=h,
            json=_profile(f"Trần Thị Hai{i}", born),
        )
        ids2.append(r.json()["id"])
    return ward, slug, ids1, ids2


def _fill(template: bytes, rows: list[list[Any]]) -> bytes:
    """Keep the template's two header rows and write the given rows under them."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb.active
    ws.delete_rows(3, ws.max_row)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def _import(client: httpx.AsyncClient, slug: str, h: dict[str, str], data: bytes):
    return await client.post(
        f"/api/v1/elections/{slug}/counts.xlsx",
        headers=h,
        files={"file": ("counts.xlsx", data, XLSX)},
    )


async def test_counts_round_trip_through_the_template(client, anon) -> None:
    staff_council = await make_council(code="HN-XL0")
    admin = await make_user("admin")
    h = await bearer(admin)
    ward, slug, (a, b, c), (d, e) = await _two_constituencies(client, h, "HN-XL")
    del staff_council
    r = await anon.get(f"/api/v1/elections/{slug}/counts.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [cell.value for cell in ws[1]]
    assert header == [
        "constituency",
        "area",
        "name",
        "registered",
        "voted",
        "issued",
        "received",
        "valid",
        "invalid",
        f"candidate:{a}",
        f"candidate:{b}",
        f"candidate:{c}",
        f"candidate:{d}",
        f"candidate:{e}",
    ]
    assert [cell.value for cell in ws[2]][9] == "Nguyễn Văn Ứng0"
    # One empty row per constituency to fill in.
    assert [(row[0], row[1]) for row in ws.iter_rows(min_row=3, values_only=True)] == [
        (1, 1),
        (2, 1),
    ]

    data = _fill(
        r.content,
        [
            [1, 1, "KVBP số 1", 600, 500, 520, 500, 490, 10, 400, 260, 200, None, None],
            [1, 2, "KVBP số 2", 400, 300, 300, 300, 290, 10, 250, 120, 150, None, None],
            [2, 1, "KVBP số 3", 500, 400, 400, 400, 395, 5, None, None, None, 300, 95],
        ],
    )
    r = await _import(client, slug, h, data)
    assert r.status_code == 200, r.text
    assert r.json() == {"election_id": slug, "areas": 3}
    result = (await anon.get(f"/api/v1/elections/{slug}")).json()
    assert result["status"] == "counting"
    assert [x["votes"] for x in result["constituencies"][0]["candidates"]] == [650, 380, 350]
    assert [x["votes"] for x in result["constituencies"][1]["candidates"]] == [300, 95]
    entry = await AuditEntry.filter(operation="area.import").first()
    assert entry is not None and entry.details["areas"] == [[1, 1], [1, 2], [2, 1]]

    # The export gives back exactly what was imported.
    again = load_workbook(
        io.BytesIO((await anon.get(f"/api/v1/elections/{slug}/counts.xlsx")).content)
    )
    rows = list(again.active.iter_rows(min_row=3, values_only=True))
    assert rows[2] == (2, 1, "KVBP số 3", 500, 400, 400, 400, 395, 5, None, None, None, 300, 95)


async def test_inconsistent_rows_are_refused_with_reasons_and_nothing_is_saved(client) -> None:
    ward = await make_council(code="HN-XM", seats=3)
    staff = await make_user("secretariat", council=ward)
    h = await bearer(staff)
    slug, (a, b, c) = await _setup_election(client, ward, h, seats=2, n=3)
    template = (await client.get(f"/api/v1/elections/{slug}/counts.xlsx")).content
    data = _fill(
        template,
        [
            [1, 1, "KVBP số 1", 600, 500, 520, 500, 490, 10, 400, 260, 200],  # sound
            [1, 2, "KVBP số 2", 400, 300, 300, 300, 280, 10, 250, 120, 150],  # 280 + 10 != 300
            [1, 3, "KVBP số 3", 100, 120, 100, 100, 100, 0, 101, 50, 0],  # two problems
            [9, 1, "KVBP số 4", 1, 1, 1, 1, 1, 0, 1, 0, 0],  # no constituency 9
            [1, 4, "KVBP số 5", "nhiều", 1, 1, 1, 1, 0, 1, 0, 0],  # not a number
            [1, 1, "KVBP số 1 lặp", 600, 500, 520, 500, 490, 10, 400, 260, 200],  # repeated
            [1, 5, "KVBP số 6", 10**20, 1, 1, 1, 1, 0, 1, 0, 0],  # beyond any column
        ],
    )
    r = await _import(client, slug, h, data)
    assert r.status_code == 422 and error_code(r) == "invalid"
    rows = r.json()["error"]["details"]["rows"]
    assert [(x["row"], x["problems"]) for x in rows] == [
        (4, ["valid_invalid_received"]),
        (5, ["voted_above_registered", "candidate_votes"]),
        (6, ["unknown_constituency"]),
        (7, ["not_a_number"]),
        (8, ["duplicate_area"]),
        (9, ["out_of_range"]),
    ]
    # The same reason as the API's per-area message.
    assert "280" in rows[0]["messages"][0] and "300" in rows[0]["messages"][0]
    assert not await PollingArea.exists()  # not even the sound row
    assert (await Election.get(slug=slug)).status == "preparing"

    # Not a workbook; a workbook without the template's keys.
    r = await _import(client, slug, h, b"PK\x03\x04 not really")
    assert r.status_code == 422 and "file" in r.json()["error"]["details"]["fields"]
    wb = Workbook()
    wb.active.append(["a", "b"])
    out = io.BytesIO()
    wb.save(out)
    r = await _import(client, slug, h, out.getvalue())
    assert r.status_code == 422 and "constituency" in r.json()["error"]["details"]["fields"]["file"]


async def test_workbook_permissions(client, anon) -> None:
    ward = await make_council(code="HN-XP", seats=1)
    h = await bearer(await make_user("secretariat", council=ward))
    slug, _ = await _setup_election(client, ward, h, seats=1, n=2)
    template = (await client.get(f"/api/v1/elections/{slug}/counts.xlsx")).content
    r = await anon.post(
        f"/api/v1/elections/{slug}/counts.xlsx", files={"file": ("c.xlsx", template, XLSX)}
    )
    assert r.status_code == 401
    other = await make_user("secretariat", council=await make_council(code="HN-XQ"))
    r = await _import(client, slug, await bearer(other), template)
    assert r.status_code == 403 and error_code(r) == "forbidden"
    delegate = await make_user("delegate", council=ward)
    r = await _import(client, slug, await bearer(delegate), template)
    assert r.status_code == 403
    r = await anon.get("/api/v1/elections/hdnd.nope/counts.xlsx")
    assert r.status_code == 404


async def test_the_election_page_imports_and_lists_row_problems(client, anon) -> None:
    ward = await make_council(code="HN-XR", seats=1)
    staff = await make_user("secretariat", council=ward)
    slug, (a, b) = await _setup_election(client, ward, await bearer(staff), seats=1, n=2)
    page = HTMLParser((await anon.get(f"/elections/{slug}")).text)
    assert page.css_first("#import a[href$='/counts.xlsx']") is not None
    assert page.css_first("#import form") is None  # the public only downloads
    await login(client, staff)
    page = HTMLParser((await client.get(f"/elections/{slug}")).text)
    form = page.css_first("#import form")
    assert form.attributes["enctype"] == "multipart/form-data"
    csrf = form.css_first("input[name=csrf_token]").attributes["value"]
    template = (await client.get(f"/api/v1/elections/{slug}/counts.xlsx")).content
    bad = _fill(template, [[1, 1, "KV 1", 100, 60, 60, 60, 58, 1, 40, 18]])
    r = await client.post(
        f"/elections/{slug}/counts",
        data={"csrf_token": csrf},
        files={"file": ("c.xlsx", bad, XLSX)},
    )
    assert r.status_code == 422
    items = HTMLParser(r.text).css("#import-errors li")
    assert len(items) == 1 and "58" in items[0].text()
    good = _fill(template, [[1, 1, "KV 1", 100, 60, 60, 60, 58, 2, 40, 18]])
    r = await client.post(
        f"/elections/{slug}/counts",
        data={"csrf_token": csrf},
        files={"file": ("c.xlsx", good, XLSX)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?imported=1#import")
    page = HTMLParser((await anon.get(f"/elections/{slug}")).text)
    assert [td.text().strip() for td in page.css("#constituency-1 td.num")] == ["40", "18"]
