"""Named helpers for petition tests: a city with communes, agencies and staff, filing, acting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from council.models import Agency, Council, User
from tests.factories import bearer, make_agency, make_commune, make_council, make_user


@dataclass
class World:
    city: Council
    commune: Council
    other_commune: Council
    other_city: Council
    city_agency: Agency
    commune_agency: Agency
    other_agency: Agency
    admin: User
    city_sec: User
    commune_sec: User
    other_sec: User
    commune_chair: User
    commune_delegate: User
    city_officer: User
    commune_officer: User
    other_officer: User
    citizen: User


async def setup_world() -> World:
    """Hà Nội with two wards, a second city, their secretariats, agencies and officers."""
    city = await make_council(
        "HN", level="city", seats=95, name="Hội đồng nhân dân thành phố Hà Nội"
    )
    commune = await make_commune(city, "HN-BADINH")
    other_commune = await make_commune(city, "HN-HOANKIEM")
    other_city = await make_council("HP", level="city", seats=60)
    city_agency = await make_agency(city, "SO-XD", categories=["transport", "construction"])
    commune_agency = await make_agency(commune, "UB-BADINH", categories=["administration"])
    other_agency = await make_agency(other_city, "HP-SO-XD", categories=["transport"])
    return World(
        city=city,
        commune=commune,
        other_commune=other_commune,
        other_city=other_city,
        city_agency=city_agency,
        commune_agency=commune_agency,
        other_agency=other_agency,
        admin=await User.get(role="admin"),
        city_sec=await make_user("secretariat", city, full_name="Văn phòng Hà Nội"),
        commune_sec=await make_user("secretariat", commune, full_name="Văn phòng Ba Đình"),
        other_sec=await make_user("secretariat", other_commune),
        commune_chair=await make_user("chair", commune),
        commune_delegate=await make_user("delegate", commune),
        city_officer=await make_user("agency", agency=city_agency),
        commune_officer=await make_user("agency", agency=commune_agency),
        other_officer=await make_user("agency", agency=other_agency),
        citizen=await make_user("citizen"),
    )


PETITION = {
    "council_code": "HN-BADINH",
    "category": "transport",
    "title": "Đề nghị sửa chữa mặt đường Láng bị hư hỏng",
    "body": "Mặt đường Láng đoạn qua tổ dân phố số 5 bị bong tróc, nhiều ổ gà sâu, mất an toàn giao thông.",
    "name": "Nguyễn Thị Hoa",
    "phone": "0912 345 678",
    "email": "hoa.nguyen@example.vn",
    "address": "Số 12 ngõ 58 phố Trần Bình",
}

PERSONAL_VALUES = (
    "Nguyễn Thị Hoa",
    "0912 345 678",
    "hoa.nguyen@example.vn",
    "Số 12 ngõ 58 phố Trần Bình",
)


async def file_petition(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """File through the public API; returns {code, token, status, due_at}."""
    r = await client.post("/api/v1/petitions", json={**PETITION, **overrides})
    assert r.status_code == 201, r.text
    return r.json()


async def act(
    client: httpx.AsyncClient, user: User, code: str, action: str, **args: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/petitions/{code}/actions",
        json={"action": action, **args},
        headers=await bearer(user),
    )


async def act_ok(
    client: httpx.AsyncClient, user: User, code: str, action: str, **args: Any
) -> dict[str, Any]:
    r = await act(client, user, code, action, **args)
    assert r.status_code == 200, r.text
    return r.json()


async def escalate_assign_answer_publish(
    client: httpx.AsyncClient, w: World, code: str
) -> dict[str, Any]:
    """Drive a commune petition through the city to a published answer."""
    await act_ok(client, w.commune_sec, code, "escalate")
    await act_ok(client, w.city_sec, code, "assign", agency_code=w.city_agency.code)
    await act_ok(
        client,
        w.city_officer,
        code,
        "answer",
        text="Sở Xây dựng đã đưa đoạn đường vào kế hoạch duy tu quý III/2026.",
    )
    return await act_ok(client, w.city_sec, code, "publish")


async def make_overdue(code: str) -> None:
    """Backdate the open hop (and its mirror on the petition) by a year, then reindex it."""
    from petitions import indexing
    from petitions.models import Hop, Petition

    hop = await Hop.get(petition__code=code, ended_at__isnull=True)
    hop.due_at = hop.started_at.replace(year=hop.started_at.year - 1)
    await hop.save()
    await Petition.filter(code=code).update(due_at=hop.due_at)
    await indexing.petition_changed(await Petition.get(code=code))
