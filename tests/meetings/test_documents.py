"""document.*: uploads (type, size), versions, text per page, confidentiality, notes, offline."""

import pytest

from council.models import AuditEntry
from meetings.documents.generate import make_pdf
from meetings.models import Document
from meetings.services import document_for_reader, session_documents_for_reader
from tests.factories import bearer, error_code, login, make_council, make_user
from tests.meetings.helpers import (
    add_agenda,
    create_session,
    setup_council,
    upload_document,
)


async def _prepared(client):
    s = await setup_council(seats=5, delegates=3)
    await create_session(client, s)
    await add_agenda(client, s)
    await client.post(f"/api/v1/sessions/{s.session_id}/publish", headers=s.h(s.secretariat))
    return s


async def test_upload_pdf_and_docx_text_per_page(client) -> None:
    s = await _prepared(client)
    pdf = await upload_document(client, s, title="Báo cáo PDF", item_id=s.items[0])
    docx_doc = await upload_document(client, s, title="Dự thảo DOCX", docx=True)
    for doc in (pdf, docx_doc):
        r = await client.get(f"/api/v1/documents/{doc['id']}", headers=s.h(s.delegates[0]))
        assert r.status_code == 200
        pages = r.json()["pages"]
        assert len(pages) == 2
        assert "1.234 tỷ đồng" in pages[0]["text"] and "chuyển đổi số" in pages[1]["text"]
    assert pdf["item_id"] == s.items[0] and len(pdf["sha256"]) == 64


async def test_upload_refuses_other_types_and_oversize(client) -> None:
    s = await _prepared(client)
    url = f"/api/v1/sessions/{s.session_id}/documents"
    r = await client.post(
        url,
        headers=s.h(s.secretariat),
        data={"title": "x"},
        files={"file": ("a.pdf", b"just text pretending", "application/pdf")},
    )
    assert (r.status_code, r.json()["error"]["code"]) == (422, "unsupported_type")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    r = await client.post(
        url,
        headers=s.h(s.secretariat),
        data={"title": "x"},
        files={"file": ("a.pdf", png, "application/pdf")},
    )
    assert r.status_code == 422
    r = await client.post(
        url,
        headers=s.h(s.secretariat),
        data={"title": "x"},
        files={"file": ("a.pdf", b"%PDF-1.4\n%broken", "application/pdf")},
    )
    assert (r.status_code, r.json()["error"]["code"]) == (422, "unreadable_document")
    big = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    r = await client.post(
        url,
        headers=s.h(s.secretariat),
        data={"title": "x"},
        files={"file": ("big.pdf", big, "application/pdf")},
    )
    assert r.status_code == 413
    r = await client.post(
        url,
        headers=s.h(s.secretariat),
        data={"title": "x", "confidentiality": "secret"},
        files={"file": ("a.pdf", make_pdf("A", ["b"]), "application/pdf")},
    )
    assert r.status_code == 422
    r = await client.post(url, headers=s.h(s.secretariat), data={"title": "x"})
    assert r.status_code == 422


async def test_replacing_keeps_earlier_versions(client) -> None:
    s = await _prepared(client)
    doc = await upload_document(client, s, title="Tờ trình")
    new = make_pdf("Tờ trình (bản sửa đổi)", ["Nội dung đã sửa đổi theo ý kiến thẩm tra."])
    r = await client.post(
        f"/api/v1/documents/{doc['id']}/versions",
        headers=s.h(s.secretariat),
        files={"file": ("v2.pdf", new, "application/pdf")},
    )
    assert r.status_code == 201 and r.json()["version"] == 2 and r.json()["pages"] == 1
    view = (await client.get(f"/api/v1/documents/{doc['id']}", headers=s.h(s.delegates[0]))).json()
    assert [v["number"] for v in view["versions"]] == [2, 1]
    assert "sửa đổi theo ý kiến thẩm tra" in view["pages"][0]["text"]
    old = await client.get(
        f"/api/v1/documents/{doc['id']}/file?version=1", headers=s.h(s.delegates[0])
    )
    cur = await client.get(f"/api/v1/documents/{doc['id']}/file", headers=s.h(s.delegates[0]))
    assert old.status_code == cur.status_code == 200 and old.content != cur.content
    assert cur.content == new


