"""Message extraction per package, shared by `python -m council.catalogs` and the translation test.

Each package's catalog covers its Python code and its templates (``templates/<pkg>/``; the core also
owns the templates at the top of ``templates/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from council.i18n import PACKAGES
from council.templating import ROOT

KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}


def _messages(folder: Path, method_map: list[tuple[str, str]]) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    if not folder.is_dir():
        return found
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(folder),
        method_map,
        options_map={"**.html": JINJA_OPTIONS},
        keywords=KEYWORDS,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append((str(folder / filename), lineno))
    return found


def extract(package: str) -> dict[str, list[tuple[str, int]]]:
    """Every msgid used by ``package`` with where it is used."""
    messages = _messages(ROOT / package, [("**/migrations/**", "ignore"), ("**.py", "python")])
    templates = ROOT / "templates"
    for msgid, where in _messages(templates / package, [("**.html", "jinja2")]).items():
        messages.setdefault(msgid, []).extend(where)
    if package == "council":
        top = [("*/**.html", "ignore"), ("*.html", "jinja2")]
        for msgid, where in _messages(templates, top).items():
            messages.setdefault(msgid, []).extend(where)
    return messages


def po_path(package: str, lang: str = "vi") -> Path:
    return ROOT / package / "locale" / lang / "LC_MESSAGES" / "messages.po"


def update(package: str) -> list[str]:
    """Add new msgids to the package's vi catalog, keep translations; return untranslated ids."""
    path = po_path(package)
    old = None
    if path.exists():
        with path.open("rb") as fh:
            old = read_po(fh, locale="vi")
    catalog = Catalog(locale="vi", project=package, charset="utf-8")
    for msgid, where in sorted(extract(package).items()):
        previous = old.get(msgid) if old else None
        catalog.add(
            msgid,
            previous.string if previous else "",
            locations=[(str(Path(f).relative_to(ROOT)), n) for f, n in where[:3]],
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True)
    return [str(m.id) for m in catalog if m.id and not m.string]


def main() -> int:
    packages = sys.argv[1:] or list(PACKAGES)
    missing = 0
    for package in packages:
        untranslated = update(package)
        missing += len(untranslated)
        print(f"{package}: {len(untranslated)} untranslated")
        for msgid in untranslated:
            print(f"   {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
