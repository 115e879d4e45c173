"""Pages asserted through CSS selectors (selectolax's lexbor parser), not substrings: what a
test checks is named by where it sits on the page."""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

Scope = str | LexborHTMLParser | LexborNode


def dom(html: Scope) -> LexborHTMLParser | LexborNode:
    return LexborHTMLParser(html) if isinstance(html, str) else html


def squash(text: str) -> str:
    return " ".join(text.split())


def one(html: Scope, selector: str) -> LexborNode:
    """The single element ``selector`` matches (fails when none or several do)."""
    found = dom(html).css(selector)
    assert len(found) == 1, f"{selector!r} matches {len(found)} elements"
    return found[0]


def text(html: Scope, selector: str) -> str:
    """The text of the single element ``selector`` matches, whitespace squashed."""
    return squash(one(html, selector).text(deep=True))


def texts(html: Scope, selector: str) -> list[str]:
    """The texts of every element ``selector`` matches, in page order."""
    return [squash(node.text(deep=True)) for node in dom(html).css(selector)]


def attrs(html: Scope, selector: str, name: str) -> list[str | None]:
    """Attribute ``name`` of every element ``selector`` matches, in page order."""
    return [node.attributes.get(name) for node in dom(html).css(selector)]


def has(html: Scope, selector: str) -> bool:
    return dom(html).css_first(selector) is not None


def error_code(html: Scope) -> str | None:
    """The error code an HTML error page or htmx error fragment shows (``data-error-code``)."""
    return one(html, ".alert-error[data-error-code]").attributes.get("data-error-code")


def refusal(response: Any) -> tuple[int, str | None]:
    """A response's status and error code: from the JSON body (``{"error": {"code"}}``) or from
    the HTML error page or fragment (``data-error-code``)."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.status_code, response.json()["error"]["code"]
    return response.status_code, error_code(response.text)
