"""Every msgid used by meetings' code and templates has a Vietnamese translation."""

from babel.messages.pofile import read_po

from council.catalogs import extract, po_path


def test_every_meetings_msgid_is_translated_to_vietnamese() -> None:
    used = extract("meetings")
    with po_path("meetings").open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(set(used) - translated)
    assert missing == []
    assert len(used) > 150
