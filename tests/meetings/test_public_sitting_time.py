"""The public page of a sitting says when it sits, in Vietnam's time; the demo's sittings start
at a sitting's usual hour, not at whatever minute the demo was loaded."""

from __future__ import annotations

from typing import Any

from council.localtime import LOCAL_TZ, local_day_at
from tests.html import text
from tests.meetings.helpers import setup_council


async def test_the_public_sitting_page_shows_its_date_and_time(client: Any, anon: Any) -> None:
    s = await setup_council(seats=5, delegates=3)
    r = await client.post(
        "/api/v1/sessions",
        headers=s.h(s.secretariat),
        json={
            "council_code": s.council.code,
            "title": "Kỳ họp thường lệ cuối năm",
            "starts_at": "2026-12-29T01:30:00Z",  # 08:30 in Hà Nội
        },
    )
    sid = r.json()["id"]
    r = await client.post(f"/api/v1/sessions/{sid}/publish", headers=s.h(s.secretariat))
    assert r.status_code == 200, r.text
    page = await anon.get(f"/public/sessions/{sid}")
    assert page.status_code == 200
    assert text(page.text, "#session-starts") == "08:30, 29/12/2026"
    page = await anon.get(f"/public/sessions/{sid}?lang=en")
    assert text(page.text, "#session-starts") == "29/12/2026, 08:30"


def test_a_sittings_usual_start_is_eight_oclock_in_vietnam() -> None:
    start = local_day_at(days=14)
    local = start.astimezone(LOCAL_TZ)
    assert (local.hour, local.minute, local.second) == (8, 0, 0)
    assert (local.date() - local_day_at().astimezone(LOCAL_TZ).date()).days == 14
