"""Deny tests: every permission-bearing meetings route refuses the wrong role and the other council."""

import dataclasses

import pytest

from meetings.documents.generate import make_pdf
from tests.factories import bearer, error_code, login, make_council, make_user
from tests.meetings.helpers import create_poll, setup_running_session, upload_document


@pytest.fixture
async def world(client):
    s = await setup_running_session(client, seats=5, present=4)
    doc = await upload_document(client, s)
    poll = await create_poll(client, s)
    other = await make_council()
    outsiders = {
        role: await make_user(role, other) for role in ("secretariat", "chair", "delegate")
    }
    request = (
        await client.post(f"/api/v1/sessions/{s.session_id}/speakers", headers=s.h(s.delegates[0]))
    ).json()
    return {
        "s": s,
        "doc": doc,
        "poll": poll,
        "other": other,
        "outsiders": outsiders,
        "request_id": request["request_id"],
    }


def _routes(w):
    s = w["s"]
    sid, pid, did, iid = s.session_id, w["poll"]["id"], w["doc"]["id"], s.items[0]
    uid = s.delegates[0].id
    pdf = {
        "files": {"file": ("a.pdf", make_pdf("A", ["b"]), "application/pdf")},
        "data": {"title": "t"},
    }
    return [
        # (method, url, kwargs, a role of the same council that is refused, refused outsider role)
        (
            "POST",
            "/api/v1/sessions",
            {
                "json": {
                    "council_code": s.council.code,
                    "title": "x",
                    "starts_at": "2026-01-01T08:00:00Z",
                }
            },
            "delegate",
            "secretariat",
        ),
        (
            "POST",
            f"/api/v1/sessions/{sid}/items",
            {"json": {"title": "x"}},
            "delegate",
            "secretariat",
        ),
        ("POST", f"/api/v1/items/{iid}/move", {"json": {"position": 2}}, "delegate", "secretariat"),
        (
            "POST",
            f"/api/v1/sessions/{sid}/items/order",
            {"json": {"order": s.items}},
            "delegate",
            "chair",
        ),
        ("POST", f"/api/v1/sessions/{sid}/documents", pdf, "delegate", "secretariat"),
        (
            "POST",
            f"/api/v1/documents/{did}/versions",
            {"files": pdf["files"]},
            "delegate",
            "secretariat",
        ),
        ("PATCH", f"/api/v1/documents/{did}", {"json": {"title": "y"}}, "delegate", "secretariat"),
        ("POST", f"/api/v1/sessions/{sid}/publish", {}, "delegate", "secretariat"),
        ("POST", f"/api/v1/sessions/{sid}/start", {}, "delegate", "chair"),
        ("POST", f"/api/v1/sessions/{sid}/close", {}, "delegate", "chair"),
        (
            "POST",
            f"/api/v1/sessions/{sid}/current",
            {"json": {"item_id": iid}},
            "delegate",
            "chair",
        ),
        ("POST", f"/api/v1/sessions/{sid}/polls", {"json": {"title": "x"}}, "delegate", "chair"),
        ("POST", f"/api/v1/polls/{pid}/open", {}, "delegate", "chair"),
        ("POST", f"/api/v1/polls/{pid}/close", {}, "delegate", "chair"),
        (
            "POST",
            f"/api/v1/polls/{pid}/ballots",
            {"json": {"choice": "yes"}},
            "secretariat",
            "delegate",
        ),
        ("GET", f"/api/v1/polls/{pid}", {}, "citizen", "delegate"),
        ("GET", f"/api/v1/sessions/{sid}", {}, "citizen", "delegate"),
        ("POST", f"/api/v1/sessions/{sid}/attendance", {"json": {}}, "citizen", "delegate"),
        ("GET", f"/api/v1/sessions/{sid}/attendance", {}, "citizen", "secretariat"),
        ("POST", f"/api/v1/sessions/{sid}/speakers", {}, "secretariat", "delegate"),
        ("POST", f"/api/v1/sessions/{sid}/speakers/withdraw", {}, "secretariat", "delegate"),
        ("POST", f"/api/v1/speakers/{w['request_id']}/floor", {}, "delegate", "chair"),
        ("POST", f"/api/v1/sessions/{sid}/speakers/finish", {}, "delegate", "chair"),
        ("PUT", f"/api/v1/documents/{did}/notes/1", {"json": {"text": "x"}}, "citizen", "delegate"),
        ("GET", f"/api/v1/documents/{did}", {}, "citizen", "delegate"),
        ("GET", f"/api/v1/documents/{did}/file", {}, "citizen", "delegate"),
        ("GET", f"/api/v1/documents/{did}/pages", {}, "citizen", "delegate"),
        ("GET", f"/api/v1/documents/{did}/pages/1.webp", {}, "citizen", "delegate"),
        ("GET", f"/api/v1/sessions/{sid}/documents", {}, "citizen", "delegate"),
        ("GET", f"/api/v1/sessions/{sid}/minutes.pdf", {}, "citizen", "chair"),
        ("GET", f"/api/v1/sessions/{sid}/minutes.docx", {}, "citizen", "secretariat"),
        ("PATCH", f"/api/v1/sessions/{sid}", {"json": {"title": "y"}}, "delegate", "chair"),
        (
            "POST",
            f"/api/v1/sessions/{sid}/copy",
            {"json": {"title": "y", "starts_at": "2027-01-01T08:00:00+07:00"}},
            "chair",
            "secretariat",
        ),
        ("PATCH", f"/api/v1/items/{iid}", {"json": {"title": "y"}}, "delegate", "secretariat"),
        ("DELETE", f"/api/v1/items/{iid}", {}, "delegate", "secretariat"),
        ("DELETE", f"/api/v1/documents/{did}", {}, "delegate", "secretariat"),
        ("GET", f"/api/v1/sessions/{sid}/history", {}, "citizen", "delegate"),
        ("POST", f"/api/v1/sessions/{sid}/notices/read", {}, "citizen", "delegate"),
        ("POST", f"/api/v1/sessions/{sid}/attendance/open", {}, "chair", "secretariat"),
        ("DELETE", f"/api/v1/sessions/{sid}/attendance/{uid}", {}, "chair", "secretariat"),
        (
            "PUT",
            f"/api/v1/sessions/{sid}/absences/{uid}",
            {"json": {"reason": "Ốm"}},
            "delegate",
            "secretariat",
        ),
        ("DELETE", f"/api/v1/sessions/{sid}/absences/{uid}", {}, "delegate", "secretariat"),
        ("POST", f"/api/v1/polls/{pid}/revote", {"json": {"reason": "x"}}, "delegate", "chair"),
        (
            "POST",
            f"/api/v1/polls/{pid}/hand-votes",
            {"json": {"user_id": uid, "choice": "yes"}},
            "chair",
            "secretariat",
        ),
        ("GET", f"/api/v1/polls/{pid}/hand-votes", {}, "delegate", "chair"),
        (
            "PUT",
            f"/api/v1/sessions/{sid}/minutes/number",
            {"json": {"number": 1}},
            "delegate",
            "secretariat",
        ),
    ]


