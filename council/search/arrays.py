"""Posting arrays beside a bulk-built segment: the common terms' postings as raw arrays.

A syllable like "dân" is in most petitions; reading its Whoosh posting list means
decompressing and unpickling a tuple per 512 postings, which grows with the index (about
350 ms of CPU for 850,000 postings at a million petitions). The bulk rebuild already holds
each posting list as an array, so it also writes the lists of the text fields' terms with at
least ``MIN_POSTINGS`` postings into ``<segment>.npa``: the gaps between document numbers
(``uint16`` when every gap fits, else ``uint32``), and the weights when they are not all 1
(``uint8`` when they are small whole numbers, else ``float32``, what Whoosh stores). The executor maps the
file and reads those lists without decoding anything; terms not in it (and segments written
by Whoosh's own writer or merged by it, which have no such file) are read from Whoosh's
blocks as before. The file is named like the segment's own files, so Whoosh deletes it with
the segment.

Layout: the arrays back to back, then a pickled table ``{(field, term): (offset, count, gap
type, weight type)}``, then the table's offset as 8 bytes (little-endian).
"""

from __future__ import annotations

import mmap
import pickle
from array import array
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

__all__ = ["EXTENSION", "MIN_POSTINGS", "PostingArrays", "open_arrays", "write_arrays"]

EXTENSION = ".npa"
MIN_POSTINGS = 256
_TRAILER = 8

# (field, term) -> (offset, postings, gap dtype, weight dtype or "" when all are 1)
Table = dict[tuple[str, str], tuple[int, int, str, str]]


def write_arrays(
    out: BinaryIO, lists: Mapping[tuple[str, str], tuple[array, array | None]]
) -> None:
    """Write ``(field, term) -> (doc numbers 'I', weights 'f' or None)`` to ``out``."""
    table: Table = {}
    offset = 0
    for key, (ids, weights) in lists.items():
        numbers = np.frombuffer(ids, dtype=np.uint32)
        # Gaps between document numbers: 2 bytes each when they fit (common terms' do).
        gaps = np.diff(numbers, prepend=np.uint32(0))
        id_code = "<u2" if len(gaps) and int(gaps.max()) < 2**16 else "<u4"
        data = gaps.astype(id_code).tobytes()
        weight_code = ""
        if weights is not None:
            values = np.frombuffer(weights, dtype=np.float32)
            small = values.astype(np.uint8)
            # Term frequencies times boosts are mostly small whole numbers: 1 byte each.
            weight_code = "u1" if np.array_equal(small, values) else "<f4"
            data += (small if weight_code == "u1" else values.astype("<f4")).tobytes()
        out.write(data)
        table[key] = (offset, len(ids), id_code, weight_code)
        offset += len(data)
    out.write(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
    out.write(offset.to_bytes(_TRAILER, "little"))


class PostingArrays:
    """The posting arrays of one segment, mapped read-only."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        start = int.from_bytes(self._map[-_TRAILER:], "little")
        self.table: Table = pickle.loads(self._map[start:-_TRAILER])
        self._data = np.frombuffer(self._map, dtype=np.uint8, count=start)

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """(doc numbers, weights or None for all 1) of a term, or None if not kept here."""
        found = self.table.get((field, term))
        if found is None:
            return None
        offset, count, id_code, weight_code = found
        end = offset + count * np.dtype(id_code).itemsize
        ids = np.cumsum(self._data[offset:end].view(id_code), dtype=np.int64)
        weights = None
        if weight_code:
            size = count * np.dtype(weight_code).itemsize
            weights = self._data[end : end + size].view(weight_code).astype(np.float64)
        return ids, weights


def open_arrays(reader: Any) -> PostingArrays | None:
    """The posting arrays of a Whoosh segment reader's segment, if it has them."""
    folder = getattr(reader.storage(), "folder", None)
    if folder is None:
        return None
    path = Path(folder) / reader.segment().make_filename(EXTENSION)
    try:
        return PostingArrays(path)
    except (OSError, ValueError, EOFError, IndexError, pickle.UnpicklingError):
        return None
