"""``council import-files``: bring the files of a data directory into the configured store.

Each file that a row names is stored under its content address (once per content) and read back
against its hash. A file stored before content addressing (``meetings/<random>.pdf``) has its rows
renamed to the new key, in one transaction per file; a file already under its content address
keeps its rows. Only then may the source be removed. Safe to run again.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from tortoise.transactions import in_transaction

from council.storage import store
from council.storage.store import StoredFile
from council.uploads import sniff_mime

_CONTENT = re.compile(r"^sha256/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")


@dataclass
class ImportReport:
    imported: int = 0  # files copied into the store (or found there already)
    rows: int = 0  # rows rewritten from an old name to a content key
    in_place: int = 0  # content-addressed files already where the store keeps them
    removed: int = 0  # source files removed (``remove=True``)
    unreferenced: list[str] = field(default_factory=list)  # files no row names: left alone
    damaged: list[str] = field(default_factory=list)  # content files whose bytes do not match
    missing: list[str] = field(default_factory=list)  # keys rows name that are nowhere

    @property
    def ok(self) -> bool:
        return not self.damaged and not self.missing

    def summary(self) -> str:
        lines = [
            f"{self.imported} files imported into {store.backend().describe()}, "
            f"{self.rows} rows renamed to content keys"
        ]
        if self.in_place:
            lines.append(f"{self.in_place} files were already in place")
        if self.removed:
            lines.append(f"{self.removed} source files removed")
        if self.unreferenced:
            lines.append(f"{len(self.unreferenced)} files no row names were left where they are")
        lines += [f"damaged: {rel} does not match its content address" for rel in self.damaged]
        lines += [f"missing: rows name {key}, which is nowhere" for key in self.missing]
        return "\n".join(lines)


def _sources(root: Path) -> list[str]:
    """Every regular file under ``root``, except hidden ones (the local store's staging)."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
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
        # Deduplicated here: PostgreSQL refuses DISTINCT beside a model's default ordering.
        rows = model.all().values_list(column, flat=True)
        keys.update(str(key) for key in await rows if key)  # nullable columns: no file named
    return keys


async def _copy_in(path: Path) -> StoredFile:
    """Store ``path`` by content and read the store's copy back against its hash."""
    with path.open("rb") as fh:
        head = await asyncio.to_thread(fh.read, 8192)
        await asyncio.to_thread(fh.seek, 0)
        stored = await store.save_file(fh, mime=sniff_mime(head) or "application/octet-stream")
    digest = hashlib.sha256()
    async for chunk in store.stream(stored.path):
        digest.update(chunk)
    if digest.hexdigest() != stored.sha256:
        raise RuntimeError(f"the stored copy of {path} does not match it; no row was changed")
    return stored


async def import_files(source: Path, *, remove: bool = False) -> ImportReport:
    """Import every file under ``source`` that a row names; see the module docstring."""
    report = ImportReport()
    root = await asyncio.to_thread(source.resolve)
    backend = store.backend()
    for rel in await asyncio.to_thread(_sources, root):
        path = root / rel
        if not await _count_rows(rel):
            report.unreferenced.append(rel)
            continue
        content = _CONTENT.match(rel)
        if content is not None and backend.local_path(rel) == path:
            report.in_place += 1  # the store is this very folder
            continue
        stored = await _copy_in(path)
        if content is not None and stored.path != rel:
            report.damaged.append(rel)  # its bytes changed since it was stored: keep the rows
            await store.discard(stored)
            continue
        if content is None:
            report.rows += await _rewrite(rel, stored.path)
        report.imported += 1
        if remove:
            await asyncio.to_thread(path.unlink)
            report.removed += 1
    for key in sorted(await _named_keys()):
        if not await store.exists(key):
            report.missing.append(key)
    return report
