"""Preparing a session: kinds, editing and deleting items and documents, history and notices after
publishing, publishing with notifications, copying an earlier session."""

import socket

import pytest
from aiosmtpd.controller import Controller
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council import mailer
from council.models import AuditEntry
from meetings.documents.generate import make_pdf
from meetings.models import AgendaItem, Document, Notice, Poll, SessionChange
from tests.factories import error_code, htmx, login
from tests.meetings.helpers import (
    PDF_PAGES,
    add_agenda,
    create_poll,
    create_session,
    setup_council,
    start_session,
    upload_document,
)


async def _publish(client, s) -> None:
    r = await client.post(f"/api/v1/sessions/{s.session_id}/publish", headers=s.h(s.secretariat))
    assert r.status_code == 200, r.text


async def test_opening_and_closing_are_kinds_and_the_api_kind_stays_optional(client) -> None:
    s = await setup_council(seats=5, delegates=2)
    await create_session(client, s)
    url = f"/api/v1/sessions/{s.session_id}/items"
    made = []
    for body in (
        {"title": "Khai mạc kỳ họp", "kind": "opening"},
        {"title": "Bế mạc kỳ họp", "kind": "closing"},
        {"title": "Nội dung không ghi loại"},
    ):
        r = await client.post(url, headers=s.h(s.secretariat), json=body)
        assert r.status_code == 201, r.text
        made.append(r.json())
    assert [m["kind"] for m in made] == ["opening", "closing", "other"]
    assert made[0]["kind_label"] == "Khai mạc" and made[1]["kind_label"] == "Bế mạc"
    r = await client.post(url, headers=s.h(s.secretariat), json={"title": "x", "kind": "party"})
    assert r.status_code == 422 and "kind" in r.json()["error"]["details"]["fields"]


async def test_the_page_form_requires_the_kind_and_the_document_form_follows_new_items(
    client,
) -> None:
    s = await setup_council(seats=5, delegates=2)
    sid = await create_session(client, s)
    await login(client, s.secretariat)
    page = HTMLParser((await client.get(f"/meetings/sessions/{sid}/prepare")).text)
    kind = page.css_first("#item-new select[name=kind]")
    assert "required" in kind.attributes
    assert kind.css_first("option").attributes["value"] == ""  # no kind chosen by default
    r = await client.post(
        f"/meetings/sessions/{sid}/items", data={"title": "Khai mạc"}, headers=htmx()
    )
    assert r.status_code == 422
    assert HTMLParser(r.text).css_first("#agenda-edit .alert") is not None
    assert not await AgendaItem.exists(session_id=sid)
    r = await client.post(
        f"/meetings/sessions/{sid}/items",
        data={"title": "Khai mạc kỳ họp", "kind": "opening"},
        headers=htmx(),
    )
    assert r.status_code == 200
    html = HTMLParser(r.text)
    assert "Khai mạc" in html.css_first("#agenda-edit .badge.kind").text()
    # The documents' item choice comes out of band with the agenda: no reload needed.
    select = html.css_first("select#doc-item")
    assert select.attributes.get("hx-swap-oob") == "true"
    assert [o.text() for o in select.css("option")][1:] == ["1. Khai mạc kỳ họp"]
    assert html.css_first("#documents-list").attributes.get("hx-swap-oob") == "true"
    item = await AgendaItem.get(session_id=sid)
    assert item.kind == "opening"


async def test_a_draft_is_edited_and_pruned_without_history(client) -> None:
    s = await setup_council(seats=5, delegates=2)
    await create_session(client, s)
    items = await add_agenda(client, s)
    doc = await upload_document(client, s, item_id=items[0])
    r = await client.patch(
        f"/api/v1/items/{items[1]}",
        headers=s.h(s.secretariat),
        json={"title": "Tờ trình (sửa)", "kind": "proposal", "speaking_seconds": 180},
    )
    assert r.status_code == 200 and r.json()["speaking_seconds"] == 180
    r = await client.patch(
        f"/api/v1/items/{items[1]}", headers=s.h(s.secretariat), json={"speaking_seconds": None}
    )
    assert r.json()["speaking_seconds"] is None and r.json()["title"] == "Tờ trình (sửa)"
    r = await client.patch(
        f"/api/v1/documents/{doc['id']}", headers=s.h(s.secretariat), json={"item_id": items[2]}
    )
    assert r.status_code == 200 and r.json()["item_id"] == items[2]
    assert (
        await client.delete(f"/api/v1/items/{items[2]}", headers=s.h(s.secretariat))
    ).status_code == 200
    # The item's document stays, for the whole session; the agenda is numbered again.
    assert (await Document.get(id=doc["id"])).item_id is None
    positions = await AgendaItem.filter(session_id=s.session_id).order_by("position")
    assert [i.position for i in positions] == [1, 2, 3]
    assert (
        await client.delete(f"/api/v1/documents/{doc['id']}", headers=s.h(s.secretariat))
    ).status_code == 200
    assert not await Document.exists(id=doc["id"])
    assert await SessionChange.filter(session_id=s.session_id).count() == 0
    assert await Notice.filter(session_id=s.session_id).count() == 0
    ops = set(await AuditEntry.all().values_list("operation", flat=True))
    assert {"item.update", "item.delete", "document.update", "document.delete"} <= ops