async def test_confidential_is_view_only_watermarked_and_never_public(client, anon) -> None:
    s = await _prepared(client)
    secret = await upload_document(client, s, title="Tài liệu mật", confidentiality="confidential")
    public = await upload_document(client, s, title="Báo cáo công khai", confidentiality="public")
    internal = await upload_document(client, s, title="Tài liệu nội bộ", confidentiality="internal")
    reader = s.delegates[0]
    r = await client.get(f"/api/v1/documents/{secret['id']}/file", headers=s.h(reader))
    assert r.status_code == 403
    await login(client, reader)
    page = await client.get(f"/meetings/documents/{secret['id']}")
    assert page.status_code == 200
    assert reader.full_name in page.text and 'class="watermark"' in page.text
    assert f"/documents/{secret['id']}/file" not in page.text and "download=1" not in page.text
    assert "<iframe" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert (await client.get(f"/meetings/documents/{secret['id']}/file")).status_code == 403
    internal_page = await client.get(f"/meetings/documents/{internal['id']}")
    assert f"/meetings/documents/{internal['id']}/file" in internal_page.text
    assert 'class="watermark"' not in internal_page.text
    # Offline reading never lists a confidential document.
    manifest = (await client.get(f"/meetings/sessions/{s.session_id}/offline.json")).json()
    assert f"/meetings/documents/{internal['id']}?offline=1" in manifest["urls"]
    assert f"/meetings/documents/{public['id']}/file" in manifest["urls"]
    assert not any(f"/documents/{secret['id']}" in u for u in manifest["urls"])
    # The public sees public documents only.
    pub = await anon.get(f"/public/sessions/{s.session_id}")
    assert (
        "Báo cáo công khai" in pub.text
        and "Tài liệu mật" not in pub.text
        and "Tài liệu nội bộ" not in pub.text
    )
    assert (await anon.get(f"/public/documents/{public['id']}")).status_code == 200
    assert (await anon.get(f"/public/documents/{public['id']}/file")).status_code == 200
    assert (await anon.get(f"/public/documents/{secret['id']}")).status_code == 404
    assert (await anon.get(f"/public/documents/{internal['id']}/file")).status_code == 403
    assert (await anon.get(f"/api/v1/documents/{public['id']}")).status_code == 401
    data = (await anon.get(f"/api/v1/public/sessions/{s.session_id}")).json()
    assert [d["title"] for d in data["documents"]] == ["Báo cáo công khai"]


async def test_reader_functions_for_the_assistant(client) -> None:
    s = await _prepared(client)
    secret = await upload_document(client, s, title="Mật", confidentiality="confidential")
    internal = await upload_document(client, s, title="Nội bộ", confidentiality="internal")
    view = await document_for_reader(s.delegates[0], secret["id"])
    assert view.confidentiality == "confidential" and view.pages[0].number == 1
    assert view.content_hash == secret["sha256"] and view.council_id == s.council.id
    assert "1.234 tỷ đồng" in view.pages[0].text
    outsider = await make_user("delegate", await make_council())
    with pytest.raises(Exception) as err:
        await document_for_reader(outsider, internal["id"])
    assert getattr(err.value, "status", None) == 403
    with pytest.raises(Exception) as err:
        await document_for_reader(s.delegates[0], 999_999)
    assert getattr(err.value, "status", None) == 404
    admin = await make_user("admin")
    assert [d.title for d in await session_documents_for_reader(admin, s.session_id)] == ["Nội bộ"]
    assert len(await session_documents_for_reader(s.delegates[0], s.session_id)) == 2
    assert await session_documents_for_reader(None, s.session_id) == []


