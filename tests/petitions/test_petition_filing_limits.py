"""petition.file under load and abuse: the limit says the wait in minutes, once; a filing with a
phone or e-mail counts per contact and against a raised per-IP budget (carrier NAT), an
anonymous one per IP only; a new petition's title shows among the similar ones only once the
secretariat has accepted it."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.search.engine import get_engine
from council.search.outbox import IndexWorker
from tests.petitions.helpers import PETITION, act_ok, file_petition, setup_world


async def _drain() -> None:
    worker = IndexWorker(get_engine())
    while await worker.drain_once():
        pass


async def _file(anon, **overrides) -> int:
    r = await anon.post("/api/v1/petitions", json={**PETITION, **overrides})
    return r.status_code


async def test_the_limit_says_the_wait_in_minutes_once(anon, settings) -> None:
    settings.petition_rate = "1/3600"
    await setup_world()
    page = await anon.get("/petitions/new")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    anonymous = {**PETITION, "name": "", "phone": "", "email": "", "csrf_token": csrf}
    assert (await anon.post("/petitions/new", data=anonymous)).status_code == 303
    r = await anon.post("/petitions/new", data=anonymous)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 3500
    alert = HTMLParser(r.text).css_first("#main .alert-error")
    text = alert.text(deep=True).strip()
    assert "Vui lòng thử lại sau 60 phút." in text, text
    assert "giây" not in r.text
    assert r.text.count("thử lại sau") == 1
    assert alert.css_first("ul") is None  # no field list repeating the message
    r = await anon.post("/api/v1/petitions", json={**PETITION, "email": None, "phone": None})
    assert r.status_code == 429
    assert r.json()["error"]["message"].endswith("Vui lòng thử lại sau 60 phút.")


async def test_contacts_count_per_person_and_nat_gets_a_raised_budget(anon, settings) -> None:
    settings.petition_rate = "2/3600"
    settings.petition_ip_rate = "5/3600"
    await setup_world()
    # Anonymous filings from one address: the per-IP limit only.
    anonymous = {"name": None, "phone": None, "email": None}
    assert [await _file(anon, **anonymous) for _ in range(3)] == [201, 201, 429]
    # One person, however the number is typed: two, then refused, while the IP has budget left.
    same = ["0912 345 678", "+84 912 345 678", "0912345678"]
    assert [await _file(anon, phone=p, email=None) for p in same] == [201, 201, 429]
    # Many people behind the same carrier NAT: each their own contact, up to the IP's budget
    # (5, of which the person above spent 2).
    others = [await _file(anon, phone=None, email=f"cu.tri{i}@example.vn") for i in range(4)]
    assert others == [201, 201, 201, 429]


async def test_a_title_is_public_among_similar_ones_only_once_accepted(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await anon.get("/api/v1/public/petitions")
    await _drain()
    query = {"council_code": "HN-BADINH", "title": "mặt đường Láng hư hỏng"}
    r = await anon.get("/api/v1/petitions/similar", params=query)
    assert r.json() == {"items": [], "pending": 1}
    page = HTMLParser((await anon.get("/petitions/similar", params=query)).text)
    assert PETITION["title"] not in page.html and code not in page.html
    assert page.css_first(".similar-pending").text().strip() == (
        "1 kiến nghị tương tự đang chờ xử lý."
    )
    await act_ok(client, w.commune_sec, code, "accept")
    await _drain()
    r = await anon.get("/api/v1/petitions/similar", params=query)
    assert [i["code"] for i in r.json()["items"]] == [code] and r.json()["pending"] == 0
    page = HTMLParser((await anon.get("/petitions/similar", params=query)).text)
    assert page.css_first(f"button[formaction='/petitions/{code}/support']") is not None
