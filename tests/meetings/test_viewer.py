"""document.page: the viewer's page images, for exactly the readers of the document's text."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import lxml.html
import numpy
import pypdfium2
from PIL import Image

from council import pageimages, uploads
from council.localtime import local
from council.officialdoc import text_pages_pdf
from meetings.documents.generate import make_pdf
from meetings.models import DocumentPage, DocumentVersion
from meetings.services.viewer import watermark_for
from tests.factories import bearer, login, make_user
from tests.meetings.helpers import (
    create_session,
    setup_council,
    setup_running_session,
    upload_document,
)

A4 = (1241, 1754)


def _image(data: bytes) -> Image.Image:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return Image.open(io.BytesIO(data)).convert("RGB")


def _red(image: Image.Image) -> int:
    rgb = numpy.asarray(image).astype(int)
    return int(((rgb[..., 0] - rgb[..., 1] > 25) & (rgb[..., 0] - rgb[..., 2] > 25)).sum())


def _cached(sha: str) -> set[str]:
    folder = uploads.root() / "cache" / "pages" / sha / str(pageimages.DPI)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


async def _sha(document_id: int, number: int = 1) -> str:
    return (await DocumentVersion.get(document_id=document_id, number=number)).sha256


async def _viewer(client, document_id: int) -> lxml.html.HtmlElement:  # type: ignore[no-untyped-def]
    r = await client.get(f"/meetings/documents/{document_id}")
    assert r.status_code == 200, r.text
    return lxml.html.fromstring(r.text)


def _difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two pictures' pixels (0 to 255)."""
    return float(numpy.abs(numpy.asarray(a).astype(int) - numpy.asarray(b).astype(int)).mean())


