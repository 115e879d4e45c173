"""Every HTML route in-process; htmx routes as a full page and as a fragment."""

from council.templating import static_url
from meetings.documents.generate import make_docx
from meetings.models import Poll
from tests.factories import htmx, login
from tests.html import has, refusal, text
from tests.meetings.helpers import (
    add_agenda,
    cast,
    close_poll,
    create_poll,
    create_session,
    open_poll,
    setup_council,
    setup_running_session,
    start_session,
    upload_document,
)


def _fragment(r) -> bool:
    return r.status_code == 200 and "<html" not in r.text


async def test_secretariat_prepares_a_session_with_htmx(client) -> None:
    s = await setup_council(seats=5, delegates=3)
    await login(client, s.secretariat)
    r = await client.get("/meetings/sessions/new")
    assert r.status_code == 200 and "<form" in r.text
    r = await client.post(
        "/meetings/sessions/new",
        data={
            "council_code": s.council.code,
            "title": "Kỳ họp chuyên đề",
            "starts_at": "2026-09-01T08:00",
            "location": "Hội trường",
        },
    )
    assert r.status_code == 303
    session_url = r.headers["location"]
    sid = int(session_url.split("/")[3])
    r = await client.post("/meetings/sessions/new", data={"title": "", "starts_at": "bad"})
    assert refusal(r) == (422, "invalid")

    page = await client.get(session_url)
    assert (
        page.status_code == 200
        and "Kỳ họp chuyên đề" in page.text
        and has(page.text, "#agenda-edit")
    )
    for title in ("Báo cáo A", "Tờ trình B", "Nghị quyết C"):
        r = await client.post(
            f"/meetings/sessions/{sid}/items",
            data={"title": title, "kind": "report"},
            headers=htmx(),
        )
        assert (
            _fragment(r) and title in r.text and r.text.strip().startswith('<div id="agenda-edit"')
        )
    # Reorder with htmx: move the third item to the top.
    items = (await client.get(f"/api/v1/sessions/{sid}")).json()["items"]
    r = await client.post(
        f"/meetings/items/{items[2]['id']}/move", data={"position": "1"}, headers=htmx()
    )
    assert _fragment(r)
    assert r.text.index("Nghị quyết C") < r.text.index("Báo cáo A") < r.text.index("Tờ trình B")
    # Without htmx the same form redirects back to the page.
    r = await client.post(f"/meetings/items/{items[2]['id']}/move", data={"position": "3"})
    assert r.status_code == 303
    # Documents upload and a new version, as fragments.
    r = await client.post(
        f"/meetings/sessions/{sid}/documents",
        headers=htmx(),
        data={"title": "Dự thảo nghị quyết", "confidentiality": "internal"},
        files={
            "file": (
                "d.docx",
                make_docx("Dự thảo", ["Điều 1.", "Điều 2."]),
                "application/octet-stream",
            )
        },
    )
    assert _fragment(r) and "Dự thảo nghị quyết" in r.text
    doc_id = (await client.get(f"/api/v1/sessions/{sid}/documents")).json()["items"][0]["id"]
    r = await client.post(
        f"/meetings/documents/{doc_id}/versions",
        headers=htmx(),
        files={
            "file": ("d2.docx", make_docx("Dự thảo 2", ["Điều 1 sửa."]), "application/octet-stream")
        },
    )
    assert _fragment(r) and ("Earlier versions" in r.text or "Các phiên bản trước" in r.text)
    r = await client.post(f"/meetings/sessions/{sid}/publish")
    assert r.status_code == 303
    # Delegates now see it on their dashboard and session list.
    await login(client, s.delegates[0])
    assert "Kỳ họp chuyên đề" in (await client.get("/meetings")).text
    assert "Kỳ họp chuyên đề" in (await client.get("/")).text
    r = await client.get("/meetings", headers=htmx())
    assert _fragment(r) and "Kỳ họp chuyên đề" in r.text
    # Secretariat marks attendance (fragment).
    await login(client, s.secretariat)
    r = await client.post(
        f"/meetings/sessions/{sid}/attendance",
        data={"user_id": str(s.delegates[1].id)},
        headers=htmx(),
    )
    assert _fragment(r) and "1/5" in r.text


