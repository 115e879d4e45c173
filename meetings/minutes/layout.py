"""The minutes in the official layout: the record's lines as the body of ``council.officialdoc``."""

from __future__ import annotations

from council.officialdoc import (
    Block,
    Bullets,
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    issuer_of,
    place_of,
)
from meetings.minutes.record import Line, MinutesRecord, minutes_lines

KIND = "BIÊN BẢN"
SYMBOL = "BB-HĐND"


def body_blocks(lines: list[Line]) -> list[Block]:
    """Headings, paragraphs, and each run of bullet lines as one list."""
    blocks: list[Block] = []
    bullets: list[str] = []
    for line in lines:
        if line.style == "bullet":
            bullets.append(line.text)
            continue
        if bullets:
            blocks.append(Bullets(tuple(bullets)))
            bullets = []
        if line.style == "heading":
            blocks.append(Heading(line.text))
        elif line.style == "subheading":
            blocks.append(Heading(line.text, level=2))
        elif line.style == "note":
            blocks.append(Paragraph(line.text, italic=True, align="center", indent=False))
        else:
            blocks.append(Paragraph(line.text))
    if bullets:
        blocks.append(Bullets(tuple(bullets)))
    return blocks


def minutes_document(record: MinutesRecord) -> OfficialDocument:
    """Dated the day the sitting closed (or, before that, the day it started), local time."""
    return OfficialDocument(
        issuer=issuer_of(record.council_name),
        kind=KIND,
        summary=record.session_title,
        symbol=SYMBOL,
        number=record.number,
        place=place_of(record.council_name),
        date=record.closed_at or record.starts_at,
        body=body_blocks(minutes_lines(record)),
        signers=[Signer("THƯ KÝ", record.secretary_name), Signer("CHỦ TỌA", record.chair_name)],
        title=f"Biên bản — {record.session_title}",
    )
