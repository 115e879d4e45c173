"""Staff pages (as page and as htmx fragment), dashboards, the city screen, reports, Open311."""

from __future__ import annotations

import io
import re

from docx import Document
from openpyxl import load_workbook

from council.models import Council
from petitions.models import Cycle, Hop
from tests.factories import bearer, error_code, htmx, login, make_user
from tests.html import attrs, has, text, texts
from tests.html import error_code as page_error
from tests.petitions.helpers import (
    PERSONAL_VALUES,
    PETITION,
    act_ok,
    escalate_assign_answer_publish,
    file_petition,
    make_overdue,
    setup_world,
)


async def test_list_and_detail_as_page_and_fragment(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await login(client, w.commune_sec)
    r = await client.get("/petitions/staff")
    assert r.status_code == 200 and has(r.text, "html body main")
    assert texts(r.text, "table tbody tr td:first-child a") == [code]
    r = await client.get("/petitions/staff?status=received", headers=htmx())
    assert r.status_code == 200 and not has(r.text, "html body main")
    assert texts(r.text, "table tbody tr td:first-child a") == [code]
    r = await client.get("/petitions/staff?status=bogus")
    assert r.status_code == 422 and page_error(r.text) == "invalid"
    r = await client.get(f"/petitions/staff/{code}")
    assert r.status_code == 200
    assert texts(r.text, "section[aria-labelledby=personal-h] dd")[0] == "Nguyễn Thị Hoa"
    assert "escalate" in attrs(r.text, "form.action-form", "data-action")
    r = await client.get(f"/petitions/staff/{code}", headers=htmx())
    assert r.status_code == 200 and not has(r.text, "html body main")
    assert text(r.text, "article.card h1") == PETITION["title"]


async def test_action_form_without_and_with_htmx(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await login(client, w.commune_sec)
    r = await client.post(f"/petitions/staff/{code}/act", data={"action": "accept"})
    assert r.status_code == 303 and r.headers["location"] == f"/petitions/staff/{code}"
    r = await client.post(
        f"/petitions/staff/{code}/act",
        data={"action": "assign", "agency_code": "UB-BADINH"},
        headers=htmx(),
    )
    assert r.status_code == 200 and "<html" not in r.text and "UB" in r.text
    r = await client.post(f"/petitions/staff/{code}/act", data={"action": "assign"}, headers=htmx())
    assert r.status_code == 422 and r.headers["HX-Retarget"] == "#messages"
    assert page_error(r.text) == "invalid"


async def test_a_refused_action_brings_the_petition_as_it_is_now(client, anon) -> None:
    """Another official acted first: the refusal goes to the message area and the petition under
    it (status, actions) is swapped out of band to its current state, in both languages."""
    w = await setup_world()
    colleague = await make_user("secretariat", w.commune, full_name="Văn phòng Ba Đình 2")
    rejected, accepted = [(await file_petition(anon))["code"] for _ in range(2)]
    await login(client, w.commune_sec)
    await act_ok(anon, colleague, rejected, "reject", reason="Đã chuyển cơ quan khác.")
    r = await client.post(
        f"/petitions/staff/{rejected}/act",
        data={"action": "reject", "reason": "Trùng lặp."},
        headers=htmx(),
    )
    assert r.status_code == 409 and r.headers["HX-Retarget"] == "#messages"
    assert page_error(r.text) == "invalid_transition"
    assert attrs(r.text, "div#petition", "hx-swap-oob") == ["innerHTML"]
    assert text(r.text, "#petition .badge.status-rejected") == "Không tiếp nhận"
    assert not has(r.text, "#petition form.action-form")
    assert "Văn phòng Ba Đình 2" in text(r.text, "#petition ol.history")

    await act_ok(anon, colleague, accepted, "accept")
    r = await client.post(
        f"/petitions/staff/{accepted}/act?lang=en", data={"action": "accept"}, headers=htmx()
    )
    assert r.status_code == 409 and page_error(r.text) == "invalid_transition"
    assert text(r.text, "#petition .badge.status-accepted") == "Accepted by the commune"
    assert attrs(r.text, "#petition form.primary-action", "data-action") == ["assign"]
    assert "accept" not in attrs(r.text, "#petition form.action-form", "data-action")
    # Escalated meanwhile: the commune may no longer act on it, and sees it with the city now.
    escalated = (await file_petition(anon))["code"]
    await act_ok(anon, colleague, escalated, "escalate", reason="Vượt thẩm quyền phường.")
    r = await client.post(
        f"/petitions/staff/{escalated}/act?lang=vi",
        data={"action": "reject", "reason": "Trùng lặp."},
        headers=htmx(),
    )
    assert r.status_code == 403 and r.headers["HX-Retarget"] == "#messages"
    assert text(r.text, "#petition .badge.status-escalated") == "Đã chuyển cấp trên"
    assert not has(r.text, "#petition form.action-form")
    # Without htmx the refusal is the error page, as before (the page itself is reloaded after).
    r = await client.post(f"/petitions/staff/{accepted}/act", data={"action": "accept"})
    assert r.status_code == 409 and page_error(r.text) == "invalid_transition"
    assert not has(r.text, "#petition")


def _buttons(html: str) -> set[str]:
    return set(texts(html, 'form[method=post][action$="/act"] button[type=submit]'))


async def test_action_buttons_say_what_they_do_and_no_raw_code_shows(client, anon) -> None:
    """Buttons are verbs ("Thụ lý"), not the state they lead to ("Đã thụ lý"); a commune
    escalates to the city, a city to a central agency; a notification's state is worded."""
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await login(client, w.commune_sec)
    r = await client.get(f"/petitions/staff/{code}")
    assert _buttons(r.text) == {
        "Thụ lý",
        "Chuyển lên thành phố",
        "Từ chối",
        "Gộp vào kiến nghị khác",
        "Hướng dẫn sang kênh khác",
    }
    assert "đã được ghi nhận, chưa gửi thư." in r.text and ">recorded<" not in r.text
    r = await client.get(f"/petitions/staff/{code}?lang=en")
    assert _buttons(r.text) == {
        "Accept",
        "Escalate to the city",
        "Reject",
        "Merge into another petition",
        "Send to another channel",
    }
    assert "recorded, not e-mailed" in r.text
    r = await client.post(
        f"/petitions/staff/{code}/act",
        data={"action": "escalate", "reason": "Đường do thành phố quản lý"},
        headers=htmx(),
    )
    assert "Done: Escalate to the city." in r.text  # still in the English chosen above
    await login(client, w.city_sec)
    r = await client.get(f"/petitions/staff/{code}?lang=vi")
    assert {"Chuyển lên cơ quan Trung ương", "Giao cơ quan giải quyết"} <= _buttons(r.text)
    await act_ok(client, w.city_sec, code, "assign", agency_code=w.city_agency.code)
    await act_ok(client, w.city_officer, code, "answer", text="Sở đã lên kế hoạch duy tu.")
    r = await client.get(f"/petitions/staff/{code}")
    assert {"Công bố câu trả lời", "Mở lại", "Ghi kết quả giải quyết"} <= _buttons(r.text)


async def test_chair_sees_no_personal_data_on_pages(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await login(client, w.commune_chair)
    for path in ("/petitions/staff", f"/petitions/staff/{code}"):
        r = await client.get(path)
        assert r.status_code == 200 and not any(v in r.text for v in PERSONAL_VALUES), path
    await login(client, w.other_sec)
    r = await client.get(f"/petitions/staff/{code}")
    assert r.status_code == 403 and page_error(r.text) == "forbidden"


async def test_staff_csv_export_is_scoped_and_personal_data_limited(client, anon) -> None:
    w = await setup_world()
    mine = (await file_petition(anon))["code"]
    other = (await file_petition(anon, council_code="HN-HOANKIEM"))["code"]
    r = await client.get("/api/v1/petitions/export.csv", headers=await bearer(w.commune_sec))
    assert r.status_code == 200 and mine in r.text and other not in r.text
    assert not any(v in r.text for v in PERSONAL_VALUES)  # personal columns are opt-in
    r = await client.get(
        "/api/v1/petitions/export.csv?personal=true", headers=await bearer(w.commune_sec)
    )
    assert "Nguyễn Thị Hoa" in r.text
    r = await client.get("/api/v1/petitions/export.csv", headers=await bearer(w.commune_chair))
    assert mine in r.text and not any(v in r.text for v in PERSONAL_VALUES)
    r = await client.get(
        "/api/v1/petitions/export.csv?personal=true", headers=await bearer(w.commune_chair)
    )
    assert r.status_code == 403 and error_code(r) == "forbidden"
    r = await client.get("/api/v1/petitions/export.xlsx", headers=await bearer(w.other_sec))
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == {other}
    r = await anon.get("/api/v1/petitions/export.csv")
    assert r.status_code == 401 and error_code(r) == "unauthorized"


async def test_staff_filing_assisted_needs_consent_and_prints_a_receipt(client) -> None:
    w = await setup_world()
    await login(client, w.commune_sec)
    page = await client.get("/petitions/staff/file")
    assert page.status_code == 200
    form = {
        "council_code": "HN-BADINH",
        "channel": "assisted",
        "category": "social",
        "title": "Chậm chi trả trợ cấp người cao tuổi",
        "body": "Bà Lan 85 tuổi chưa nhận trợ cấp 3 tháng.",
        "name": "Lê Thị Lan",
    }
    r = await client.post("/petitions/staff/file", data=form)
    assert r.status_code == 422 and has(r.text, ".alert-error[role=alert]")
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    r = await client.post(
        "/petitions/staff/file", data=form, files={"consent": ("dong-y.png", png, "image/png")}
    )
    assert r.status_code == 303 and r.headers["location"] == "/petitions/receipt"
    r = await client.get("/petitions/receipt")
    assert "/petitions/staff/file" in attrs(r.text, "p.noprint a.button", "href")
    code = texts(r.text, "section.receipt dl.slip dd.code")[0]
    assert re.fullmatch(r"KN-\d{4}-[0-9A-Z]{7}", code), code
    detail = (
        await client.get(f"/api/v1/petitions/{code}/detail", headers=await bearer(w.commune_sec))
    ).json()
    assert detail["channel"] == "assisted"
    page = await client.get(f"/petitions/staff/{code}")
    (link,) = attrs(page.text, f'a[href^="/petitions/staff/{code}/attachments/"]', "href")
    assert (await client.get(link)).content == png
    await login(client, w.commune_chair)
    r = await client.get(link)
    assert r.status_code == 403 and page_error(r.text) == "forbidden"  # personal data


async def test_voter_meeting_batch(client) -> None:
    w = await setup_world()
    r = await client.post(
        "/api/v1/petitions/meetings",
        headers=await bearer(w.commune_delegate),
        json={
            "council_code": "HN-BADINH",
            "held_on": "2026-03-14",
            "place": "Nhà văn hóa tổ dân phố số 5",
            "delegates": "Đ/c A, Đ/c B",
            "attendees": 120,
        },
    )
    assert r.status_code == 201, r.text
    meeting_id = r.json()["id"]
    batch = {
        "petitions": [
            {
                "category": "transport",
                "title": "Sửa đèn tín hiệu ngã tư",
                "body": "Đèn hỏng hai tuần nay.",
            },
            {
                "category": "environment",
                "title": "Thu gom rác đúng giờ",
                "body": "Rác tồn đọng ở đầu ngõ 12.",
            },
        ]
    }
    r = await client.post(
        f"/api/v1/petitions/meetings/{meeting_id}/petitions",
        json=batch,
        headers=await bearer(w.commune_delegate),
    )
    assert r.status_code == 201 and len(r.json()["items"]) == 2
    r = await client.post(
        f"/api/v1/petitions/meetings/{meeting_id}/petitions",
        json=batch,
        headers=await bearer(w.other_sec),
    )
    assert r.status_code == 403 and error_code(r) == "forbidden"
    await login(client, w.commune_delegate)
    assert (await client.get("/petitions/meetings/new")).status_code == 200
    r = await client.post(
        "/petitions/meetings/new",
        data={
            "council_code": "HN-BADINH",
            "held_on": "2026-03-20",
            "place": "Trụ sở phường",
            "delegates": "Đ/c C",
            "attendees": "80",
            "rows": "5",
            "p0-category": "education",
            "p0-title": "Thiếu phòng học",
            "p0-body": "Trường tiểu học thiếu phòng học.",
        },
    )
    assert r.status_code == 303
    r = await client.get(r.headers["location"])
    assert len(texts(r.text, "section.receipt")) == 1
    assert len(texts(r.text, "section.receipt dl.slip dd.code")) == 2  # its code and token


async def test_dashboards_city_screen_and_on_time_table(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    late = (await file_petition(anon, council_code="HN-HOANKIEM"))["code"]
    await escalate_assign_answer_publish(client, w, code)
    hop = await Hop.filter(petition__code=late, ended_at__isnull=True).first()
    hop.due_at = hop.started_at.replace(year=hop.started_at.year - 1)
    await hop.save()
    from petitions.models import Petition

    await Petition.filter(code=late).update(due_at=hop.due_at)
    await login(client, w.city_sec)
    r = await client.get("/petitions/dashboard")
    assert r.status_code == 200 and "<html" in r.text
    assert (await client.get("/petitions/dashboard", headers=htmx())).status_code == 200
    r = await client.get("/petitions/city")
    assert r.status_code == 200 and "status-red" in r.text and "HN-HOANKIEM" in r.text
    red = "Đỏ: 100% bước đang mở đã quá hạn, trên mức 10%"  # the colour said, and why
    assert f"<strong>{red}</strong>" in r.text
    await login(client, w.other_sec)
    r = await client.get("/petitions/dashboard")
    assert r.status_code == 200 and late in r.text  # its overdue list
    assert f"<strong>{red}</strong>" in r.text
    r = await client.get("/petitions/city")
    assert r.status_code == 404 and page_error(r.text) == "not_found"
    await login(client, w.city_officer)
    assert (await client.get("/petitions/dashboard")).status_code == 200
    r = await anon.get("/petitions/on-time")
    assert r.status_code == 200 and "Sở SO-XD" in r.text
    assert '<table class="cards">' in r.text and 'data-label="Đúng hạn"' in r.text


async def test_reports_and_cycle_carry_over(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    open_code = (await file_petition(anon, title="Thiếu đèn chiếu sáng ngõ 58"))["code"]
    await escalate_assign_answer_publish(client, w, code)
    await act_ok(client, w.city_sec, code, "resolution", resolution="resolved")
    cycle = await Cycle.get(council__code="HN-BADINH")
    h = await bearer(w.commune_sec)
    r = await client.get(f"/api/v1/petitions/reports/summary.docx?cycle_id={cycle.id}", headers=h)
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "Tổng hợp ý kiến, kiến nghị của cử tri" in text and "Lĩnh vực giao thông" in text
    assert not any(v in text for v in PERSONAL_VALUES)
    r = await client.get(f"/api/v1/petitions/reports/summary.pdf?cycle_id={cycle.id}", headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    r = await client.get(f"/api/v1/petitions/reports/results.xlsx?cycle_id={cycle.id}", headers=h)
    assert (
        r.status_code == 200 and load_workbook(io.BytesIO(r.content))["Chuyển kỳ sau"].max_row == 2
    )
    r = await client.get(
        f"/api/v1/petitions/reports/results.docx?cycle_id={cycle.id}",
        headers=await bearer(w.other_sec),
    )
    assert r.status_code == 403 and error_code(r) == "forbidden"
    await login(client, w.commune_sec)
    assert (await client.get("/petitions/reports")).status_code == 200
    r = await client.post("/petitions/reports/next-cycle")
    assert r.status_code == 303
    new = await Cycle.filter(council__code="HN-BADINH", closed_at__isnull=True).first()
    assert (new.session_number, new.phase) == (1, "after")
    carried = await new.entries.all().prefetch_related("petition")
    assert [e.petition.code for e in carried] == [open_code] and carried[0].carried_over


async def test_open311(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    hidden = (await file_petition(anon, title="Chưa công khai"))["code"]
    await escalate_assign_answer_publish(client, w, code)
    r = await anon.get("/open311/v2/services.json")
    assert r.status_code == 200 and any(s["service_code"] == "transport" for s in r.json())
    r = await anon.get("/open311/v2/requests.json")
    ids = [x["service_request_id"] for x in r.json()]
    assert ids == [code] and hidden not in r.text
    assert not any(v in r.text for v in PERSONAL_VALUES)
    r = await anon.get(f"/open311/v2/requests/{code}.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    r = await anon.get(f"/open311/v2/requests/{hidden}.json")
    assert r.status_code == 404 and r.json()[0]["code"] == 404  # Open311's own error list
    r = await anon.get("/open311/v2/requests.json?service_code=nope")
    assert r.status_code == 400 and r.json()[0]["description"] == "unknown service_code"
    r = await anon.get("/open311/v2/requests.json?start_date=yesterday")
    assert r.status_code == 400 and "start_date" in r.json()[0]["description"]
    assert (await anon.get("/open311/v2/discovery.json")).status_code == 200
    r = await anon.post("/open311/v2/requests.json")
    assert r.status_code == 403 and "read-only" in r.json()[0]["description"]


async def test_notifications_page(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await login(client, w.commune_sec)
    r = await client.get("/petitions/notifications")
    assert r.status_code == 200 and code in r.text
    assert await Council.exists(code="HN")


async def test_council_calendar_settings_change_deadlines(client, anon) -> None:
    w = await setup_world()
    h = await bearer(w.commune_sec)
    r = await client.get("/api/v1/petitions/settings/HN-BADINH", headers=h)
    assert r.status_code == 200 and r.json()["sla"]["answer"] == 20
    assert any(name == "tet" for _, name in r.json()["holidays"])
    r = await client.put(
        "/api/v1/petitions/settings/HN-BADINH",
        headers=h,
        json={"calendar": {"tet_days_after": 5}, "sla": {"classify": 2}},
    )
    assert r.status_code == 200 and r.json()["sla"]["classify"] == 2
    r = await client.put(
        "/api/v1/petitions/settings/HN-BADINH",
        headers=h,
        json={"calendar": {"weekend": [9]}, "sla": {}},
    )
    assert r.status_code == 422 and error_code(r) == "invalid"
    r = await client.put(
        "/api/v1/petitions/settings/HN-BADINH",
        headers=await bearer(w.other_sec),
        json={"calendar": {}, "sla": {}},
    )
    assert r.status_code == 403 and error_code(r) == "forbidden"
    r = await client.put(
        "/api/v1/petitions/settings/HN-BADINH",
        headers=await bearer(w.commune_chair),
        json={"calendar": {}, "sla": {}},
    )
    assert r.status_code == 403 and error_code(r) == "forbidden"
    assert r.json()["error"]["details"]["operation"] == "petition.settings"
    filed = await file_petition(anon)
    hop = await Hop.get(petition__code=filed["code"])
    from council.calendar import CalendarConfig, WorkingCalendar, due_at

    cal = WorkingCalendar(CalendarConfig.from_dict({"tet_days_after": 5}))
    assert hop.due_at == due_at(hop.started_at, 2, cal)
    r = await client.get("/api/v1/petitions/cycles", headers=h)
    assert r.status_code == 200 and r.json()["items"][0]["label"]
    r = await client.post("/api/v1/petitions/cycles", headers=h, json={"council_code": "HN-BADINH"})
    assert r.status_code == 201 and r.json()["phase"] == "after"


async def test_commune_dashboard_lists_only_what_the_viewer_may_open(client, anon) -> None:
    w = await setup_world()
    city_chair = await make_user("chair", w.city)
    city_delegate = await make_user("delegate", w.city)
    local = (await file_petition(anon))["code"]
    escalated = (await file_petition(anon, title="Đường Láng ngập nước"))["code"]
    await act_ok(client, w.commune_sec, escalated, "escalate")
    for code in (local, escalated):
        await make_overdue(code)
    page = "/petitions/dashboard?council_code=HN-BADINH"

    for user in (w.city_sec, city_chair):
        await login(client, user)
        r = await client.get(page)
        assert r.status_code == 200, user.role
        listed = _listed(r.text)
        assert listed == {escalated}, user.role  # not the ward's own petition
        for code in listed:
            assert (await client.get(f"/petitions/staff/{code}")).status_code == 200
    await login(client, w.commune_delegate)
    r = await client.get(page)
    assert _listed(r.text) == {local, escalated}
    for user in (city_delegate, w.other_sec):
        await login(client, user)
        r = await client.get(page)
        assert r.status_code == 403 and page_error(r.text) == "forbidden", user.role


def _listed(html: str) -> set[str]:
    """The petitions a dashboard links to."""
    hrefs = attrs(html, 'a[href^="/petitions/staff/KN-"]', "href")
    return {str(h).removeprefix("/petitions/staff/") for h in hrefs}


async def _session(client, user, council_code: str) -> int:
    r = await client.post(
        "/api/v1/sessions",
        headers=await bearer(user),
        json={
            "council_code": council_code,
            "title": "Kỳ họp thứ 5",
            "starts_at": "2026-07-01T08:00:00+07:00",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_new_cycle_links_only_a_session_of_its_council(client) -> None:
    w = await setup_world()
    city_session = await _session(client, w.city_sec, "HN")
    own_session = await _session(client, w.commune_sec, "HN-BADINH")

    async def open_cycle(user, session_id: int) -> int:
        r = await client.post(
            "/api/v1/petitions/cycles",
            headers=await bearer(user),
            json={"council_code": "HN-BADINH", "session_id": session_id},
        )
        return r.status_code, (error_code(r) if r.status_code >= 400 else None)

    assert await open_cycle(w.commune_sec, city_session) == (403, "forbidden")
    assert await open_cycle(w.admin, city_session) == (403, "forbidden")
    assert await open_cycle(w.commune_sec, 999_999) == (404, "not_found")
    assert await open_cycle(w.commune_sec, 2**40) == (422, "invalid")
    assert not await Cycle.exists(council__code="HN-BADINH")  # nothing opened
    assert await open_cycle(w.commune_sec, own_session) == (201, None)
    cycle = await Cycle.get(council__code="HN-BADINH", closed_at__isnull=True)
    assert cycle.session_id == own_session


async def test_after_its_answer_the_agency_waits_for_the_council_and_may_only_update(
    client, anon
) -> None:
    """The answering agency is not offered the result form again as its "next step": the page
    says the council reviews and publishes next; updating its result stays, folded and named so."""
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, code, "escalate")
    await act_ok(client, w.city_sec, code, "assign", agency_code=w.city_agency.code)
    await act_ok(
        client,
        w.city_officer,
        code,
        "answer",
        text="Sở đã đưa tuyến đường vào kế hoạch duy tu.",
        resolution="roadmap",
        roadmap_date="2027-03-31",
    )
    await login(client, w.city_officer)
    r = await client.get(f"/petitions/staff/{code}")
    assert r.status_code == 200
    assert not has(r.text, ".primary-action")
    waiting = text(r.text, ".action-panel .waiting-for")
    assert "Hội đồng nhân dân thành phố Hà Nội" in waiting
    assert "Xem xét, công khai trả lời" in waiting
    assert attrs(r.text, "details#more-actions", "open") == [None]  # folded
    assert text(r.text, "details#more-actions > summary") == "Cập nhật kết quả giải quyết"
    assert _buttons(r.text) == {"Cập nhật kết quả giải quyết"}
    assert attrs(r.text, "#res option[selected]", "value") == ["roadmap"]
    assert attrs(r.text, "#rd", "value") == ["2027-03-31"]
    await login(client, w.city_sec)
    r = await client.get(f"/petitions/staff/{code}")
    assert text(r.text, ".primary-action button") == "Công bố câu trả lời"
    assert not has(r.text, ".waiting-for")
