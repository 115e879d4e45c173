"""The assistant's operations. Routes, pages and other domains call these functions only.

- ``assistant.summarize``: :func:`summarize`, :func:`open_summary_stream`
- ``assistant.ask``: :func:`ask`
- ``assistant.group``: :func:`group_petitions`
- ``assistant.usage``: :func:`usage_log`
- meetings calls :func:`index_document` after a document's pages or classification change.
"""

from assistant.services.grouping import group_petitions
from assistant.services.overview import document_overview, session_overview
from assistant.services.question import ask, index_document, pages_committed
from assistant.services.summary import open_summary_stream, summarize
from assistant.services.usage import describe as describe_usage
from assistant.services.usage import entry_out, usage_log

__all__ = [
    "ask",
    "document_overview",
    "entry_out",
    "group_petitions",
    "index_document",
    "pages_committed",
    "open_summary_stream",
    "session_overview",
    "summarize",
    "usage_log",
    "describe_usage",
]
