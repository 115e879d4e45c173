"""The CONTRACT's session and voting routes exist with their methods and are in the OpenAPI document."""

CONTRACT = [
    ("post", "/api/v1/sessions"),
    ("post", "/api/v1/sessions/{session_id}/items"),
    ("post", "/api/v1/sessions/{session_id}/documents"),
    ("post", "/api/v1/sessions/{session_id}/start"),
    ("post", "/api/v1/sessions/{session_id}/close"),
    ("post", "/api/v1/sessions/{session_id}/attendance"),
    ("post", "/api/v1/sessions/{session_id}/current"),
    ("post", "/api/v1/sessions/{session_id}/polls"),
    ("post", "/api/v1/polls/{poll_id}/open"),
    ("post", "/api/v1/polls/{poll_id}/close"),
    ("post", "/api/v1/polls/{poll_id}/ballots"),
    ("get", "/api/v1/polls/{poll_id}"),
    ("get", "/api/v1/sessions/{session_id}/minutes.docx"),
    ("get", "/api/v1/sessions/{session_id}/minutes.pdf"),
]


async def test_contract_routes_are_documented_in_openapi(client) -> None:
    r = await client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for method, path in CONTRACT:
        assert path in paths and method in paths[path], (method, path)


async def test_the_socketio_events_of_the_contract_are_declared() -> None:
    import meetings.events  # noqa: F401 - registers the handlers
    from council.realtime import EVENTS

    for name in ("session:join", "ballot:cast", "speaker:request", "speaker:withdraw"):
        assert name in EVENTS and EVENTS[name].perm.name


async def test_whole_numbers_beyond_the_database_answer_422_naming_the_field(client) -> None:
    """Bodies, query and form parameters alike: 2**70 fits no column (a 500 from the driver
    before), so it is refused before any service sees it."""
    from tests.meetings.helpers import (
        PDF_PAGES,
        add_agenda,
        create_session,
        setup_council,
        upload_document,
    )

    huge = 2**70
    s = await setup_council(delegates=2)
    sid = await create_session(client, s)
    await add_agenda(client, s)
    document = await upload_document(client, s)
    chair, secretariat = s.h(s.chair), s.h(s.secretariat)
    for path, headers, body, field in [
        (f"/api/v1/sessions/{sid}/current", chair, {"item_id": huge}, "item_id"),
        (f"/api/v1/sessions/{sid}/attendance", secretariat, {"user_id": huge}, "user_id"),
        (f"/api/v1/sessions/{sid}/polls", chair, {"title": "X", "item_id": huge}, "item_id"),
        (
            f"/api/v1/sessions/{sid}/polls",
            chair,
            {"title": "X", "max_choices": -huge},
            "max_choices",
        ),
    ]:
        r = await client.post(path, headers=headers, json=body)
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert field in r.json()["error"]["details"]["fields"], r.text
    r = await client.get(
        f"/api/v1/documents/{document['id']}/file", params={"version": huge}, headers=secretariat
    )
    assert r.status_code == 422 and "version" in r.json()["error"]["details"]["fields"]
    from meetings.documents.generate import make_pdf

    r = await client.post(
        f"/api/v1/sessions/{sid}/documents",
        headers=secretariat,
        data={"title": "Tờ trình", "confidentiality": "internal", "item_id": str(huge)},
        files={"file": ("a.pdf", make_pdf("Tờ trình", PDF_PAGES), "application/pdf")},
    )
    assert r.status_code == 422 and "item_id" in r.json()["error"]["details"]["fields"]
