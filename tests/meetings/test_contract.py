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
