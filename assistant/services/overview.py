"""What the assistant's pages show around the answers: the session's and document's headings."""

from __future__ import annotations

from typing import Any

from assistant import retrieval
from assistant.config import AssistantConfig
from assistant.services.common import ensure_search
from council.models import User
from meetings.services import agenda_for, document_for_reader, session_documents_for_reader


def _offline_only(confidentiality: str, settings: Any) -> bool:
    config = AssistantConfig.from_settings(settings)
    return (
        confidentiality == "confidential" and config.provider != "extractive" and not config.trusted
    )


async def session_overview(user: User, session_id: int, settings: Any) -> dict[str, Any]:
    """The session's title and the documents ``user`` may read (404/403 from meetings)."""

    session, _items = await agenda_for(user, session_id)
    documents = await session_documents_for_reader(user, session_id)
    ensure_search(settings)
    retrieval.warm(documents)
    return {
        "session_id": session_id,
        "title": session.title,
        "documents": [
            {
                "id": d.id,
                "title": d.title,
                "pages": len(d.pages),
                "offline_only": _offline_only(d.confidentiality, settings),
            }
            for d in documents
        ],
    }


async def document_overview(user: User, document_id: int, settings: Any) -> dict[str, Any]:
    """A document's heading for its summary page (404/403 from meetings)."""

    view = await document_for_reader(user, document_id)
    ensure_search(settings)
    retrieval.warm([view])
    return {
        "document": {
            "id": view.id,
            "title": view.title,
            "session_id": view.session_id,
            "pages": len(view.pages),
            "confidentiality": view.confidentiality,
            "offline_only": _offline_only(view.confidentiality, settings),
        }
    }
