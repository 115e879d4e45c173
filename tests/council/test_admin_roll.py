"""user.import: the delegate roll CSV upload (all or nothing, errors line by line, generated
passwords shown once)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.demo import delegate_name
from council.models import AuditEntry, Council, User
from tests.factories import htmx, login, make_agency, make_commune, make_council, make_user

HEADER = "username,full_name,password,email,phone\n"


def roll(n: int, *, start: int = 0, with_passwords: int = 0) -> str:
    """A roll of ``n`` delegates; the first ``with_passwords`` rows give a password."""
    lines = [HEADER]
    for i in range(start, start + n):
        password = f"mat-khau-{i:03d}" if i - start < with_passwords else ""
        lines.append(f"daibieu{i:03d},{delegate_name(i)},{password},db{i}@example.vn,0912{i:06d}\n")
    return "".join(lines)


async def _preview(client, council: Council, content: bytes | str, name: str = "roll.csv", **kw):
    data = content.encode() if isinstance(content, str) else content
    return await client.post(
        f"/admin/councils/{council.id}/users/import", files={"file": (name, data, "text/csv")}, **kw
    )


async def _upload(client, council: Council, content: bytes | str, name: str = "roll.csv", **kw):
    """Upload, then confirm the preview when it offers to import (as the secretariat does)."""
    r = await _preview(client, council, content, name, **kw)
    found = re.search(r'name="roll" value="([^"]+)"', r.text)
    if r.status_code != 200 or found is None:
        return r
    return await client.post(
        f"/admin/councils/{council.id}/users/import", data={"roll": found.group(1)}, **kw
    )


async def _commune() -> Council:
    return await make_commune(await make_council("HN", seats=95), "HN-SOCSON", seats=40)


def _errors(text: str) -> list[str]:
    block = text.split('id="errors-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<li>(.*?)</li>", block, re.S)


async def test_import_form_page(client):
    council = await _commune()
    await login(client, await make_user("secretariat", council))
    r = await client.get(f"/admin/councils/{council.id}/users/import")
    assert r.status_code == 200 and 'enctype="multipart/form-data"' in r.text
    assert 'type="file"' in r.text and 'for="f-file"' in r.text


async def test_a_valid_roll_of_40_creates_everyone_and_shows_generated_passwords_once(client):
    council = await _commune()
    me = await make_user("secretariat", council)
    await login(client, me)
    r = await _upload(client, council, roll(40, with_passwords=10))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "40" in r.text
    created = await User.filter(council_id=council.id, role="delegate").order_by("username")
    assert len(created) == 40
    assert created[0].full_name == delegate_name(0) and created[0].email == "db0@example.vn"
    shown = dict(
        re.findall(
            r"<td>(daibieu\d{3})</td><td>[^<]*</td><td><code class=\"secret\">([^<]+)</code>",
            r.text,
        )
    )
    assert sorted(shown) == [f"daibieu{i:03d}" for i in range(10, 40)]  # only the generated ones
    download = re.search(
        r'href="data:text/csv;charset=utf-8,([^"]+)" download="HN-SOCSON-passwords.csv"', r.text
    )
    csv_text = unquote(download.group(1))
    assert csv_text.startswith("\ufeffusername,full_name,password")
    assert f"daibieu039,{delegate_name(39)},{shown['daibieu039']}" in csv_text
    token = await client.post(
        "/api/v1/auth/token", json={"username": "daibieu039", "password": shown["daibieu039"]}
    )
    assert token.status_code == 200
    token = await client.post(
        "/api/v1/auth/token", json={"username": "daibieu000", "password": "mat-khau-000"}
    )
    assert token.status_code == 200
    entry = await AuditEntry.get(operation="user.import", actor_id=me.id)
    assert entry.details == {"count": 40} and entry.council_id == council.id
    listing = await client.get(f"/admin/councils/{council.id}/users")
    assert "daibieu000" in listing.text and shown["daibieu039"] not in listing.text


async def test_bad_lines_are_each_reported_and_nothing_is_created(client):
    council = await _commune()
    await make_user("delegate", council, username="dadung")
    await login(client, await make_user("admin"))
    content = (
        HEADER
        + "nguyenvanan,Nguyễn Văn An,,,\n"  # 2: fine
        + "Bad Name!,Trần Thị Bình,,,\n"  # 3: username not allowed
        + "lethicuc,,,,\n"  # 4: no full name
        + "nguyenvanan,Nguyễn Văn An 2,,,\n"  # 5: twice in the file
        + "phamvandung,Phạm Văn Dũng,short,,\n"  # 6: password too short
        + "dadung,Đã Dùng,,,\n"  # 7: username already taken
        + "hoangthiem,Hoàng Thị Em,,,\n"
    )  # 8: fine
    r = await _upload(client, council, content)
    assert r.status_code == 422
    errors = _errors(r.text)
    lines = [int(re.match(r"(?:Line|Dòng) (\d+)", e).group(1)) for e in errors]
    assert lines == [3, 4, 5, 6, 7]
    assert not await User.exists(username__in=["nguyenvanan", "hoangthiem", "lethicuc"])
    assert not await AuditEntry.filter(operation="user.import").exists()


async def test_bad_email_phone_and_overlong_names_are_reported_by_line(client):
    council = await _commune()
    await login(client, await make_user("admin"))
    content = (
        HEADER
        + "motmot,Một Một,,mot@example.vn,0912000001\n"
        + "haihai,Hai Hai,,not-an-email,\n"
        + "baba,Ba Ba,,,call me maybe\n"
        + "bonbon,"
        + "B" * 201
        + ",,,\n"
    )
    r = await _upload(client, council, content)
    assert r.status_code == 422
    lines = [int(re.match(r"(?:Line|Dòng) (\d+)", e).group(1)) for e in _errors(r.text)]
    assert lines == [3, 4, 5]
    assert not await User.exists(username="motmot")


async def test_semicolon_separated_roll_from_excel(client):
    council = await _commune()
    await login(client, await make_user("admin"))
    content = "\ufeffusername;full_name\r\nvuthigiang;Vũ Thị Giang\r\nngovanhai;Ngô Văn Hải\r\n"
    r = await _upload(client, council, content)
    assert r.status_code == 200
    assert (
        await User.filter(council_id=council.id, username__in=["vuthigiang", "ngovanhai"]).count()
        == 2
    )


@pytest.mark.parametrize(
    "content, status",
    [
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", 422),  # a PDF, whatever its name
        (b"PK\x03\x04" + b"\x00" * 60, 422),  # an .xlsx (zip)
        # An old Vietnamese font's encoding (TCVN3: "NguyÔn V¨n ¦íc" under Windows-1258).
        (b"username,full_name\nabc,Nguy\xd4n V\xa8n \xa6\xedc \xb8\xb9\xb5\n", 422),
        (b"ten,ho_ten\nabc,Nguyen\n", 422),  # no username/full_name header
        (b"   \n", 422),  # empty
    ],
)
async def test_files_that_are_not_a_roll_are_refused(client, content, status):
    council = await _commune()
    await login(client, await make_user("admin"))
    r = await _upload(client, council, content)
    assert r.status_code == status and "alert-error" in r.text
    assert not await User.filter(council_id=council.id).exists()


async def test_upload_over_one_megabyte_is_refused(client):
    council = await _commune()
    await login(client, await make_user("admin"))
    big = HEADER + "".join(f"u{i:07d},Tên {i},,,\n" for i in range(80_000))
    assert len(big.encode()) > 1 << 20
    r = await _upload(client, council, big)
    assert r.status_code == 413
    assert not await User.filter(council_id=council.id).exists()


async def test_post_without_a_file(client):
    council = await _commune()
    await login(client, await make_user("admin"))
    r = await client.post(f"/admin/councils/{council.id}/users/import", data={"x": "1"})
    assert r.status_code == 422 and "alert-error" in r.text


async def test_import_refuses_another_council(client):
    city = await make_council("HN", seats=95)
    a = await make_commune(city, "HN-A")
    b = await make_commune(city, "HN-B")
    me = await make_user("secretariat", a)
    await login(client, me)
    assert (await client.get(f"/admin/councils/{b.id}/users/import")).status_code == 403
    r = await _upload(client, b, roll(3))
    assert r.status_code == 403
    r = await _upload(client, city, roll(3), headers=htmx())
    assert r.status_code == 403 and r.headers["HX-Retarget"] == "#messages"
    assert not await User.filter(role="delegate").exists()
    assert await AuditEntry.filter(operation="permission.denied", actor_id=me.id).count() == 3


@pytest.mark.parametrize("role", ("chair", "delegate", "agency", "citizen"))
async def test_import_refuses_wrong_roles(client, role):
    council = await _commune()
    if role == "agency":
        user = await make_user("agency", agency=await make_agency(council))
    else:
        user = await make_user(role, council)
    await login(client, user)
    assert (await client.get(f"/admin/councils/{council.id}/users/import")).status_code == 403
    r = await _upload(client, council, roll(3))
    assert r.status_code == 403
    assert not await User.exists(username="daibieu000")


async def test_import_needs_the_csrf_token(client):
    council = await _commune()
    await login(client, await make_user("admin"))
    del client.headers["X-CSRF-Token"]
    r = await _upload(client, council, roll(2))
    assert r.status_code == 403
    assert not await User.exists(username="daibieu000")


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """``text`` as Excel saves CSV on Vietnamese Windows: letters with ^, ˘ or the horn are
    precomposed, tone marks follow as combining characters (that is Windows-1258)."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


