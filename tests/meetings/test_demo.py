"""The meetings demo: a sitting in progress that a demo delegate can join and vote in."""

import pytest

from council.demo import DEMO_PASSWORD, load_core
from council.localtime import LOCAL_TZ
from meetings import demo
from meetings.models import Document, Poll, Session


@pytest.mark.slow
async def test_demo_sitting_is_ready_to_vote_and_safe_to_run_twice(settings, client) -> None:
    logins = await load_core()
    assert await demo.load(settings) == []
    assert await demo.load(settings) == []
    assert ("delegate", "hn.badinh.db001", DEMO_PASSWORD) in logins
    session = await Session.get(title=demo.TITLE)
    assert session.status == "in_progress"
    # Sittings start at a plausible hour (08:00 in Vietnam), whenever the demo is loaded.
    for sitting in await Session.all():
        assert sitting.starts_at.astimezone(LOCAL_TZ).strftime("%H:%M") == "08:00", sitting.title
    docs = await Document.filter(session_id=session.id)
    assert {d.confidentiality for d in docs} == {"public", "internal", "confidential"}
    open_poll = await Poll.get(session_id=session.id, status="open")

    r = await client.post(
        "/api/v1/auth/token", json={"username": "hn.badinh.db001", "password": DEMO_PASSWORD}
    )
    assert r.status_code == 200
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await client.post(f"/api/v1/sessions/{session.id}/attendance", headers=headers, json={})
    assert r.json()["quorum_met"] is True
    r = await client.post(
        f"/api/v1/polls/{open_poll.id}/ballots", headers=headers, json={"choice": "yes"}
    )
    assert r.status_code == 201
    state = (await client.get(f"/api/v1/sessions/{session.id}", headers=headers)).json()
    assert len(state["items"]) == 9 and state["poll"]["has_voted"] is True
    doc = next(d for d in docs if d.title.startswith("Dự thảo Nghị quyết"))
    text = (await client.get(f"/api/v1/documents/{doc.id}", headers=headers)).json()["pages"]
    assert "Luật Tổ chức chính quyền địa phương" in text[0]["text"]
