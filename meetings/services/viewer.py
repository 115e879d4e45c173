"""document.page: a document's pages as images for the viewer, for exactly its text's readers.

PDF pages are drawn as they are. A DOCX has no pages of its own: page N of the viewer is page N of
its extracted text (as the text view, search and the assistant's citations number them), laid out
in the official font and margins by ``council.officialdoc.text_pages_pdf`` and drawn from that.
Pages of public and internal documents are kept in the shared cache, per file content; pages of
confidential documents are drawn for each request with the reader's name and the time burnt in,
and never kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from council import pageimages
from council.errors import DomainError, NotFound
from council.i18n import N_
from council.localtime import local
from council.models import User
from council.officialdoc import text_pages_pdf
from council.pageimages import PageSize, RenderError
from council.uploads import PDF, open_stored
from meetings.models import DocumentPage, DocumentVersion
from meetings.services.common import now
from meetings.services.documents import _check_reader, _document_and_session


@dataclass(frozen=True)
class ViewerPage:
    number: int
    width: int
    height: int


@dataclass(frozen=True)
class PageImage:
    data: bytes
    confidentiality: str
    version: int


def _unreadable() -> DomainError:
    return DomainError("unreadable_document", N_("The file could not be read."), status=422)


async def _texts(version: DocumentVersion) -> list[str]:
    pages = await DocumentPage.filter(version_id=version.id).order_by("number")
    return [p.text for p in pages]


async def _sizes(version: DocumentVersion) -> list[PageSize]:
    """Each page's size in pixels, kept beside the pages (sizes only, nothing of the content)."""

    async def make() -> bytes:
        if version.mime == PDF:
            sizes = await pageimages.run(pageimages.page_sizes, open_stored(version.path))
        else:
            pdf = await pageimages.run(text_pages_pdf, await _texts(version))
            sizes = await pageimages.run(pageimages.page_sizes, pdf)
        return json.dumps([[s.width, s.height] for s in sizes]).encode()

    try:
        data = await pageimages.cached(f"pages/{version.sha256}/{pageimages.DPI}/sizes.json", make)
    except RenderError:
        raise _unreadable() from None
    return [PageSize(int(w), int(h)) for w, h in json.loads(data)]


async def viewer_pages(user: User | None, document_id: int) -> list[ViewerPage]:
    """The current version's pages with their sizes, for a reader of the document (404/403)."""
    document, session = await _document_and_session(document_id)
    await _check_reader(user, document, session)
    version = await DocumentVersion.get(document_id=document.id, number=document.current_version)
    sizes = await _sizes(version)
    return [ViewerPage(i, s.width, s.height) for i, s in enumerate(sizes, start=1)]


def watermark_for(user: User | None) -> str:
    """The reader's name, login and the local time, as burnt into a confidential page."""
    name = (user.full_name or user.username) if user else ""
    login = user.username if user else ""
    return f"{name} · {login} · {local(now()):%H:%M %d/%m/%Y}"


async def page_image(
    user: User | None, document_id: int, number: int, version_number: int | None = None
) -> PageImage:
    """document.page: page ``number`` of a version (the current one by default) as WebP."""
    document, session = await _document_and_session(document_id)
    await _check_reader(user, document, session)
    version = await DocumentVersion.get_or_none(
        document_id=document.id, number=version_number or document.current_version
    )
    if version is None:
        raise NotFound(N_("This version does not exist."))
    confidential = document.confidentiality == "confidential"
    pages = await _sizes(version)
    if not 1 <= number <= len(pages):
        raise NotFound(N_("This page does not exist."))

    async def source() -> Path | bytes:
        if version.mime == PDF:
            return open_stored(version.path)
        text = await DocumentPage.get_or_none(version_id=version.id, number=number)
        return await pageimages.run(text_pages_pdf, [text.text if text else ""])

    page = number if version.mime == PDF else 1

    async def draw() -> bytes:
        mark = watermark_for(user) if confidential else None
        return await pageimages.run(pageimages.render_page, await source(), page, watermark=mark)

    try:
        if confidential:
            data = await draw()
        else:
            data = await pageimages.cached(
                f"pages/{version.sha256}/{pageimages.DPI}/{number}.webp", draw
            )
    except RenderError:
        raise _unreadable() from None
    return PageImage(data, document.confidentiality, version.number)
