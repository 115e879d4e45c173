"""document.*: uploads, versions, per-page text, readers' access and private notes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from tortoise.transactions import in_transaction

from council import audit, pageimages, signals, storage, workers
from council.errors import DomainError, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import User
from council.uploads import DOCX, PDF, StoredFile, store_bytes, store_upload
from meetings.documents.extract import ExtractionError, Page, extract_pages
from meetings.models import (
    CONFIDENTIALITY,
    AgendaItem,
    Document,
    DocumentPage,
    DocumentVersion,
    Note,
    Session,
)
from meetings.services import notices
from meetings.services.common import (
    SEAT_ROLES,
    can_see_session,
    get_session,
    is_staff_of,
    require_state,
    same_council,
    staff_session,
)

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
ALLOWED = frozenset({PDF, DOCX})
MAX_NOTE_CHARS = 10_000


@dataclass(frozen=True)
class PageText:
    number: int
    text: str


@dataclass(frozen=True)
class DocumentView:
    """A document as one reader may read it (the assistant's view of meetings' documents)."""

    id: int
    title: str
    session_id: int
    council_id: int
    confidentiality: str
    content_hash: str
    pages: list[PageText] = field(default_factory=list)
    mime: str = ""
    version: int = 1
    item_id: int | None = None


# --- who may read what ------------------------------------------------------------------------


# Who reads a council's documents that are not public: its seats and its secretariat. Other
# users of the council (an agency of the city, a citizen) read its public documents only.
READER_ROLES = SEAT_ROLES | {"secretariat"}


def may_read(user: User | None, session: Session, confidentiality: str) -> bool:
    """Public documents of a published session: anyone. Internal: the council's delegates, chair
    and secretariat, and admins. Confidential: the council's delegates, chair and secretariat
    only (never an admin, never the public)."""
    if confidentiality == "public" and session.status != "draft":
        return True
    if user is None or not can_see_session(user, session):
        return False
    if user.role == "admin":
        return confidentiality != "confidential"
    return user.role in READER_ROLES and user.council_id == session.council_id


async def _document_and_session(document_id: int) -> tuple[Document, Session]:
    document = await Document.get_or_none(id=document_id)
    if document is None:
        raise NotFound(N_("This document does not exist."))
    return document, await Session.get(id=document.session_id)


async def _check_reader(user: User | None, document: Document, session: Session) -> None:
    if may_read(user, session, document.confidentiality):
        return
    if session.status == "draft" and not is_staff_of(user, session.council_id):
        raise NotFound(N_("This document does not exist."))
    raise Forbidden(N_("You may not read this document."))


async def current_version(document: Document) -> DocumentVersion:
    return await DocumentVersion.get(document_id=document.id, number=document.current_version)


async def _view(document: Document, session: Session) -> DocumentView:
    version = await current_version(document)
    pages = await DocumentPage.filter(version_id=version.id).order_by("number")
    return DocumentView(
        id=document.id,
        title=document.title,
        session_id=session.id,
        council_id=session.council_id,
        confidentiality=document.confidentiality,
        content_hash=version.sha256,
        pages=[PageText(p.number, p.text) for p in pages],
        mime=version.mime,
        version=version.number,
        item_id=document.item_id,
    )


async def document_for_reader(user: User | None, document_id: int) -> DocumentView:
    """The document with its text per page, or 404 / 403 when ``user`` may not read it."""
    document, session = await _document_and_session(document_id)
    await _check_reader(user, document, session)
    return await _view(document, session)


async def session_documents_for_reader(user: User | None, session_id: int) -> list[DocumentView]:
    """Every document of the session that ``user`` may read (404 if the session is hidden)."""
    session = await get_session(session_id)
    if session.status == "draft" and not is_staff_of(user, session.council_id):
        raise NotFound(N_("This session does not exist."))
    views = []
    for document in await Document.filter(session_id=session.id).order_by("id"):
        if may_read(user, session, document.confidentiality):
            views.append(await _view(document, session))
    return views


async def documents_of(user: User | None, session: Session) -> list[Document]:
    """The session's documents ``user`` may read, without their text (for lists)."""
    docs = await Document.filter(session_id=session.id).order_by("item_id", "id")
    return [d for d in docs if may_read(user, session, d.confidentiality)]


