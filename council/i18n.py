"""The translation layer: gettext catalogs per package, chosen per request.

Message ids are English; every package ships ``<pkg>/locale/vi/LC_MESSAGES/messages.po``.
Catalogs are compiled by ``make setup``; a missing or stale ``.mo`` is compiled in memory.
"""

from __future__ import annotations

import contextvars
import importlib.util
import io
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LANGUAGES = ("vi", "en")
PACKAGES = ("council", "meetings", "petitions", "assistant", "elections", "questioning")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("council_lang", default="vi")


def package_locale_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "locale"


def _load_catalog(locale_dir: Path, lang: str) -> Translations | None:
    po = locale_dir / lang / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain="messages")
    if not po.exists():
        return None
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain="messages")


@cache
def translations(lang: str) -> NullTranslations:
    """All packages' catalogs for ``lang`` merged into one."""
    merged: Translations | None = None
    for package in PACKAGES:
        locale_dir = package_locale_dir(package)
        if locale_dir is None:
            continue
        catalog = _load_catalog(locale_dir, lang)
        if catalog is None:
            continue
        if merged is None:
            merged = catalog
        else:
            merged.merge(catalog)
    return merged or NullTranslations()


# The locales numbers and dates are formatted in: the languages themselves (vote results, minutes)
# and the regional variants the templates use.
FORMAT_LOCALES = ("vi", "en", "vi_VN", "en_GB")


def warm() -> None:
    """Load every catalog and every formatting locale's data now (at start-up) rather than in the
    first request or event that needs them: babel reads ``vi`` in about 20 ms, which the first
    vote result after a start would otherwise wait for, on every tablet."""
    for lang in LANGUAGES:
        translations(lang)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for name in FORMAT_LOCALES:
        format_decimal(0, format="#,##0.00", locale=name)
        format_datetime(moment, "short", locale=name)


def set_language(lang: str) -> contextvars.Token[str]:
    return _current.set(lang if lang in LANGUAGES else "vi")


def get_language() -> str:
    return _current.get()


def gettext(message: str, lang: str | None = None) -> str:
    return translations(lang or _current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    return translations(lang or _current.get()).ngettext(singular, plural, n)


_ = gettext


class LazyString:
    """A msgid translated only when rendered, in the language current at that moment."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: dict[str, object] | None = None) -> None:
        self.msgid = msgid
        self.params = params or {}

    def format(self, **params: object) -> LazyString:
        return LazyString(self.msgid, {**self.params, **params})

    def render(self, lang: str | None = None) -> str:
        text = gettext(self.msgid, lang)
        if not self.params:
            return text
        params = {
            k: v.render(lang) if isinstance(v, LazyString) else v for k, v in self.params.items()
        }
        return text.format(**params)

    def __str__(self) -> str:
        return self.render()

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(self.render()))

    def __repr__(self) -> str:
        return f"N_({self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.msgid)


def N_(msgid: str) -> LazyString:  # noqa: N802 - the gettext convention
    """Mark ``msgid`` for translation when it is rendered."""
    return LazyString(msgid)
