"""The minutes as a Word document, in the official layout."""

from __future__ import annotations

from council.officialdoc import render_docx as official_docx
from meetings.minutes.layout import minutes_document
from meetings.minutes.record import MinutesRecord


def render_docx(record: MinutesRecord) -> bytes:
    """The minutes as DOCX bytes."""
    return official_docx(minutes_document(record))