async def test_draft_is_hidden_from_delegates(client) -> None:
    s = await setup_council(seats=5, delegates=2)
    await create_session(client, s, title="Bản nháp")
    await login(client, s.delegates[0])
    assert "Bản nháp" not in (await client.get("/meetings")).text
    assert refusal(await client.get(f"/meetings/sessions/{s.session_id}/tablet")) == (
        404,
        "not_found",
    )


async def test_tablet_chair_hall_pages_and_fragments(client, anon) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    await upload_document(client, s, item_id=s.items[0])
    await login(client, s.chair)
    sid = s.session_id
    chair = await client.get(f"/meetings/sessions/{sid}/chair")
    assert (
        chair.status_code == 200
        and has(chair.text, "#chair-live")
        and static_url("js/meetings.js") in chair.text
    )
    r = await client.post(
        f"/meetings/sessions/{sid}/chair/current", data={"item_id": str(s.items[0])}, headers=htmx()
    )
    assert _fragment(r) and has(r.text, "[class=current]")
    r = await client.post(
        f"/meetings/sessions/{sid}/chair/poll",
        headers=htmx(),
        data={
            "title": "Biểu quyết thông qua",
            "kind": "motion",
            "rule": "majority_of_seats",
            "secret": "on",
        },
    )
    assert _fragment(r) and "Biểu quyết thông qua" in r.text
    assert (await client.get(f"/api/v1/public/sessions/{sid}")).json()[
        "polls"
    ] == []  # drafts stay private
    poll_id = (await Poll.filter(session_id=sid).first()).id
    r = await client.post(
        f"/meetings/sessions/{sid}/chair/open", data={"poll_id": str(poll_id)}, headers=htmx()
    )
    assert _fragment(r) and ("Close the vote" in r.text or "Kết thúc biểu quyết" in r.text)
    # The vote in progress and its close sit at the top of the console, before the agenda.
    assert r.text.index('id="close-vote"') < r.text.index('class="agenda"')

    # The delegate's tablet: current item with its document, the vote panel, the speaker queue.
    delegate = s.delegates[0]
    await login(anon, delegate)
    tablet = await anon.get(f"/meetings/sessions/{sid}/tablet")
    assert tablet.status_code == 200
    assert "Báo cáo tình hình kinh tế" in tablet.text and 'name="choice" value="yes"' in tablet.text
    assert static_url("vendor/socket.io.min.js") in tablet.text and "<script>" not in tablet.text
    for name in ("current", "vote", "speakers", "attendance", "hall"):
        r = await anon.get(f"/meetings/sessions/{sid}/fragments/{name}", headers=htmx())
        assert _fragment(r), name
    assert refusal(await anon.get(f"/meetings/sessions/{sid}/fragments/nope")) == (404, "not_found")
    r = await anon.post(f"/meetings/polls/{poll_id}/ballot", data={"choice": "yes"}, headers=htmx())
    assert _fragment(r) and has(r.text, "#voted-msg")
    assert "Tán thành" in text(r.text, "#my-choice")  # what was recorded, in words
    r = await anon.post(f"/meetings/polls/{poll_id}/ballot", data={"choice": "no"}, headers=htmx())
    assert _fragment(r) and has(r.text, "#voted-msg")  # a retry shows the recorded state
    assert not has(r.text, "#my-choice")  # ...not the refused choice
    r = await anon.post(
        f"/meetings/sessions/{sid}/speak", data={"action": "request"}, headers=htmx()
    )
    assert _fragment(r) and delegate.full_name in r.text and has(r.text, "#withdraw")
    chair_view = await client.get(f"/meetings/sessions/{sid}/fragments/chair", headers=htmx())
    request_id = (await client.get(f"/api/v1/sessions/{sid}")).json()["speakers"][0]["id"]
    assert delegate.full_name in chair_view.text
    r = await client.post(
        f"/meetings/sessions/{sid}/chair/floor",
        data={"request_id": str(request_id)},
        headers=htmx(),
    )
    assert _fragment(r) and "data-timer" in r.text
    hall = await client.get(f"/meetings/sessions/{sid}/hall")
    assert hall.status_code == 200 and delegate.full_name in hall.text and "data-timer" in hall.text
    # The projector shows the sitting only: no menu, no account, no footer.
    assert 'class="topbar"' not in hall.text and 'action="/logout"' not in hall.text
    assert 'class="footer"' not in hall.text
    r = await client.post(f"/meetings/sessions/{sid}/chair/finish", headers=htmx())
    assert _fragment(r)
    r = await client.post(
        f"/meetings/sessions/{sid}/chair/close_poll", data={"poll_id": str(poll_id)}, headers=htmx()
    )
    assert _fragment(r) and "1/5" in r.text
    r = await client.post(f"/meetings/sessions/{sid}/chair/close", headers=htmx())
    assert _fragment(r)
    r = await client.post(f"/meetings/sessions/{sid}/chair/dance", headers=htmx())
    assert refusal(r) == (404, "not_found")


