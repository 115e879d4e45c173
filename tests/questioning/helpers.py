"""Named helpers for the questioning tests: a council with a coming sitting, its people, and each
step of the flow as one call through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from council.models import Agency, Council, User
from meetings.services import sessions as meeting_sessions
from tests.factories import bearer, make_agency, make_council, make_user


@dataclass
class World:
    council: Council
    other: Council
    agency: Agency
    other_agency: Agency
    session_id: int
    other_session_id: int
    admin: User
    secretariat: User
    chair: User
    delegate: User
    delegate2: User
    official: User
    other_official: User
    other_secretariat: User
    other_delegate: User
    other_chair: User
    citizen: User

    def by_role(self, role: str, own: bool) -> User:
        """A user of ``role`` in the sitting's council (own) or in the other one."""
        table = {
            ("secretariat", True): self.secretariat,
            ("chair", True): self.chair,
            ("delegate", True): self.delegate,
            ("agency", True): self.official,
            ("secretariat", False): self.other_secretariat,
            ("delegate", False): self.other_delegate,
            ("chair", False): self.other_chair,
            ("agency", False): self.other_official,
            ("citizen", True): self.citizen,
            ("citizen", False): self.citizen,
            ("admin", True): self.admin,
            ("admin", False): self.admin,
        }
        return table[(role, own)]


async def coming_sitting(secretariat: User, council: Council, days: int = 14) -> int:
    session = await meeting_sessions.session_create(
        secretariat,
        council_code=council.code,
        title="Kỳ họp thường lệ cuối năm",
        starts_at=datetime.now(UTC) + timedelta(days=days),
    )
    await meeting_sessions.session_publish(secretariat, session.id)
    return session.id


async def setup_world() -> World:
    council = await make_council(seats=30)
    other = await make_council(seats=30)
    agency = await make_agency(council, "SO-XD-Q")
    other_agency = await make_agency(other, "SO-XD-O")
    secretariat = await make_user("secretariat", council)
    other_secretariat = await make_user("secretariat", other)
    return World(
        council=council,
        other=other,
        agency=agency,
        other_agency=other_agency,
        session_id=await coming_sitting(secretariat, council),
        other_session_id=await coming_sitting(other_secretariat, other),
        admin=await User.filter(role="admin").first() or await make_user("admin"),
        secretariat=secretariat,
        chair=await make_user("chair", council),
        delegate=await make_user("delegate", council),
        delegate2=await make_user("delegate", council),
        official=await make_user("agency", agency=agency, full_name="Trần Văn Sở"),
        other_official=await make_user("agency", agency=other_agency),
        other_secretariat=other_secretariat,
        other_delegate=await make_user("delegate", other),
        other_chair=await make_user("chair", other),
        citizen=await make_user("citizen"),
    )


def form_body(agency_code: str = "SO-XD-Q", **over: Any) -> dict[str, Any]:
    return {
        "agency_code": agency_code,
        "official_name": "Nguyễn Văn Giám",
        "official_title": "Giám đốc Sở Xây dựng",
        "field": "Giao thông",
        "text": "Đề nghị Giám đốc cho biết tiến độ sửa chữa mặt đường Hoàng Hoa Thám bị hư hỏng.",
        **over,
    }


async def call(
    client: httpx.AsyncClient, user: User | None, method: str, path: str, **kw: Any
) -> httpx.Response:
    headers = await bearer(user) if user is not None else {}
    return await client.request(method, path, headers=headers, **kw)


async def ok(
    client: httpx.AsyncClient, user: User | None, method: str, path: str, **kw: Any
) -> Any:
    r = await call(client, user, method, path, **kw)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def file_question(
    client: httpx.AsyncClient, w: World, user: User | None = None, **over: Any
) -> dict[str, Any]:
    return await ok(
        client,
        user or w.delegate,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/forms",
        json=form_body(**over),
    )


async def visible_ids(client: httpx.AsyncClient, user: User | None, session_id: int) -> set[int]:
    data = await ok(client, user, "GET", f"/api/v1/questioning/sessions/{session_id}/forms")
    return {f["id"] for f in data["items"]}


async def start_questioning_item(w: World, session_id: int | None = None) -> int:
    """Start the sitting and make an agenda item of kind questioning the current one."""
    sid = session_id or w.session_id
    item = await meeting_sessions.item_create(
        w.secretariat, sid, title="Chất vấn và trả lời chất vấn", kind="questioning"
    )
    await meeting_sessions.session_start(w.secretariat, sid)
    await meeting_sessions.session_set_current(w.secretariat, sid, item.id)
    return item.id
