"""The elections demo: records consistent with the demo councils' seats and accounts."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.demo import load_core
from council.models import User
from elections import demo
from elections.models import Election, PersonAccount, TermSeat


@pytest.mark.slow
async def test_demo_records_match_the_councils(settings, client, anon) -> None:
    await load_core()
    assert await demo.load(settings) == []
    assert await demo.load(settings) == []  # safe to run twice
    ba_dinh = (await anon.get("/api/v1/elections/hdnd.00004.2026-03-15")).json()
    assert ba_dinh["status"] == "confirmed" and ba_dinh["seats"] == 31
    assert ba_dinh["filled"] == 31 and not ba_dinh["supplementary_needed"]
    for c in ba_dinh["constituencies"]:
        assert c["list_problem"] is None and c["turnout_valid"] and c["unfilled"] == 0
    # Every winner is one of the ward's seat holders, seated in term I.
    seats = await TermSeat.filter(term__council__code="HN-BADINH").prefetch_related("user")
    assert len(seats) == 31 and all(s.user.is_active for s in seats)
    holders = await User.filter(
        council__code="HN-BADINH", role__in=["delegate", "chair"], is_active=True
    ).count()
    assert holders == 31

    soc_son = (await anon.get("/api/v1/elections/hdnd.00376.2026-03-15")).json()
    assert soc_son["filled"] == 35
    vacant = await TermSeat.filter(term__council__code="HN-SOCSON", until__not_isnull=True)
    assert len(vacant) == 5
    by = await Election.get(slug="hdnd.00376.2026-12-20.by")
    assert by.kind == "by" and by.status == "preparing"
    # Sóc Sơn is a commune (xã): its bodies are the commune's, its constituencies villages (thôn);
    # Ba Đình is a ward (phường) of tổ dân phố.
    for election in (soc_son, (await anon.get(f"/api/v1/elections/{by.slug}")).json()):
        for c in election["constituencies"]:
            assert c["area"].startswith("Thôn ") and "Tổ dân phố" not in c["area"]
            for candidate in c["candidates"]:
                words = f"{candidate['workplace']} {candidate['nominated_by']}"
                assert "phường" not in words
    nominators = {cand["nominated_by"] for cand in soc_son["constituencies"][0]["candidates"]}
    assert "Ủy ban nhân dân xã" in nominators
    page = HTMLParser((await anon.get(f"/elections/{by.slug}")).text).css_first("main").text()
    assert "Do Ủy ban nhân dân xã giới thiệu" in page and "phường" not in page
    assert ba_dinh["constituencies"][0]["area"] == "Tổ dân phố 1 và Tổ dân phố 2"

    hoan_kiem = (await anon.get("/api/v1/elections/hdnd.00070.2026-03-15")).json()
    assert hoan_kiem["status"] == "counting"
    last = hoan_kiem["constituencies"][-1]
    assert not last["counted"]
    assert all(c["counted"] for c in hoan_kiem["constituencies"][:-1])

    # "Your delegates": a voter picks a ward and sees its delegates by constituency, and vacancies.
    page = HTMLParser((await anon.get("/delegates")).text)
    assert page.css_first("select[name=council] option[value=HN-BADINH]") is not None
    page = HTMLParser((await anon.get("/delegates?council=HN-BADINH")).text)
    ward = page.css_first("#council-HN-BADINH")
    assert len(ward.css("ul.delegate-list li:not(.vacant)")) == 31
    # Coming voter-contact meetings under their constituencies; each delegate's record linked.
    assert len(ward.css("ul.contact-meetings li")) == 2
    first = ward.css_first("ul.delegate-list a").attributes["href"]
    assert (await anon.get(first)).status_code == 200
    listed = (await anon.get("/api/v1/councils/HN-BADINH/contact-meetings")).json()["items"]
    # (Without the petitions demo there is no recorded meeting to link.)
    assert [m["coming"] for m in listed] == [True, True] and all(m["delegates"] for m in listed)
    page = HTMLParser((await anon.get("/delegates?council=HN-SOCSON")).text)
    assert len(page.css("#council-HN-SOCSON li.vacant")) == 5
    assert (await anon.get("/delegates?council=NOPE")).status_code == 404

    # One person elected to two councils: an account in each, one person on the public pages.
    in_ward = await User.get(username="hn.badinh.db001")
    in_city = await User.get(username="hn.db094")
    assert in_city.full_name == in_ward.full_name and in_city.council_id != in_ward.council_id
    person_id = (await PersonAccount.get(user_id=in_ward.id)).person_id
    assert (await PersonAccount.get(user_id=in_city.id)).person_id == person_id
    page = HTMLParser((await anon.get("/delegates?council=HN-BADINH")).text)
    # the demo's drawn portraits go through the secretariat's photo operation, small WebP files
    photos = page.css("#council-HN-BADINH img.delegate-photo")
    assert photos and not page.css("#council-HN-BADINH .delegate-photo.none")
    picture = await anon.get(photos[0].attributes["src"] or "")
    assert picture.status_code == 200 and picture.content[8:12] == b"WEBP"
    also = page.css_first(f"#council-HN-BADINH #delegate-{in_ward.id} a.also")
    assert also is not None and also.attributes["href"] == f"/people/{person_id}"
    person = (await anon.get(f"/api/v1/people/{person_id}")).json()
    assert [s["council_code"] for s in person["seats"]] == ["HN", "HN-BADINH"]
