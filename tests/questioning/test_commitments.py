"""commitment.create, commitment.report and the public tracker (issue 20 items 5 and 6)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from questioning import tracker
from questioning.models import Commitment, Notice
from tests.factories import bearer
from tests.html import texts
from tests.questioning.helpers import World, call, file_question, ok, setup_world

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 20


def test_state_comes_from_dates() -> None:
    d = date(2026, 6, 30)
    assert tracker.state(d, date(2026, 6, 30), date(2026, 12, 1)) == "done_on_time"
    assert tracker.state(d, date(2026, 7, 1), date(2026, 12, 1)) == "done_late"
    assert tracker.state(d, None, date(2026, 6, 30)) == "in_progress"
    assert tracker.state(d, None, date(2026, 7, 1)) == "overdue"


async def make_commitment(
    client, w: World, deadline: date, form_id: int | None = None, **over
) -> dict:
    body = {
        "agency_code": "SO-XD-Q",
        "official_name": "Nguyễn Văn Giám",
        "official_title": "Giám đốc Sở Xây dựng",
        "measure": "Sửa xong mặt đường Hoàng Hoa Thám",
        "deadline": deadline.isoformat(),
        "form_id": form_id,
        "milestones": [
            {"title": "Khảo sát", "due_on": (deadline - timedelta(days=30)).isoformat()}
        ],
        **over,
    }
    return await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/commitments",
        json=body,
    )


async def test_the_owner_reports_progress_and_the_askers_are_told(client) -> None:
    w = await setup_world()
    form = await file_question(client, w)
    c = await make_commitment(client, w, date.today() + timedelta(days=60), form["id"])
    assert c["state"] == "in_progress"
    milestone = c["milestones"][0]["id"]
    r = await client.post(
        f"/api/v1/questioning/commitments/{c['id']}/reports",
        headers=await bearer(w.official),
        data={"percent": "40", "note": "Đã khảo sát", "milestones_done": str(milestone)},
        files={"evidence": ("anh.png", PNG, "image/png")},
    )
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["percent"] == 40 and got["milestones"][0]["done_on"]
    evidence = got["history"][0]["evidence_url"]
    assert (await client.get(evidence)).status_code == 200
    assert await Notice.exists(user_id=w.delegate.id)
    assert await Notice.exists(user_id=w.secretariat.id)

    r = await call(
        client,
        w.other_official,
        "POST",
        f"/api/v1/questioning/commitments/{c['id']}/reports",
        json={"percent": 50, "note": "x"},
    )
    assert r.status_code == 403
    done = await ok(
        client,
        w.official,
        "POST",
        f"/api/v1/questioning/commitments/{c['id']}/reports",
        json={"percent": 100, "note": "Xong"},
    )
    assert done["state"] == "done_on_time"


async def test_the_questioning_page_counts_overdue_by_vietnams_day(
    client, anon, monkeypatch
) -> None:
    """At 06:30 in Hà Nội it is still the day before in UTC: a commitment due that day before is
    overdue on the questioning page as on the council's tracker."""
    from datetime import UTC, datetime

    from questioning.routes import pages_commitments

    w = await setup_world()
    made = await make_commitment(client, w, date(2027, 1, 30))
    await Commitment.filter(id=made["id"]).update(deadline=date(2026, 12, 7))
    moment = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # 06:30 on 8 December in Vietnam
    monkeypatch.setattr(pages_commitments, "now", lambda: moment)
    hub = HTMLParser((await anon.get("/questioning")).text)
    entry = hub.css_first(f"#trackers #tracker-{w.council.code}")
    assert "quá hạn: 1" in entry.text()


async def test_the_public_tracker_by_state_and_agency(client, anon) -> None:
    w = await setup_world()
    today = date.today()
    on_time = await make_commitment(client, w, today + timedelta(days=30))
    late = await make_commitment(client, w, today + timedelta(days=40))
    await make_commitment(client, w, today + timedelta(days=50))
    overdue = await make_commitment(client, w, today + timedelta(days=60))
    await ok(
        client,
        w.official,
        "POST",
        f"/api/v1/questioning/commitments/{on_time['id']}/reports",
        json={"percent": 100, "note": "Xong"},
    )
    await Commitment.filter(id=late["id"]).update(
        deadline=today - timedelta(days=10), done_on=today - timedelta(days=2)
    )
    await Commitment.filter(id=overdue["id"]).update(deadline=today - timedelta(days=1))

    code = w.council.code
    data = (await anon.get(f"/api/v1/public/councils/{code}/commitments")).json()
    states = sorted(i["state"] for i in data["items"])
    assert states == ["done_late", "done_on_time", "in_progress", "overdue"]
    table = (await anon.get(f"/api/v1/public/councils/{code}/commitments/on-time")).json()
    row = table["rows"][0]
    assert (row["done_on_time"], row["done_late"], row["in_progress"], row["overdue"]) == (
        1,
        1,
        1,
        1,
    )
    assert row["on_time_rate"] == 1 / 3
    text = (await anon.get(f"/api/v1/public/councils/{code}/commitments.csv")).text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["state"] for r in rows) == states
    assert "asker" not in rows[0]
    page = await anon.get(f"/questioning/tracker/{code}")
    assert page.status_code == 200 and "Nguyễn Văn Giám" in page.text
    # The questioning page explains chất vấn and the tracker, and lists the council's tracker
    # with its counts; a council without commitments is not listed.
    hub = HTMLParser((await anon.get("/questioning")).text)
    about = hub.css_first("#about").text().strip()
    assert about.startswith("Chất vấn là") and "lời hứa" in about
    entry = hub.css_first(f"#trackers #tracker-{code}")
    assert entry.css_first("a").attributes["href"] == f"/questioning/tracker/{code}"
    assert "Lời hứa: 4 · đã hoàn thành: 2 · quá hạn: 1" in entry.text()
    assert len(hub.css("#trackers li")) == 1
    # The downloads are worded for citizens, the format in brackets.
    assert texts(page.text, "a.download") == [
        "Tải dữ liệu (JSON)",
        "Tải bảng tính (CSV)",
        "Tải bảng đúng hạn (JSON)",
    ]
