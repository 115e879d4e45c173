"""What an official document says: the frame's fields and the body's blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Issuer:
    """The issuing body, one line per entry, e.g. ("HỘI ĐỒNG NHÂN DÂN", "PHƯỜNG BA ĐÌNH").

    ``parent`` is the superior body (cơ quan chủ quản), printed above it, upright and not bold."""

    lines: tuple[str, ...]
    parent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signer:
    """One signature: ``authority`` (e.g. "TM. HỘI ĐỒNG NHÂN DÂN"), ``title`` ("CHỦ TỌA"), name."""

    title: str
    name: str
    authority: str = ""
    note: str = "(Ký, ghi rõ họ tên)"


@dataclass(frozen=True)
class Heading:
    """A heading of the body: level 1 bold ("I. THÀNH PHẦN THAM DỰ"), level 2 bold italic."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Body text, justified with a first-line indent unless told otherwise."""

    text: str
    bold: bool = False
    italic: bool = False
    align: str = "justify"  # justify | left | center | right
    indent: bool = True


@dataclass(frozen=True)
class Bullets:
    """A list, each item on its own line with a hanging indent after ``marker``."""

    items: tuple[str, ...]
    marker: str = "-"


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``widths`` are relative column widths (equal when empty)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page."""


Block = Heading | Paragraph | Bullets | Table | PageBreak


@dataclass
class OfficialDocument:
    """A document in the administrative layout: the frame's fields, then the body's blocks.

    ``symbol`` is the document's code after the number ("BB-HĐND"); without one there is no number
    line. ``number`` None prints dots, to be filled in by hand or set later; ``date`` None prints
    "ngày ... tháng ... năm ...". ``recipients`` is the "Nơi nhận" list (empty: none printed)."""

    issuer: Issuer
    kind: str
    summary: str = ""
    symbol: str = ""
    number: int | str | None = None
    place: str = ""
    date: date | datetime | None = None
    body: list[Block] = field(default_factory=list)
    signers: list[Signer] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    title: str = ""  # the file's metadata title; kind and summary when empty
