"""Accessible markup on every page: language, landmarks, labelled controls, names, contrast, keyboard."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import httpx

from council.templating import STATIC_DIR
from tests.factories import login, make_council, make_user

UNLABELLED_OK = {"hidden", "submit", "button", "reset", "image"}


class A11y(HTMLParser):
    """Collects what a screen-reader or keyboard user would miss on one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.landmarks: set[str] = set()
        self.h1 = 0
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None], bool]] = []
        self.problems: list[str] = []
        self._label_depth = 0
        self._open: list[tuple[str, dict[str, str | None], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag in ("main", "header", "nav", "footer"):
            self.landmarks.add(tag)
        if a.get("role") in ("main", "banner", "navigation", "contentinfo"):
            self.landmarks.add(str(a["role"]))
        if tag == "h1":
            self.h1 += 1
        if tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        if tag in ("input", "select", "textarea"):
            kind = (a.get("type") or "text").lower() if tag == "input" else tag
            if kind not in UNLABELLED_OK:
                self.controls.append((tag, a, self._label_depth > 0))
        if tag == "img" and a.get("alt") is None:
            self.problems.append(f"<img src={a.get('src')}> has no alt")
        if tag in ("a", "button"):
            self._open.append((tag, a, []))

    def handle_data(self, data: str) -> None:
        for _tag, _a, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth = max(0, self._label_depth - 1)
        if tag in ("a", "button") and self._open and self._open[-1][0] == tag:
            _tag, a, text = self._open.pop()
            name = "".join(text).strip() or a.get("aria-label") or a.get("title")
            if not name and a.get("aria-hidden") != "true":
                self.problems.append(
                    f"<{tag} {a.get('href') or a.get('id') or ''}> has no accessible name"
                )

    def check(self) -> list[str]:
        out = list(self.problems)
        if self.lang not in ("vi", "en"):
            out.append("html has no lang")
        if not {"main"} <= self.landmarks:
            out.append("no <main> landmark")
        if self.h1 < 1:
            out.append("no <h1>")
        for tag, a, wrapped in self.controls:
            named = wrapped or a.get("aria-label") or a.get("aria-labelledby") or a.get("title")
            if not named and a.get("id") not in self.label_for:
                out.append(f"<{tag} name={a.get('name')}> has no label")
        return out


def audit(html: str) -> list[str]:
    parser = A11y()
    parser.feed(html)
    return parser.check()


def _page_paths(app: Any) -> list[str]:
    paths = []
    for route in app.other_asgi_app.routes:
        path = getattr(route, "path", "")
        if (
            "GET" in (getattr(route, "methods", None) or ())
            and "{" not in path
            and not path.startswith(
                ("/api/", "/static", "/healthz", "/readyz", "/metrics", "/favicon")
            )
        ):
            paths.append(path)
    return paths


async def test_every_page_is_accessible_markup(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, app: Any
) -> None:
    city = await make_council("HN")
    commune = await make_council("HN-BD", level="commune", parent=city)
    people = {
        "visitor": None,
        "admin": await make_user("admin"),
        "secretariat": await make_user("secretariat", commune),
        "delegate": await make_user("delegate", commune),
    }
    problems: dict[str, list[str]] = {}
    checked = 0
    for who, user in people.items():
        c = anon if user is None else await login(client, user)
        for path in _page_paths(app):
            r = await c.get(path, headers={"Accept": "text/html"})
            if r.status_code >= 300 or not r.headers.get("content-type", "").startswith(
                "text/html"
            ):
                continue
            if "<html" not in r.text[:500]:
                continue  # a fragment for htmx or a script, checked inside its page
            checked += 1
            if found := audit(r.text):
                problems[f"{who} GET {path}"] = found
    assert checked >= 20
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def test_the_auditor_finds_problems() -> None:
    bad = '<html><body><input name="q"><a href="/x"></a><img src="a.png"></body></html>'
    found = audit(bad)
    assert "html has no lang" in found and "no <main> landmark" in found and "no <h1>" in found
    assert "<input name=q> has no label" in found
    assert any("no accessible name" in p for p in found) and any("no alt" in p for p in found)
    good = (
        '<html lang="vi"><body><main><h1>T</h1><label for="q">Tìm</label><input id="q" name="q">'
        '<label>Tên <input name="n"></label><a href="/x">Đi</a></main></body></html>'
    )
    assert audit(good) == []


def _luminance(hex_color: str) -> float:
    rgb = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_colours_meet_wcag_aa_contrast() -> None:
    css = (STATIC_DIR / "css" / "app.css").read_text()
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("fg", "bg"),
        ("muted", "bg"),
        ("link", "bg"),
        ("accent-fg", "accent"),
        ("fg", "panel"),
        ("muted", "panel"),
        ("link", "panel"),
        ("ok", "bg"),
        ("warn", "bg"),
        ("bad", "bg"),
    ]
    weak = {
        f"{a} on {b}": round(contrast(var[a], var[b]), 2)
        for a, b in pairs
        if contrast(var[a], var[b]) < 4.5
    }
    assert not weak, weak


def test_keyboard_users_can_skip_and_see_focus() -> None:
    css = (STATIC_DIR / "css" / "app.css").read_text()
    assert ":focus-visible" in css and "outline" in css
    base = (STATIC_DIR.parent / "templates" / "base.html").read_text()
    assert 'class="skip-link" href="#main"' in base and 'id="main"' in base
