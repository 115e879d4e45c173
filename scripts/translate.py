#!/usr/bin/env python3
"""Fill a package's vi catalog from a Python file defining VI = {msgid: translation}.

Usage: python scripts/translate.py PACKAGE FILE.py — then `python -m council.catalogs PACKAGE`
lists what is still untranslated.
"""

from __future__ import annotations

import runpy
import sys

from babel.messages.pofile import read_po, write_po

from council.catalogs import po_path, update


def main() -> int:
    package, source = sys.argv[1], sys.argv[2]
    table: dict[str, str] = runpy.run_path(source)["VI"]
    update(package)
    path = po_path(package)
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    for message in catalog:
        if message.id and not message.string and message.id in table:
            message.string = table[message.id]
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True)
    left = update(package)
    print(f"{package}: {len(left)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