async def test_private_notes_are_seen_by_their_author_only(client, anon) -> None:
    s = await _prepared(client)
    doc = await upload_document(client, s)
    author, other = s.delegates[0], s.delegates[1]
    r = await client.put(
        f"/api/v1/documents/{doc['id']}/notes/2",
        headers=s.h(author),
        json={"text": "Hỏi lại về số liệu thu ngân sách"},
    )
    assert r.status_code == 200
    mine = (await client.get(f"/api/v1/documents/{doc['id']}/notes", headers=s.h(author))).json()
    theirs = (await client.get(f"/api/v1/documents/{doc['id']}/notes", headers=s.h(other))).json()
    assert (
        mine["notes"] == [{"page": 2, "text": "Hỏi lại về số liệu thu ngân sách"}]
        and theirs["notes"] == []
    )
    r = await client.put(
        f"/api/v1/documents/{doc['id']}/notes/9", headers=s.h(author), json={"text": "x"}
    )
    assert r.status_code == 422
    await login(anon, other)
    page = await anon.get(f"/meetings/documents/{doc['id']}")
    assert "Hỏi lại về số liệu" not in page.text
    await login(client, author)
    page = await client.get(f"/meetings/documents/{doc['id']}")
    assert "Hỏi lại về số liệu" in page.text
    r = await client.post(
        f"/meetings/documents/{doc['id']}/notes/1",
        data={"text": "Ghi chú trang 1"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "Ghi chú trang 1" in r.text and "<html" not in r.text
    outsider = await make_user("delegate", await make_council())
    r = await client.put(
        f"/api/v1/documents/{doc['id']}/notes/1", headers=await bearer(outsider), json={"text": "x"}
    )
    assert r.status_code == 403


async def test_a_confidential_document_is_never_lowered(client) -> None:
    """Lowered, it could be read by an admin, published or downloaded, and then set back."""
    s = await _prepared(client)
    secret = await upload_document(client, s, title="Tài liệu mật", confidentiality="confidential")
    admin = await make_user("admin")
    url = f"/api/v1/documents/{secret['id']}"
    for user in (s.secretariat, s.chair, admin):
        for lower in ("internal", "public"):
            r = await client.patch(url, headers=await bearer(user), json={"confidentiality": lower})
            assert r.status_code == 403 and error_code(r) == "confidential_downgrade", r.text
            assert (
                "upload it again"
                in (
                    await client.patch(
                        f"{url}?lang=en",
                        headers=await bearer(user),
                        json={"confidentiality": lower},
                    )
                ).json()["error"]["message"]
            )
    denied = await AuditEntry.filter(operation="permission.denied", target_type="document")
    assert len(denied) == 12 and {d.target_id for d in denied} == {str(secret["id"])}
    assert {d.actor_id for d in denied} == {s.secretariat.id, s.chair.id, admin.id}
    assert (await Document.get(id=secret["id"])).confidentiality == "confidential"
    assert (await client.get(url, headers=await bearer(admin))).status_code == 403
    assert (await client.get(f"{url}/file", headers=s.h(s.delegates[0]))).status_code == 403
    # Retitling it, or raising another document, stays possible.
    r = await client.patch(url, headers=s.h(s.secretariat), json={"title": "Tài liệu mật (sửa)"})
    assert r.status_code == 200 and r.json()["confidentiality"] == "confidential"


async def test_raising_a_document_to_confidential_protects_every_version(client, anon) -> None:
    s = await _prepared(client)
    doc = await upload_document(client, s, title="Tờ trình", confidentiality="public")
    r = await client.post(
        f"/api/v1/documents/{doc['id']}/versions",
        headers=s.h(s.secretariat),
        files={"file": ("v2.pdf", make_pdf("Tờ trình v2", ["Bản sửa đổi."]), "application/pdf")},
    )
    assert r.status_code == 201
    admin, reader = await make_user("admin"), s.delegates[0]
    files = [f"/documents/{doc['id']}/file{q}" for q in ("", "?version=1", "?version=2")]
    assert (await anon.get(f"/public{files[1]}")).status_code == 200
    assert (await client.get(f"/api/v1{files[1]}", headers=await bearer(admin))).status_code == 200

    r = await client.patch(
        f"/api/v1/documents/{doc['id']}",
        headers=s.h(s.secretariat),
        json={"confidentiality": "confidential"},
    )
    assert r.status_code == 200 and r.json()["confidentiality"] == "confidential"
    for path in files:
        assert (await anon.get(f"/public{path}")).status_code in (403, 404), path
        for user in (admin, reader):
            r = await client.get(f"/api/v1{path}", headers=await bearer(user))
            assert r.status_code == 403, (path, user.role)
    assert (
        await client.get(f"/api/v1/documents/{doc['id']}", headers=await bearer(admin))
    ).status_code == 403
    assert (await anon.get(f"/public/documents/{doc['id']}")).status_code == 404
    await login(client, reader)
    assert (await client.get(f"/meetings{files[1]}")).status_code == 403
    page = await client.get(f"/meetings/documents/{doc['id']}")
    assert page.headers["cache-control"] == "no-store" and 'class="watermark"' in page.text
    # A tablet that saved it for offline reading while it was public is told to drop it.
    manifest = (await client.get(f"/meetings/sessions/{s.session_id}/offline.json")).json()
    assert not any(f"/documents/{doc['id']}" in u for u in manifest["urls"])
    assert set(manifest["forget"]) == {
        f"/meetings/documents/{doc['id']}",
        f"/meetings/documents/{doc['id']}/file",
        # the viewer's page images, of every version (the first had two pages)
        f"/meetings/documents/{doc['id']}/pages/1.webp",
        f"/meetings/documents/{doc['id']}/pages/2.webp",
    }


async def test_what_is_saved_for_offline_reading_has_no_private_notes_nor_confidential_titles(
    client,
) -> None:
    """The pages with a reader's notes, or confidential titles, are no-store; the service worker
    saves their ``?offline=1`` copies, which have neither."""
    s = await _prepared(client)
    doc = await upload_document(client, s, title="Tờ trình nội bộ")
    await upload_document(client, s, title="Tài liệu mật", confidentiality="confidential")
    reader = s.delegates[0]
    note = "Hỏi lại Sở Tài chính về số liệu"
    r = await client.put(
        f"/api/v1/documents/{doc['id']}/notes/1", headers=s.h(reader), json={"text": note}
    )
    assert r.status_code == 200
    await login(client, reader)
    page = await client.get(f"/meetings/documents/{doc['id']}")
    assert note in page.text and page.headers["cache-control"] == "no-store"
    copy = await client.get(f"/meetings/documents/{doc['id']}?offline=1")
    assert copy.status_code == 200 and "no-store" not in copy.headers.get("cache-control", "")
    assert note not in copy.text and 'name="text"' not in copy.text
    assert "1.234 tỷ đồng" in copy.text
    assert copy.headers["x-offline-version"] == page.headers["x-offline-version"]
    tablet = await client.get(f"/meetings/sessions/{s.session_id}/tablet")
    assert "Tài liệu mật" in tablet.text and tablet.headers["cache-control"] == "no-store"
    copy = await client.get(f"/meetings/sessions/{s.session_id}/tablet?offline=1")
    assert "Tờ trình nội bộ" in copy.text and "Tài liệu mật" not in copy.text
    assert "no-store" not in copy.headers.get("cache-control", "")
    manifest = (await client.get(f"/meetings/sessions/{s.session_id}/offline.json")).json()
    pages = [u for u in manifest["urls"] if not u.startswith("/static/")]
    assert pages == [
        f"/meetings/sessions/{s.session_id}/tablet?offline=1",
        f"/meetings/documents/{doc['id']}?offline=1",
        f"/meetings/documents/{doc['id']}/file",
        f"/meetings/documents/{doc['id']}/pages/1.webp?version=1",
        f"/meetings/documents/{doc['id']}/pages/2.webp?version=1",
    ]
    # A new version (or title) changes the version the worker compares its copy with.
    r = await client.post(
        f"/api/v1/documents/{doc['id']}/versions",
        headers=s.h(s.secretariat),
        files={"file": ("v2.pdf", make_pdf("Tờ trình v2", ["Bản sửa đổi."]), "application/pdf")},
    )
    assert r.status_code == 201
    again = await client.get(f"/meetings/documents/{doc['id']}")
    assert again.headers["x-offline-version"] != page.headers["x-offline-version"]
