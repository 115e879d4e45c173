"""A reply letter reaches its petitioner only once the secretariat publishes it with the answer
(petition.publish sets ``Attachment.published_at``); a wrong one is removed
(petition.letter_remove); the tracking token travels in the X-Tracking-Token header; a
rejection's audit entry keeps its reason."""

from __future__ import annotations

from council import storage
from council.models import AuditEntry
from petitions.models import Attachment, PetitionEvent
from tests.factories import bearer, htmx, login
from tests.html import attrs, has, one, refusal
from tests.petitions.helpers import act_ok, file_petition, setup_world

HEADER = "X-Tracking-Token"


def pdf(tag: str) -> bytes:
    """A small PDF of its own bytes (storage keeps one blob per content)."""
    return b"%PDF-1.4\n% " + tag.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _answered(client, anon, w) -> tuple[str, str]:
    """A Ba Đình petition sent to the city, assigned to its Department of Construction, answered."""
    filed = await file_petition(anon)
    code = filed["code"]
    await act_ok(client, w.commune_sec, code, "escalate", reason="Thuộc thẩm quyền thành phố")
    await act_ok(client, w.city_sec, code, "assign", agency_code=w.city_agency.code)
    await act_ok(client, w.city_officer, code, "answer", text="Sở sẽ sửa mặt đường trong quý III.")
    return code, filed["token"]


