"""Vietnamese sentence splitting for text extracted from session documents.

PDF text arrives with hard line breaks inside paragraphs, numbered headings and tables turned
into runs of numbers. We rebuild paragraphs first, then split them into sentences without
breaking on common abbreviations ("TP. Hà Nội", "ThS. Nguyễn") or decimal numbers ("1.234,5").
"""

from __future__ import annotations

import re

from council.search.text import normalize

# A line that starts a new block: bullets, numbered items, legal headings.
_BLOCK_START = re.compile(
    r"^\s*(?:[-–—•*+●▪]\s|\d+(?:\.\d+)*[.)]\s|[a-zđ][.)]\s|[IVXLC]+[.)]\s|"
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


def paragraphs(text: str) -> list[str]:
    """Rebuild the paragraphs of ``text``, joining lines that a PDF wrapped."""
    blocks: list[str] = []
    current: list[str] = []
    for raw in normalize(text).replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if not line:
            if current:
                blocks.append(" ".join(current))
                current = []
            continue
        if current and _BLOCK_START.match(line):
            blocks.append(" ".join(current))
            current = []
        if is_heading(line):
            if current:
                blocks.append(" ".join(current))
                current = []
            blocks.append(line)
            continue
        current.append(line)
        if _LINE_END.search(line):
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def is_heading(line: str) -> bool:
    """A title line: in capitals, or a short numbered line without final punctuation."""
    if _LINE_END.search(line):
        return False
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return True
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
    """Split ``text`` into sentences, in order."""
    out: list[str] = []
    for paragraph in paragraphs(text):
        out.extend(split_paragraph(paragraph))
    return out
