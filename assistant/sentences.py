"""Vietnamese sentence splitting for text extracted from session documents.

PDF text arrives with hard line breaks inside paragraphs, numbered headings and tables turned
into runs of numbers. We rebuild paragraphs first, then split them into sentences without
breaking on common abbreviations ("TP. Hà Nội", "ThS. Nguyễn") or decimal numbers ("1.234,5").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant import anatomy
from council.search.text import normalize

# A line that starts a new block: bullets, numbered items, legal headings. (Numbers of at most
# two digits: "2026. Thu nội địa …" is a wrapped sentence, not item 2026.)
_BLOCK_START = re.compile(
    r"^\s*(?:[-–—•*+●▪]\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|[a-zđ][.)]\s|[IVXLC]+[.)]\s|"
    r"(?:Điều|Chương|Mục|Phần|Khoản)\s+[\dIVXLC]+)",
    re.IGNORECASE,
)
_LINE_END = re.compile(r"[.!?:;…]['\"”’)\]]*\s*$")
# Candidate boundary: terminal punctuation (and closing quotes) followed by whitespace.
_BOUNDARY = re.compile(r"([.!?…]+['\"”’)\]]*)\s+")
_MARKER = re.compile(r"^(?:\d+(?:\.\d+)*|[IVXLC]+|[a-zđ])\.$", re.IGNORECASE)
_ABBREVIATIONS = frozenset(
    {
        "tp",
        "tx",
        "tt",
        "ths",
        "ts",
        "pgs",
        "gs",
        "bs",
        "ks",
        "ls",
        "nxb",
        "st",
        "q",
        "p",
        "v.v",
        "vv",
        "đ/c",
        "đc",
        "ubnd",
        "hđnd",
        "nq",
        "qđ",
        "tr",
        "kn",
        "tl",
        "no",
        "mr",
        "mrs",
        "dr",
    }
)


Kind = Literal["text", "heading", "boilerplate"]


@dataclass(frozen=True)
class Block:
    """A paragraph, a heading, or a part of the document's frame that carries no content."""

    text: str
    kind: Kind = "text"


# A line that starts a new paragraph even when the previous one did not end: a legal basis, a
# salutation, an article ("Căn cứ Luật …" under the unpunctuated subject line).
_OPENER = re.compile(
    r"^\s*(?:Căn cứ|Xét|Kính gửi|Nơi nhận|Theo đề nghị|Điều \d+|QUYẾT NGHỊ|QUYẾT ĐỊNH)\b"
)
_STARTS_UPPER = re.compile(r"^\s*[\d\W]*[A-ZÀ-Ỹ\u0110]")
# A heading is short: a line this much shorter than the page's longest is not a wrapped one.
_HEADING_WORDS = 14


def blocks(text: str) -> list[Block]:
    """Rebuild the paragraphs of ``text`` (joining lines a PDF wrapped), each classified:
    headings apart from the sentence after them, the document's frame (header, legal bases,
    salutation, distribution list, signature, page numbers) as ``boilerplate``."""
    lines = [" ".join(raw.split()) for raw in normalize(text).replace("\r", "\n").split("\n")]
    filled = [line for line in lines if line]
    header = anatomy.header_length(filled)
    widest = max((len(line) for line in filled), default=0)
    out: list[Block] = []
    current: list[str] = []
    # "salutation": addressees follow; "signature": the signer's title and name follow;
    # "distribution": the distribution list and signature block run to the page's end.
    mode = ""

    def flush() -> None:
        if current:
            out.append(Block(" ".join(current)))
            current.clear()

    seen = 0
    for index, line in enumerate(lines):
        if not line:
            flush()
            continue
        seen += 1
        following = next((n for n in lines[index + 1 :] if n), "")
        if seen <= header or anatomy.is_page_furniture(line):
            flush()
            out.append(Block(line, "boilerplate"))
            continue
        if mode == "distribution" and not anatomy.starts_appendix(line):
            out.append(Block(line, "boilerplate"))
            continue
        if mode == "salutation" and line[0] in "-–•+":
            out.append(Block(line, "boilerplate"))
            continue
        if mode == "signature" and not _LINE_END.search(line) and len(line.split()) <= 8:
            out.append(Block(line, "boilerplate"))  # the signer's title and name
            continue
        mode = ""
        if anatomy.starts_distribution(line) or anatomy.starts_salutation(line):
            flush()
            out.append(Block(line, "boilerplate"))
            mode = "distribution" if anatomy.starts_distribution(line) else "salutation"
            continue
        if anatomy.is_signature(line):
            flush()
            out.append(Block(line, "boilerplate"))
            mode = "signature"
            continue
        if current and (_BLOCK_START.match(line) or _OPENER.match(line)):
            flush()
        if not current and _is_heading(line, following, widest):
            out.append(Block(line, "heading"))
            continue
        current.append(line)
        if _LINE_END.search(line):
            flush()
    flush()
    return out


