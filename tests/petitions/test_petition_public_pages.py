"""The citizens' pages work without JavaScript, stay light, and never show personal data."""

from __future__ import annotations

import re

import httpx

from council.models import Council, User
from council.templating import static_url
from petitions.models import Notification
from tests.factories import login, make_user
from tests.html import attrs, dom, error_code, has, one, refusal, squash, text, texts
from tests.petitions.helpers import (
    PERSONAL_VALUES,
    PETITION,
    act_ok,
    escalate_assign_answer_publish,
    file_petition,
    setup_world,
)


async def _csrf(client: httpx.AsyncClient, path: str = "/petitions/new") -> tuple[str, str]:
    r = await client.get(path)
    assert r.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    return token, r.text


async def _page_weight(client: httpx.AsyncClient, html: str) -> int:
    total = len(html.encode())
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        r = await client.get(url)
        assert r.status_code == 200, url
        total += len(r.content)
    return total


async def test_filing_form_without_javascript_then_tracking(anon) -> None:
    await setup_world()
    csrf, html = await _csrf(anon)
    assert "<script" not in html or static_url("js/petitions-similar.js") in html
    assert await _page_weight(anon, html) <= 30 * 1024
    data = {**PETITION, "csrf_token": csrf, "website": ""}
    r = await anon.post(
        "/petitions/new", data=data, files={"files": ("duong.png", _PNG, "image/png")}
    )
    assert r.status_code == 303, r.text
    code, token = _receipt_code_and_token((await anon.get(r.headers["location"])).text)

    csrf, _ = await _csrf(anon, "/petitions/track")
    r = await anon.post("/petitions/track", data={"code": code, "token": token, "csrf_token": csrf})
    assert r.status_code == 200 and text(r.text, "#track-view h2") == PETITION["title"]
    assert text(r.text, "#track-view .badge") == "Đã tiếp nhận"
    assert not any(v in r.text for v in PERSONAL_VALUES)
    r = await anon.post(
        "/petitions/track", data={"code": code, "token": "XXXXX-XXXXX", "csrf_token": csrf}
    )
    assert r.status_code == 404 and not has(r.text, "#track-view")
    assert error_code(r.text) == "not_found" and has(r.text, "form[action='/petitions/track']")


def _receipt_code_and_token(html: str) -> tuple[str, str]:
    code, token = texts(html, "section.receipt dl.slip dd.code")
    assert re.fullmatch(r"KN-\d{4}-[0-9A-Z]{7}", code), code
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", token), token
    return code, token


