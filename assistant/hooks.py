"""Start-up, shutdown and ``council reindex`` hooks of the assistant."""

from __future__ import annotations

import logging
from typing import Any

from assistant import retrieval
from assistant.services.common import close_gateways, ensure_search
from assistant.services.question import index_document, pages_committed
from council import signals

log = logging.getLogger("assistant")

# A meetings document changed: its pages leave the index at once.
signals.DOCUMENT_CHANGED.connect(index_document)
# A version's page text is being saved: on PostgreSQL search its pages are indexed in that
# transaction.
signals.PAGES_COMMITTED.connect(pages_committed)


async def shutdown(settings: Any) -> None:
    """Finish background indexing and close the model servers' connection pools."""
    await retrieval.settle()
    await close_gateways()


async def reindex(settings: Any) -> int:
    """Empty the pages index; each document is indexed again, from a reader's view of it, the
    next time a question is asked about its session. Returns 0: nothing is indexed now."""
    ensure_search(settings)
    forgotten = await retrieval.forget_all()
    log.info("assistant pages index emptied (%d documents will be indexed on demand)", forgotten)
    return 0