async def _attach(client, user, code: str, name: str) -> int:
    r = await client.post(
        f"/api/v1/petitions/{code}/letter",
        files={"file": (name, pdf(name), "application/pdf")},
        headers=await bearer(user),
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def _served(anon, code: str, token: str) -> list[str]:
    """The letters the petitioner is offered (the API, token in the header), each downloaded."""
    r = await anon.get(f"/api/v1/petitions/{code}", headers={HEADER: token})
    assert r.status_code == 200, r.text
    names = []
    for letter in r.json()["letters"]:
        got = await anon.get(
            f"/api/v1/petitions/{code}/letters/{letter['id']}", headers={HEADER: token}
        )
        assert got.status_code == 200 and got.content == pdf(letter["name"])
        names.append(letter["name"])
    return names


async def _refused(anon, code: str, token: str, letter_id: int) -> None:
    r = await anon.get(f"/api/v1/petitions/{code}/letters/{letter_id}", headers={HEADER: token})
    assert refusal(r) == (404, "not_found")


async def test_a_letter_attached_after_publication_waits_and_a_reopen_withdraws_the_old_ones(
    client, anon
) -> None:
    w = await setup_world()
    code, token = await _answered(client, anon, w)
    first = await _attach(client, w.city_officer, code, "cong-van-1.pdf")
    await _refused(anon, code, token, first)  # answered, not yet reviewed
    await act_ok(client, w.city_sec, code, "publish")
    assert await _served(anon, code, token) == ["cong-van-1.pdf"]
    publish = await AuditEntry.get(operation="petition.publish", target_id=code)
    assert publish.details["letters"] == 1

    # Attached once the answer is public: the secretariat has not reviewed it, so it waits.
    late = await _attach(client, w.city_officer, code, "cong-van-2.pdf")
    assert await _served(anon, code, token) == ["cong-van-1.pdf"]
    await _refused(anon, code, token, late)
    detail = await client.get(f"/api/v1/petitions/{code}/detail", headers=await bearer(w.city_sec))
    states = {x["name"]: x["published_at"] is not None for x in detail.json()["letters"]}
    assert states == {"cong-van-1.pdf": True, "cong-van-2.pdf": False}
    await act_ok(client, w.city_sec, code, "close")
    third = await _attach(client, w.city_officer, code, "cong-van-3.pdf")
    await _refused(anon, code, token, third)

    # Reopened: the letters published with the withdrawn answer go with it, for good; those
    # never published wait for the next publication, where the secretariat reviews them.
    await act_ok(client, w.city_sec, code, "reopen", reason="Trả lời chưa đúng địa chỉ")
    assert await _served(anon, code, token) == []
    await _refused(anon, code, token, first)
    await act_ok(client, w.city_officer, code, "answer", text="Sở đã sửa xong mặt đường.")
    await act_ok(client, w.city_sec, code, "publish")
    assert await _served(anon, code, token) == ["cong-van-2.pdf", "cong-van-3.pdf"]
    await _refused(anon, code, token, first)
    reopen = await AuditEntry.get(operation="petition.reopen", target_id=code)
    assert reopen.details["reason"] == "Trả lời chưa đúng địa chỉ"


async def test_a_wrong_letter_is_removed_and_no_longer_served(client, anon) -> None:
    w = await setup_world()
    code, token = await _answered(client, anon, w)
    wrong = await _attach(client, w.city_officer, code, "nham-ho-so.pdf")
    key = (await Attachment.get(id=wrong)).path
    path = f"/api/v1/petitions/{code}/letter/{wrong}"
    # Another council's secretariat, another city's agency, the petitioner: refused.
    why = {"reason": "Đính kèm nhầm hồ sơ"}
    for user in (w.other_sec, w.other_officer, w.commune_chair):
        r = await client.request("DELETE", path, json=why, headers=await bearer(user))
        assert refusal(r) == (403, "forbidden"), user.role
    assert refusal(await anon.request("DELETE", path, json=why)) == (401, "unauthorized")
    # The agency that attached it removes it while it is unpublished, saying why.
    officer = await bearer(w.city_officer)
    for body in ({}, {"reason": "   "}, {"reason": "x" * 2001}):
        r = await client.request("DELETE", path, json=body, headers=officer)
        assert (
            refusal(r) == (422, "invalid") and "reason" in r.json()["error"]["details"]["fields"]
        ), body
    assert await Attachment.exists(id=wrong)
    r = await client.request("DELETE", path, json=why, headers=officer)
    assert r.status_code == 200, r.text
    assert r.json()["letters"] == []
    assert not await Attachment.exists(id=wrong) and not await storage.exists(key)
    entry = await AuditEntry.get(operation="petition.letter_remove", target_id=code)
    assert entry.details == {
        "file": "nham-ho-so.pdf",
        "sha256": entry.details["sha256"],
        "published": False,
        "reason": "Đính kèm nhầm hồ sơ",
    }
    event = await PetitionEvent.get(petition__code=code, action="letter_remove")
    assert event.internal_note == "Đính kèm nhầm hồ sơ"
    r = await client.request("DELETE", path, json=why, headers=await bearer(w.city_sec))
    assert refusal(r) == (404, "not_found")

    # Published: the agency may no longer take it back; the handling secretariat removes it on
    # the staff page, and the petitioner gets a 404 from then on.
    letter = await _attach(client, w.city_officer, code, "cong-van-khac-cong-dan.pdf")
    await act_ok(client, w.city_sec, code, "publish")
    assert await _served(anon, code, token) == ["cong-van-khac-cong-dan.pdf"]
    r = await client.request(
        "DELETE", f"/api/v1/petitions/{code}/letter/{letter}", json=why, headers=officer
    )
    assert refusal(r) == (403, "forbidden")
    await login(client, w.city_officer)
    page = await client.get(f"/petitions/staff/{code}")
    assert not has(page.text, "form.letter-remove")
    await login(client, w.city_sec)
    page = await client.get(f"/petitions/staff/{code}")
    action = f"/petitions/staff/{code}/letters/{letter}/remove"
    assert attrs(page.text, "form.letter-remove", "action") == [action]
    assert "cong-van-khac-cong-dan.pdf" in (
        one(page.text, "form.letter-remove").attributes["data-confirm"] or ""
    )
    assert has(page.text, "form.letter-remove input[name=reason][required]")
    r = await client.post(action, headers=htmx())  # no reason: refused, the letter stays
    assert r.status_code == 422 and await Attachment.exists(id=letter)
    r = await client.post(action, data={"reason": "Gửi nhầm công dân"}, headers=htmx())
    assert r.status_code == 200 and "cong-van-khac-cong-dan.pdf" not in r.text
    assert "Gửi nhầm công dân" in r.text  # the staff history shows why
    await _refused(anon, code, token, letter)
    assert await _served(anon, code, token) == []
    form = await anon.get("/petitions/track")
    csrf = one(form.text, "input[name=csrf_token]").attributes["value"] or ""
    r = await anon.post(
        f"/petitions/track/letters/{letter}",
        data={"code": code, "token": token, "csrf_token": csrf},
    )
    assert refusal(r) == (404, "not_found")
    entry = await AuditEntry.filter(operation="petition.letter_remove").order_by("-id").first()
    assert entry is not None and entry.details["published"] is True
    # The staff history says so; the petitioner's does not.
    assert await PetitionEvent.filter(petition__code=code, action="letter_remove").count() == 2
    view = (await anon.get(f"/api/v1/petitions/{code}", headers={HEADER: token})).json()
    assert "letter_remove" not in {h["action"] for h in view["history"]}


async def test_the_tracking_token_travels_in_a_header_and_the_query_still_works(
    client, anon
) -> None:
    w = await setup_world()
    code, token = await _answered(client, anon, w)
    letter = await _attach(client, w.city_officer, code, "cong-van.pdf")
    await act_ok(client, w.city_sec, code, "publish")
    api = f"/api/v1/petitions/{code}"
    assert (await anon.get(api, headers={HEADER: token})).json()["code"] == code
    r = await anon.get(f"{api}/letters/{letter}", headers={HEADER: token})
    assert r.status_code == 200 and r.content == pdf("cong-van.pdf")
    # Older clients: the query parameter keeps working.
    r = await anon.get(f"{api}/letters/{letter}", params={"token": token})
    assert r.status_code == 200
    # A wrong header is refused, even with the right token in the query: the header wins.
    r = await anon.get(api, headers={HEADER: "XXXXX-XXXXX"}, params={"token": token})
    assert refusal(r) == (404, "not_found")
    r = await anon.get(f"{api}/letters/{letter}", headers={HEADER: "XXXXX-XXXXX"})
    assert refusal(r) == (404, "not_found")
    assert refusal(await anon.get(f"{api}/letters/{letter}")) == (404, "not_found")
    doc = (await anon.get("/api/v1/openapi.json")).json()
    assert HEADER in doc["paths"]["/api/v1/petitions/{code}/letters/{letter_id}"]["get"]["summary"]


async def test_a_rejection_keeps_its_reason_in_the_audit(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, code, "reject", reason="Nội dung không phải kiến nghị")
    entry = await AuditEntry.get(operation="petition.reject", target_id=code)
    assert entry.details["reason"] == "Nội dung không phải kiến nghị"
