"""The citizens' pages work without JavaScript, stay light, and never show personal data."""

from __future__ import annotations

import re

import httpx

from council.models import Council
from council.templating import static_url
from petitions.models import Notification
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
    assert r.status_code == 200 and PETITION["title"] in r.text
    assert not any(v in r.text for v in PERSONAL_VALUES)
    r = await anon.post(
        "/petitions/track", data={"code": code, "token": "XXXXX-XXXXX", "csrf_token": csrf}
    )
    assert r.status_code == 404


def _receipt_code_and_token(html: str) -> tuple[str, str]:
    code = re.search(r'class="code">(KN-\d{4}-[0-9A-Z]{7})<', html).group(1)
    token = re.search(r'class="code">([0-9A-Z]{5}-[0-9A-Z]{5})<', html).group(1)
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
    assert "chụp màn hình" in first.text  # write it down or take a screenshot
    assert f'href="/petitions/track?code={code}"' in first.text
    again = await anon.get("/petitions/receipt")  # a refresh
    assert token in again.text and code in again.text
    english = await anon.get("/petitions/receipt?lang=en")  # the language switch
    assert token in english.text and "take a screenshot" in english.text
    stranger = await client.get("/petitions/receipt")
    assert stranger.status_code == 200 and token not in stranger.text and code not in stranger.text
    forged = anon.cookies.get("petition_receipt").replace(".", ".x", 1)
    r = await client.get("/petitions/receipt", headers={"cookie": f"petition_receipt={forged}"})
    assert token not in r.text


def _select(html: str, name: str) -> str:
    return re.search(rf'<select id="{name}" name="{name}"[^>]*>(.*?)</select>', html, re.S).group(0)


async def test_filing_form_asks_for_the_commune_once_and_preselects_nothing(anon) -> None:
    """Only communes and wards, by the names people use, behind a placeholder; the field starts
    blank and is required; the similar list sits right below the title."""
    await setup_world()
    await Council.filter(code="HN-BADINH").update(name="Hội đồng nhân dân phường Ba Đình")
    _, html = await _csrf(anon)
    assert html.count('name="council_code"') == 1
    communes = _select(html, "council_code")
    assert "required" in communes.split(">")[0]
    first = re.search(r"<option[^>]*>([^<]*)</option>", communes)
    assert 'value=""' in first.group(0) and first.group(1) == "— Chọn xã/phường —"
    assert ">Phường Ba Đình</option>" in communes and "Hội đồng nhân dân phường" not in communes
    assert 'value="HN"' not in communes and 'value="HP"' not in communes  # cities receive none
    assert '<optgroup label="Thành phố Hà Nội">' in communes
    field = _select(html, "category")
    assert "required" in field.split(">")[0] and '<option value="">— Chọn lĩnh vực —' in field
    assert "selected" not in communes and "selected" not in field
    assert html.index('id="title"') < html.index('id="similar"') < html.index('id="category"')


async def test_the_public_files_at_a_commune_only(anon) -> None:
    await setup_world()
    r = await anon.post("/api/v1/petitions", json={**PETITION, "council_code": "HN"})
    assert r.status_code == 422 and "council_code" in r.json()["error"]["details"]["fields"]


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
    assert "Cảm ơn bạn: đã ghi nhận. Có 2 cử tri cùng kiến nghị việc này." in page.text
    assert PETITION["title"] in page.text and "Đã tiếp nhận" in page.text
    assert 'name="token"' not in page.text and 'name="email"' in page.text
    assert not any(v in page.text for v in PERSONAL_VALUES)
    other = await client.get(f"/petitions/{code}/supported")  # another browser: no thanks, no form
    assert PETITION["title"] in other.text and "Cảm ơn" not in other.text
    assert 'name="email"' not in other.text
    ccsrf, _ = await _csrf(client)
    r = await client.post(
        f"/petitions/{code}/supported", data={"csrf_token": ccsrf, "email": "x@example.vn"}
    )
    assert r.status_code == 403
    form = {"csrf_token": csrf, "email": "not an address"}
    r = await anon.post(f"/petitions/{code}/supported", data=form)
    assert r.status_code == 422 and "alert-error" in r.text
    r = await anon.post(f"/petitions/{code}/supported", data={**form, "email": "Nam@Example.vn"})
    assert r.status_code == 303
    page = await anon.get(r.headers["location"])
    assert 'name="email"' not in page.text and "gửi thư điện tử" in page.text
    assert "nam@example.vn" not in page.text
    await act_ok(client, w.commune_sec, code, "accept")
    assert await Notification.filter(email="nam@example.vn", recipient="supporter").exists()


async def test_form_errors_and_honeypot(anon) -> None:
    await setup_world()
    csrf, _ = await _csrf(anon)
    r = await anon.post("/petitions/new", data={**PETITION, "title": "x", "csrf_token": csrf})
    assert r.status_code == 422 and "alert-error" in r.text
    r = await anon.post(
        "/petitions/new", data={**PETITION, "website": "http://spam.example", "csrf_token": csrf}
    )
    assert r.status_code == 422
    r = await anon.post("/petitions/new", data={**PETITION})
    assert r.status_code == 403  # no CSRF token


async def test_bad_attachments_are_refused(anon) -> None:
    await setup_world()
    files = [("files", ("fake.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf"))]
    r = await anon.post("/api/v1/petitions", data={**PETITION}, files=files)
    assert r.status_code == 422 and r.json()["error"]["code"] == "unsupported_type"
    files = [("files", (f"a{i}.png", _PNG, "image/png")) for i in range(6)]
    r = await anon.post("/api/v1/petitions", data={**PETITION}, files=files)
    assert r.status_code == 422
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
    assert "Sở Xây dựng đã đưa đoạn đường" in r.text
    for path in ("/api/v1/public/petitions", "/api/v1/public/petitions/export.csv"):
        r = await anon.get(path)
        assert r.status_code == 200 and not any(v in r.text for v in PERSONAL_VALUES), path
    assert filed["code"] in (await anon.get("/api/v1/public/petitions/export.csv")).text


async def test_unpublished_petitions_stay_private(anon) -> None:
    await setup_world()
    filed = await file_petition(anon)
    assert (await anon.get(f"/petitions/p/{filed['code']}")).status_code == 404
    assert filed["code"] not in (await anon.get("/api/v1/public/petitions/export.csv")).text


async def test_diversion_guide_explains_the_channels(anon) -> None:
    r = await anon.get("/petitions/guide")
    assert r.status_code == 200
    for anchor in ('id="complaint"', 'id="denunciation"', 'id="procedure"'):
        assert anchor in r.text


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_the_home_page_leads_citizens_to_filing_and_tracking(client, anon) -> None:
    from tests.factories import login, make_council, make_user

    home = await anon.get("/")
    assert home.status_code == 200
    assert re.search(r'class="button primary" href="/petitions/new"', home.text)
    assert 'href="/petitions/track"' in home.text and 'href="/login"' in home.text
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
