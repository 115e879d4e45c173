"""A resolution in the official layout (Nghị định 30/2020/NĐ-CP), drafted in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from council.localtime import local
from council.officialdoc import (
    Block,
    OfficialDocument,
    Paragraph,
    Signer,
    issuer_of,
    place_of,
)
from meetings.voting.tally import MotionResult
from meetings.voting.wording import share_sentence

KIND = "NGHỊ QUYẾT"
SYMBOL = "NQ-HĐND"
DRAFT_PREFIXES = ("dự thảo nghị quyết", "dự thảo")


def vote_line(result: MotionResult) -> str:
    """For, against and abstaining over all seats, as the minutes phrase it."""
    parts = [
        share_sentence(result.yes, result.seats, "tán thành"),
        share_sentence(result.no, result.seats, "không tán thành"),
        share_sentence(result.abstain, result.seats, "không biểu quyết"),
    ]
    return "; ".join(parts)


def title_from_item(item_title: str) -> str:
    """The resolution's summary line from its draft's agenda item: "Dự thảo Nghị quyết về dự
    toán …" → "Về dự toán …"."""
    title = item_title.strip()
    for prefix in DRAFT_PREFIXES:
        if title.casefold().startswith(prefix):
            title = title[len(prefix) :].strip(" :-–")
            break
    return (title[:1].upper() + title[1:]) if title else item_title.strip()


@dataclass
class ResolutionText:
    council_name: str
    session_title: str
    number: int
    title: str
    text: str
    vote_line: str
    passed_at: datetime
    signer_name: str = ""


def _paragraphs(text: str) -> list[Block]:
    return [Paragraph(p.strip()) for p in text.replace("\r\n", "\n").split("\n") if p.strip()]


def resolution_document(r: ResolutionText) -> OfficialDocument:
    issuer = issuer_of(r.council_name)
    body: list[Block] = [
        Paragraph(" ".join(issuer.lines), bold=True, align="center", indent=False),
        *_paragraphs(r.text),
        Paragraph(
            "Nghị quyết này đã được Hội đồng nhân dân thông qua tại "
            f"{r.session_title} ngày {local(r.passed_at):%d/%m/%Y}, với kết quả biểu quyết: "
            f"{r.vote_line}.",
            italic=True,
        ),
    ]
    return OfficialDocument(
        issuer=issuer,
        kind=KIND,
        summary=r.title,
        symbol=SYMBOL,
        number=r.number,
        place=place_of(r.council_name),
        date=r.passed_at,
        body=body,
        signers=[Signer("CHỦ TỊCH", r.signer_name, authority="TM. HỘI ĐỒNG NHÂN DÂN", note="")],
        recipients=["Thường trực HĐND", "Ủy ban nhân dân", "Các đại biểu HĐND", "Lưu: VT"],
        title=f"Nghị quyết số {r.number}/{SYMBOL} — {r.title}",
    )
