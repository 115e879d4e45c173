"""Text extraction per page from PDF (pypdf) and DOCX (python-docx).

A DOCX file has no pages of its own: pages exist only once a word processor lays it out. We split
it on the page breaks the author put in (``<w:br w:type="page"/>`` and paragraphs marked "page
break before"); a document without any explicit break is split at paragraph boundaries into pages
of about :data:`DOCX_CHARS_PER_PAGE` characters, which is roughly one printed A4 page of
Vietnamese administrative text. A paragraph longer than that is never cut in the middle.

These functions parse what someone uploaded: the server runs them in a worker process, within
limits of memory and time (``council.workers``). A DOCX is checked for an archive bomb before
it is opened (``council.archives``).
"""

from __future__ import annotations

import io
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from council.archives import check_zip

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_CHARS_PER_PAGE = 3000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

log = logging.getLogger(__name__)


class ExtractionError(ValueError):
    """The file could not be read as the type it claims to be."""


@dataclass(frozen=True)
class Page:
    number: int
    text: str


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\x00", "")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _source(data: bytes | Path) -> io.BytesIO | str:
    return io.BytesIO(data) if isinstance(data, bytes) else str(data)


def extract_pdf(data: bytes | Path) -> list[Page]:
    """One :class:`Page` per PDF page, numbered from 1 (a page without text gives "")."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(_source(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:
                raise ExtractionError("encrypted PDF") from exc
        pages = []
        for i, page in enumerate(reader.pages, start=1):
            try:
                text = page.extract_text() or ""
            except MemoryError:
                raise
            except Exception:  # a broken content stream on one page must not lose the others
                log.warning("could not extract text from PDF page %d", i, exc_info=True)
                text = ""
            pages.append(Page(i, _clean(text)))
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ExtractionError(f"unreadable PDF: {exc}") from exc
    if not pages:
        raise ExtractionError("PDF has no pages")
    return pages


def _paragraph_runs(p_el) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    """Text pieces of a paragraph element, each flagged when a page break follows it."""
    pieces: list[tuple[str, bool]] = []
    buf: list[str] = []
    for el in p_el.iter():
        tag = el.tag
        if tag == f"{_W}t":
            buf.append(el.text or "")
        elif tag == f"{_W}tab":
            buf.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            if el.get(f"{_W}type") == "page":
                pieces.append(("".join(buf), True))
                buf = []
            else:
                buf.append("\n")
    pieces.append(("".join(buf), False))
    return pieces


def _docx_blocks(data: bytes | Path) -> list[tuple[str, bool, bool]]:
    """(text, page break before, page break after) per paragraph or table row, in body order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(data)
    try:
        document = docx.Document(_source(data))
    except MemoryError:
        raise
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ExtractionError(f"unreadable DOCX: {exc}") from exc
    except Exception as exc:  # zipfile / lxml errors from a hostile file
        raise ExtractionError(f"unreadable DOCX: {exc}") from exc
    blocks: list[tuple[str, bool, bool]] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            ppr = child.find(f"{_W}pPr")
            before = ppr is not None and ppr.find(f"{_W}pageBreakBefore") is not None
            pieces = _paragraph_runs(child)
            for i, (text, brk) in enumerate(pieces):
                blocks.append((text, before and i == 0, brk))
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                cells = []
                for cell in row.iter(f"{_W}tc"):
                    cells.append(
                        " ".join(
                            "".join(t.text or "" for t in p.iter(f"{_W}t"))
                            for p in cell.iter(f"{_W}p")
                        )
                    )
                blocks.append((" | ".join(c.strip() for c in cells), False, False))
    return blocks


def extract_docx(data: bytes | Path, chars_per_page: int = DOCX_CHARS_PER_PAGE) -> list[Page]:
    """Pages of a DOCX file, split as the module docstring describes."""
    blocks = _docx_blocks(data)
    explicit = any(before or after for _, before, after in blocks)
    pages: list[list[str]] = [[]]
    size = 0
    for text, before, after in blocks:
        if explicit:
            if before and any(s.strip() for s in pages[-1]):
                pages.append([])
            pages[-1].append(text)
            if after:
                pages.append([])
        else:
            if size and size + len(text) > chars_per_page:
                pages.append([])
                size = 0
            pages[-1].append(text)
            size += len(text) + 1
    texts = [_clean("\n".join(p)) for p in pages]
    while len(texts) > 1 and not texts[-1]:
        texts.pop()
    return [Page(i, t) for i, t in enumerate(texts, start=1)]


def extract_pages(data: bytes | Path, mime: str) -> list[Page]:
    """Pages of a document of type ``mime`` (PDF or DOCX), from its bytes or its file."""
    if mime == PDF_MIME:
        return extract_pdf(data)
    if mime == DOCX_MIME:
        return extract_docx(data)
    raise ExtractionError(f"unsupported type {mime}")
