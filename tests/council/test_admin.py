"""Admin pages for councils and agencies (council.list/create/update/deactivate/reactivate,
agency.list/create/update/deactivate/reactivate) and the admin menu."""

from __future__ import annotations

import pytest

from council.models import Agency, AuditEntry, Council
from tests.factories import htmx, login, make_agency, make_commune, make_council, make_user

OTHER_ROLES = ("secretariat", "chair", "delegate", "agency", "citizen")


async def _as(client, role: str, council: Council | None = None):
    """Log ``client`` in as a new user with ``role`` (in ``council``, or an agency of it)."""
    if role == "agency":
        council = council or await make_council()
        user = await make_user("agency", agency=await make_agency(council))
    else:
        user = await make_user(role, council if role != "admin" else None)
    await login(client, user)
    return user


def _is_fragment(r, element_id: str) -> bool:
    return "<html" not in r.text and f'id="{element_id}"' in r.text


async def _hanoi() -> tuple[Council, Council, Council]:
    city = await make_council("HN", seats=95, name="Hội đồng nhân dân thành phố Hà Nội")
    a = await make_commune(city, "HN-BADINH", seats=31)
    b = await make_commune(city, "HN-SOCSON", seats=35)
    return city, a, b


# --- councils ---------------------------------------------------------------------------------


async def test_council_list_page_shows_city_with_communes_and_quorum(client):
    city, a, _b = await _hanoi()
    other = await make_council("HP", seats=60)
    await make_user("delegate", a)
    await make_user("chair", a)
    await _as(client, "admin")
    r = await client.get("/admin/councils")
    assert r.status_code == 200 and "<html" in r.text
    text = r.text
    rows = [text.index(f'id="council-{c.id}"') for c in (city, a, _b, other)]
    assert rows == sorted(rows)  # the city, its communes, then the next city
    assert "2/3" in text and "64" in text  # ceil(95 * 2/3)
    assert "2 xã/phường" in text or "2 communes" in text
    assert f'href="/admin/councils?city={city.code}"' in text
    assert other.code in text


async def test_council_list_fragment_filters_by_city_text_and_status(client):
    city, a, b = await _hanoi()
    await make_council("HP", seats=60)
    await _as(client, "admin")
    r = await client.get("/admin/councils?city=HN", headers=htmx())
    assert r.status_code == 200 and _is_fragment(r, "council-list")
    assert "HN-BADINH" in r.text and "Hội đồng nhân dân HP" not in r.text
    r = await client.get("/admin/councils?q=socson", headers=htmx())
    assert "HN-SOCSON" in r.text and "HN-BADINH" not in r.text
    from council import services

    admin = await make_user("admin")
    await services.council_update(admin, b, is_active=False)
    r = await client.get("/admin/councils?status=inactive", headers=htmx())
    assert "HN-SOCSON" in r.text and "HN-BADINH" not in r.text
    r = await client.get("/admin/councils?city=NOPE", headers=htmx())
    assert r.status_code == 200 and 'role="alert"' in r.text


async def test_council_list_paginates_as_page_and_fragment(client):
    city = await make_council("HN", seats=95)
    for i in range(30):
        await make_commune(city, f"HN-{i:02d}")
    await _as(client, "admin")
    first = await client.get("/admin/councils")
    assert "HN-23" in first.text and "HN-24" not in first.text  # the city, then 24 communes
    assert 'href="/admin/councils?page=2"' in first.text
    second = await client.get("/admin/councils?page=2", headers=htmx())
    assert _is_fragment(second, "council-list")
    assert "HN-24" in second.text and "HN-29" in second.text and "HN-23" not in second.text
    garbage = await client.get("/admin/councils?page=abc")
    assert garbage.status_code == 200 and "HN-00" in garbage.text


