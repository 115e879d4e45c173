"""council.create, council.list, agency.create, user.create, user.list over the JSON API."""

from __future__ import annotations

from council.errors import Conflict
from tests.factories import bearer, error_code, make_agency, make_commune, make_council, make_user


async def test_admin_creates_city_and_commune(client):
    admin = await make_user("admin")
    h = await bearer(admin)
    r = await client.post(
        "/api/v1/councils",
        headers=h,
        json={"code": "HN", "name": "HĐND Hà Nội", "level": "city", "seats": 95},
    )
    assert r.status_code == 201
    city = r.json()
    assert city["quorum"] == "2/3" and city["quorum_count"] == 64
    r = await client.post(
        "/api/v1/councils",
        headers=h,
        json={
            "code": "HN-BD",
            "name": "HĐND phường Ba Đình",
            "level": "commune",
            "parent_code": "HN",
            "seats": 30,
            "quorum": "1/2",
        },
    )
    assert (
        r.status_code == 201 and r.json()["parent_code"] == "HN" and r.json()["quorum_count"] == 15
    )
    listed = (await client.get("/api/v1/councils")).json()["items"]
    assert [c["code"] for c in listed] == ["HN", "HN-BD"]


async def test_council_validation_errors_are_422_in_vietnamese(client):
    h = await bearer(await make_user("admin"))
    r = await client.post(
        "/api/v1/councils",
        headers=h,
        json={"code": "X", "name": "Xã", "level": "commune", "seats": 0},
    )
    assert r.status_code == 422
    assert "seats" in r.json()["error"]["details"]["fields"]
    r = await client.post(
        "/api/v1/councils",
        headers=h,
        json={"code": "XA", "name": "Xã A", "level": "commune", "seats": 20},
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"]["fields"]["parent_code"].startswith("Xã, phường")
    r = await client.post(
        "/api/v1/councils",
        headers=h,
        json={"code": "XB", "name": "Xã B", "level": "city", "seats": 20, "quorum": "3/0"},
    )
    assert r.status_code == 422


async def test_duplicate_council_code_is_409(client):
    h = await bearer(await make_user("admin"))
    body = {"code": "DN", "name": "HĐND Đà Nẵng", "level": "city", "seats": 50}
    assert (await client.post("/api/v1/councils", headers=h, json=body)).status_code == 201
    r = await client.post("/api/v1/councils", headers=h, json=body)
    assert r.status_code == 409 and error_code(r) == "duplicate"


async def test_only_admin_creates_councils_and_agencies(client):
    council = await make_council()
    for role in ("secretariat", "chair", "delegate"):
        h = await bearer(await make_user(role, council))
        r = await client.post(
            "/api/v1/councils",
            headers=h,
            json={"code": "ZZ", "name": "Z city", "level": "city", "seats": 10},
        )
        assert r.status_code == 403, role
        r = await client.post(
            "/api/v1/agencies",
            headers=h,
            json={"code": "AGZ", "name": "Sở Z", "council_code": council.code},
        )
        assert r.status_code == 403, role
    r = await client.post(
        "/api/v1/councils", json={"code": "ZZ", "name": "Z city", "level": "city", "seats": 10}
    )
    assert r.status_code == 401


async def test_agency_create_and_list(client):
    council = await make_council("HP")
    h = await bearer(await make_user("admin"))
    r = await client.post(
        "/api/v1/agencies",
        headers=h,
        json={
            "code": "SO-GTVT",
            "name": "Sở Giao thông",
            "council_code": "HP",
            "categories": ["transport"],
        },
    )
    assert r.status_code == 201
    assert r.json()["categories"] == ["transport"] and r.json()["council_code"] == council.code
    r = await client.get("/api/v1/agencies?council_code=HP")
    assert [a["code"] for a in r.json()["items"]] == ["SO-GTVT"]


async def test_secretariat_creates_own_delegates_only(client):
    city = await make_council()
    commune = await make_commune(city)
    sec = await make_user("secretariat", commune)
    h = await bearer(sec)
    r = await client.post(
        "/api/v1/users",
        headers=h,
        json={
            "username": "daibieu01",
            "password": "mat-khau-1",
            "full_name": "Nguyễn Văn A",
            "role": "delegate",
            "council_code": commune.code,
        },
    )
    assert r.status_code == 201 and r.json()["council_code"] == commune.code
    # another council
    r = await client.post(
        "/api/v1/users",
        headers=h,
        json={
            "username": "daibieu02",
            "password": "mat-khau-1",
            "full_name": "B",
            "role": "delegate",
            "council_code": city.code,
        },
    )
    assert r.status_code == 403
    # a role a secretariat may not create
    r = await client.post(
        "/api/v1/users",
        headers=h,
        json={"username": "quantri2", "password": "mat-khau-1", "role": "admin"},
    )
    assert r.status_code == 403


async def test_delegate_and_agency_cannot_create_users(client):
    council = await make_council()
    agency = await make_agency(council)
    for user in (
        await make_user("delegate", council),
        await make_user("agency", agency=agency),
        await make_user("citizen"),
    ):
        r = await client.post(
            "/api/v1/users",
            headers=await bearer(user),
            json={
                "username": "x" + str(user.id) + "abc",
                "password": "mat-khau-1",
                "role": "citizen",
            },
        )
        assert r.status_code == 403


async def test_user_list_is_scoped_to_own_council(client):
    a = await make_council()
    b = await make_council()
    sec_a = await make_user("secretariat", a)
    await make_user("delegate", a)
    await make_user("delegate", b)
    r = await client.get("/api/v1/users", headers=await bearer(sec_a))
    assert r.status_code == 200
    assert {u["council_code"] for u in r.json()["items"]} == {a.code}
    r = await client.get("/api/v1/users", headers=await bearer(await make_user("delegate", a)))
    assert r.status_code == 403


async def test_user_list_filters_by_a_known_role_only(client):
    """An unknown role is a 422 naming it; one longer than the column failed in the ORM (500)."""
    headers = await bearer(await make_user("admin"))
    await make_user("delegate", await make_council())
    r = await client.get("/api/v1/users", params={"role": "delegate"}, headers=headers)
    assert r.status_code == 200 and {u["role"] for u in r.json()["items"]} == {"delegate"}
    for role in ("president", "x" * 40):
        r = await client.get("/api/v1/users", params={"role": role}, headers=headers)
        assert r.status_code == 422 and "role" in r.json()["error"]["details"]["fields"]


async def test_nfc_normalization_of_names(client):
    h = await bearer(await make_user("admin"))
    decomposed = "Ha\u0300 No\u0302\u0323i"  # "Hà Nội" written with combining marks
    r = await client.post(
        "/api/v1/councils",
        headers=h,
        json={"code": "NFC", "name": decomposed, "level": "city", "seats": 10},
    )
    assert r.json()["name"] == "Hà Nội"


async def test_a_council_has_no_more_active_seat_holders_than_seats(client):
    from council import services

    council = await make_council(seats=3)
    secretariat = await make_user("secretariat", council)
    h = await bearer(secretariat)
    await make_user("chair", council)
    first = await make_user("delegate", council)
    await make_user("delegate", council)

    def new(username: str) -> dict[str, str]:
        return {
            "username": username,
            "password": "mat-khau-dai-du",
            "full_name": "Đại biểu mới",
            "role": "delegate",
            "council_code": council.code,
        }

    r = await client.post("/api/v1/users", headers=h, json=new("db.thu4"))
    assert r.status_code == 409 and error_code(r) == "seats_full"
    assert "3" in r.json()["error"]["message"]
    # Staff accounts hold no seat.
    admin = await bearer(await make_user("admin"))
    r = await client.post(
        "/api/v1/users", headers=admin, json={**new("vp.thu2"), "role": "secretariat"}
    )
    assert r.status_code == 201
    # A delegate who left is deactivated; then the seat is free, and not twice.
    await services.user_update(secretariat, first, is_active=False)
    r = await client.post("/api/v1/users", headers=h, json=new("db.thu4"))
    assert r.status_code == 201
    try:
        await services.user_update(secretariat, first, is_active=True)
    except Conflict as exc:
        assert exc.code == "seats_full"
    else:
        raise AssertionError("a fourth seat holder was reactivated on three seats")
    # Nor can the seats go below the accounts that hold them.
    try:
        await services.council_update(secretariat, council, seats=2)
    except Conflict as exc:
        assert exc.code == "seats_below_holders"
    else:
        raise AssertionError("seats lowered below their holders")
    assert (await services.council_update(secretariat, council, seats=4)).seats == 4


async def test_a_roll_import_fits_in_the_free_seats(client):
    from council import services

    council = await make_council(seats=3)
    secretariat = await make_user("secretariat", council)
    await make_user("chair", council)
    csv = "username,full_name\ndb.mot,Nguyễn Văn Một\ndb.hai,Trần Thị Hai\ndb.ba,Lê Văn Ba\n"
    result = await services.roll_import(secretariat, council, csv.encode())
    assert not result.created and "2" in result.errors[0][1] and "3" in result.errors[0][1]
    result = await services.roll_import(secretariat, council, csv.rsplit("db.ba", 1)[0].encode())
    assert len(result.created) == 2 and not result.errors


async def test_a_users_title_is_in_the_user_json(client):
    """chức vụ (council migration 0005): shown beside an official's name at the questioning."""
    council = await make_council()
    agency = await make_agency(council, "SO-XD-T")
    admin_h = await bearer(await make_user("admin"))
    r = await client.post(
        "/api/v1/users",
        headers=admin_h,
        json={
            "username": "giamdoc.soxd",
            "password": "mat-khau-1",
            "full_name": "Trần Văn Sở",
            "title": "Giám đốc Sở Xây dựng",
            "role": "agency",
            "agency_code": agency.code,
        },
    )
    assert r.status_code == 201 and r.json()["title"] == "Giám đốc Sở Xây dựng"
    listed = await client.get("/api/v1/users", params={"role": "agency"}, headers=admin_h)
    titles = {u["username"]: u["title"] for u in listed.json()["items"]}
    assert titles["giamdoc.soxd"] == "Giám đốc Sở Xây dựng"
    official = await make_user("agency", agency=agency, title="Phó Giám đốc Sở Xây dựng")
    me = await client.get("/api/v1/me", headers=await bearer(official))
    assert me.json()["title"] == "Phó Giám đốc Sở Xây dựng"
    delegate = await make_user("delegate", council)
    assert (await client.get("/api/v1/me", headers=await bearer(delegate))).json()["title"] == ""
    r = await client.post(
        "/api/v1/users",
        headers=admin_h,
        json={
            "username": "dai.bieu9",
            "password": "mat-khau-1",
            "role": "citizen",
            "title": "x" * 201,
        },
    )
    assert r.status_code == 422 and "title" in r.json()["error"]["details"]["fields"]
