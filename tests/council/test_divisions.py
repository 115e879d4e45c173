"""Councils from Vietnam's official administrative divisions (since 1 July 2025): the list, the
create-council --division and import-divisions commands, and seats set by the secretariat before
any sitting or poll."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council import divisions
from council.errors import Conflict, Invalid, NotFound
from council.models import AuditEntry, Council
from tests.factories import bearer, error_code, login, make_council, make_user

# --- the official list ---------------------------------------------------------------------------


def test_the_list_has_34_provinces_and_3321_communes() -> None:
    assert len(divisions.provinces()) == 34
    assert sum(1 for d in divisions.all_divisions() if not d.is_province) == 3321
    assert len(divisions.wards_of("01")) == 126  # Hà Nội


def test_lookup_by_published_codes() -> None:
    hanoi = divisions.lookup("01")
    assert (hanoi.name, hanoi.level, hanoi.type) == (
        "Thành phố Hà Nội",
        "city",
        "thành phố trung ương",
    )
    ba_dinh = divisions.lookup("00004")
    assert (ba_dinh.name, ba_dinh.level, ba_dinh.province_code) == (
        "Phường Ba Đình",
        "commune",
        "01",
    )
    assert ba_dinh.council_code == "vn-01-00004"
    for bad in ("1", "4", "0004", "abc", "", "001234"):
        with pytest.raises(Invalid):
            divisions.lookup(bad)
    for unknown in ("99", "99999"):
        with pytest.raises(NotFound):
            divisions.lookup(unknown)


# --- creating councils ---------------------------------------------------------------------------


async def test_a_unit_words_itself_by_its_official_kind() -> None:
    commune = divisions.local_words(divisions.lookup("00376"))  # Xã Sóc Sơn
    assert (commune.unit, commune.neighbourhood) == ("xã", "thôn")
    ward = divisions.local_words(divisions.lookup("00004"))  # Phường Ba Đình
    assert (ward.unit, ward.neighbourhood) == ("phường", "tổ dân phố")
    assert divisions.local_words(divisions.lookup("01")).unit == "thành phố"
    # from the council's division code, not its name
    council = Council(code="X", name="Hội đồng nhân dân phường X", division_code="00376")
    assert divisions.local_words_of(council).unit == "xã"
    assert (
        divisions.local_words_of(Council(code="Y", name="Y", division_code=None)).unit == "phường"
    )


async def test_council_from_division_takes_name_level_and_parent(settings) -> None:
    admin = await make_user("admin")
    with pytest.raises(Conflict) as missing:
        await divisions.council_from_division(admin, "00004")
    assert missing.value.code == "parent_missing"
    city = await divisions.council_from_division(admin, "01", seats=125)
    assert (city.code, city.level, city.seats, city.division_code) == ("vn-01", "city", 125, "01")
    assert city.name == "Hội đồng nhân dân thành phố Hà Nội"
    ward = await divisions.council_from_division(admin, "00004", code="HN-BD")
    assert (ward.code, ward.level, ward.parent_id, ward.seats) == (  # type: ignore[attr-defined]
        "HN-BD",
        "commune",
        city.id,
        0,
    )
    with pytest.raises(Conflict) as twice:
        await divisions.council_from_division(admin, "00004", code="HN-BD2")
    assert twice.value.code == "duplicate"


async def test_import_a_province_twice(settings) -> None:
    admin = await make_user("admin")
    # A council made earlier by hand and tied to its division is kept, not duplicated.
    city = await make_council(code="HN", seats=95)
    city.division_code = "01"
    await city.save()
    first = await divisions.import_province(admin, "01")
    assert first.province.id == city.id
    assert len(first.created) == 126 and first.existing == 1
    assert await Council.filter(parent_id=city.id).count() == 126
    assert all(c.seats == 0 and c.level == "commune" for c in first.created)
    again = await divisions.import_province(admin, "01")
    assert again.created == [] and again.existing == 127
    assert await Council.all().count() == 127
    assert await AuditEntry.filter(operation="council.import_divisions").count() == 2
    with pytest.raises(Invalid):
        await divisions.import_province(admin, "00004")


# --- no sitting nor poll before the seats are set ------------------------------------------------


async def test_sittings_and_polls_wait_for_the_seats(client) -> None:
    admin = await make_user("admin")
    city = await divisions.council_from_division(admin, "01", seats=95)
    ward = await divisions.council_from_division(admin, "00004")
    staff = await make_user("secretariat", council=ward)
    h = await bearer(staff)
    body = {
        "council_code": ward.code,
        "title": "Kỳ họp thứ nhất",
        "starts_at": datetime(2026, 12, 20, 8, tzinfo=UTC).isoformat(),
    }
    r = await client.post("/api/v1/sessions", headers=h, json=body)
    assert r.status_code == 409 and error_code(r) == "seats_not_set"

    # Another council's secretariat cannot set them; this one can.
    other = await make_user("secretariat", council=city)
    r = await client.put(
        f"/api/v1/councils/{ward.code}/seats", headers=await bearer(other), json={"seats": 30}
    )
    assert r.status_code == 403
    r = await client.put(f"/api/v1/councils/{ward.code}/seats", headers=h, json={"seats": 0})
    assert r.status_code == 422
    r = await client.put(
        f"/api/v1/councils/{ward.code}/seats", headers=h, json={"seats": 30, "quorum": "2/3"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["seats"] == 30 and r.json()["quorum_count"] == 20
    assert r.json()["division_code"] == "00004"

    r = await client.post("/api/v1/sessions", headers=h, json=body)
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/sessions/{r.json()['id']}/polls",
        headers=h,
        json={"title": "Thông qua chương trình"},
    )
    assert r.status_code == 201, r.text


async def test_the_dashboard_asks_the_secretariat_for_the_seats(client, anon) -> None:
    admin = await make_user("admin")
    await divisions.council_from_division(admin, "01", seats=95)
    ward = await divisions.council_from_division(admin, "00004")
    staff = await make_user("secretariat", council=ward)
    await login(client, staff)
    page = HTMLParser((await client.get("/")).text)
    link = page.css_first("#seats-widget a.button")
    assert link is not None and link.attributes["href"] == f"/councils/{ward.id}/seats"
    form = HTMLParser((await client.get(link.attributes["href"] or "")).text)
    token = form.css_first("input[name=csrf_token]").attributes["value"]
    r = await client.post(
        f"/councils/{ward.id}/seats",
        data={"csrf_token": token, "seats": "abc", "quorum": "2/3"},
    )
    assert r.status_code == 422
    assert HTMLParser(r.text).css_first("#seats-widget") is None
    r = await client.post(
        f"/councils/{ward.id}/seats",
        data={"csrf_token": token, "seats": "31", "quorum": "2/3"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    await ward.refresh_from_db()
    assert ward.seats == 31
    page = HTMLParser((await client.get("/")).text)
    assert page.css_first("#seats-widget") is None
    # A delegate of the ward may not change them.
    delegate = await make_user("delegate", council=ward)
    r = await anon.put(
        f"/api/v1/councils/{ward.code}/seats", headers=await bearer(delegate), json={"seats": 5}
    )
    assert r.status_code == 403 and error_code(r) == "forbidden"


async def test_admin_pages_create_from_the_list(client) -> None:
    admin = await make_user("admin")
    await login(client, admin)
    page = HTMLParser((await client.get("/admin/councils")).text)
    assert page.css_first('a[href="/admin/councils/divisions"]') is not None
    page = HTMLParser((await client.get("/admin/councils/divisions")).text)
    assert len(page.css("select[name=province] option")) == 34
    r = await client.post(
        "/admin/councils/divisions",
        data={"action": "one", "division": "00004", "code": "", "seats": ""},
    )
    assert r.status_code == 409 and "01" in HTMLParser(r.text).css_first("main").text()
    r = await client.post(
        "/admin/councils/divisions",
        data={"action": "one", "division": "01", "code": "", "seats": "125"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    city = await Council.get(division_code="01")
    assert r.headers["location"] == f"/admin/councils/{city.id}/edit?saved=1"
    r = await client.post(
        "/admin/councils/divisions", data={"action": "province", "province": "01"}
    )
    assert r.status_code == 200
    status = HTMLParser(r.text).css_first(".alert-ok[role=status]")
    assert status is not None and "126" in status.text() and "1" in status.text()
    assert await Council.filter(parent_id=city.id, seats=0).count() == 126
    r = await client.post("/admin/councils/divisions", data={"action": "one", "division": "12x"})
    assert r.status_code == 422
    # Nobody but an admin.
    staff = await make_user("secretariat", council=city)
    await login(client, staff)
    r = await client.get("/admin/councils/divisions")
    assert r.status_code == 403
