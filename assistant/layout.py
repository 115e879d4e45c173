"""An assistant's written text laid out to read: headings, lists and paragraphs, each point with
the pages it cites, named by document title ("Tờ trình dự toán ngân sách 2027, tr. 3").

Models tag their points with internal labels ("[TL 12, tr. 3]", "[tr. 3]"); no delegate has
ever seen a document id, so the tags are taken out of the text and turned into references by
title, kept only when they name a page that was given to the model. The same structure feeds
the HTML pages, the streaming view and the JSON API.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.citations import tag_targets

_TAG = re.compile(r"\s*\[([^\[\]]{1,80})\]")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_ITEM = re.compile(r"^\s*(?:[-–•*+]|\d{1,2}[.)])\s+")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
TITLE_CHARS = 48

Kind = Literal["heading", "item", "paragraph"]


def short_title(title: str, limit: int = TITLE_CHARS) -> str:
    """``title`` cut at a word boundary with an ellipsis when it is longer than ``limit``."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–") + "…"


def reference(title: str, page: int, limit: int = TITLE_CHARS) -> str:
    """How a citation reads: "Tờ trình dự toán ngân sách 2027, tr. 3"."""
    return f"{short_title(title, limit)}, tr. {page}"


def page_url(document_id: int, page: int) -> str:
    """The document viewer, opened at ``page``."""
    return f"/meetings/documents/{document_id}#page={page}"


@dataclass(frozen=True)
class Ref:
    """A page a point cites."""

    document_id: int
    page: int
    title: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "document_id": self.document_id,
            "page": self.page,
            "title": self.title,
            "reference": reference(self.title, self.page),
            "url": page_url(self.document_id, self.page),
        }


@dataclass
class Point:
    """A heading, a list item or a paragraph, with the pages it cites."""

    kind: Kind
    text: str
    refs: list[Ref] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"kind": self.kind, "text": self.text, "citations": [r.as_dict() for r in self.refs]}


def _plain(text: str) -> str:
    # Models like Markdown emphasis; the page shows plain, escaped text.
    return " ".join(_BOLD.sub(lambda m: m.group(1) or m.group(2), text).split())


def layout(
    text: str,
    *,
    titles: Mapping[int, str],
    valid: Collection[tuple[int, int]],
    default_document: int | None = None,
) -> list[Point]:
    """Cut ``text`` into points; each point's tags become references to the pages in ``valid``
    (document, page) that ``titles`` names. Tags naming anything else are dropped."""
    points: list[Point] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        refs: list[Ref] = []
        for match in _TAG.finditer(raw):
            for document, page in tag_targets(match.group(1), default_document):
                ref = Ref(document, page, titles.get(document, ""))
                if (document, page) in valid and document in titles and ref not in refs:
                    refs.append(ref)
        body = _TAG.sub("", raw)
        kind: Kind = "paragraph"
        if _HEADING.match(body):
            kind, body = "heading", _HEADING.sub("", body)
        elif _ITEM.match(body):
            kind, body = "item", _ITEM.sub("", body)
        body = _plain(body).rstrip(":") if kind == "heading" else _plain(body)
        if body or refs:
            points.append(Point(kind, body, refs))
    return points


def points_out(points: list[Point]) -> list[dict[str, Any]]:
    """The points as JSON."""
    return [p.as_dict() for p in points]
