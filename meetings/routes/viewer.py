"""document.page: the viewer's page images, as pages, JSON API and the reader's context.

The same readers as the document's text (``document.read``); public documents also at their public
address, for anyone. See ``meetings.services.viewer``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from council import pageimages
from council.errors import DomainError, NotFound
from council.i18n import N_
from council.models import User
from council.validation import int_param
from council.web import Ctx, api, page
from meetings import operations as ops
from meetings import services
from meetings.models import Document, Session
from meetings.schemas import DocumentPagesOut
from meetings.services.documents import may_read

TAGS = ["meetings"]


async def page_image_response(ctx: Ctx, user: User | None) -> Response:
    """A page of a document as WebP: kept by the browser per version, never when confidential."""
    version = int_param(ctx.query, "version", minimum=1)
    image = await services.page_image(user, ctx.params["document_id"], ctx.params["page"], version)
    if image.confidentiality == "confidential":
        cache = "no-store"
    elif version is not None:
        cache = "private, max-age=31536000, immutable"  # a version's pages never change
    else:
        cache = "private, max-age=300"
    return Response(
        image.data,
        media_type=pageimages.MEDIA_TYPE,
        headers={
            "Cache-Control": cache,
            "X-Confidentiality": image.confidentiality,
            "X-Content-Type-Options": "nosniff",
        },
    )


def viewer_page_url(prefix: str, document_id: int, version: int, number: int) -> str:
    return f"{prefix}/documents/{document_id}/pages/{number}.webp?version={version}"


def _pages(
    prefix: str, view: services.DocumentView, pages: list[services.ViewerPage]
) -> list[dict[str, Any]]:
    return [
        {
            "number": p.number,
            "width": p.width,
            "height": p.height,
            "url": viewer_page_url(prefix, view.id, view.version, p.number),
        }
        for p in pages
    ]


@api(
    "GET",
    "/api/v1/documents/{document_id:int}/pages",
    perm=ops.DOCUMENT_READ,
    response=DocumentPagesOut,
    tags=TAGS,
    summary="The current version's pages as images: size in pixels and address of each",
)
async def document_pages(ctx: Ctx) -> dict[str, Any]:
    view = await services.document_for_reader(ctx.user, ctx.params["document_id"])
    pages = await services.viewer_pages(ctx.user, view.id)
    return {
        "document_id": view.id,
        "version": view.version,
        "dpi": pageimages.DPI,
        "media_type": pageimages.MEDIA_TYPE,
        "pages": _pages("/api/v1", view, pages),
    }


@api(
    "GET",
    "/api/v1/documents/{document_id:int}/pages/{page:int}.webp",
    perm=ops.DOCUMENT_READ,
    tags=TAGS,
    summary=(
        "A page as a WebP image, for readers of the document; a confidential document's page "
        "carries the reader's name and the time, and is sent no-store"
    ),
    query={"version": "version number (default: current)"},
    raw_response="image/webp",
)
async def document_page_image(ctx: Ctx) -> Response:
    return await page_image_response(ctx, ctx.user)


async def viewer_context(
    user: User | None, view: services.DocumentView, prefix: str
) -> dict[str, Any]:
    """The page images of the viewer, or why there are none (a file PDFium cannot draw)."""
    try:
        pages = await services.viewer_pages(user, view.id)
    except DomainError as exc:
        if exc.code != "unreadable_document":
            raise
        return {"viewer_pages": [], "viewer_error": True}
    return {"viewer_pages": _pages(prefix, view, pages), "viewer_error": False}


async def public_document(document_id: int) -> Document:
    """A document anyone may read; any other is not found here, whoever asks."""
    document = await Document.get_or_none(id=document_id)
    session = await Session.get_or_none(id=document.session_id) if document else None
    if document is None or session is None or not may_read(None, session, document.confidentiality):
        raise NotFound(N_("This document does not exist."))
    return document


@page(
    "/meetings/documents/{document_id:int}/pages/{page:int}.webp",
    perm=ops.DOCUMENT_READ,
)
async def meetings_page_image(ctx: Ctx) -> Response:
    """A page of the viewer, for the same readers as the document's text."""
    return await page_image_response(ctx, ctx.user)


@page("/public/documents/{document_id:int}/pages/{page:int}.webp", perm=ops.SESSION_PUBLIC_VIEW)
async def public_document_page_image(ctx: Ctx) -> Response:
    """A page of a public document, for anyone: read as nobody, so only public documents."""
    await public_document(ctx.params["document_id"])
    return await page_image_response(ctx, None)


routes = [
    document_pages,
    document_page_image,
    meetings_page_image,
    public_document_page_image,
]
