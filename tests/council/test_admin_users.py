"""Admin and secretariat pages for people: user.list, user.create, user.update, user.deactivate,
user.reactivate, user.reset_password; a secretariat manages only its own council's delegates and
displays, and the pages show only those; accounts that sign (chair, secretariat) only an admin
creates or changes."""

from __future__ import annotations

import re

import pytest

from council.auth import SESSION_COOKIE, issue_token, user_for_token
from council.models import AuditEntry, Council, User
from tests.factories import (
    PASSWORD,
    htmx,
    login,
    make_agency,
    make_commune,
    make_council,
    make_user,
)

WRONG_ROLES = ("chair", "delegate", "agency", "citizen")


async def _as(client, role: str, council: Council | None = None) -> User:
    if role == "agency":
        council = council or await make_council()
        user = await make_user("agency", agency=await make_agency(council))
    else:
        user = await make_user(role, council if role != "admin" else None)
    await login(client, user)
    return user


def _is_fragment(r, element_id: str) -> bool:
    return "<html" not in r.text and f'id="{element_id}"' in r.text


async def _two_communes() -> tuple[Council, Council]:
    city = await make_council("HN", seats=95)
    return (
        await make_commune(city, "HN-BADINH", seats=40),
        await make_commune(city, "HN-SOCSON", seats=40),
    )


async def _token_works(client, username: str, password: str) -> bool:
    r = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    return r.status_code == 200


# --- lists ------------------------------------------------------------------------------------


