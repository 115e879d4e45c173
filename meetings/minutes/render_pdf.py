"""The minutes as PDF, in the official layout (Liberation Serif embedded)."""

from __future__ import annotations

from council.officialdoc import render_pdf as official_pdf
from meetings.minutes.layout import minutes_document
from meetings.minutes.record import MinutesRecord


def render_pdf(record: MinutesRecord) -> bytes:
    """The minutes as PDF bytes; every Vietnamese diacritic is drawn from the embedded font."""
    return official_pdf(minutes_document(record))