async def test_council_create_city_and_commune(client):
    await _as(client, "admin")
    form = await client.get("/admin/councils/new")
    assert form.status_code == 200 and 'name="quorum"' in form.text and 'for="f-code"' in form.text
    r = await client.post(
        "/admin/councils/new",
        data={
            "code": "DN",
            "name": "Hội đồng nhân dân thành phố Đà Nẵng",
            "level": "city",
            "seats": "70",
            "quorum": "2/3",
            "parent_code": "",
        },
    )
    assert r.status_code == 303
    city = await Council.get(code="DN")
    assert r.headers["location"] == f"/admin/councils/{city.id}/edit?saved=1"
    assert city.level == "city" and city.seats == 70 and city.parent_id is None  # type: ignore[attr-defined]
    r = await client.post(
        "/admin/councils/new",
        data={
            "code": "DN-HAICHAU",
            "name": "Hội đồng nhân dân phường Hải Châu",
            "level": "commune",
            "seats": "25",
            "quorum": "3/4",
            "parent_code": "DN",
        },
    )
    assert r.status_code == 303
    commune = await Council.get(code="DN-HAICHAU")
    assert commune.parent_id == city.id and commune.quorum == "3/4"  # type: ignore[attr-defined]
    assert await AuditEntry.filter(operation="council.create", target_id=str(commune.id)).exists()
    saved = await client.get(r.headers["location"])
    assert saved.status_code == 200 and "alert-ok" in saved.text


async def test_council_create_reports_invalid_fields_without_500(client):
    await make_council("HN")
    await _as(client, "admin")
    r = await client.post(
        "/admin/councils/new",
        data={"code": "x", "name": "", "level": "city", "seats": "0", "quorum": "0.666666666667"},
    )
    assert r.status_code == 422
    for field in ("code", "name", "seats", "quorum"):
        assert f'id="e-{field}"' in r.text
    assert 'aria-invalid="true"' in r.text
    r = await client.post(
        "/admin/councils/new",
        data={"code": "HN", "name": "Trùng mã", "level": "city", "seats": "30", "quorum": "2/3"},
    )
    assert r.status_code == 409 and "Trùng mã" in r.text  # the form keeps what was typed
    r = await client.post(
        "/admin/councils/new",
        data={
            "code": "X-1",
            "name": "Xã không có thành phố",
            "level": "commune",
            "seats": "30",
            "quorum": "2/3",
        },
    )
    assert r.status_code == 422 and 'id="e-parent_code"' in r.text
    r = await client.post(
        "/admin/councils/new",
        data={"code": "X-2", "name": "Túc số sai", "level": "city", "seats": "30", "quorum": "3/2"},
    )
    assert r.status_code == 422 and 'id="e-quorum"' in r.text
    assert await Council.filter(code__in=["x", "X-1", "X-2"]).count() == 0


async def test_council_edit_name_seats_quorum(client):
    council = await make_council("HN", seats=95)
    await _as(client, "admin")
    page = await client.get(f"/admin/councils/{council.id}/edit")
    assert page.status_code == 200 and 'value="95"' in page.text and "64" in page.text
    r = await client.post(
        f"/admin/councils/{council.id}/edit",
        data={"name": "HĐND thành phố Hà Nội", "seats": "90", "quorum": "3/4"},
    )
    assert r.status_code == 303
    await council.refresh_from_db()
    assert (council.name, council.seats, council.quorum, council.quorum_count) == (
        "HĐND thành phố Hà Nội",
        90,
        "3/4",
        68,
    )
    assert await AuditEntry.filter(operation="council.update", target_id=str(council.id)).exists()
    bad = await client.post(
        f"/admin/councils/{council.id}/edit", data={"name": "HĐND", "seats": "abc", "quorum": "2/3"}
    )
    assert bad.status_code == 422 and 'id="e-seats"' in bad.text
    missing = await client.get("/admin/councils/99999/edit")
    assert missing.status_code == 404