VIETNAMESE_ROLL = (
    "Tên đăng nhập,Họ và tên,Thư điện tử,Điện thoại,Ghi chú\n"
    "nguyenvanuoc,Nguyễn Văn Ước,uoc@example.vn,0912 345 678,Tổ 1\n"
    "tranthithuy,Trần Thị Thủy,,0987654321,\n"
)


async def _ask_preview(client, council, data: bytes):
    r = await _preview(client, council, data)
    assert not await User.filter(council_id=council.id, role="delegate").exists()  # not yet
    return r


@pytest.mark.parametrize(
    "encoded, encoding",
    [
        (VIETNAMESE_ROLL.encode(), "UTF-8"),
        (windows_1258(VIETNAMESE_ROLL), "Windows-1258"),
        # Excel's "Unicode text": UTF-16 with its BOM, columns split by tabs.
        (("\ufeff" + VIETNAMESE_ROLL.replace(",", "\t")).encode("utf-16-le"), "UTF-16 (Unicode)"),
        (("\ufeff" + VIETNAMESE_ROLL).encode("utf-16-be"), "UTF-16 (Unicode)"),
    ],
    ids=["utf-8", "windows-1258", "utf-16-le-tabs", "utf-16-be"],
)
async def test_vietnamese_headers_and_excel_encodings_preview_then_import(
    client, encoded, encoding
):
    council = await _commune()
    await login(client, await make_user("secretariat", council))
    r = await _ask_preview(client, council, encoded)
    assert r.status_code == 200, r.text
    page = HTMLParser(r.text)
    preview = " ".join(page.css_first(".roll-preview").text(deep=True).split())
    assert f"Bảng mã: {encoding}" in preview
    assert "Họ và tên → Họ và tên" in preview and "Ghi chú → không dùng" in preview
    assert "Còn trống 40/40 ghế" in preview
    rows = [
        [td.text().strip() for td in tr.css("td")] for tr in page.css("table.roll-rows tbody tr")
    ]
    assert rows[0][:5] == ["2", "nguyenvanuoc", "Nguyễn Văn Ước", "uoc@example.vn", "0912 345 678"]
    assert rows[1][2] == "Trần Thị Thủy" and rows[1][-1].startswith("✓")
    confirm = page.css_first("form.confirm input[name=roll]").attributes["value"]
    r = await client.post(f"/admin/councils/{council.id}/users/import", data={"roll": confirm})
    assert r.status_code == 200 and "Đã tạo 2 đại biểu." in r.text
    made = await User.get(username="nguyenvanuoc")
    assert made.full_name == "Nguyễn Văn Ước" and made.email == "uoc@example.vn"
    assert unicodedata.is_normalized("NFC", made.full_name)


