"""The agency officer pushes back: returns a misrouted petition (petition.return), asks for more
time (petition.extension_request / _decide), answers with the official reply letter
(petition.letter), and must choose the resolution on the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from council import storage
from council.models import AuditEntry
from petitions.models import Attachment, Extension, Hop, Petition, PetitionEvent
from petitions.services.dashboards import agency_dashboard
from petitions.workflow import LOCAL_TZ
from tests.factories import bearer, error_code, htmx, login, make_agency, make_user
from tests.html import attrs, dom, has, one, refusal, text
from tests.petitions.helpers import act, act_ok, file_petition, setup_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _assigned(client, anon, w, **overrides) -> str:
    return (await _assigned_with_token(client, anon, w, **overrides))[0]


async def _assigned_with_token(client, anon, w, **overrides) -> tuple[str, str]:
    """A Ba Đình petition escalated to the city and assigned to its Department of Construction."""
    filed = await file_petition(anon, **overrides)
    code = filed["code"]
    await act_ok(client, w.commune_sec, code, "escalate", reason="Thuộc thẩm quyền thành phố")
    await act_ok(client, w.city_sec, code, "assign", agency_code=w.city_agency.code)
    return code, filed["token"]


async def test_agency_returns_a_misrouted_petition_and_a_routing_hop_begins(client, anon) -> None:
    w = await setup_world()
    code = await _assigned(
        client, anon, w, category="security", title="Tình trạng trộm cắp xe máy tại tổ 5"
    )
    # Only the assigned agency returns, and only with a reason.
    r = await act(client, w.city_sec, code, "return", reason="x")
    assert refusal(r) == (403, "forbidden")
    r = await act(client, w.other_officer, code, "return", reason="x")
    assert refusal(r) == (403, "forbidden")
    r = await act(client, w.city_officer, code, "return")
    assert refusal(r) == (422, "invalid")
    # An extension still awaiting a decision lapses with the hop it was asked for.
    hop = await Hop.get(petition__code=code, ended_at__isnull=True)
    until = (hop.due_at.astimezone(LOCAL_TZ) + timedelta(days=3)).date().isoformat()
    r = await client.post(
        f"/api/v1/petitions/{code}/extensions",
        json={"until": until, "reason": "Chờ xác minh"},
        headers=await bearer(w.city_officer),
    )
    assert r.status_code == 201
    state = await act_ok(
        client, w.city_officer, code, "return", reason="Trộm cắp thuộc Công an thành phố"
    )
    assert (await Extension.get(petition__code=code)).state == "lapsed"
    assert state["status"] == "escalated" and state["agency_code"] is None
    answer_hop, routing_hop = state["hops"][-2:]
    assert answer_hop["stage"] == "answer" and answer_hop["ended_at"] is not None
    assert routing_hop["stage"] == "assign" and routing_hop["ended_at"] is None
    assert routing_hop["owner"] == w.city.name and routing_hop["due_at"] > routing_hop["started_at"]
    hop = await Hop.get(petition__code=code, ended_at__isnull=True)
    assert hop.owner_council_id == w.city.id and hop.ended_by is None
    assert (await Hop.filter(petition__code=code, ended_by="return").count()) == 1
    event = await PetitionEvent.get(petition__code=code, action="return")
    assert "Công an" in event.internal_note and event.details["agency"] == w.city_agency.code
    audit = await AuditEntry.get(operation="petition.return")
    assert audit.target_id == code and audit.details["reason"].startswith("Trộm cắp")
    # The officer no longer sees it; the secretariat assigns it again.
    r = await client.get(f"/api/v1/petitions/{code}/detail", headers=await bearer(w.city_officer))
    assert refusal(r) == (403, "forbidden")
    police = await make_agency(w.city, "CA-HN", categories=["security"])
    await act_ok(client, w.city_sec, code, "assign", agency_code=police.code)
    # On the page, the officer is told the petition left their list.
    local_code = (await file_petition(anon, category="administration"))["code"]
    await act_ok(client, w.commune_sec, local_code, "accept")
    await act_ok(client, w.commune_sec, local_code, "assign", agency_code=w.commune_agency.code)
    await login(client, w.commune_officer)
    r = await client.post(
        f"/petitions/staff/{local_code}/act",
        data={"action": "return", "reason": "Không đúng lĩnh vực"},
        headers=htmx(),
    )
    assert r.status_code == 200 and "không còn trong danh sách" in r.text
    # A commune-level petition goes back to "accepted" at its commune.
    local = (await file_petition(anon, category="administration"))["code"]
    await act_ok(client, w.commune_sec, local, "accept")
    await act_ok(client, w.commune_sec, local, "assign", agency_code=w.commune_agency.code)
    state = await act_ok(client, w.commune_officer, local, "return", reason="Không đúng lĩnh vực")
    assert state["status"] == "accepted"
    assert (await Petition.get(code=local_code)).status == "accepted"


async def test_extension_moves_the_due_date_and_on_time_counts_against_it(
    client, anon, settings
) -> None:
    w = await setup_world()
    code, token = await _assigned_with_token(client, anon, w)
    hop = await Hop.get(petition__code=code, ended_at__isnull=True)
    first_due = hop.due_at
    until = (first_due.astimezone(LOCAL_TZ) + timedelta(days=10)).date()
    headers = await bearer(w.city_officer)
    path = f"/api/v1/petitions/{code}/extensions"
    r = await client.post(path, json={"until": until.isoformat(), "reason": ""}, headers=headers)
    assert refusal(r) == (422, "invalid")
    r = await client.post(
        path,
        json={"until": until.isoformat(), "reason": "Cần khảo sát hiện trường"},
        headers=await bearer(w.city_sec),
    )
    assert refusal(r) == (403, "forbidden")  # the secretariat decides, it does not ask
    r = await client.post(
        path,
        json={"until": first_due.astimezone(LOCAL_TZ).date().isoformat(), "reason": "Sớm"},
        headers=headers,
    )
    assert r.status_code == 422 and "until" in r.text
    r = await client.post(
        path,
        json={"until": until.isoformat(), "reason": "Cần khảo sát hiện trường"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    ext = r.json()
    assert ext["state"] == "pending"
    r = await client.post(
        path, json={"until": until.isoformat(), "reason": "Lần nữa"}, headers=headers
    )
    assert r.status_code == 409 and error_code(r) == "extension_pending"
    decision = f"{path}/{ext['id']}/decision"
    r = await client.post(decision, json={"approve": True}, headers=headers)
    assert refusal(r) == (403, "forbidden")
    r = await client.post(decision, json={"approve": True}, headers=await bearer(w.other_sec))
    assert refusal(r) == (403, "forbidden")
    r = await client.post(decision, json={"approve": True}, headers=await bearer(w.city_sec))
    assert r.status_code == 200 and r.json()["state"] == "approved"
    r = await client.post(decision, json={"approve": False}, headers=await bearer(w.city_sec))
    assert refusal(r) == (409, "extension_decided")
    hop = await Hop.get(id=hop.id)
    assert hop.original_due_at == first_due and hop.due_at > first_due
    assert (await Petition.get(code=code)).due_at == hop.due_at
    event = await PetitionEvent.get(petition__code=code, action="extend")
    assert event.details["original"] == first_due.astimezone(UTC).isoformat()
    # The petitioner sees the new date in the history, not the request.
    track = (await anon.get(f"/api/v1/petitions/{code}", params={"token": token})).json()
    actions = [h["action"] for h in track["history"]]
    assert "extend" in actions and "extend_request" not in actions
    # Answered after the first due date but before the extended one: on time.
    late_for_first = first_due + timedelta(days=2)
    await act_ok(client, w.city_officer, code, "answer", text="Đã khảo sát và lên kế hoạch.")
    await Hop.filter(id=hop.id).update(ended_at=late_for_first)
    state = (
        await client.get(f"/api/v1/petitions/{code}/detail", headers=await bearer(w.city_sec))
    ).json()
    answer_hop = next(h for h in state["hops"] if h["stage"] == "answer")
    assert answer_hop["on_time"] is True and answer_hop["original_due_at"] is not None
    d = await agency_dashboard(w.city_sec, w.city_agency)
    assert d.extended == 1 and d.figures.on_time == d.figures.finished == 1
    # The public on-time table counts it the same way and says it was extended.
    table = await anon.get("/petitions/on-time")
    rows = dom(table.text).css("tbody tr")
    (row,) = [r for r in rows if w.city_agency.name in r.text()]
    assert text(row, ".fig-on-time") == "100% — 1/1 bước hoàn thành đúng hạn"
    assert text(row, "td.extended") == "1"
    assert attrs(row, "td.extended", "data-label") == ["Đã gia hạn"]
    others = [text(r, "td.extended") for r in rows if w.city_agency.name not in r.text()]
    assert others and set(others) == {"0"}
    ops = [e.operation for e in await AuditEntry.filter(operation__startswith="petition.ext")]
    assert ops == ["petition.extension_request", "petition.extension_approve"]


async def test_extension_refused_needs_a_reason_and_comes_too_late_after_the_due_date(
    client, anon
) -> None:
    w = await setup_world()
    code = await _assigned(client, anon, w)
    hop = await Hop.get(petition__code=code, ended_at__isnull=True)
    until = (hop.due_at.astimezone(LOCAL_TZ) + timedelta(days=5)).date().isoformat()
    path = f"/api/v1/petitions/{code}/extensions"
    ext = (
        await client.post(
            path,
            json={"until": until, "reason": "Chờ ý kiến liên ngành"},
            headers=await bearer(w.city_officer),
        )
    ).json()
    decision = f"{path}/{ext['id']}/decision"
    r = await client.post(decision, json={"approve": False}, headers=await bearer(w.city_sec))
    assert refusal(r) == (422, "invalid")
    r = await client.post(
        decision,
        json={"approve": False, "reason": "Vụ việc đơn giản"},
        headers=await bearer(w.city_sec),
    )
    assert r.json()["state"] == "refused"
    assert (await Hop.get(id=hop.id)).due_at == hop.due_at
    # Past the due date an extension can no longer be asked.
    await Hop.filter(id=hop.id).update(due_at=datetime.now(UTC) - timedelta(hours=1))
    r = await client.post(
        path, json={"until": until, "reason": "Muộn"}, headers=await bearer(w.city_officer)
    )
    assert r.status_code == 409 and error_code(r) == "extension_too_late"


async def test_answer_with_a_reply_letter_and_a_chosen_resolution_on_the_page(client, anon) -> None:
    w = await setup_world()
    code = await _assigned(client, anon, w)
    await login(client, w.city_officer)
    page = await client.get(f"/petitions/staff/{code}")
    # No resolution is preselected: the blank choice comes first and the field is required.
    assert 'name="resolution" required><option value="">' in page.text
    form = {"action": "answer", "text": "Sở Xây dựng sẽ sửa mặt đường trong quý III."}
    files = {"letter": ("cong-van-123.pdf", PDF, "application/pdf")}
    r = await client.post(f"/petitions/staff/{code}/act", data=form, files=files, headers=htmx())
    assert r.status_code == 422 and "resolution" in r.text
    r = await client.post(
        f"/petitions/staff/{code}/act",
        data={**form, "resolution": "roadmap"},
        files=files,
        headers=htmx(),
    )
    assert r.status_code == 422 and "Lộ trình" in r.text  # a roadmap needs its date
    r = await client.post(
        f"/petitions/staff/{code}/act",
        data={**form, "resolution": "roadmap", "roadmap_date": "2026-09-30"},
        files={"letter": ("cong-van-123.exe", b"MZ\x90\x00" * 20, "application/pdf")},
        headers=htmx(),
    )
    assert refusal(r) == (422, "unsupported_type")
    assert (await Petition.get(code=code)).status == "assigned"
    r = await client.post(
        f"/petitions/staff/{code}/act",
        data={**form, "resolution": "roadmap", "roadmap_date": "2026-09-30"},
        files=files,
        headers=htmx(),
    )
    assert r.status_code == 200 and "cong-van-123.pdf" in r.text
    p = await Petition.get(code=code)
    assert p.status == "answered" and p.resolution == "roadmap"
    letter = await Attachment.get(petition_id=p.id, kind="reply")
    assert await storage.read_bytes(letter.path) == PDF
    download = await client.get(f"/petitions/staff/{code}/attachments/{letter.id}")
    assert download.status_code == 200 and download.content == PDF
    # Through the API, a second letter on the answer; anything but a PDF is refused.
    headers = await bearer(w.city_officer)
    r = await client.post(
        f"/api/v1/petitions/{code}/letter",
        files={"file": ("phu-luc.pdf", PDF + b"%more", "application/pdf")},
        headers=headers,
    )
    assert r.status_code == 201 and r.json()["name"] == "phu-luc.pdf"
    r = await client.post(
        f"/api/v1/petitions/{code}/letter",
        files={"file": ("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")},
        headers=headers,
    )
    assert refusal(r) == (422, "unsupported_type")
    r = await client.post(
        f"/api/v1/petitions/{code}/letter",
        files={"file": ("x.pdf", PDF, "application/pdf")},
        headers=await bearer(await make_user("agency", agency=w.other_agency)),
    )
    assert refusal(r) == (403, "forbidden")
    detail = (await client.get(f"/api/v1/petitions/{code}/detail", headers=headers)).json()
    assert [x["name"] for x in detail["letters"]] == ["cong-van-123.pdf", "phu-luc.pdf"]
    assert await AuditEntry.filter(operation="petition.letter").count() == 1


async def _track_page(anon, code: str, token: str) -> tuple[str, str]:
    """The tracking page as the petitioner opens it: its HTML and the form's CSRF token."""
    form = await anon.get("/petitions/track")
    csrf = one(form.text, "input[name=csrf_token]").attributes["value"] or ""
    r = await anon.post("/petitions/track", data={"code": code, "token": token, "csrf_token": csrf})
    assert r.status_code == 200, r.text
    return r.text, csrf