async def test_after_publishing_changes_are_kept_and_announced(client) -> None:
    s = await setup_council(seats=5, delegates=2)
    await create_session(client, s)
    items = await add_agenda(client, s)
    await _publish(client, s)
    published = await Notice.filter(session_id=s.session_id, kind="published").count()
    assert published == 3  # the chair and two delegates
    await client.patch(
        f"/api/v1/items/{items[0]}", headers=s.h(s.secretariat), json={"title": "Báo cáo mới"}
    )
    secret = await upload_document(client, s, title="Hồ sơ nhân sự", confidentiality="confidential")
    await client.delete(f"/api/v1/items/{items[3]}", headers=s.h(s.secretariat))
    r = await client.get(f"/api/v1/sessions/{s.session_id}/history", headers=s.h(s.delegates[0]))
    assert r.status_code == 200
    texts = [c["text"]["vi"] for c in r.json()["items"]]
    assert texts[0].startswith("Rút nội dung khỏi chương trình: Báo cáo kết quả")
    assert texts[2] == "Điều chỉnh nội dung chương trình: Báo cáo mới"
    # A confidential document's title is never in the history.
    assert "Hồ sơ nhân sự" not in r.text and texts[1] == "Bổ sung tài liệu: một tài liệu mật"
    notices = (await client.get("/api/v1/notices", headers=s.h(s.delegates[0]))).json()["items"]
    changes = next(n for n in notices if n["kind"] == "changes")
    assert changes["changes"] == 3 and not changes["read"]
    # Opening the tablet reads them.
    await login(client, s.delegates[0])
    assert (await client.get(f"/meetings/sessions/{s.session_id}/tablet")).status_code == 200
    unread = (await client.get("/api/v1/notices?unread=1", headers=s.h(s.delegates[0]))).json()
    assert unread["items"] == []
    assert secret["id"]


async def test_an_item_in_use_is_not_removed(client) -> None:
    s = await setup_council(seats=5, delegates=3)
    await create_session(client, s)
    items = await add_agenda(client, s)
    await create_poll(client, s, item_id=items[2])
    r = await client.delete(f"/api/v1/items/{items[2]}", headers=s.h(s.secretariat))
    assert r.status_code == 409 and error_code(r) == "item_in_use"
    await start_session(client, s)
    await client.post(
        f"/api/v1/sessions/{s.session_id}/current", headers=s.h(s.chair), json={"item_id": items[0]}
    )
    r = await client.delete(f"/api/v1/items/{items[0]}", headers=s.h(s.secretariat))
    assert r.status_code == 409 and error_code(r) == "item_in_use"
    r = await client.delete(f"/api/v1/items/{items[1]}", headers=s.h(s.delegates[0]))
    assert r.status_code == 403


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


async def test_publishing_notifies_every_delegate_by_email_when_smtp_is_set(
    client, settings, smtp
) -> None:
    import email
    from email import policy

    inbox, url = smtp
    settings.smtp_url = url
    s = await setup_council(seats=5, delegates=2)
    await create_session(client, s, title="Kỳ họp thứ bảy")
    s.delegates[0].email = "db0@example.vn"
    await s.delegates[0].save()
    await _publish(client, s)
    await mailer.flush()
    assert len(inbox.messages) == 1  # the only seat holder with an address
    msg = email.message_from_bytes(inbox.messages[0], policy=policy.default)
    assert msg["To"] == "db0@example.vn" and "Kỳ họp thứ bảy" in msg["Subject"]
    assert f"/meetings/sessions/{s.session_id}/tablet" in msg.get_content()
    sent = await Notice.get(user_id=s.delegates[0].id, kind="published")
    assert sent.state == "sent"
    others = await Notice.filter(session_id=s.session_id, kind="published", email=None).count()
    assert others == 2  # in the app only
    r = await client.post(f"/api/v1/sessions/{s.session_id}/publish", headers=s.h(s.secretariat))
    assert r.status_code == 409 and error_code(r) == "session_state"
    entry = await AuditEntry.get(operation="session.publish")
    assert entry.details == {"notified": 3, "emails": 1}


async def test_publishing_asks_for_confirmation_on_the_page(client) -> None:
    s = await setup_council(seats=5, delegates=2)
    sid = await create_session(client, s)
    await login(client, s.secretariat)
    page = HTMLParser((await client.get(f"/meetings/sessions/{sid}/prepare")).text)
    form = page.css_first(f"form[action='/meetings/sessions/{sid}/publish']")
    assert "thông báo" in form.attributes["data-confirm"]