async def test_council_deactivate_and_reactivate_as_form_and_htmx(client):
    council = await make_council("HN")
    await _as(client, "admin")
    r = await client.post(
        f"/admin/councils/{council.id}/deactivate", data={"next": "/admin/councils?q=HN"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/councils?q=HN"
    await council.refresh_from_db()
    assert council.is_active is False
    r = await client.post(
        f"/admin/councils/{council.id}/reactivate", data={"next": "/admin/councils"}, headers=htmx()
    )
    assert r.status_code == 200 and r.text.lstrip().startswith("<tr") and "<html" not in r.text
    assert f'action="/admin/councils/{council.id}/deactivate"' in r.text
    await council.refresh_from_db()
    assert council.is_active is True
    r = await client.post(
        f"/admin/councils/{council.id}/deactivate", data={"next": "https://evil.example/"}
    )
    assert r.headers["location"] == "/admin/councils"


@pytest.mark.parametrize("role", OTHER_ROLES)
async def test_council_pages_refuse_every_role_but_admin(client, role):
    city, own, _ = await _hanoi()
    user = await _as(client, role, own)
    for method, url in [
        ("GET", "/admin/councils"),
        ("GET", "/admin/councils/new"),
        ("POST", "/admin/councils/new"),
        ("GET", f"/admin/councils/{own.id}/edit"),
        ("POST", f"/admin/councils/{own.id}/edit"),
        ("POST", f"/admin/councils/{own.id}/deactivate"),
        ("POST", f"/admin/councils/{city.id}/reactivate"),
    ]:
        data = {"name": "Hack", "seats": "1", "quorum": "1/2", "code": "HACK", "level": "city"}
        r = await client.request(method, url, data=data if method == "POST" else None)
        assert r.status_code == 403, (method, url)
    assert await AuditEntry.filter(operation="permission.denied", actor_id=user.id).count() == 7
    await own.refresh_from_db()
    assert own.is_active and own.seats == 31 and not await Council.exists(code="HACK")


async def test_council_pages_need_login(anon):
    council = await make_council()
    r = await anon.get("/admin/councils")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = await anon.get("/admin/councils", headers=htmx())
    assert r.status_code == 401
    r = await anon.post(f"/admin/councils/{council.id}/deactivate")
    assert r.status_code == 403  # no CSRF token


async def test_denied_htmx_request_is_shown_in_the_message_area(client):
    council = await make_council()
    await _as(client, "delegate", council)
    r = await client.post(f"/admin/councils/{council.id}/deactivate", headers=htmx())
    assert r.status_code == 403 and r.headers["HX-Retarget"] == "#messages"
    assert "<html" not in r.text


# --- agencies ---------------------------------------------------------------------------------


async def test_agency_list_for_admin_page_and_fragment(client):
    city, a, _ = await _hanoi()
    await make_agency(city, "SO-XD", categories=["transport", "construction"])
    await make_agency(a, "UB-BADINH", categories=["urban"])
    await _as(client, "admin")
    r = await client.get("/admin/agencies")
    assert r.status_code == 200 and "<html" in r.text
    assert "SO-XD" in r.text and "UB-BADINH" in r.text and "construction" in r.text
    r = await client.get("/admin/agencies?council=HN-BADINH", headers=htmx())
    assert _is_fragment(r, "agency-list") and "UB-BADINH" in r.text and "SO-XD" not in r.text
    r = await client.get("/admin/agencies?q=so-x", headers=htmx())
    assert "SO-XD" in r.text and "UB-BADINH" not in r.text
    r = await client.get("/admin/agencies?council=NOPE", headers=htmx())
    assert 'role="alert"' in r.text and "SO-XD" not in r.text


async def test_council_agency_list_for_its_secretariat(client):
    city, a, b = await _hanoi()
    await make_agency(a, "UB-BADINH")
    await make_agency(b, "UB-SOCSON")
    await _as(client, "secretariat", a)
    r = await client.get("/admin/agencies")
    assert r.status_code == 303 and r.headers["location"] == f"/admin/councils/{a.id}/agencies"
    page = await client.get(r.headers["location"])
    assert page.status_code == 200 and "UB-BADINH" in page.text and "UB-SOCSON" not in page.text
    assert "/admin/agencies/new" not in page.text and "/deactivate" not in page.text  # view only
    frag = await client.get(f"/admin/councils/{a.id}/agencies?q=ub", headers=htmx())
    assert _is_fragment(frag, "agency-list") and "UB-BADINH" in frag.text
    other = await client.get(f"/admin/councils/{b.id}/agencies")
    assert other.status_code == 403
    parent = await client.get(f"/admin/councils/{city.id}/agencies")
    assert parent.status_code == 403


@pytest.mark.parametrize("role", ("chair", "delegate", "agency", "citizen"))
async def test_agency_lists_refuse_other_roles(client, role):
    council = await make_council()
    await _as(client, role, council)
    assert (await client.get("/admin/agencies")).status_code == 403
    assert (await client.get(f"/admin/councils/{council.id}/agencies")).status_code == 403


async def test_agency_create_with_categories(client):
    council = await make_council("HN")
    await make_agency(council, "SO-YT", categories=["health"])
    await _as(client, "admin")
    form = await client.get("/admin/agencies/new?council=HN")
    assert form.status_code == 200 and 'value="health"' in form.text
    r = await client.post(
        "/admin/agencies/new",
        data={
            "code": "SO-XD",
            "name": "Sở Xây dựng Hà Nội",
            "council_code": "HN",
            "categories": ["health"],
            "categories_extra": "Transport, construction",
        },
    )
    assert r.status_code == 303
    agency = await Agency.get(code="SO-XD")
    assert agency.council_id == council.id  # type: ignore[attr-defined]
    assert agency.categories == ["construction", "health", "transport"]
    assert await AuditEntry.filter(operation="agency.create", target_id=str(agency.id)).exists()
    bad = await client.post(
        "/admin/agencies/new",
        data={
            "code": "SO-2",
            "name": "Sở",
            "council_code": "HN",
            "categories_extra": "giao thông!",
        },
    )
    assert bad.status_code == 422 and not await Agency.exists(code="SO-2")
    unknown = await client.post(
        "/admin/agencies/new", data={"code": "SO-3", "name": "Sở Ba", "council_code": "NOPE"}
    )
    assert unknown.status_code == 404 and not await Agency.exists(code="SO-3")


async def test_agency_edit_name_and_categories(client):
    council = await make_council("HN")
    agency = await make_agency(council, "SO-XD", categories=["transport"])
    await _as(client, "admin")
    page = await client.get(f"/admin/agencies/{agency.id}/edit")
    assert page.status_code == 200 and "checked" in page.text and "SO-XD" in page.text
    r = await client.post(
        f"/admin/agencies/{agency.id}/edit",
        data={"name": "Sở Xây dựng", "categories": ["transport"], "categories_extra": "urban"},
    )
    assert r.status_code == 303
    await agency.refresh_from_db()
    assert agency.name == "Sở Xây dựng" and agency.categories == ["transport", "urban"]
    assert await AuditEntry.filter(operation="agency.update", target_id=str(agency.id)).exists()
    r = await client.post(f"/admin/agencies/{agency.id}/edit", data={"name": "x" * 201})
    assert r.status_code == 422 and 'id="e-name"' in r.text
    assert (await client.get("/admin/agencies/99999/edit")).status_code == 404


async def test_agency_deactivate_and_reactivate_as_form_and_htmx(client):
    council = await make_council("HN")
    agency = await make_agency(council, "SO-XD")
    await _as(client, "admin")
    r = await client.post(
        f"/admin/agencies/{agency.id}/deactivate", data={"next": "/admin/agencies"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/agencies"
    await agency.refresh_from_db()
    assert agency.is_active is False
    r = await client.post(f"/admin/agencies/{agency.id}/reactivate", headers=htmx())
    assert r.status_code == 200 and r.text.lstrip().startswith("<tr")
    assert f"/admin/agencies/{agency.id}/deactivate" in r.text
    await agency.refresh_from_db()
    assert agency.is_active is True


@pytest.mark.parametrize("role", OTHER_ROLES)
async def test_agency_changes_refuse_every_role_but_admin(client, role):
    council = await make_council("HN")
    agency = await make_agency(council, "SO-XD")
    await _as(client, role, council)
    for method, url in [
        ("GET", "/admin/agencies/new"),
        ("POST", "/admin/agencies/new"),
        ("GET", f"/admin/agencies/{agency.id}/edit"),
        ("POST", f"/admin/agencies/{agency.id}/edit"),
        ("POST", f"/admin/agencies/{agency.id}/deactivate"),
        ("POST", f"/admin/agencies/{agency.id}/reactivate"),
    ]:
        data = {"name": "Hack", "code": "HACK", "council_code": "HN"}
        r = await client.request(method, url, data=data if method == "POST" else None)
        assert r.status_code == 403, (method, url)
    await agency.refresh_from_db()
    assert agency.is_active and agency.name != "Hack" and not await Agency.exists(code="HACK")


# --- menu -------------------------------------------------------------------------------------


async def test_menu_shows_admin_pages_to_whom_they_serve(client):
    council = await make_council()
    await _as(client, "admin")
    page = (await client.get("/")).text
    assert all(
        f'href="{u}"' in page for u in ("/admin/councils", "/admin/agencies", "/admin/users")
    )
    await _as(client, "secretariat", council)
    page = (await client.get("/")).text
    assert 'href="/admin/councils"' not in page
    assert 'href="/admin/agencies"' in page and 'href="/admin/users"' in page
    await _as(client, "delegate", council)
    page = (await client.get("/")).text
    assert "/admin/" not in page
