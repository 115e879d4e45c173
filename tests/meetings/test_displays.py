"""display.*: a hall screen's kiosk link opens the hall without a delegate's login, watches only,
and is revoked at once."""

import asyncio

import httpx
import pytest
import socketio
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.auth import SESSION_COOKIE
from council.models import AuditEntry, User
from meetings.models import HallDisplay
from tests.factories import bearer, make_council, make_user
from tests.meetings.helpers import create_poll, open_poll, setup_running_session, upload_document


async def create_display(client, s, label: str = "Máy chiếu hội trường") -> dict:
    r = await client.post(
        f"/api/v1/councils/{s.council.code}/displays",
        headers=s.h(s.secretariat),
        json={"label": label},
    )
    assert r.status_code == 201, r.text
    return r.json()


async def open_kiosk(http: httpx.AsyncClient, url: str) -> httpx.Response:
    """What a projector's browser does with the link: opens it, confirms, follows to the hall."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = await http.get("/" + path)
    assert page.status_code == 200
    csrf = HTMLParser(page.text).css_first("input[name=csrf_token]").attributes["value"]
    return await http.post("/" + path, data={"csrf_token": csrf}, follow_redirects=True)


@pytest.fixture
async def http(live_server: str):
    async with httpx.AsyncClient(base_url=live_server) as c:
        yield c


async def test_a_kiosk_link_shows_the_hall_and_nothing_else(client, http, live_server) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    internal = await upload_document(client, s, confidentiality="internal")
    public = await upload_document(client, s, title="Báo cáo công khai", confidentiality="public")
    poll = await create_poll(client, s)
    await open_poll(client, s, poll["id"])
    made = await create_display(client, s)
    assert made["url"].startswith("http") and "/hall/k/" in made["url"]
    account = await User.get(username=made["username"])
    assert account.role == "display" and account.council_id == s.council.id
    hall = await open_kiosk(http, made["url"])
    assert hall.status_code == 200 and str(hall.url).endswith(f"/sessions/{s.session_id}/hall")
    html = HTMLParser(hall.text)
    assert html.css_first("#hall") is not None
    # Nothing personal: no menu, no account, no link away, no online badge.
    for selector in (".topbar", "form[action='/logout']", ".hall-exit", "#live a", ".whoami"):
        assert html.css_first(selector) is None, selector
    assert html.css_first("#conn-status").text().strip() == ""
    # A watcher only: no vote, no tablet, no console, no internal document, only the hall.
    sid = s.session_id
    for method, url in (
        ("POST", f"/meetings/polls/{poll['id']}/ballot"),
        ("GET", f"/meetings/sessions/{sid}/tablet"),
        ("GET", f"/meetings/sessions/{sid}/chair"),
        ("GET", f"/meetings/sessions/{sid}/prepare"),
        ("GET", f"/meetings/sessions/{sid}/fragments/vote"),
        ("GET", f"/meetings/documents/{internal['id']}"),
        ("GET", f"/meetings/documents/{internal['id']}/file"),
    ):
        r = await http.request(method, url, headers={"X-CSRF-Token": http.cookies.get("csrftoken")})
        assert r.status_code == 403, (method, url, r.status_code)
    assert (await http.get(f"/meetings/sessions/{sid}/fragments/hall")).status_code == 200
    assert (await http.get(f"/meetings/documents/{public['id']}")).status_code == 200
    # Live: it joins the sitting's room with the cookie, and may not cast.
    cookie = http.cookies.get(SESSION_COOKIE)
    sio = socketio.AsyncClient(reconnection=False)
    closed = asyncio.Event()
    sio.on("disconnect", lambda *a: closed.set())
    await sio.connect(
        live_server, headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}, transports=["websocket"]
    )
    ack = await sio.call("session:join", {"session_id": sid}, timeout=10)
    assert ack["ok"] and ack["poll"]["id"] == poll["id"]
    ack = await sio.call("ballot:cast", {"poll_id": poll["id"], "choice": "yes"}, timeout=10)
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    # Revoked: the live screen is closed at once, the link and the session stop working.
    r = await client.post(f"/api/v1/displays/{made['id']}/revoke", headers=s.h(s.secretariat))
    assert r.status_code == 200 and r.json()["revoked_at"]
    await asyncio.wait_for(closed.wait(), timeout=10)
    r = await http.get(f"/meetings/sessions/{sid}/hall")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    path = "/" + made["url"].split("://", 1)[1].split("/", 1)[1]
    assert (await http.get(path)).status_code == 404
    ops = [e.operation for e in await AuditEntry.filter(target_type="display").order_by("id")]
    assert ops == ["display.create", "display.open", "display.revoke"]


async def test_only_the_councils_secretariat_manages_its_displays(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    url = f"/api/v1/councils/{s.council.code}/displays"
    for user in (s.chair, s.delegates[0]):
        r = await client.post(url, headers=s.h(user), json={"label": "x"})
        assert r.status_code == 403, user.role
    other = await make_user("secretariat", await make_council())
    assert (
        await client.post(url, headers=await bearer(other), json={"label": "x"})
    ).status_code == 403
    assert (await client.get(url, headers=await bearer(other))).status_code == 403
    made = await create_display(client, s)
    r = await client.post(f"/api/v1/displays/{made['id']}/revoke", headers=await bearer(other))
    assert r.status_code == 403
    r = await client.post(url, headers=s.h(s.secretariat), json={"label": ""})
    assert r.status_code == 422
    listed = (await client.get(url, headers=s.h(s.secretariat))).json()["items"]
    assert [d["label"] for d in listed] == ["Máy chiếu hội trường"] and "url" not in listed[0]
    # Only the hash of the link's secret is kept.
    display = await HallDisplay.get(id=made["id"])
    assert made["url"].rsplit("/", 1)[1] not in display.key_hash
    assert (await client.get("/hall/k/not-a-real-key")).status_code == 404


async def test_a_display_lands_on_the_sitting_in_progress(client, anon) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    made = await create_display(client, s)
    account = await User.get(username=made["username"])
    from tests.factories import login

    await login(anon, account)
    r = await anon.get("/meetings/hall")
    assert (
        r.status_code == 303 and r.headers["location"] == f"/meetings/sessions/{s.session_id}/hall"
    )
    await client.post(f"/api/v1/sessions/{s.session_id}/close", headers=s.h(s.chair))
    r = await anon.get("/meetings/hall")
    assert r.status_code == 200 and "Chưa có phiên họp đang diễn ra" in r.text


async def test_the_secretariats_page_creates_shows_once_and_revokes(client) -> None:
    from tests.factories import login

    s = await setup_running_session(client, seats=5, present=4)
    await login(client, s.secretariat)
    url = f"/meetings/councils/{s.council.code}/displays"
    page = await client.get(url)
    assert page.status_code == 200 and HTMLParser(page.text).css_first("#kiosk-link") is None
    r = await client.post(url, data={"label": "Máy chiếu phòng họp 2"})
    link = HTMLParser(r.text).css_first("#kiosk-link .kiosk-url").text()
    assert "/hall/k/" in link
    again = await client.get(url)
    assert link not in again.text  # shown once
    display = await HallDisplay.get(label="Máy chiếu phòng họp 2")
    r = await client.post(f"/meetings/displays/{display.id}/revoke")
    assert r.status_code == 303
    assert (
        "Đã thu hồi"
        in HTMLParser((await client.get(url)).text).css_first(f"#display-{display.id}").text()
    )
    await login(client, s.chair)
    assert (await client.get(url)).status_code == 403