async def test_a_session_is_copied_with_its_agenda_only(client) -> None:
    s = await setup_council(seats=5, delegates=3)
    await create_session(client, s, title="Kỳ họp thứ tư")
    items = await add_agenda(client, s)
    await client.patch(
        f"/api/v1/items/{items[0]}", headers=s.h(s.secretariat), json={"speaking_seconds": 240}
    )
    await upload_document(client, s, item_id=items[0])
    await create_poll(client, s)
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/copy",
        headers=s.h(s.secretariat),
        json={"title": "Kỳ họp thứ năm", "starts_at": "2027-07-01T08:00:00+07:00"},
    )
    assert r.status_code == 201, r.text
    copy = r.json()
    assert copy["status"] == "draft" and copy["copied_from_id"] == s.session_id
    copied = await AgendaItem.filter(session_id=copy["id"]).order_by("position")
    originals = await AgendaItem.filter(session_id=s.session_id).order_by("position")
    assert [(i.title, i.kind, i.speaking_seconds) for i in copied] == [
        (i.title, i.kind, i.speaking_seconds) for i in originals
    ]
    assert not await Document.exists(session_id=copy["id"])
    assert not await Poll.exists(session_id=copy["id"])
    r = await client.post(
        f"/api/v1/sessions/{s.session_id}/copy",
        headers=s.h(s.chair),
        json={"title": "x", "starts_at": "2027-07-01T08:00:00+07:00"},
    )
    assert r.status_code == 403
    # The page: a new session may start from an earlier one's agenda.
    await login(client, s.secretariat)
    r = await client.post(
        "/meetings/sessions/new",
        data={
            "council_code": s.council.code,
            "title": "Kỳ họp thứ sáu",
            "starts_at": "2027-12-01T08:00",
            "copy_from": str(s.session_id),
        },
    )
    assert r.status_code == 303
    new_id = int(r.headers["location"].split("/")[3])
    assert await AgendaItem.filter(session_id=new_id).count() == 4


async def test_documents_are_edited_and_deleted_from_the_page(client) -> None:
    s = await setup_council(seats=5, delegates=2)
    sid = await create_session(client, s)
    items = await add_agenda(client, s)
    doc = await upload_document(client, s)
    await login(client, s.secretariat)
    r = await client.post(
        f"/meetings/documents/{doc['id']}/edit",
        data={"title": "Báo cáo (bản sửa)", "confidentiality": "public", "item_id": str(items[1])},
        headers=htmx(),
    )
    assert r.status_code == 200
    row = HTMLParser(r.text).css_first(f"#document-{doc['id']}")
    assert "Báo cáo (bản sửa)" in row.text()
    # The agenda item in words ("Mục 2", its title on hover), not "Nội dung 2".
    item = await AgendaItem.get(id=items[1])
    meta = " ".join(row.css_first(".doc-meta").text().split())
    assert meta == f"Phiên bản 1 · Mục {item.position}"
    assert row.css_first(".doc-meta a").attributes == {
        "href": f"#item-{item.id}",
        "title": item.title,
    }
    r = await client.post(f"/meetings/documents/{doc['id']}/delete", headers=htmx())
    assert r.status_code == 200 and HTMLParser(r.text).css_first(f"#document-{doc['id']}") is None
    # The upload form's item choice is part of the same fragment.
    r = await client.post(
        f"/meetings/sessions/{sid}/documents",
        headers=htmx(),
        data={"title": "Tờ trình", "confidentiality": "internal", "item_id": str(items[0])},
        files={"file": ("a.pdf", make_pdf("Tờ trình", PDF_PAGES), "application/pdf")},
    )
    assert r.status_code == 200 and "Tờ trình" in r.text


async def test_text_pasted_with_control_characters_still_makes_minutes(client) -> None:
    """A title or a reason may carry characters no DOCX can hold; the minutes leave them out."""
    s = await setup_council(seats=5, delegates=2)
    await create_session(client, s)
    items = await add_agenda(client, s)
    await client.patch(
        f"/api/v1/sessions/{s.session_id}", headers=s.h(s.secretariat), json={"title": "Kỳ\x0bhọp"}
    )
    await client.patch(
        f"/api/v1/items/{items[0]}", headers=s.h(s.secretariat), json={"title": "Báo\x1fcáo"}
    )
    await start_session(client, s)
    for fmt in ("docx", "pdf"):
        r = await client.get(
            f"/api/v1/sessions/{s.session_id}/minutes.{fmt}", headers=s.h(s.secretariat)
        )
        assert r.status_code == 200, fmt


async def test_a_change_after_publishing_reaches_open_tablets_live(live_server: str) -> None:
    import httpx

    from tests.meetings.live import connect_tablet

    async with httpx.AsyncClient(base_url=live_server) as http:
        s = await setup_council(seats=5, delegates=2)
        await create_session(http, s)
        items = await add_agenda(http, s)
        await _publish(http, s)
        tablet = await connect_tablet(live_server, s.delegates[0])
        try:
            ack = await tablet.call("session:join", {"session_id": s.session_id})
            assert ack["ok"] and ack["server_now"]
            await http.patch(
                f"/api/v1/items/{items[1]}",
                headers=s.h(s.secretariat),
                json={"title": "Tờ trình về dự toán (bản sửa)"},
            )
            event = await tablet.next("session:changed")
            assert event["session_id"] == s.session_id
            assert event["change"]["text"]["vi"] == (
                "Điều chỉnh nội dung chương trình: Tờ trình về dự toán (bản sửa)"
            )
        finally:
            await tablet.sio.disconnect()