async def document_file(
    user: User | None, document_id: int, version: int | None = None
) -> tuple[Document, DocumentVersion]:
    """The version of a readable, non-confidential document whose file may be served
    (confidential ones are view-only); ``storage.file_response`` serves ``version.path``."""
    document, session = await _document_and_session(document_id)
    await _check_reader(user, document, session)
    if document.confidentiality == "confidential":
        raise Forbidden(N_("Confidential documents can only be read on screen."))
    number = version or document.current_version
    found = await DocumentVersion.get_or_none(document_id=document.id, number=number)
    if found is None:
        raise NotFound(N_("This version does not exist."))
    return document, found


async def versions_of(document_id: int) -> list[DocumentVersion]:
    return list(await DocumentVersion.filter(document_id=document_id).order_by("-number"))


# --- uploads ----------------------------------------------------------------------------------


def _check_fields(title: str, confidentiality: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title or len(title) > 300:
        errors["title"] = str(N_("A title of 1 to 300 characters is required."))
    if confidentiality not in CONFIDENTIALITY:
        errors["confidentiality"] = str(N_("Choose public, internal or confidential."))
    if errors:
        raise Invalid(fields=errors)
    return title, confidentiality


workers.preload("pypdf", "docx")


async def _extract(stored: StoredFile) -> list[Page]:
    """The text of each page, read in a worker process within its limits (``council.workers``):
    a hostile file is stopped there, never in the server."""
    try:
        async with storage.local_copy(stored.path) as path:
            return await workers.run(extract_pages, path, stored.mime)
    except ExtractionError:
        await storage.discard(stored)
        raise DomainError(
            "unreadable_document", N_("The file could not be read."), status=422
        ) from None
    except DomainError:  # a limit, a crash, an archive bomb
        await storage.discard(stored)
        raise


async def _save_version(
    document: Document, number: int, stored: StoredFile, pages: list[Page], user: User | None
) -> DocumentVersion:
    version = await DocumentVersion.create(
        document_id=document.id,
        number=number,
        path=stored.path,
        mime=stored.mime,
        size=stored.size,
        sha256=stored.sha256,
        original_name=stored.original_name,
        page_count=len(pages),
        uploaded_by_id=user.id if user else None,
    )
    await DocumentPage.bulk_create(
        [DocumentPage(version_id=version.id, number=p.number, text=p.text) for p in pages]
    )
    return version


async def _store(upload: UploadFile | bytes, name: str = "") -> StoredFile:
    if isinstance(upload, bytes):
        return await store_bytes(
            upload, original_name=name, allowed=ALLOWED, max_bytes=MAX_DOCUMENT_BYTES
        )
    return await store_upload(upload, allowed=ALLOWED, max_bytes=MAX_DOCUMENT_BYTES)


async def document_upload(
    user: User,
    session_id: int,
    upload: UploadFile | bytes,
    *,
    title: str,
    confidentiality: str = "internal",
    item_id: int | None = None,
    filename: str = "",
) -> Document:
    """document.upload: a PDF or DOCX (≤ 50 MB, type sniffed from content) for a session or item."""
    session = await staff_session(user, session_id)
    require_state(session, "draft", "published", "in_progress")
    title, confidentiality = _check_fields(title, confidentiality)
    if item_id is not None and not await AgendaItem.exists(id=item_id, session_id=session.id):
        raise Invalid(fields={"item_id": str(N_("This item is not on the session's agenda."))})
    stored = await _store(upload, filename)
    pages = await _extract(stored)
    async with in_transaction():
        document = await Document.create(
            session_id=session.id,
            item_id=item_id,
            title=title,
            confidentiality=confidentiality,
            current_version=1,
            created_by_id=user.id,
        )
        await _save_version(document, 1, stored, pages, user)
        await _pages_committed(document, session)
        await audit.record(
            "document.upload",
            actor=user,
            target_type="document",
            target_id=document.id,
            council_id=session.council_id,
            details={
                "session_id": session.id,
                "title": title,
                "confidentiality": confidentiality,
                "sha256": stored.sha256,
                "pages": len(pages),
            },
        )
        change = await notices.record_change(
            session, user, "document.upload", _change(document.id, title, confidentiality)
        )
    await notices.announce(change)
    await _notify_indexer(document.id)
    return document


async def document_replace(
    user: User, document_id: int, upload: UploadFile | bytes, filename: str = ""
) -> Document:
    """document.replace: a new version becomes current; earlier versions are kept."""
    document, session = await _document_and_session(document_id)
    if not is_staff_of(user, session.council_id):
        raise Forbidden(N_("Only the council's secretariat or chair may do this."))
    require_state(session, "draft", "published", "in_progress")
    stored = await _store(upload, filename)
    pages = await _extract(stored)
    async with in_transaction():
        last = await DocumentVersion.filter(document_id=document.id).order_by("-number").first()
        number = (last.number if last else 0) + 1
        await _save_version(document, number, stored, pages, user)
        await Document.filter(id=document.id).update(current_version=number)
        document.current_version = number
        await _pages_committed(document, session)
        await audit.record(
            "document.replace",
            actor=user,
            target_type="document",
            target_id=document.id,
            council_id=session.council_id,
            details={"version": number, "sha256": stored.sha256, "pages": len(pages)},
        )
        change = await notices.record_change(
            session,
            user,
            "document.replace",
            {**_change(document.id, document.title, document.confidentiality), "version": number},
        )
    await notices.announce(change)
    await _notify_indexer(document.id)
    return await Document.get(id=document.id)


KEEP_ITEM: Any = object()  # ``document_update(item_id=...)`` left out: the item stays


async def document_update(
    user: User,
    document_id: int,
    *,
    title: str | None = None,
    confidentiality: str | None = None,
    item_id: Any = KEEP_ITEM,
) -> Document:
    """document.update: retitle, reclassify or move a document to another agenda item (``None``:
    the whole session). A confidential document stays confidential: lowered, it could be read by
    an admin, published or downloaded, and set back."""
    document, session = await _document_and_session(document_id)
    if not is_staff_of(user, session.council_id):
        raise Forbidden(N_("Only the council's secretariat or chair may do this."))
    new_item = document.item_id if item_id is KEEP_ITEM else item_id
    if new_item is not None and not await AgendaItem.exists(id=new_item, session_id=session.id):
        raise Invalid(fields={"item_id": str(N_("This item is not on the session's agenda."))})
    new_title, new_conf = _check_fields(
        title or document.title, confidentiality or document.confidentiality
    )
    if document.confidentiality == "confidential" and new_conf != "confidential":
        await audit.record_denied(
            user,
            "document",
            document.id,
            session.council_id,
            {"operation": "document.update", "confidentiality": new_conf},
        )
        raise DomainError(
            "confidential_downgrade",
            N_(
                "A confidential document cannot be made internal or public. If it was classified "
                "by mistake, upload it again with the right confidentiality."
            ),
            status=403,
        )
    async with in_transaction():
        await Document.filter(id=document.id).update(
            title=new_title, confidentiality=new_conf, item_id=new_item
        )
        await audit.record(
            "document.update",
            actor=user,
            target_type="document",
            target_id=document.id,
            council_id=session.council_id,
            details={"title": new_title, "confidentiality": new_conf, "item_id": new_item},
        )
        change = await notices.record_change(
            session, user, "document.update", _change(document.id, new_title, new_conf)
        )
    await notices.announce(change)
    if new_conf == "confidential" and document.confidentiality != "confidential":
        await _forget_pages(document.id)
    await _notify_indexer(document.id)
    return await Document.get(id=document.id)


async def document_delete(user: User, document_id: int) -> Session:
    """document.delete: the document and all its versions go (their SHA-256 stay in the audit
    log); a published session's delegates are told."""
    document, session = await _document_and_session(document_id)
    if not is_staff_of(user, session.council_id):
        raise Forbidden(N_("Only the council's secretariat or chair may do this."))
    require_state(session, "draft", "published", "in_progress")
    versions = await versions_of(document.id)
    async with in_transaction():
        await Document.filter(id=document.id).delete()
        await audit.record(
            "document.delete",
            actor=user,
            target_type="document",
            target_id=document.id,
            council_id=session.council_id,
            details={
                "session_id": session.id,
                "title": document.title,
                "versions": [v.sha256 for v in versions],
            },
        )
        change = await notices.record_change(
            session,
            user,
            "document.delete",
            _change(document.id, document.title, document.confidentiality),
        )
    await notices.announce(change)

    for version in versions:
        await pageimages.forget(f"pages/{version.sha256}")
        try:  # the blob goes unless another document's version holds the same bytes
            await storage.release(version.path)
        except Exception:  # the record is gone; a file left behind harms no reader
            log.warning("file of document %s not removed", document.id, exc_info=True)
    await _notify_indexer(document.id)
    return session


def _change(document_id: int, title: str, confidentiality: str) -> dict[str, Any]:
    """A document's change as history keeps it and the session's room hears it: a confidential
    document's title is left out (history, offline copies and hall screens must not show it)."""
    if confidentiality == "confidential":
        return {"document_id": document_id, "confidential": True}
    return {"document_id": document_id, "title": title}


async def _forget_pages(document_id: int) -> None:
    """A document made confidential: the viewer's clear pages of every version leave the cache."""

    for sha in await DocumentVersion.filter(document_id=document_id).values_list(
        "sha256", flat=True
    ):
        await pageimages.forget(f"pages/{sha}")


async def _pages_committed(document: Document, session: Session) -> None:
    """Inside the transaction saving a version's page text: whoever indexes pages (the assistant,
    on PostgreSQL search) indexes them in that same transaction."""
    if signals.PAGES_COMMITTED.handlers:
        await signals.PAGES_COMMITTED.send(view=await _view(document, session))


async def _notify_indexer(document_id: int) -> None:
    """Tell whoever indexes documents (the assistant subscribes) that this one changed."""
    await signals.DOCUMENT_CHANGED.send(document_id=document_id)


# --- private notes ----------------------------------------------------------------------------


async def note_save(user: User, document_id: int, page: int, text: str) -> Note | None:
    """note.save: the author's private note on one page; empty text deletes it."""
    document, session = await _document_and_session(document_id)
    await _check_reader(user, document, session)
    if not same_council(user, session.council_id) or user.role == "admin":
        raise Forbidden(N_("Only members of the council keep notes."))
    if page < 1 or not await DocumentPage.exists(
        version__document_id=document.id, version__number=document.current_version, number=page
    ):
        raise Invalid(fields={"page": str(N_("This page does not exist."))})
    text = (text or "").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise Invalid(fields={"text": str(N_("This is too long."))})
    async with in_transaction():
        note = await Note.get_or_none(user_id=user.id, document_id=document.id, page=page)
        if not text:
            if note is not None:
                await note.delete()
            return None
        if note is None:
            return await Note.create(user_id=user.id, document_id=document.id, page=page, text=text)
        note.text = text
        await note.save()
        return note


async def notes_of(user: User, document_id: int) -> dict[int, str]:
    """Only the author's own notes, by page."""
    return {n.page: n.text for n in await Note.filter(user_id=user.id, document_id=document_id)}
