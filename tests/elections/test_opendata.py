"""Open data of a council's current term: constituencies and delegates as JSON and CSV, with
nothing beyond the published profiles (no username, no account details)."""

from __future__ import annotations

import csv
import io
from datetime import date

from elections.models import TermSeat
from elections.services import vacancy_record
from tests.elections.test_contacts import _seated_ward


async def test_constituencies_and_delegates_as_json_and_csv(client, anon) -> None:
    ward, h, staff, (delegate,) = await _seated_ward(client, "HN-OD")
    r = await anon.get(f"/api/v1/councils/{ward.code}/constituencies")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["term"] == "khóa XVII, nhiệm kỳ 2026–2031"
    (c,) = body["items"]
    assert (c["number"], c["seats"], c["registered"], c["in_office"], c["vacant"]) == (
        1,
        1,
        1000,
        1,
        0,
    )
    assert c["election_id"].startswith("hdnd.")

    r = await anon.get(f"/api/v1/councils/{ward.code}/delegates")
    (d,) = r.json()["items"]
    assert d["full_name"] == delegate.full_name and d["constituency"] == 1
    assert d["occupation"] == "Cán bộ" and d["birth_date"] == "1970-01-01"
    assert d["activity"] == f"/delegates/{delegate.id}"
    assert delegate.username not in r.text  # no account details

    r = await anon.get(f"/api/v1/councils/{ward.code}/delegates.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert [(x["full_name"], x["constituency"], x["until"]) for x in rows] == [
        (delegate.full_name, "1", "")
    ]
    assert "username" not in rows[0] and "password" not in r.text

    # A vacancy shows in both.
    seat = await TermSeat.get(user_id=delegate.id)
    await vacancy_record(staff, seat, day=date(2026, 11, 1), reason="resignation")
    r = await anon.get(f"/api/v1/councils/{ward.code}/constituencies.csv")
    (row,) = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert (row["in_office"], row["vacant"], row["area"]) == ("0", "1", "Tổ dân phố 1 đến 12")
    r = await anon.get(f"/api/v1/councils/{ward.code}/delegates")
    assert r.json()["items"][0]["end_reason"] == "resignation"
    assert (await anon.get("/api/v1/councils/NOPE/delegates")).status_code == 404
