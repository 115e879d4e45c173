"""``council import-files``: bring the files of a data directory into the configured store.

Each file that a row names is stored under its content address (once per content), the rows are
rewritten to the new key in one transaction per file, and the copy is checked before the source
may be removed. Safe to run again: rows already moved are no longer found under the old name.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from tortoise.transactions import in_transaction

from council.storage import store
from council.storage.base import content_key

CONTENT_DIR = "sha256"


@dataclass
class ImportReport:
    imported: int = 0  # files stored (or found already stored) and their rows rewritten
    rows: int = 0  # rows rewritten
    removed: int = 0  # source files removed (``remove=True``)
    unreferenced: list[str] = field(default_factory=list)  # files no row names: left alone
    missing: list[str] = field(default_factory=list)  # keys rows name that are nowhere

    def summary(self) -> str:
        lines = [
            f"{self.imported} files imported into {store.backend().describe()}, "
            f"{self.rows} rows now name them by content"
        ]
        if self.removed:
            lines.append(f"{self.removed} source files removed")
        if self.unreferenced:
            lines.append(f"{len(self.unreferenced)} files no row names were left where they are")
        for key in self.missing:
            lines.append(f"missing: rows name {key}, which is neither in the source nor the store")
        return "\n".join(lines)


def _sources(root: Path) -> list[str]:
    """Files under ``root``, except hidden ones (the store's staging) and the content layout."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        top = Path(folder) == root
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not (top and d == CONTENT_DIR)
        )
        for name in sorted(files):
            path = Path(folder) / name
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return found


async def _count_rows(key: str) -> int:
    total = 0
    for model, column in store.references():
        total += await model.filter(**{column: key}).count()
    return total


async def _rewrite(old: str, new: str) -> int:
    changed = 0
    async with in_transaction():
        for model, column in store.references():
            changed += await model.filter(**{column: old}).update(**{column: new})
    return changed


async def _named_keys() -> set[str]:
    keys: set[str] = set()
    for model, column in store.references():
        keys.update(await model.all().distinct().values_list(column, flat=True))
    return keys


async def import_files(source: Path, *, remove: bool = False) -> ImportReport:
    """Import every file under ``source`` that a row names; see the module docstring."""
    from council.uploads import sniff_mime

    report = ImportReport()
    root = await asyncio.to_thread(source.resolve)
    for rel in await asyncio.to_thread(_sources, root):
        path = root / rel
        if not await _count_rows(rel):
            report.unreferenced.append(rel)
            continue
        with path.open("rb") as fh:
            head = await asyncio.to_thread(fh.read, 8192)
            await asyncio.to_thread(fh.seek, 0)
            mime = sniff_mime(head) or "application/octet-stream"
            stored = await store.save_file(fh, mime=mime)
        # Read back what the store now holds before any row points at it.
        digest = hashlib.sha256()
        async for chunk in store.stream(stored.path):
            digest.update(chunk)
        if digest.hexdigest() != stored.sha256 or stored.path != content_key(stored.sha256):
            raise RuntimeError(f"the stored copy of {rel} does not match it; nothing changed")
        report.rows += await _rewrite(rel, stored.path)
        report.imported += 1
        if remove:
            await asyncio.to_thread(path.unlink)
            report.removed += 1
    for key in sorted(await _named_keys()):
        if not await store.exists(key):
            report.missing.append(key)
    return report