async def test_every_page_is_a_lazy_image_of_known_size_cached_per_version(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    doc = await upload_document(client, s, confidentiality="internal")
    await login(client, s.delegates[0])
    tree = await _viewer(client, doc["id"])
    assert not tree.xpath("//iframe")  # no inline PDF: Android Chrome shows none
    images = tree.xpath("//section[@id='pages']//figure[@class='sheet']/img")
    assert len(images) == doc["pages"] == 2
    assert [i.get("src") for i in images] == [
        f"/meetings/documents/{doc['id']}/pages/{n}.webp?version=1" for n in (1, 2)
    ]
    assert {(i.get("width"), i.get("height")) for i in images} == {(str(A4[0]), str(A4[1]))}
    assert [i.get("loading") for i in images] == ["eager", "lazy"]
    assert tree.xpath("//figure[@id='sheet-2']") and tree.get_element_by_id("text-view") is not None
    assert tree.xpath("//section[@id='page-2']//div[@class='page-text']")  # the text view stays

    r = await client.get(images[0].get("src"))
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
    assert r.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert r.headers["x-confidentiality"] == "internal"
    assert _image(r.content).size == A4
    sha = await _sha(doc["id"])
    assert _cached(sha) == {"sizes.json", "1.webp"}
    assert (uploads.root() / "cache/pages" / sha / "150/1.webp").read_bytes() == r.content
    # Drawn from the stored file: the same pixels as PDFium draws from it, not another page's.
    path = uploads.open_stored((await DocumentVersion.get(document_id=doc["id"])).path)
    assert _difference(_image(r.content), _image(pageimages.render_page(path, 1))) == 0
    assert _difference(_image(r.content), _image(pageimages.render_page(path, 2))) > 1

    # A new version: new addresses; the earlier version's pages stay readable as they were.
    r = await client.post(
        f"/api/v1/documents/{doc['id']}/versions",
        headers=s.h(s.secretariat),
        files={"file": ("v2.pdf", make_pdf("Bản 2", ["Một", "Hai", "Ba"]), "application/pdf")},
    )
    assert r.status_code == 201, r.text
    images = (await _viewer(client, doc["id"])).xpath("//section[@id='pages']//img")
    assert [i.get("src") for i in images][
        -1
    ] == f"/meetings/documents/{doc['id']}/pages/3.webp?version=2"
    url = f"/meetings/documents/{doc['id']}/pages"
    assert (await client.get(f"{url}/3.webp?version=2")).status_code == 200
    assert (await client.get(f"{url}/2.webp?version=1")).status_code == 200
    assert (await client.get(f"{url}/3.webp?version=1")).status_code == 404
    assert (await client.get(f"{url}/3.webp")).headers["cache-control"] == "private, max-age=300"
    assert (await client.get(f"{url}/1.webp?version=9")).status_code == 404
    assert (await client.get(f"{url}/0.webp")).status_code == 404
    assert (await client.get(f"{url}/1.webp?version=abc")).status_code == 422


async def test_a_docx_is_shown_page_by_page_as_its_text(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    doc = await upload_document(client, s, docx=True, title="Tờ trình")
    version = await DocumentVersion.get(document_id=doc["id"])
    texts = [p.text for p in await DocumentPage.filter(version_id=version.id).order_by("number")]
    assert len(texts) == 2 and "Phương hướng" in texts[1]
    await login(client, s.delegates[0])
    tree = await _viewer(client, doc["id"])
    assert len(tree.xpath("//section[@id='pages']//img")) == 2
    assert tree.xpath("//p[contains(., 'Word')]")  # says what the reader is looking at
    laid_out = [
        pypdfium2.PdfDocument(text_pages_pdf([text]))[0]
        .render(scale=150 / 72)
        .to_pil()
        .convert("RGB")
        for text in texts
    ]
    for number in (1, 2):
        r = await client.get(f"/meetings/documents/{doc['id']}/pages/{number}.webp?version=1")
        assert r.status_code == 200
        shown = _image(r.content)
        assert shown.size == A4
        # Page N of the viewer is page N of the text, laid out by the official-layout module
        # (WebP is lossy: a little noise; the other page's text differs far more).
        this, other = laid_out[number - 1], laid_out[2 - number]
        assert _difference(shown, this) < 0.5 < _difference(shown, other)


async def test_confidential_pages_carry_the_readers_name_and_are_never_kept(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    doc = await upload_document(client, s, confidentiality="confidential", title="Hồ sơ nhân sự")
    url = f"/meetings/documents/{doc['id']}/pages/1.webp?version=1"
    seen = []
    for reader in s.delegates[:2]:
        client.cookies.clear()
        await login(client, reader)
        r = await client.get(url)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["x-confidentiality"] == "confidential"
        seen.append(_image(r.content))
    sha = await _sha(doc["id"])
    assert _cached(sha) == {"sizes.json"}  # only the sizes: no page, clear or watermarked
    path = uploads.open_stored((await DocumentVersion.get(document_id=doc["id"])).path)
    clean = _image(pageimages.render_page(path, 1))
    assert _red(clean) == 0 and _red(seen[0]) > 10_000 and _red(seen[1]) > 10_000
    assert (numpy.asarray(seen[0]) != numpy.asarray(seen[1])).any()  # each reader's own mark
    # The same through the API, and never for an admin (who never reads a confidential text).
    r = await client.get(f"/api/v1/documents/{doc['id']}/pages/1.webp", headers=s.h(s.delegates[0]))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    admin = await make_user("admin")
    r = await client.get(f"/api/v1/documents/{doc['id']}/pages/1.webp", headers=await bearer(admin))
    assert r.status_code == 403


def test_the_watermark_names_the_reader_and_the_local_time() -> None:
    class Reader:
        full_name, username = "Nguyễn Văn An", "hn.badinh.db001"

    mark = watermark_for(Reader())  # type: ignore[arg-type]
    name, login_name, moment = mark.split(" · ")
    assert (name, login_name) == ("Nguyễn Văn An", "hn.badinh.db001")
    shown = datetime.strptime(moment, "%H:%M %d/%m/%Y")
    assert abs((local(datetime.now(UTC)).replace(tzinfo=None) - shown).total_seconds()) < 120


async def test_the_same_readers_as_the_text(client, anon) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    internal = await upload_document(client, s, confidentiality="internal")
    public = await upload_document(client, s, confidentiality="public", title="Công khai")
    page = f"/meetings/documents/{internal['id']}/pages/1.webp"
    api = f"/api/v1/documents/{internal['id']}/pages/1.webp"
    assert (await anon.get(page)).status_code in (302, 303)  # to the login page
    assert (await anon.get(api)).status_code == 401
    citizen = await make_user("citizen", s.council)
    other = await setup_council(seats=5, delegates=1)
    for user in (citizen, other.delegates[0]):
        assert (await client.get(api, headers=await bearer(user))).status_code == 403
    assert (await client.get(api, headers=s.h(s.secretariat))).status_code == 200
    # Public documents, for anyone, at their public address; nothing else there.
    assert (await anon.get(f"/public/documents/{public['id']}/pages/1.webp")).status_code == 200
    assert (await anon.get(f"/public/documents/{internal['id']}/pages/1.webp")).status_code == 404
    r = await anon.get(f"/public/documents/{public['id']}")
    images = lxml.html.fromstring(r.text).xpath("//section[@id='pages']//img/@src")
    assert images == [f"/public/documents/{public['id']}/pages/{n}.webp?version=1" for n in (1, 2)]
    # A draft's documents are hidden from delegates.
    await create_session(client, s, title="Dự thảo")
    draft = await upload_document(client, s, confidentiality="internal")
    r = await client.get(
        f"/api/v1/documents/{draft['id']}/pages/1.webp", headers=s.h(s.delegates[0])
    )
    assert r.status_code == 404
    listing = await client.get(
        f"/api/v1/documents/{internal['id']}/pages", headers=s.h(s.delegates[0])
    )
    assert listing.status_code == 200
    body = listing.json()
    assert body["dpi"] == 150 and body["media_type"] == "image/webp"
    assert [p["url"] for p in body["pages"]] == [
        f"/api/v1/documents/{internal['id']}/pages/{n}.webp?version=1" for n in (1, 2)
    ]
    assert (
        await client.get(body["pages"][1]["url"], headers=s.h(s.delegates[0]))
    ).status_code == 200


async def test_offline_reading_saves_pages_of_shared_documents_and_forgets_confidential_ones(
    client,
) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    internal = await upload_document(client, s, confidentiality="internal")
    secret = await upload_document(client, s, confidentiality="confidential")
    await login(client, s.delegates[0])
    manifest = (await client.get(f"/meetings/sessions/{s.session_id}/offline.json")).json()
    for n in (1, 2):
        assert f"/meetings/documents/{internal['id']}/pages/{n}.webp?version=1" in manifest["urls"]
        assert f"/meetings/documents/{secret['id']}/pages/{n}.webp" in manifest["forget"]
    assert not [u for u in manifest["urls"] if f"/documents/{secret['id']}/" in u]


async def test_a_document_made_confidential_leaves_the_shared_cache(client) -> None:
    s = await setup_running_session(client, seats=5, present=4)
    doc = await upload_document(client, s, confidentiality="internal")
    await login(client, s.delegates[0])
    assert (await client.get(f"/meetings/documents/{doc['id']}/pages/1.webp")).status_code == 200
    sha = await _sha(doc["id"])
    assert "1.webp" in _cached(sha)
    r = await client.patch(
        f"/api/v1/documents/{doc['id']}",
        headers=s.h(s.secretariat),
        json={"confidentiality": "confidential"},
    )
    assert r.status_code == 200
    assert _cached(sha) == set()
    r = await client.get(f"/meetings/documents/{doc['id']}/pages/1.webp")
    assert r.headers["cache-control"] == "no-store" and _red(_image(r.content)) > 10_000
    assert not {n for n in _cached(sha) if n.endswith(".webp")}
