"""One definition of each figure: the on-time rate, the overdue share and the light are the same
on the home page, the dashboards, the city screen and the public on-time table, each says what
it counts, and the test computes them itself from the hops it set up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node
from tortoise.expressions import Q

from petitions.models import Hop
from tests.factories import login
from tests.html import text, texts
from tests.petitions.helpers import act_ok, file_petition, setup_world

YEAR = timedelta(days=365)


async def _backdate_open(code: str) -> None:
    hop = await Hop.get(petition__code=code, ended_at__isnull=True)
    hop.due_at = hop.started_at - YEAR
    await hop.save()


async def _finish_late(code: str, stage: str) -> None:
    hop = await Hop.get(petition__code=code, stage=stage)
    hop.due_at = hop.ended_at - timedelta(days=1)
    await hop.save()


def _by_hand(rows: list[tuple[datetime, datetime | None]]) -> dict[str, str]:
    """The figures as a person counts them, written out without petitions.metrics."""
    now = datetime.now(UTC)
    finished = [(d, e) for d, e in rows if e is not None]
    open_ = [d for d, e in rows if e is None]
    on_time = len([1 for d, e in finished if e <= d])
    overdue = len([1 for d in open_ if d < now])

    def pct(n: int, total: int) -> str:
        if total == 0:
            return "—"
        value = round(100 * n / total, 1)
        return (f"{value:.0f}" if value == int(value) else f"{value:.1f}").replace(".", ",") + "%"

    def share(n: int, total: int) -> str:
        return f"{pct(n, total)} —" if total else "—"  # "100% — 12/12 …", "— 0/0 …"

    return {
        "on_time": f"{share(on_time, len(finished))} {on_time}/{len(finished)} bước hoàn thành "
        "đúng hạn",
        "overdue": f"{share(overdue, len(open_))} {overdue}/{len(open_)} bước đang mở đã quá hạn",
    }


def _shown(page: str | Node) -> dict[str, str]:
    """The two figures as a page shows them (the first ones in ``page``)."""
    scope = HTMLParser(page) if isinstance(page, str) else page

    def text(selector: str) -> str:
        return " ".join(scope.css_first(selector).text(deep=True).split())

    return {"on_time": text(".fig-on-time"), "overdue": text(".fig-overdue")}


async def _hops(q: Q) -> list[tuple[datetime, datetime | None]]:
    return [(h.due_at, h.ended_at) for h in await Hop.filter(q)]


async def test_the_figures_are_one_definition_everywhere(client, anon, settings) -> None:
    settings.petition_rate = "50/3600"
    w = await setup_world()
    p1, p2, p3, p4 = [
        (await file_petition(anon, title=f"Kiến nghị số {i} về đường ngõ"))["code"]
        for i in range(1, 5)
    ]
    await act_ok(client, w.commune_sec, p1, "accept")  # classify on time; assign open, late
    await _backdate_open(p1)
    await act_ok(client, w.commune_sec, p2, "accept")  # classify late; assign on time
    await _finish_late(p2, "classify")
    await act_ok(client, w.commune_sec, p2, "assign", agency_code=w.commune_agency.code)
    await _backdate_open(p2)  # the agency's answer, overdue
    await _backdate_open(p4)  # p3's classify stays open and on time

    commune_rows = await _hops(
        Q(owner_council_id=w.commune.id) | Q(owner_agency_id=w.commune_agency.id)
    )
    agency_rows = await _hops(Q(owner_agency_id=w.commune_agency.id))
    commune = _by_hand(commune_rows)
    agency = _by_hand(agency_rows)
    # The set-up, counted: 3 finished of which 2 on time; 4 open of which 3 overdue.
    assert commune == {
        "on_time": "66,7% — 2/3 bước hoàn thành đúng hạn",
        "overdue": "75% — 3/4 bước đang mở đã quá hạn",
    }
    assert agency == {
        "on_time": "— 0/0 bước hoàn thành đúng hạn",
        "overdue": "100% — 1/1 bước đang mở đã quá hạn",
    }
    red = "Đỏ: tỉ lệ đúng hạn 66,7%, dưới 80%; 75% bước đang mở đã quá hạn, trên mức 10%"

    await login(client, w.commune_sec)
    home = await client.get("/")
    assert _shown(home.text) == commune
    assert texts(home.text, ".light-text") == [red]
    board = await client.get("/petitions/dashboard")
    assert _shown(board.text) == commune and texts(board.text, ".light-text") == [red]
    assert text(board.text, ".fig-scope").startswith("Tính trên các bước do")  # what it counts
    statuses = [a.text() for a in HTMLParser(board.text).css("a[href^='/petitions/staff?status=']")]
    assert statuses == ["Đã tiếp nhận", "Cấp xã thụ lý", "Đã giao cơ quan giải quyết"], statuses

    await login(client, w.city_sec)
    city = await client.get("/petitions/city")
    cards = HTMLParser(city.text).css("section.light")
    (ba_dinh,) = [c for c in cards if w.commune.name in c.text()]
    assert _shown(ba_dinh) == commune and text(ba_dinh, ".light-text") == red

    await login(client, w.commune_officer)
    home = await client.get("/")
    assert _shown(home.text) == agency
    board = await client.get("/petitions/dashboard")
    assert _shown(board.text) == agency
    table = await anon.get("/petitions/on-time")
    rows = HTMLParser(table.text).css("tbody tr")
    (row,) = [r for r in rows if w.commune_agency.name in r.text()]
    assert _shown(row) == agency
    assert text(row, ".light-cell") == "Đỏ: 100% bước đang mở đã quá hạn, trên mức 10%"
    # The thresholds, in words.
    assert text(table.text, ".thresholds").startswith("Xanh: ít nhất 95% bước xử lý đúng hạn")