async def test_receipt_survives_refresh_and_language_switch_for_the_filer_only(
    client, anon
) -> None:
    """Post/Redirect/Get: the token travels in a signed cookie for the receipt page only, never
    in a URL, and the page is not cached; another browser sees no receipt."""
    await setup_world()
    csrf, _ = await _csrf(anon)
    r = await anon.post("/petitions/new", data={**PETITION, "csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/petitions/receipt"
    cookie = r.headers["set-cookie"].lower()
    assert (
        "httponly" in cookie and "samesite=strict" in cookie and "path=/petitions/receipt" in cookie
    )
    first = await anon.get("/petitions/receipt")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    code, token = _receipt_code_and_token(first.text)
    assert "chụp màn hình" in text(first.text, ".keep-note strong")  # or write it down
    assert attrs(first.text, "a.button.primary", "href") == [f"/petitions/track?code={code}"]
    again = await anon.get("/petitions/receipt")  # a refresh
    assert _receipt_code_and_token(again.text) == (code, token)
    english = await anon.get("/petitions/receipt?lang=en")  # the language switch
    assert _receipt_code_and_token(english.text) == (code, token)
    assert "take a screenshot" in text(english.text, ".keep-note strong")
    stranger = await client.get("/petitions/receipt")
    assert stranger.status_code == 200 and not has(stranger.text, "section.receipt")
    assert token not in stranger.text and code not in stranger.text
    forged = anon.cookies.get("petition_receipt").replace(".", ".x", 1)
    r = await client.get("/petitions/receipt", headers={"cookie": f"petition_receipt={forged}"})
    assert not has(r.text, "section.receipt") and token not in r.text


async def test_filing_form_asks_for_the_commune_once_and_preselects_nothing(anon) -> None:
    """Only communes and wards, by the names people use, behind a placeholder; the field starts
    blank and is required; the similar list sits right below the title."""
    await setup_world()
    await Council.filter(code="HN-BADINH").update(name="Hội đồng nhân dân phường Ba Đình")
    _, html = await _csrf(anon)
    page = dom(html)
    assert len(page.css('[name="council_code"]')) == 1
    communes = one(page, 'select#council_code[name="council_code"][required]')
    first = communes.css_first("option")
    assert first.attributes["value"] == "" and squash(first.text()) == "— Chọn xã/phường —"
    in_hanoi = texts(communes, 'optgroup[label="Thành phố Hà Nội"] option')
    assert "Phường Ba Đình" in in_hanoi
    assert not any("Hội đồng nhân dân" in name for name in texts(communes, "option"))
    values = attrs(communes, "option", "value")
    assert "HN" not in values and "HP" not in values  # cities receive none
    assert "HN-BADINH" in values
    field = one(page, 'select#category[name="category"][required]')
    assert attrs(field, "option", "value")[0] == ""
    assert texts(field, "option")[0] == "— Chọn lĩnh vực —"
    assert not page.css("select#council_code option[selected], select#category option[selected]")
    order = [node.attributes["id"] for node in page.css("#title, #similar, #category")]
    assert order == ["title", "similar", "category"]


async def test_the_public_files_at_a_commune_only(anon) -> None:
    await setup_world()
    r = await anon.post("/api/v1/petitions", json={**PETITION, "council_code": "HN"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    assert "council_code" in r.json()["error"]["details"]["fields"]


async def test_support_shows_the_petition_then_takes_an_email_for_updates(client, anon) -> None:
    """ "Add my support" lands on the supported petition with the thanks (no longer an empty
    tracking form), then takes an optional e-mail that receives the petition's updates."""
    w = await setup_world()
    code = (await file_petition(client))["code"]
    csrf, _ = await _csrf(anon)
    r = await anon.post(f"/petitions/{code}/support", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == f"/petitions/{code}/supported"
    page = await anon.get(r.headers["location"])
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    thanks = "Cảm ơn bạn: đã ghi nhận. Có 2 cử tri cùng kiến nghị việc này."
    assert text(page.text, ".alert-ok[role=status]") == thanks
    assert text(page.text, "#supported h1") == PETITION["title"]
    assert text(page.text, "#supported .badge") == "Đã tiếp nhận"
    assert not has(page.text, '[name="token"]')
    assert has(page.text, f'form[action="/petitions/{code}/supported"] input[name="email"]')
    assert not any(v in page.text for v in PERSONAL_VALUES)
    other = await client.get(f"/petitions/{code}/supported")  # another browser: no thanks, no form
    assert text(other.text, "#supported h1") == PETITION["title"]
    assert not has(other.text, ".alert-ok") and not has(other.text, 'input[name="email"]')
    ccsrf, _ = await _csrf(client)
    r = await client.post(
        f"/petitions/{code}/supported", data={"csrf_token": ccsrf, "email": "x@example.vn"}
    )
    assert r.status_code == 403 and error_code(r.text) == "forbidden"
    form = {"csrf_token": csrf, "email": "not an address"}
    r = await anon.post(f"/petitions/{code}/supported", data=form)
    assert r.status_code == 422 and has(r.text, ".alert-error[role=alert] li")
    r = await anon.post(f"/petitions/{code}/supported", data={**form, "email": "Nam@Example.vn"})
    assert r.status_code == 303
    page = await anon.get(r.headers["location"])
    assert not has(page.text, 'input[name="email"]')
    assert "gửi thư điện tử" in text(page.text, "#supported + p.card")
    assert "nam@example.vn" not in page.text
    await act_ok(client, w.commune_sec, code, "accept")
    assert await Notification.filter(email="nam@example.vn", recipient="supporter").exists()


async def test_form_errors_and_honeypot(anon) -> None:
    await setup_world()
    csrf, _ = await _csrf(anon)
    r = await anon.post("/petitions/new", data={**PETITION, "title": "x", "csrf_token": csrf})
    assert r.status_code == 422 and error_code(r.text) == "invalid"
    assert texts(r.text, ".alert-error[role=alert] li")[0].startswith("Tiêu đề:")
    r = await anon.post(
        "/petitions/new", data={**PETITION, "website": "http://spam.example", "csrf_token": csrf}
    )
    assert refusal(r) == (422, "invalid")
    fake = [("files", ("fake.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf"))]
    r = await anon.post("/petitions/new", data={**PETITION, "csrf_token": csrf}, files=fake)
    assert refusal(r) == (422, "unsupported_type")  # a domain error keeps its own code
    r = await anon.post("/petitions/new", data={**PETITION})
    assert r.status_code == 403 and error_code(r.text) == "csrf_failed"  # no CSRF token


async def test_bad_attachments_are_refused(anon) -> None:
    await setup_world()
    files = [("files", ("fake.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf"))]
    r = await anon.post("/api/v1/petitions", data={**PETITION}, files=files)
    assert r.status_code == 422 and r.json()["error"]["code"] == "unsupported_type"
    files = [("files", (f"a{i}.png", _PNG, "image/png")) for i in range(6)]
    r = await anon.post("/api/v1/petitions", data={**PETITION}, files=files)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    assert r.json()["error"]["details"]["fields"] == {"files": "too_many"}
    r = await anon.post(
        "/api/v1/petitions", data={**PETITION}, files=[("files", ("ok.png", _PNG, "image/png"))]
    )
    assert r.status_code == 201


async def test_public_pages_never_show_personal_data(client, anon) -> None:
    w = await setup_world()
    filed = await file_petition(anon)
    await escalate_assign_answer_publish(client, w, filed["code"])
    pages = [
        "/petitions",
        f"/petitions/p/{filed['code']}",
        "/petitions/on-time",
        "/petitions/guide",
        "/petitions/new",
        "/petitions/similar?council_code=HN-BADINH&title=sửa chữa mặt đường Láng",
    ]
    for path in pages:
        r = await anon.get(path)
        assert r.status_code == 200, path
        assert not any(v in r.text for v in PERSONAL_VALUES), path
    r = await anon.get(f"/petitions/p/{filed['code']}")
    assert "Sở Xây dựng đã đưa đoạn đường" in text(r.text, "article h2 + p.prewrap")
    for path in ("/api/v1/public/petitions", "/api/v1/public/petitions/export.csv"):
        r = await anon.get(path)
        assert r.status_code == 200 and not any(v in r.text for v in PERSONAL_VALUES), path
    assert filed["code"] in (await anon.get("/api/v1/public/petitions/export.csv")).text


async def test_unpublished_petitions_stay_private(anon) -> None:
    await setup_world()
    filed = await file_petition(anon)
    r = await anon.get(f"/petitions/p/{filed['code']}")
    assert r.status_code == 404 and error_code(r.text) == "not_found"
    assert filed["code"] not in (await anon.get("/api/v1/public/petitions/export.csv")).text


async def test_diversion_guide_explains_the_channels(anon) -> None:
    r = await anon.get("/petitions/guide")
    assert r.status_code == 200
    for anchor in ("#complaint", "#denunciation", "#procedure"):
        assert text(r.text, anchor), anchor


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_the_home_page_leads_citizens_to_filing_and_tracking(client, anon) -> None:
    from tests.factories import login, make_council, make_user

    home = await anon.get("/")
    assert home.status_code == 200
    assert "/petitions/new" in attrs(home.text, "a.button.primary", "href")
    links = attrs(home.text, "a", "href")
    assert "/petitions/track" in links and "/login" in links
    council = await make_council()
    await login(client, await make_user("citizen"))
    mine = await client.get("/")
    assert 'href="/petitions/new"' in mine.text and 'href="/petitions/track"' in mine.text
    await login(client, await make_user("delegate", council))
    theirs = await client.get("/")
    assert 'href="/petitions/new"' not in theirs.text


async def test_merged_petitioner_tracks_and_rates_the_survivor_page(client, anon) -> None:
    w = await setup_world()
    first = await file_petition(anon)
    second = await file_petition(anon, name="Lê Văn Minh", email="minh@example.vn")
    await act_ok(client, w.commune_sec, second["code"], "merge", into_code=first["code"])
    await escalate_assign_answer_publish(client, w, first["code"])
    r = await anon.post(
        f"/api/v1/petitions/{first['code']}/feedback",
        json={"token": first["token"], "satisfied": True, "comment": "Rất tốt, cảm ơn"},
    )
    assert r.status_code == 200
    csrf, _ = await _csrf(anon, "/petitions/track")
    form = {"code": second["code"], "token": second["token"], "csrf_token": csrf}
    r = await anon.post("/petitions/track", data=form)
    assert r.status_code == 200 and "Sở Xây dựng đã đưa đoạn đường" in r.text
    assert PETITION["body"] in r.text and "Ý kiến của bạn" not in r.text  # not first's verdict
    assert not any(v in r.text for v in PERSONAL_VALUES) and "Rất tốt" not in r.text
    assert f'name="code" value="{second["code"]}"' in r.text  # rated with their own token
    r = await anon.post("/petitions/track/feedback", data={**form, "satisfied": "no"})
    assert r.status_code == 200 and "Ý kiến của bạn" in r.text and "Chưa hài lòng" in r.text


async def test_every_page_switches_language_the_same_way(anon) -> None:
    """The citizens' layout and the staff layout share one language switch (short codes, each
    named in full for screen readers), so "VI EN" reads the same on every page."""
    await setup_world()
    for path in ("/petitions/track", "/petitions/new", "/petitions/on-time", "/login"):
        r = await anon.get(path)
        assert texts(r.text, "header nav.langswitch a") == ["VI", "EN"], path
        assert attrs(r.text, "nav.langswitch a", "aria-label") == ["Tiếng Việt", "English"]
        assert attrs(r.text, "nav.langswitch a[aria-current]", "lang") == ["vi"], path
    r = await anon.get("/petitions/track", params={"lang": "en"})
    assert attrs(r.text, "nav.langswitch a[aria-current]", "lang") == ["en"]


async def test_the_citizens_header_keeps_the_user_and_links_staff_pages_only_for_staff(
    client, anon
) -> None:
    """A logged-in citizen sees their name and "Đăng xuất" on the petition pages, never a
    "Cán bộ" link to pages that refuse them; staff keep the link."""
    w = await setup_world()
    citizen = await _citizen_with_contacts()
    await login(client, citizen)
    for path in ("/petitions", "/petitions/new", "/petitions/track", "/petitions/on-time"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert "/petitions/staff" not in attrs(r.text, "header a", "href"), path
        assert text(r.text, "header .whoami") == "Trần Văn Công", path
        assert text(r.text, "header form[action='/logout'] button") == "Đăng xuất", path
    refused = await client.get("/petitions/staff")
    assert refused.status_code == 403
    await login(client, w.commune_sec)
    r = await client.get("/petitions/new")
    assert "/petitions/staff" in attrs(r.text, "header a", "href")
    assert text(r.text, "header .whoami") == "Văn phòng Ba Đình"
    r = await anon.get("/petitions/new")
    assert not has(r.text, "header .whoami") and "/login" in attrs(r.text, "header a", "href")


async def _citizen_with_contacts() -> User:
    citizen = await make_user("citizen", full_name="Trần Văn Công")
    await User.filter(id=citizen.id).update(phone="0987 654 321", email="cong.tran@example.vn")
    return await User.get(id=citizen.id)


async def test_the_filing_form_starts_from_the_citizens_own_contacts(client) -> None:
    """Name, phone and e-mail come from the citizen's account (still editable, address empty);
    a staff member filing here gets nothing of their own."""
    w = await setup_world()
    await login(client, await _citizen_with_contacts())
    form = (await client.get("/petitions/new")).text
    assert attrs(form, "#name", "value") == ["Trần Văn Công"]
    assert attrs(form, "#phone", "value") == ["0987 654 321"]
    assert attrs(form, "#email", "value") == ["cong.tran@example.vn"]
    assert attrs(form, "#address", "value") == [""]
    await login(client, w.commune_sec)
    form = (await client.get("/petitions/new")).text
    assert attrs(form, "#name", "value") == [""] and attrs(form, "#email", "value") == [""]
