"""Every message a package shows has a Vietnamese translation in that package's own catalog.

Run `.venv/bin/python -m council.catalogs <pkg>` to add new msgids to a catalog and list the
untranslated ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from council.catalogs import extract, po_path
from council.i18n import PACKAGES, gettext

_FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def _catalog(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale="vi", abort_invalid=True)


def _strings(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_msgid_has_a_vietnamese_translation(package: str) -> None:
    used = extract(package)
    if not used:
        pytest.skip(f"{package} shows no text yet")
    path = po_path(package)
    assert path.is_file(), f"{package} has no catalog at {path}"
    catalog = _catalog(path)
    missing = []
    for msgid, where in sorted(used.items()):
        message = catalog.get(msgid)
        if message is None or not all(s.strip() for s in _strings(message.string)):
            file, line = where[0]
            missing.append(f"  {msgid!r}  ({Path(file).name}:{line})")
    assert not missing, (
        f"{len(missing)} msgid(s) of {package} have no Vietnamese translation in {path.name} "
        f"(run `python -m council.catalogs {package}`):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_translations_keep_the_placeholders(package: str) -> None:
    """`_("Welcome, {name}.").format(name=…)` must not lose or rename `{name}` in Vietnamese."""
    path = po_path(package)
    if not path.is_file():
        pytest.skip(f"{package} has no catalog yet")
    wrong = []
    for message in _catalog(path):
        if not message.id or not message.string:
            continue
        ids = _strings(message.id if isinstance(message.id, str) else tuple(message.id))
        expected = {f for source in ids for f in _FIELD.findall(source)}
        texts = _strings(message.string)
        found = [set(_FIELD.findall(text)) for text in texts]
        if any(not f <= expected for f in found) or set().union(*found) != expected:
            wrong.append(f"  {ids[0]!r} -> {texts[0]!r}")
    assert not wrong, f"placeholders differ in {package}'s catalog:\n" + "\n".join(wrong)


@pytest.mark.parametrize("package", PACKAGES)
def test_the_catalog_compiles(package: str) -> None:
    """What `make catalogs` (pybabel compile) checks, so a bad catalog fails here with its name.

    Babel reads %-style placeholders into every msgid, even in our str.format messages: "95% of"
    reads as the conversion "% o", so the translation must keep it ("95% o…") or the msgid must
    avoid it ("95 percent of", "95%,")."""
    path = po_path(package)
    if not path.is_file():
        pytest.skip(f"{package} has no catalog yet")
    errors = [
        f"  {message.id!r}: {'; '.join(map(str, errs))}" for message, errs in _catalog(path).check()
    ]
    assert not errors, f"{path} does not compile with pybabel:\n" + "\n".join(errors)


def test_the_interface_really_switches_language() -> None:
    assert gettext("Log in", "vi") != "Log in"
    assert gettext("Log in", "en") == "Log in"


def test_a_msgid_means_the_same_in_every_catalog() -> None:
    """The packages' catalogs are merged into one (``council.i18n.translations``): a msgid that
    two packages translate differently shows one package's wording on the other's pages (an open
    vote read "Đang xử lý", the petitions' word). Give a different meaning a different msgid."""
    seen: dict[str, dict[str, str]] = {}
    for package in PACKAGES:
        path = po_path(package)
        if not path.is_file():
            continue
        for message in _catalog(path):
            if message.id and isinstance(message.id, str) and message.string:
                seen.setdefault(message.id, {})[package] = str(message.string)
    clashes = {m: t for m, t in seen.items() if len(set(t.values())) > 1}
    assert not clashes, "\n".join(f"{m!r}: {t}" for m, t in sorted(clashes.items()))
