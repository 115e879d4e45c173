"""An election from its constituencies to the new term's roster, over the JSON API and the pages,
written from named helpers; permissions: the secretariat manages, the public reads, other councils
are refused."""

from __future__ import annotations

import io
from typing import Any

import docx
import httpx
from pypdf import PdfReader
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import AuditEntry, Council, User
from elections.models import CandidateEdit
from tests.factories import bearer, error_code, login, make_council, make_delegates, make_user

DAY = "2026-03-15"


def _profile(name: str, born: str, **extra: Any) -> dict[str, Any]:
    return {
        "full_name": name,
        "birth_date": born,
        "gender": "female" if name.split()[-2:-1] == ["Thị"] else "male",
        "hometown": "Hà Nội",
        "education": "Đại học",
        "occupation": "Cán bộ",
        "workplace": "UBND phường",
        "nominated_by": "Ủy ban Mặt trận Tổ quốc phường",
        "source": "Danh sách chính thức những người ứng cử, Nghị quyết số 12/NQ-UBBC",
        **extra,
    }


async def _setup_election(
    client: httpx.AsyncClient, council: Council, h: dict[str, str], *, seats: int = 2, n: int = 3
) -> tuple[str, list[int]]:
    r = await client.post(
        f"/api/v1/councils/{council.code}/terms",
        headers=h,
        json={"number": 17, "starts_on": DAY},
    )
    assert r.status_code == 201, r.text
    assert r.json()["label"] == "khóa XVII, nhiệm kỳ 2026–2031"
    r = await client.post(
        f"/api/v1/councils/{council.code}/elections",
        headers=h,
        json={"day": DAY, "term_number": 17},
    )
    assert r.status_code == 201, r.text
    slug = r.json()["id"]
    r = await client.put(
        f"/api/v1/elections/{slug}/constituencies/1",
        headers=h,
        json={"area": "Tổ dân phố 1 đến 12", "seats": seats, "registered": 1000},
    )
    assert r.status_code == 200, r.text
    ids = []
    births = ["1970-01-01", "1980-05-05", "1975-03-03", "1990-09-09", "1968-02-02", "1985-04-04"]
    for i in range(n):
        r = await client.post(
            f"/api/v1/elections/{slug}/constituencies/1/candidates",
            headers=h,
            json=_profile(f"Nguyễn Văn Ứng{i}", births[i]),
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return slug, ids


async def _enter_counts(
    client: httpx.AsyncClient,
    slug: str,
    h: dict[str, str],
    area: int,
    counts: dict[str, int],
    votes: dict[int, int],
) -> httpx.Response:
    return await client.put(
        f"/api/v1/elections/{slug}/constituencies/1/areas/{area}",
        headers=h,
        json={
            "name": f"Khu vực bỏ phiếu số {area}",
            **counts,
            "votes": {str(k): v for k, v in votes.items()},
        },
    )


async def test_an_election_from_constituencies_to_the_new_roster(client, anon) -> None:
    ward = await make_council(code="HN-BD", seats=2)
    ward.division_code = "00004"
    await ward.save()
    old = await make_delegates(ward, 2)
    staff = await make_user("secretariat", council=ward)
    h = await bearer(staff)
    slug, (a, b, c) = await _setup_election(client, ward, h)
    assert slug == "hdnd.00004.2026-03-15"

    # The public reads the profiles, never anything beyond them.
    public = (await anon.get(f"/api/v1/elections/{slug}")).json()
    constituency = public["constituencies"][0]
    assert constituency["list_problem"] is None and len(constituency["candidates"]) == 3
    assert constituency["candidates"][0]["votes"] is None  # no results while preparing
    assert "id_number" not in constituency["candidates"][0]

    # Inconsistent counts are refused with the reason.
    r = await _enter_counts(
        client,
        slug,
        h,
        1,
        {
            "registered": 600,
            "voted": 500,
            "issued": 500,
            "received": 500,
            "valid": 480,
            "invalid": 10,
        },
        {a: 300, b: 200, c: 100},
    )
    assert r.status_code == 422 and error_code(r) == "invalid"
    assert r.json()["error"]["details"]["problems"] == ["valid_invalid_received"]
    for area, counts, votes in (
        (
            1,
            {
                "registered": 600,
                "voted": 500,
                "issued": 520,
                "received": 500,
                "valid": 490,
                "invalid": 10,
            },
            {a: 400, b: 260, c: 200},
        ),
        (
            2,
            {
                "registered": 400,
                "voted": 300,
                "issued": 300,
                "received": 300,
                "valid": 290,
                "invalid": 10,
            },
            {a: 250, b: 120, c: 150},
        ),
    ):
        r = await _enter_counts(client, slug, h, area, counts, votes)
        assert r.status_code == 200, r.text
    result = r.json()
    constituency = result["constituencies"][0]
    # 780 valid ballots: more than 390 needed. a 650, c 350, b 380: one seat filled.
    assert constituency["voted"] == 800 and constituency["valid"] == 780
    assert [x["votes"] for x in constituency["candidates"]] == [650, 380, 350]
    assert constituency["unfilled"] == 1 and result["filled"] == 1
    assert result["supplementary_needed"]  # 1 of 2 seats

    # Other councils' staff are refused; the public cannot confirm.
    other = await make_user("secretariat", council=await make_council(code="HN-HK"))
    r = await client.post(f"/api/v1/elections/{slug}/confirm", headers=await bearer(other))
    assert r.status_code == 403 and error_code(r) == "forbidden"
    r = await anon.post(f"/api/v1/elections/{slug}/confirm")
    assert r.status_code == 401

    r = await client.post(f"/api/v1/elections/{slug}/confirm", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert [x["elected"] for x in r.json()["constituencies"][0]["candidates"]] == [
        True,
        False,
        False,
    ]
    r = await _enter_counts(
        client,
        slug,
        h,
        3,
        {"registered": 1, "voted": 1, "issued": 1, "received": 1, "valid": 1, "invalid": 0},
        {a: 1},
    )
    assert r.status_code == 409 and error_code(r) == "election_confirmed"

    # The record of the results, read back from the PDF and the DOCX.
    r = await anon.get(f"/api/v1/elections/{slug}/record.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    for expected in (
        "BIÊN BẢN",
        "ỦY BAN BẦU CỬ",
        "Đơn vị bầu cử số 1",
        "Nguyễn Văn Ứng0",
        "Trúng cử",
    ):
        assert expected in text, expected
    r = await anon.get(f"/api/v1/elections/{slug}/record.docx")
    words = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "BIÊN BẢN" in words and "bầu cử thêm" in words

    r = await client.post(f"/api/v1/elections/{slug}/roster", headers=h)
    assert r.status_code == 201, r.text
    roster = r.json()
    assert roster["term"] == "khóa XVII, nhiệm kỳ 2026–2031"
    (entry,) = roster["delegates"]
    assert entry["full_name"] == "Nguyễn Văn Ứng0" and entry["one_time_password"]
    # The new delegate logs in; the previous term's delegates lost their access.
    r = await anon.post(
        "/api/v1/auth/token",
        json={"username": entry["username"], "password": entry["one_time_password"]},
    )
    assert r.status_code == 200, r.text
    assert not any(u.is_active for u in await User.filter(id__in=[d.id for d in old]))
    assert (await client.post(f"/api/v1/elections/{slug}/roster", headers=h)).status_code == 409
    ops = set(await AuditEntry.filter(council_id=ward.id).values_list("operation", flat=True))
    assert {
        "term.create",
        "election.create",
        "constituency.save",
        "candidate.create",
        "area.save",
        "election.confirm",
        "term.roster",
    } <= ops


async def test_every_profile_change_names_its_source(client) -> None:
    ward = await make_council(code="HN-SS", seats=3)
    h = await bearer(await make_user("secretariat", council=ward))
    slug, (a, b, c) = await _setup_election(client, ward, h, seats=3, n=3)
    public = (await client.get(f"/api/v1/elections/{slug}")).json()
    # 3 seats need 5 candidates.
    assert "5" in public["constituencies"][0]["list_problem"]
    r = await client.patch(f"/api/v1/candidates/{a}", headers=h, json={"occupation": "Giáo viên"})
    assert r.status_code == 422  # no source
    r = await client.patch(
        f"/api/v1/candidates/{a}",
        headers=h,
        json={"occupation": "Giáo viên", "source": "Công văn số 45/UBBC đính chính"},
    )
    assert r.status_code == 200 and r.json()["occupation"] == "Giáo viên"
    edits = await CandidateEdit.filter(candidate_id=a).order_by("id")
    assert [e.source for e in edits][-1] == "Công văn số 45/UBBC đính chính"
    assert edits[-1].changes == {"occupation": ["Cán bộ", "Giáo viên"]}


async def test_the_public_page_and_the_count_form(client, anon) -> None:
    ward = await make_council(code="HN-HK2", seats=1)
    staff = await make_user("secretariat", council=ward)
    slug, (a, b) = await _setup_election(client, ward, await bearer(staff), seats=1, n=2)
    page = HTMLParser((await anon.get(f"/elections/{slug}")).text)
    assert len(page.css("#constituency-1 table.candidates tbody tr")) == 2
    assert page.css_first("form[action$='/confirm']") is None  # not for the public
    # Downloads worded for citizens as on the commitments tracker, not "JSON · CSV".
    assert [" ".join(a.text().split()) for a in page.css("a.download")] == [
        "Tải dữ liệu (JSON)",
        "Tải danh sách ứng cử viên (bảng tính CSV)",
    ]
    await login(client, staff)
    form_url = f"/elections/{slug}/constituencies/1/areas"
    page = HTMLParser((await client.get(form_url)).text)
    assert page.css_first(f"input[name=votes_{a}]") is not None
    counts = {
        "number": "1",
        "name": "Khu vực 1",
        "registered": "100",
        "voted": "60",
        "issued": "60",
        "received": "60",
        "valid": "58",
        "invalid": "1",
    }
    r = await client.post(form_url, data={**counts, f"votes_{a}": "40", f"votes_{b}": "18"})
    assert r.status_code == 422
    assert "58" in HTMLParser(r.text).css_first("#count-errors").text()
    counts["invalid"] = "2"
    r = await client.post(
        form_url, data={**counts, f"votes_{a}": "40", f"votes_{b}": "18"}, follow_redirects=False
    )
    assert r.status_code == 303
    page = HTMLParser((await anon.get(f"/elections/{slug}")).text)
    votes = [td.text().strip() for td in page.css("#constituency-1 td.num")]
    assert votes == ["40", "18"]


async def test_citizens_read_an_election_by_its_title_not_its_code(client, anon) -> None:
    """The election's identifier stays in the URL: the list, the page's heading and the
    staff pages' breadcrumb name it as citizens would."""
    ward = await make_council(code="HN-SS2", seats=1, name="Hội đồng nhân dân xã Sóc Sơn")
    staff = await make_user("secretariat", council=ward)
    h = await bearer(staff)
    slug, _ = await _setup_election(client, ward, h, seats=1, n=2)
    r = await client.post(
        f"/api/v1/councils/{ward.code}/elections",
        headers=h,
        json={"day": "2026-12-20", "kind": "by", "term_number": 17},
    )
    assert r.status_code == 201, r.text
    by = r.json()["id"]
    listed = HTMLParser((await anon.get("/elections")).text).css_first("main")
    titles = [a.text().strip() for a in listed.css("ul.session-list a")]
    assert titles == [
        "Bầu cử bổ sung đại biểu Hội đồng nhân dân xã Sóc Sơn, ngày 20/12/2026",
        "Bầu cử đại biểu Hội đồng nhân dân xã Sóc Sơn, ngày 15/03/2026",
    ]
    assert slug not in listed.text() and by not in listed.text()
    # under each title, where it stands rather than the title's words again
    states = [d.text().strip() for d in listed.css("ul.session-list .muted")]
    assert states == ["Đang chuẩn bị", "Đang chuẩn bị"]
    page = HTMLParser((await anon.get(f"/elections/{by}")).text)
    heading = page.css_first("h1").text().strip()
    assert heading == "Bầu cử bổ sung đại biểu Hội đồng nhân dân xã Sóc Sơn, ngày 20/12/2026"
    assert by not in page.css_first("main").text()
    await login(client, staff)
    page = HTMLParser((await client.get(f"/elections/{slug}/constituencies/1/areas")).text)
    crumb = page.css_first("nav[aria-label] a[href='/elections/" + slug + "']")
    assert crumb.text().strip() == "Bầu cử đại biểu Hội đồng nhân dân xã Sóc Sơn, ngày 15/03/2026"