def paragraphs(text: str) -> list[str]:
    """Rebuild the paragraphs of ``text``, joining lines that a PDF wrapped."""
    return [block.text for block in blocks(text)]


def _is_heading(line: str, following: str, widest: int) -> bool:
    if is_heading(line):
        return True
    # An unpunctuated short line before a capitalised one is a title, not a wrapped line.
    return (
        not _LINE_END.search(line)
        and len(line.split()) <= _HEADING_WORDS
        and len(line) < 0.7 * widest
        and bool(_STARTS_UPPER.match(following) or _OPENER.match(following))
        and bool(_STARTS_UPPER.match(line))
    )


def is_heading(line: str) -> bool:
    """A title line: in capitals ("QUYẾT NGHỊ:" too), or a short numbered line without final
    punctuation."""
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters) and not line.endswith((".", ";")):
        return True
    if _LINE_END.search(line):
        return False
    return bool(_BLOCK_START.match(line)) and len(line.split()) <= 10


def _ends_with_abbreviation(head: str) -> bool:
    words = head.split()
    if not words:
        return True
    word = words[-1].rstrip(".").lower()
    if len(words) == 1 and _MARKER.match(words[0].rstrip(".") + "."):
        return True  # "II. Kinh tế", "3. Giáo dục": a numbering, not a sentence
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_paragraph(paragraph: str) -> list[str]:
    """Split one paragraph into sentences."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.end(1)
        rest = paragraph[match.end() :]
        if not rest:
            break
        nxt = rest[0]
        if not (nxt.isupper() or nxt.isdigit() or nxt in "\"“'([-–•"):
            continue
        if match.group(1).startswith(".") and _ends_with_abbreviation(
            paragraph[start : match.start(1)]
        ):
            continue
        piece = paragraph[start:end].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, in order (headings and frame lines included)."""
    return [sentence for sentence, _kind in units(text)]


def units(text: str) -> list[tuple[str, Kind]]:
    """The sentences of ``text`` in order, each with its kind: a sentence of a paragraph that
    carries no content (a legal basis, a closing formula) is ``boilerplate`` too."""
    out: list[tuple[str, Kind]] = []
    for block in blocks(text):
        if block.kind != "text":
            out.append((block.text, block.kind))
            continue
        for sentence in split_paragraph(block.text):
            out.append((sentence, "boilerplate" if anatomy.is_boilerplate(sentence) else "text"))
    return out


def content(text: str) -> str:
    """``text`` without its frame: headings and paragraphs, one a line, minus the sentences
    that carry no content (what a summary is made from, by any model)."""
    lines: list[str] = []
    for block in blocks(text):
        if block.kind == "heading":
            lines.append(block.text)
        elif block.kind == "text":
            kept = [s for s in split_paragraph(block.text) if not anatomy.is_boilerplate(s)]
            if kept:
                lines.append(" ".join(kept))
    return "\n".join(lines)
