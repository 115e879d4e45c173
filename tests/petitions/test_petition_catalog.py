"""Every msgid used by the petitions code and templates has a Vietnamese translation."""

from babel.messages.pofile import read_po

from council.catalogs import extract, po_path


def test_every_petitions_msgid_is_translated_to_vietnamese() -> None:
    used = extract("petitions")
    with po_path("petitions").open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    translated = {m.id for m in catalog if m.id and m.string}
    assert sorted(set(used) - translated) == []
    assert len(used) > 200