async def test_admin_lists_everyone_and_filters_as_page_and_fragment(client):
    a, b = await _two_communes()
    await make_user("delegate", a, username="nguyenvanan", full_name="Nguyễn Văn An")
    await make_user("chair", a, username="tranthibinh", full_name="Trần Thị Bình")
    await make_user("delegate", b, username="levancuong", full_name="Lê Văn Cường")
    await _as(client, "admin")
    page = await client.get("/admin/users")
    assert page.status_code == 200 and "<html" in page.text
    assert all(n in page.text for n in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"))
    r = await client.get("/admin/users?council=HN-BADINH&role=delegate", headers=htmx())
    assert _is_fragment(r, "user-list")
    assert (
        "Nguyễn Văn An" in r.text and "Trần Thị Bình" not in r.text and "Lê Văn Cường" not in r.text
    )
    r = await client.get("/admin/users?q=Bình", headers=htmx())
    assert "Trần Thị Bình" in r.text and "Nguyễn Văn An" not in r.text
    r = await client.get("/admin/users?q=LEVAN", headers=htmx())
    assert "Lê Văn Cường" in r.text and "Nguyễn Văn An" not in r.text
    r = await client.get("/admin/users?council=NOPE", headers=htmx())
    assert 'role="alert"' in r.text and "Nguyễn Văn An" not in r.text


async def test_list_filters_by_status_and_paginates(client):
    a, _ = await _two_communes()
    people = [await make_user("delegate", a, username=f"db{i:02d}") for i in range(30)]
    admin = await _as(client, "admin")
    from council import services

    await services.user_update(admin, people[0], is_active=False)
    r = await client.get(f"/admin/councils/{a.id}/users?status=inactive", headers=htmx())
    assert "db00" in r.text and "db01" not in r.text
    first = await client.get(f"/admin/councils/{a.id}/users")
    assert "db24" in first.text and "db25" not in first.text
    assert f'href="/admin/councils/{a.id}/users?page=2"' in first.text
    second = await client.get(f"/admin/councils/{a.id}/users?page=2", headers=htmx())
    assert _is_fragment(second, "user-list") and "db29" in second.text and "db24" not in second.text


async def test_secretariat_sees_only_its_councils_delegates(client):
    a, b = await _two_communes()
    await make_user("delegate", a, full_name="Đại biểu A")
    await make_user("chair", a, full_name="Chủ tịch A")
    await make_user("secretariat", a, full_name="Đồng nghiệp Văn phòng A")
    await make_user("agency", agency=await make_agency(a), full_name="Cán bộ UBND A")
    await make_user("delegate", b, full_name="Đại biểu B")
    await _as(client, "secretariat", a)
    r = await client.get("/admin/users")
    assert r.status_code == 303 and r.headers["location"] == f"/admin/councils/{a.id}/users"
    page = await client.get(r.headers["location"])
    assert page.status_code == 200
    assert "Đại biểu A" in page.text
    for hidden in ("Chủ tịch A", "Đồng nghiệp Văn phòng A", "Cán bộ UBND A", "Đại biểu B"):
        assert hidden not in page.text
    frag = await client.get(f"/admin/councils/{a.id}/users?role=secretariat", headers=htmx())
    assert _is_fragment(frag, "user-list") and "Đồng nghiệp" not in frag.text
    # the role filter offers delegate and display only: the chair and the secretariat sign
    assert 'value="secretariat"' not in page.text and 'value="chair"' not in page.text


async def test_secretariat_may_not_list_another_council(client):
    a, b = await _two_communes()
    me = await _as(client, "secretariat", a)
    for url in (f"/admin/councils/{b.id}/users", f"/admin/councils/{b.id}/users?page=2"):
        assert (await client.get(url)).status_code == 403
        assert (await client.get(url, headers=htmx())).status_code == 403
    city = await Council.get(code="HN")
    assert (await client.get(f"/admin/councils/{city.id}/users")).status_code == 403
    assert await AuditEntry.filter(operation="permission.denied", actor_id=me.id).count() == 5


@pytest.mark.parametrize("role", WRONG_ROLES)
async def test_user_lists_refuse_other_roles(client, role):
    a, _ = await _two_communes()
    await _as(client, role, a)
    assert (await client.get("/admin/users")).status_code == 403
    assert (await client.get(f"/admin/councils/{a.id}/users")).status_code == 403


# --- create -----------------------------------------------------------------------------------


async def test_secretariat_creates_a_delegate_with_a_generated_password(client):
    a, _ = await _two_communes()
    await _as(client, "secretariat", a)
    form = await client.get(f"/admin/councils/{a.id}/users/new")
    assert form.status_code == 200
    assert 'value="delegate"' in form.text and 'value="secretariat"' not in form.text
    r = await client.post(
        f"/admin/councils/{a.id}/users/new",
        data={
            "username": "PhamThiDung",
            "full_name": "Phạm Thị Dung",
            "role": "delegate",
            "email": "dung@example.vn",
            "phone": "0912 345 678",
            "password": "",
            "council_code": "HN-SOCSON",
        },
    )  # a council in the form is ignored: the path decides
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    user = await User.get(username="phamthidung")
    assert user.council_id == a.id and user.role == "delegate"  # type: ignore[attr-defined]
    assert (user.email, user.phone) == ("dung@example.vn", "0912 345 678")
    password = re.search(r'<code class="secret">([^<]+)</code>', r.text).group(1)
    assert await _token_works(client, "phamthidung", password)
    assert await AuditEntry.filter(operation="user.create", target_id=str(user.id)).exists()


async def test_create_keeps_the_form_and_reports_errors(client):
    a, _ = await _two_communes()
    await make_user("delegate", a, username="taken")
    await _as(client, "secretariat", a)
    r = await client.post(
        f"/admin/councils/{a.id}/users/new",
        data={
            "username": "x",
            "full_name": "",
            "role": "delegate",
            "email": "not-an-email",
            "phone": "call me",
            "password": "short",
        },
    )
    assert r.status_code == 422
    for field in ("username", "full_name", "email", "phone", "password"):
        assert f'id="e-{field}"' in r.text, field
    assert "short" not in r.text  # a typed password is never echoed back
    r = await client.post(
        f"/admin/councils/{a.id}/users/new",
        data={"username": "taken", "full_name": "Trùng tên", "role": "delegate"},
    )
    assert r.status_code == 409 and "Trùng tên" in r.text
    r = await client.post(
        f"/admin/councils/{a.id}/users/new",
        data={"username": "boss", "full_name": "Tự phong", "role": "secretariat"},
    )
    assert r.status_code == 403 and "Tự phong" in r.text  # a role that signs; the form kept
    r = await client.post(
        f"/admin/councils/{a.id}/users/new",
        data={"username": "boss", "full_name": "Tự phong", "role": "admin"},
    )
    assert r.status_code == 422
    assert not await User.exists(username="boss")


async def test_admin_creates_an_agency_officer_and_an_administrator(client):
    a, _ = await _two_communes()
    agency = await make_agency(a, "UB-BADINH")
    await _as(client, "admin")
    form = await client.get("/admin/users/new?role=agency&agency=UB-BADINH")
    assert form.status_code == 200 and 'value="UB-BADINH" selected' in form.text
    r = await client.post(
        "/admin/users/new",
        data={
            "username": "canbo",
            "full_name": "Cán bộ phường",
            "role": "agency",
            "agency_code": "UB-BADINH",
            "password": "a-good-password",
        },
    )
    assert (
        r.status_code == 200 and 'class="secret"' not in r.text
    )  # the password was typed, not generated
    officer = await User.get(username="canbo")
    assert officer.agency_id == agency.id  # type: ignore[attr-defined]
    assert await _token_works(client, "canbo", "a-good-password")
    r = await client.post(
        "/admin/users/new",
        data={
            "username": "admin2",
            "full_name": "Quản trị 2",
            "role": "admin",
            "council_code": "HN-BADINH",
        },
    )
    assert r.status_code == 200
    admin2 = await User.get(username="admin2")
    assert admin2.role == "admin" and admin2.council_id is None  # type: ignore[attr-defined]
    r = await client.post(
        "/admin/users/new", data={"username": "nocouncil", "full_name": "X", "role": "delegate"}
    )
    assert r.status_code == 422 and 'id="e-council_code"' in r.text


async def test_create_refuses_another_council_and_other_roles(client):
    a, b = await _two_communes()
    await _as(client, "secretariat", a)
    assert (await client.get(f"/admin/councils/{b.id}/users/new")).status_code == 403
    r = await client.post(
        f"/admin/councils/{b.id}/users/new",
        data={"username": "intruder", "full_name": "X", "role": "delegate"},
    )
    assert r.status_code == 403
    assert (await client.get("/admin/users/new")).status_code == 403
    r = await client.post(
        "/admin/users/new",
        data={
            "username": "intruder",
            "full_name": "X",
            "role": "delegate",
            "council_code": "HN-BADINH",
        },
    )
    assert r.status_code == 403
    assert not await User.exists(username="intruder")


@pytest.mark.parametrize("role", WRONG_ROLES)
async def test_create_refuses_wrong_roles(client, role):
    a, _ = await _two_communes()
    await _as(client, role, a)
    for url in (f"/admin/councils/{a.id}/users/new", "/admin/users/new"):
        assert (await client.get(url)).status_code == 403
        r = await client.post(
            url,
            data={
                "username": "intruder",
                "full_name": "X",
                "role": "delegate",
                "council_code": "HN-BADINH",
            },
        )
        assert r.status_code == 403
    assert not await User.exists(username="intruder")


# --- edit -------------------------------------------------------------------------------------


async def test_secretariat_edits_its_delegate(client):
    a, _ = await _two_communes()
    delegate = await make_user("delegate", a, full_name="Tên cũ")
    await _as(client, "secretariat", a)
    page = await client.get(f"/admin/users/{delegate.id}/edit")
    assert page.status_code == 200 and "Tên cũ" in page.text
    assert 'value="chair"' not in page.text and 'value="secretariat"' not in page.text
    r = await client.post(
        f"/admin/users/{delegate.id}/edit",
        data={"full_name": "Tên mới", "role": "delegate", "email": "moi@example.vn", "phone": ""},
    )
    assert (
        r.status_code == 303 and r.headers["location"] == f"/admin/users/{delegate.id}/edit?saved=1"
    )
    await delegate.refresh_from_db()
    assert (delegate.full_name, delegate.role, delegate.email, delegate.phone) == (
        "Tên mới",
        "delegate",
        "moi@example.vn",
        None,
    )
    assert await AuditEntry.filter(operation="user.update", target_id=str(delegate.id)).exists()
    r = await client.post(
        f"/admin/users/{delegate.id}/edit", data={"full_name": "Tên mới", "role": "secretariat"}
    )
    assert r.status_code == 403  # a role that signs: an administrator's act
    r = await client.post(
        f"/admin/users/{delegate.id}/edit", data={"full_name": "Tên mới", "role": "admin"}
    )
    assert r.status_code == 422 and 'id="e-role"' in r.text
    r = await client.post(f"/admin/users/{delegate.id}/edit", data={"full_name": "", "email": "@@"})
    assert r.status_code == 422 and 'id="e-full_name"' in r.text and 'id="e-email"' in r.text
    await delegate.refresh_from_db()
    assert delegate.role == "delegate"


async def test_admin_cannot_turn_a_delegate_into_an_administrator(client):
    a, _ = await _two_communes()
    delegate = await make_user("delegate", a)
    officer = await make_user("agency", agency=await make_agency(a))
    await _as(client, "admin")
    r = await client.post(
        f"/admin/users/{delegate.id}/edit", data={"full_name": "X", "role": "admin"}
    )
    assert r.status_code == 422
    r = await client.post(
        f"/admin/users/{officer.id}/edit", data={"full_name": "Cán bộ", "role": "delegate"}
    )
    assert r.status_code == 303  # an agency officer keeps its role: no role field applies
    await delegate.refresh_from_db()
    await officer.refresh_from_db()
    assert (
        delegate.role == "delegate" and officer.role == "agency" and officer.full_name == "Cán bộ"
    )


async def test_secretariat_may_not_edit_outside_what_it_manages(client):
    a, b = await _two_communes()
    other_delegate = await make_user("delegate", b)
    colleague = await make_user("secretariat", a)
    officer = await make_user("agency", agency=await make_agency(a))
    admin = await make_user("admin")
    await _as(client, "secretariat", a)
    for target in (other_delegate, colleague, officer, admin):
        assert (await client.get(f"/admin/users/{target.id}/edit")).status_code == 403
        r = await client.post(f"/admin/users/{target.id}/edit", data={"full_name": "Hacked"})
        assert r.status_code == 403
        await target.refresh_from_db()
        assert target.full_name != "Hacked"
    assert (await client.get("/admin/users/99999/edit")).status_code == 404


# --- deactivate, reactivate, reset password ----------------------------------------------------


async def test_deactivation_ends_sessions_and_reactivation_restores_login(client, anon):
    a, _ = await _two_communes()
    delegate = await make_user("delegate", a)
    token = await issue_token(delegate, "session", 24)
    anon.cookies.set(SESSION_COOKIE, token)
    assert delegate.full_name in (await anon.get("/")).text
    await _as(client, "secretariat", a)
    r = await client.post(
        f"/admin/users/{delegate.id}/deactivate", data={"next": f"/admin/councils/{a.id}/users"}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/admin/councils/{a.id}/users"
    await delegate.refresh_from_db()
    assert delegate.is_active is False
    assert await user_for_token(token) is None
    assert delegate.full_name not in (await anon.get("/")).text
    assert not await _token_works(client, delegate.username, PASSWORD)
    r = await client.post(f"/admin/users/{delegate.id}/reactivate", headers=htmx())
    assert r.status_code == 200 and r.text.lstrip().startswith("<tr") and "<html" not in r.text
    assert f"/admin/users/{delegate.id}/deactivate" in r.text
    assert await _token_works(client, delegate.username, PASSWORD)
    assert await user_for_token(token) is None  # the old session stays ended


async def test_deactivate_as_htmx_returns_the_row(client):
    a, _ = await _two_communes()
    delegate = await make_user("delegate", a)
    await _as(client, "admin")
    r = await client.post(f"/admin/users/{delegate.id}/deactivate", headers=htmx())
    assert r.status_code == 200 and f'id="user-{delegate.id}"' in r.text
    assert f"/admin/users/{delegate.id}/reactivate" in r.text


async def test_nobody_deactivates_their_own_account(client):
    admin = await _as(client, "admin")
    r = await client.post(f"/admin/users/{admin.id}/deactivate")
    assert r.status_code == 409
    await admin.refresh_from_db()
    assert admin.is_active


async def test_password_reset_shows_it_once_and_ends_sessions(client, anon):
    a, _ = await _two_communes()
    delegate = await make_user("delegate", a)
    token = await issue_token(delegate, "session", 24)
    api = await issue_token(delegate, "api", 24)
    await _as(client, "secretariat", a)
    edit = await client.get(f"/admin/users/{delegate.id}/edit")
    assert f'hx-post="/admin/users/{delegate.id}/reset-password"' in edit.text
    r = await client.post(f"/admin/users/{delegate.id}/reset-password")
    assert r.status_code == 200 and "<html" in r.text and r.headers["cache-control"] == "no-store"
    password = re.search(r'<code class="secret">([^<]+)</code>', r.text).group(1)
    assert await user_for_token(token) is None and await user_for_token(api) is None
    assert not await _token_works(client, delegate.username, PASSWORD)
    assert await _token_works(client, delegate.username, password)
    assert await AuditEntry.filter(
        operation="user.reset_password", target_id=str(delegate.id)
    ).exists()
    again = await client.post(f"/admin/users/{delegate.id}/reset-password", headers=htmx())
    assert again.status_code == 200 and "<html" not in again.text
    assert again.headers["cache-control"] == "no-store"
    second = re.search(r'<code class="secret">([^<]+)</code>', again.text).group(1)
    assert second != password and await _token_works(client, delegate.username, second)
    assert not (await client.get(f"/admin/users/{delegate.id}/edit")).text.count(second)


async def test_state_changes_refuse_another_council_and_unmanaged_people(client):
    a, b = await _two_communes()
    other_delegate = await make_user("delegate", b)
    colleague = await make_user("secretariat", a)
    me = await _as(client, "secretariat", a)
    for target in (other_delegate, colleague):
        for action in ("deactivate", "reactivate", "reset-password"):
            r = await client.post(f"/admin/users/{target.id}/{action}")
            assert r.status_code == 403, (target.role, action)
        await target.refresh_from_db()
        assert target.is_active
        assert await _token_works(client, target.username, PASSWORD)
    # three refused by the council scope, three by the rule on accounts that sign
    assert await AuditEntry.filter(operation="permission.denied", actor_id=me.id).count() == 6


@pytest.mark.parametrize("role", WRONG_ROLES)
async def test_state_changes_refuse_wrong_roles(client, role):
    a, _ = await _two_communes()
    delegate = await make_user("delegate", a)
    await _as(client, role, a)
    for method, url in [
        ("GET", f"/admin/users/{delegate.id}/edit"),
        ("POST", f"/admin/users/{delegate.id}/edit"),
        ("POST", f"/admin/users/{delegate.id}/deactivate"),
        ("POST", f"/admin/users/{delegate.id}/reactivate"),
        ("POST", f"/admin/users/{delegate.id}/reset-password"),
    ]:
        r = await client.request(
            method, url, data={"full_name": "Hacked"} if method == "POST" else None
        )
        assert r.status_code == 403, (method, url)
    await delegate.refresh_from_db()
    assert delegate.is_active and delegate.full_name != "Hacked"
    assert await _token_works(client, delegate.username, PASSWORD)


# --- separation of duties: accounts that sign ----------------------------------------------------

# Who may give or manage each role in council A: (actor, target role) -> allowed. The chair and the
# secretariat sign records (the server's key signs for both), so only an admin makes them.
SIGNING_MATRIX = {
    ("admin", "delegate"): True,
    ("admin", "display"): True,
    ("admin", "chair"): True,
    ("admin", "secretariat"): True,
    ("secretariat", "delegate"): True,
    ("secretariat", "display"): True,
    ("secretariat", "chair"): False,
    ("secretariat", "secretariat"): False,
    ("other-secretariat", "delegate"): False,
    ("other-secretariat", "chair"): False,
    ("chair", "delegate"): False,
    ("chair", "chair"): False,
}


async def test_only_an_admin_grants_or_manages_a_role_that_signs(settings):
    """Every way to a signer's account (create with the role, change a role to it or from it,
    reset its password, deactivate it), per actor: the matrix above, through the services."""
    from council import services
    from council.errors import Forbidden

    a, b = await _two_communes()
    actors = {
        "admin": await make_user("admin"),
        "secretariat": await make_user("secretariat", a),
        "other-secretariat": await make_user("secretariat", b),
        "chair": await make_user("chair", a),
    }
    wrong = []
    for (who, role), allowed in SIGNING_MATRIX.items():
        actor = actors[who]
        # each action on its own fresh target, so one outcome never depends on another
        name = f"m-{who}-{role}".replace("-", "")[:40]
        attempts = {}
        try:
            await services.user_create(
                actor, username=f"{name}c", password=PASSWORD, role=role, council_code=a.code
            )
            attempts["create"] = True
        except Forbidden:
            attempts["create"] = False
        promoted = await make_user("delegate", a)
        try:
            await services.user_update(actor, promoted, role=role)
            attempts["grant"] = True
        except Forbidden:
            attempts["grant"] = False
        holder = await make_user(role, a)
        try:
            await services.user_reset_password(actor, holder)
            attempts["reset"] = True
        except Forbidden:
            attempts["reset"] = False
        try:
            await services.user_set_active(actor, holder, False)
            attempts["deactivate"] = True
        except Forbidden:
            attempts["deactivate"] = False
        if role in ("chair", "secretariat"):  # the seat may be held: free it for the next row
            await User.filter(council_id=a.id, role=role).update(is_active=False)
        for action, got in attempts.items():
            if got != allowed:
                wrong.append(f"{who} {action} {role}: {'allowed' if got else 'refused'}")
    assert not wrong, "\n".join(wrong)


async def test_a_refused_grant_is_audited_and_an_admins_grant_says_it_signs(client):
    a, _ = await _two_communes()
    delegate = await make_user("delegate", a)
    me = await _as(client, "secretariat", a)
    form = await client.get(f"/admin/councils/{a.id}/users/new")
    assert 'value="delegate"' in form.text and 'value="chair"' not in form.text
    r = await client.post(
        f"/admin/councils/{a.id}/users/new",
        data={"username": "chutoamoi", "full_name": "Chủ tọa giả", "role": "chair"},
    )
    assert r.status_code == 403 and "quản trị" in r.text  # the reason, in Vietnamese
    r = await client.post(
        f"/admin/users/{delegate.id}/edit", data={"full_name": "Đại biểu", "role": "chair"}
    )
    assert r.status_code == 403 and "quản trị" in r.text
    await delegate.refresh_from_db()
    assert delegate.role == "delegate" and not await User.exists(username="chutoamoi")
    denied = await AuditEntry.filter(operation="permission.denied", actor_id=me.id).all()
    assert [e.details.get("signing_role") for e in denied] == ["chair", "chair"]

    admin = await make_user("admin")
    await login(client, admin)
    r = await client.post(
        f"/admin/users/{delegate.id}/edit", data={"full_name": "Chủ tọa mới", "role": "chair"}
    )
    assert r.status_code == 303, r.text
    entry = await AuditEntry.filter(operation="user.update", target_id=str(delegate.id)).first()
    assert entry is not None and entry.actor_id == admin.id
    assert entry.details["role"] == "chair" and entry.details["signs"] is True
    assert entry.details["was"] == "delegate"