async def test_public_pages_show_results_never_secret_choices(client, anon) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    secret = await create_poll(client, s, title="Phiếu kín", secret=True)
    await open_poll(client, s, secret["id"])
    await cast(client, s, s.delegates[0], secret["id"], "no")
    await cast(client, s, s.delegates[1], secret["id"], "yes")
    await close_poll(client, s, secret["id"])
    named = await create_poll(client, s, title="Biểu quyết công khai", secret=False)
    await open_poll(client, s, named["id"])
    await cast(client, s, s.delegates[2], named["id"], "abstain")
    await close_poll(client, s, named["id"])
    r = await anon.get("/public/sessions")
    assert r.status_code == 200 and "Kỳ họp thứ 5" in r.text
    page = await anon.get(f"/public/sessions/{s.session_id}")
    assert page.status_code == 200 and "Phiếu kín" in page.text and "1/5 đại biểu" in page.text
    assert s.delegates[0].full_name not in page.text and s.delegates[1].full_name not in page.text
    assert s.delegates[2].full_name in page.text  # named votes list who voted what
    # ...worded as on the ballot, never as the stored code.
    assert f"{s.delegates[2].full_name}: Không biểu quyết" in page.text
    assert f"{s.delegates[2].full_name}: abstain" not in page.text
    r = await anon.get(f"/public/sessions/{s.session_id}", headers=htmx())
    assert _fragment(r) and has(r.text, "#public-results")
    data = (await anon.get(f"/api/v1/public/sessions/{s.session_id}")).json()
    secret_poll = next(p for p in data["polls"] if p["id"] == secret["id"])
    assert "ballots" not in secret_poll["result"] and "has_voted" not in secret_poll


async def test_a_closed_secret_election_shows_on_every_live_page(client, anon) -> None:
    """An election's result counts its ballots ("ballots": 2): the pages list who voted what only
    for a named poll's list, and render the secret one (it answered 500 after the close)."""
    s = await setup_running_session(client, seats=5, present=4)
    poll = await create_poll(
        client,
        s,
        title="Bầu Phó Chủ tịch",
        kind="election",
        secret=True,
        options=[{"label": "Nguyễn Văn An"}, {"label": "Trần Thị Bình"}],
    )
    a = poll["options"][0]["id"]
    await open_poll(client, s, poll["id"])
    await cast(client, s, s.delegates[0], poll["id"], [a])
    await cast(client, s, s.delegates[1], poll["id"], [])
    assert (await close_poll(client, s, poll["id"]))["result"]["ballots"] == 2
    await login(client, s.chair)
    for path in ("chair", "hall", "tablet", "fragments/chair", "fragments/hall"):
        r = await client.get(f"/meetings/sessions/{s.session_id}/{path}")
        assert r.status_code == 200, path
        assert "Bầu Phó Chủ tịch" in r.text or path.startswith("fragments"), path
        assert s.delegates[0].full_name not in r.text, path
    page = await anon.get(f"/public/sessions/{s.session_id}")
    assert page.status_code == 200 and "Nguyễn Văn An" in page.text


async def test_minutes_before_and_service_worker(client, anon) -> None:
    s = await setup_council(seats=5, delegates=2)
    await create_session(client, s)
    await add_agenda(client, s)
    await start_session(client, s)
    r = await client.get(
        f"/api/v1/sessions/{s.session_id}/minutes.docx", headers=s.h(s.delegates[0])
    )
    assert r.status_code == 200 and r.content[:2] == b"PK"
    sw = await anon.get("/meetings/sw.js")
    assert sw.status_code == 200 and "confidential" in sw.text
    assert sw.headers["content-type"].startswith("text/javascript")