async def test_the_petitioner_downloads_the_reply_letter_once_the_answer_is_published(
    client, anon
) -> None:
    w = await setup_world()
    code, token = await _assigned_with_token(client, anon, w)
    merged = await file_petition(anon, title="Mặt đường Láng hư hỏng nặng, cần sửa")
    await act_ok(client, w.commune_sec, merged["code"], "escalate", reason="Cùng vấn đề")
    await act_ok(client, w.city_sec, merged["code"], "merge", into_code=code)
    await act_ok(client, w.city_officer, code, "answer", text="Sở sẽ sửa mặt đường trong quý III.")
    r = await client.post(
        f"/api/v1/petitions/{code}/letter",
        files={"file": ("cong-van-123.pdf", PDF, "application/pdf")},
        headers=await bearer(w.city_officer),
    )
    assert r.status_code == 201, r.text
    letter = await Attachment.get(petition__code=code, kind="reply")
    photo = await Attachment.create(
        petition_id=letter.petition_id,
        kind="evidence",
        path=letter.path,
        mime="image/png",
        size=1,
        sha256="0" * 64,
        original_name="o-ga.png",
    )
    path = f"/petitions/track/letters/{letter.id}"

    # Answered, not yet reviewed and published: neither the answer nor its letter is shown.
    html, csrf = await _track_page(anon, code, token)
    assert not has(html, "#track-view .answer") and not has(
        html, "form[action^='/petitions/track/letters/']"
    )
    r = await anon.post(path, data={"code": code, "token": token, "csrf_token": csrf})
    assert refusal(r) == (404, "not_found")
    api = f"/api/v1/petitions/{code}"
    assert (await anon.get(api, params={"token": token})).json()["letters"] == []

    await act_ok(client, w.city_sec, code, "publish")
    html, csrf = await _track_page(anon, code, token)
    assert attrs(html, "#track-view .answer form", "action") == [path]
    assert attrs(html, "#track-view .answer form input[name=code]", "value") == [code]
    assert text(html, "#track-view .answer .letters .muted").startswith("cong-van-123.pdf (PDF")
    r = await anon.post(path, data={"code": code, "token": token, "csrf_token": csrf})
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-disposition"].startswith("attachment")
    assert "no-store" in r.headers["cache-control"]
    # The token is the key: a wrong one, a photo the petitioner sent, a letter of another
    # petition, no CSRF token: all refused.
    r = await anon.post(path, data={"code": code, "token": "XXXXX-XXXXX", "csrf_token": csrf})
    assert refusal(r) == (404, "not_found")
    data = {"code": code, "token": token, "csrf_token": csrf}
    r = await anon.post(f"/petitions/track/letters/{photo.id}", data=data)
    assert refusal(r) == (404, "not_found")
    data = {"code": merged["code"], "token": merged["token"], "csrf_token": csrf}
    r = await anon.post(path, data=data)
    assert refusal(r) == (404, "not_found")
    r = await anon.post(path, data={"code": code, "token": token})
    assert refusal(r) == (403, "csrf_failed")
    # The merged petitioner follows the survivor's answer, not its letter: a letter is addressed
    # to its own petitioner. The public page of the answer offers no letter either.
    html, _ = await _track_page(anon, merged["code"], merged["token"])
    assert has(html, "#track-view .answer") and not has(html, ".letters")
    public = await anon.get(f"/petitions/p/{code}")
    assert public.status_code == 200 and not has(public.text, ".letters")
    assert not has(public.text, "form[action^='/petitions/track/letters/']")
    # The API: the view lists the letter, and the token downloads it.
    (listed,) = (await anon.get(api, params={"token": token})).json()["letters"]
    assert listed["id"] == letter.id and listed["name"] == "cong-van-123.pdf"
    r = await anon.get(f"{api}/letters/{letter.id}", params={"token": token})
    assert r.status_code == 200 and r.content == PDF
    r = await anon.get(f"{api}/letters/{letter.id}", params={"token": merged["token"]})
    assert refusal(r) == (404, "not_found")
    r = await anon.get(f"{api}/letters/{photo.id}", params={"token": token})
    assert refusal(r) == (404, "not_found")