async def test_wrong_role_and_other_council_are_refused(client, world) -> None:
    s = world["s"]
    citizen = await make_user("citizen")
    same_council = {
        "delegate": s.delegates[-1],
        "secretariat": s.secretariat,
        "citizen": citizen,
        "chair": s.chair,
    }
    for method, url, kwargs, role, outsider_role in _routes(world):
        user = same_council[role]
        r = await client.request(method, url, headers=await bearer(user), **kwargs)
        assert r.status_code == 403, (method, url, role, r.status_code, r.text)
        outsider = world["outsiders"][outsider_role]
        r = await client.request(method, url, headers=await bearer(outsider), **kwargs)
        assert r.status_code == 403, (method, url, outsider_role, r.status_code, r.text)
        r = await client.request(method, url, **kwargs)
        assert r.status_code == 401, (method, url, "anonymous", r.status_code)


async def test_an_unknown_target_is_not_found_for_a_role_that_may_act(client, world) -> None:
    """Resolvers raise NotFound for a target that does not exist (docs/architecture.md), for
    every role as for an admin: a missing poll or session was a 403, as if it were another
    council's."""
    s, unknown = world["s"], 2**31 - 1
    gone = {
        **world,
        "s": dataclasses.replace(s, session_id=unknown, items=[unknown]),
        "doc": {"id": unknown},
        "poll": {"id": unknown},
        "request_id": unknown,
    }
    own = {"delegate": s.delegates[0], "chair": s.chair, "secretariat": s.secretariat}
    checked = 0
    for method, url, kwargs, _, role in _routes(gone):
        if str(unknown) not in url:
            continue
        r = await client.request(method, url, headers=await bearer(own[role]), **kwargs)
        assert r.status_code == 404 and error_code(r) == "not_found", (method, url, r.text)
        checked += 1
    assert checked >= 20
    r = await client.post(
        "/api/v1/sessions",
        headers=s.h(s.secretariat),
        json={"council_code": "NO-SUCH", "title": "x", "starts_at": "2026-01-01T08:00:00Z"},
    )
    assert r.status_code == 404 and error_code(r) == "not_found"
    await login(client, s.chair)
    for url in (f"/meetings/sessions/{unknown}/chair", f"/meetings/sessions/{unknown}/tablet"):
        assert (await client.get(url)).status_code == 404, url


