"""Named helpers for the session workflow (Helios style): each step of a sitting, through the API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

from council.errors import DomainError
from council.models import Council, User
from meetings import services
from meetings.documents.generate import make_docx, make_pdf
from meetings.services.common import local_day
from tests.factories import bearer, make_council, make_user

PDF_PAGES = [
    "Báo cáo tình hình kinh tế - xã hội năm 2025.\nTổng thu ngân sách trên địa bàn đạt 1.234 tỷ đồng.",
    "Phương hướng, nhiệm vụ năm 2026: đẩy mạnh chuyển đổi số và cải cách hành chính.",
]


@dataclass
class Sitting:
    council: Council
    secretariat: User
    chair: User
    delegates: list[User]
    headers: dict[int, dict[str, str]] = field(default_factory=dict)
    session_id: int = 0
    items: list[int] = field(default_factory=list)

    def h(self, user: User) -> dict[str, str]:
        return self.headers[user.id]


async def setup_council(seats: int = 30, delegates: int = 22, code: str | None = None) -> Sitting:
    """A council with its secretariat, a chair (who holds a seat) and ``delegates`` delegates."""
    council = await make_council(code, seats=seats)
    secretariat = await make_user("secretariat", council, full_name="Lê Thị Ánh")
    chair = await make_user("chair", council, full_name="Trần Văn Đức")
    people = [
        await make_user("delegate", council, full_name=f"Đại biểu Số {i:02d}")
        for i in range(delegates)
    ]
    sitting = Sitting(council, secretariat, chair, people)
    for user in [secretariat, chair, *people]:
        sitting.headers[user.id] = await bearer(user)
    return sitting


async def create_session(client: httpx.AsyncClient, s: Sitting, title: str = "Kỳ họp thứ 5") -> int:
    r = await client.post(
        "/api/v1/sessions",
        headers=s.h(s.secretariat),
        json={
            "council_code": s.council.code,
            "title": title,
            # Today, in Vietnam: delegates check in on the sitting's day.
            "starts_at": f"{local_day().isoformat()}T08:00:00+07:00",
        },
    )
    assert r.status_code == 201, r.text
    s.session_id = r.json()["id"]
    return s.session_id


async def add_agenda(client: httpx.AsyncClient, s: Sitting) -> list[int]:
    for title, kind in [
        ("Báo cáo tình hình kinh tế - xã hội", "report"),
        ("Tờ trình về dự toán ngân sách năm 2026", "proposal"),
        ("Dự thảo Nghị quyết về dự toán ngân sách", "draft_resolution"),
        ("Báo cáo kết quả giải quyết kiến nghị cử tri", "petitions_report"),
    ]:
        r = await client.post(
            f"/api/v1/sessions/{s.session_id}/items",
            headers=s.h(s.secretariat),
            json={"title": title, "kind": kind},
        )
        assert r.status_code == 201, r.text
        s.items.append(r.json()["id"])
    return s.items


async def upload_document(
    client: httpx.AsyncClient,
    s: Sitting,
    *,
    title: str = "Báo cáo KT-XH",
    confidentiality: str = "internal",
    docx: bool = False,
    item_id: int | None = None,
) -> dict[str, Any]:
    data = make_docx(title, PDF_PAGES) if docx else make_pdf(title, PDF_PAGES)
    name = "bao-cao.docx" if docx else "bao-cao.pdf"
    form = {"title": title, "confidentiality": confidentiality}
    if item_id is not None:
        form["item_id"] = str(item_id)
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/documents",
        headers=s.h(s.secretariat),
        data=form,
        files={"file": (name, data, "application/octet-stream")},
    )
    assert r.status_code == 201, r.text
    return r.json()


async def start_session(client: httpx.AsyncClient, s: Sitting) -> None:
    r = await client.post(f"/api/v1/sessions/{s.session_id}/start", headers=s.h(s.chair))
    assert r.status_code == 200, r.text


async def check_in(client: httpx.AsyncClient, s: Sitting, users: list[User]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for user in users:
        r = await client.post(
            f"/api/v1/sessions/{s.session_id}/attendance", headers=s.h(user), json={}
        )
        assert r.status_code == 200, r.text
        body = r.json()
    return body


async def create_poll(client: httpx.AsyncClient, s: Sitting, **fields: Any) -> dict[str, Any]:
    payload = {
        "title": "Thông qua Nghị quyết về dự toán ngân sách",
        "kind": "motion",
        "secret": False,
        "rule": "majority_of_seats",
        **fields,
    }
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/polls", headers=s.h(s.chair), json=payload
    )
    assert r.status_code == 201, r.text
    return r.json()


async def open_poll(client: httpx.AsyncClient, s: Sitting, poll_id: int) -> httpx.Response:
    return await client.post(f"/api/v1/polls/{poll_id}/open", headers=s.h(s.chair))


async def cast(
    client: httpx.AsyncClient, s: Sitting, user: User, poll_id: int, choice: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/polls/{poll_id}/ballots", headers=s.h(user), json={"choice": choice}
    )


async def close_poll(client: httpx.AsyncClient, s: Sitting, poll_id: int) -> dict[str, Any]:
    r = await client.post(f"/api/v1/polls/{poll_id}/close", headers=s.h(s.chair))
    assert r.status_code == 200, r.text
    return r.json()


async def setup_running_session(
    client: httpx.AsyncClient, seats: int = 30, present: int = 22
) -> Sitting:
    """A session in progress with an agenda and ``present`` seat-holders checked in (chair included)."""
    s = await setup_council(seats=seats, delegates=max(present, 1))
    await create_session(client, s)
    await add_agenda(client, s)
    await start_session(client, s)
    await check_in(client, s, [s.chair, *s.delegates[: present - 1]])
    return s


async def open_poll_in_session(
    client: httpx.AsyncClient, seats: int = 30, present: int = 22, **fields: Any
) -> tuple[Sitting, dict[str, Any]]:
    """A session in progress (as ``setup_running_session``) with a poll created and opened."""
    s = await setup_running_session(client, seats=seats, present=present)
    poll = await create_poll(client, s, **fields)
    r = await open_poll(client, s, poll["id"])
    assert r.status_code == 200, r.text
    return s, poll


async def cast_outcome(user: User, poll_id: int, choice: Any) -> str:
    """Cast through the service; ``"recorded"`` or the refusal's error code."""
    try:
        await services.ballot_cast(user, poll_id, choice)
    except DomainError as exc:
        return exc.code
    return "recorded"


def pause_poll_openings(monkeypatch: Any, seconds: float) -> asyncio.Event:
    """Each poll opening pauses ``seconds`` (on PostgreSQL, in the database, its transaction open)
    once it has read the sitting, its quorum and its other polls, and before it writes: two
    actions sent together then meet inside that window unless they take turns. The event is set
    when an opening gets there (SQLite runs the program in its own thread)."""
    from meetings.services import voting

    original = voting._open_program
    loop = asyncio.get_running_loop()
    there = asyncio.Event()

    def pausing(*args: Any, **kwargs: Any) -> Any:
        program = original(*args, **kwargs)
        step = next(program)
        reply = yield step
        pause = f"SELECT pg_sleep({seconds})" if args[4] == "postgres" else "SELECT 1"
        while True:
            if "meetings_attendance" in step[0]:  # the read of the session and its other polls
                loop.call_soon_threadsafe(there.set)
                yield (pause, [], False)
            try:
                step = program.send(reply)
            except StopIteration as done:
                return done.value
            reply = yield step

    monkeypatch.setattr(voting, "_open_program", pausing)
    return there