async def test_a_preview_shows_each_bad_row_and_offers_no_import(client):
    council = await _commune()
    await login(client, await make_user("secretariat", council))
    bad = VIETNAMESE_ROLL + "x y,,,,\n"
    r = await _ask_preview(client, council, bad.encode())
    assert r.status_code == 422
    page = HTMLParser(r.text)
    rows = page.css("table.roll-rows tbody tr")
    assert [tr.attributes["class"] for tr in rows] == ["row-ok", "row-ok", "row-error"]
    assert page.css_first("form.confirm") is None


async def test_an_unknown_encoding_says_how_to_save_the_file(client):
    council = await _commune()
    await login(client, await make_user("secretariat", council))
    tcvn3 = b"T\xaan \xae\xa9ng nh\xadp,H\xe4 v\xb5 t\xaan\nabc,Nguy\xd4n V\xa8n \xa6\xedc\n"
    r = await _ask_preview(client, council, tcvn3)
    assert r.status_code == 422
    assert "CSV UTF-8 (Comma delimited)" in r.text and "TCVN3" in r.text


async def test_the_demo_leaves_free_seats_in_one_ward_to_try_an_import(client):
    from council.demo import FREE_SEATS, load_core
    from council.services import seat_holders

    await load_core()
    ((code, free),) = FREE_SEATS.items()
    ward = await Council.get(code=code)
    assert ward.seats - await seat_holders(ward.id) == free == 5
    await login(client, await User.get(username="hn.socson.vanphong"))
    rows = "".join(f"moi{i},{delegate_name(900 + i)}\n" for i in range(free))
    r = await _upload(client, ward, "Tên đăng nhập,Họ và tên\n" + rows)
    assert r.status_code == 200 and f"Đã tạo {free} đại biểu." in r.text