async def test_html_pages_refuse_wrong_role_and_other_council(client, world) -> None:
    s = world["s"]
    sid = s.session_id
    await login(client, world["outsiders"]["chair"])
    for url in (
        f"/meetings/sessions/{sid}/chair",
        f"/meetings/sessions/{sid}/prepare",
        f"/meetings/sessions/{sid}/tablet",
        f"/meetings/sessions/{sid}/hall",
        f"/meetings/documents/{world['doc']['id']}",
    ):
        assert (await client.get(url)).status_code == 403, url
    r = await client.post(f"/meetings/sessions/{sid}/chair/start")
    assert r.status_code == 403
    await login(client, s.delegates[0])
    for url in (f"/meetings/sessions/{sid}/chair", f"/meetings/sessions/{sid}/prepare"):
        assert (await client.get(url)).status_code == 403, url
    r = await client.post(f"/meetings/sessions/{sid}/items", data={"title": "x"})
    assert r.status_code == 403
    client.cookies.clear()
    r = await client.get(f"/meetings/sessions/{sid}/tablet")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_an_agency_officer_or_a_citizen_of_the_council_reads_public_documents_only(
    client, world
) -> None:
    """The city's agencies and citizens belong to its council but hold no seat in it: they see
    what the public sees of its sessions, not its internal documents."""
    from meetings.services import session_documents_for_reader
    from tests.factories import login, make_agency

    s = world["s"]
    sid, internal = s.session_id, world["doc"]
    public = await upload_document(client, s, title="Báo cáo công khai", confidentiality="public")
    officer = await make_user("agency", agency=await make_agency(s.council))
    citizen = await make_user("citizen", s.council)
    assert officer.council_id == citizen.council_id == s.council.id
    for user in (officer, citizen):
        headers = await bearer(user)
        r = await client.get(f"/api/v1/sessions/{sid}/documents", headers=headers)
        assert r.status_code == 403, (user.role, r.text)
        for url in (
            f"/api/v1/documents/{internal['id']}",
            f"/api/v1/documents/{internal['id']}/file",
        ):
            assert (await client.get(url, headers=headers)).status_code == 403, (user.role, url)
        assert (
            await client.get(f"/api/v1/documents/{public['id']}", headers=headers)
        ).status_code == 200
        assert [d.title for d in await session_documents_for_reader(user, sid)] == [
            "Báo cáo công khai"
        ]
        await login(client, user)
        page = await client.get(f"/meetings/documents/{internal['id']}")
        assert page.status_code == 403 and internal["title"] not in page.text
        client.cookies.clear()
    # The council's seats, its secretariat and an admin still read it.
    for user in (s.delegates[0], s.chair, s.secretariat, await make_user("admin")):
        headers = await bearer(user)
        listed = (await client.get(f"/api/v1/sessions/{sid}/documents", headers=headers)).json()
        assert {d["id"] for d in listed["items"]} == {internal["id"], public["id"]}, user.role
        r = await client.get(f"/api/v1/documents/{internal['id']}/file", headers=headers)
        assert r.status_code == 200, user.role
