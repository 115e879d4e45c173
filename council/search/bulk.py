"""Fast full rebuilds: documents are inverted in memory by worker processes, one segment each.

Whoosh's ``SegmentWriter`` sends every posting through a pickled external sort and then a
per-posting codec call; with syllable pairs in an exact and a folded field (~350 postings per
petition) that alone takes minutes for 200,000 petitions. Here each worker process analyses its
share of the documents, keeps the inverted lists as compact arrays in memory and writes them
block by block through Whoosh's own codec (``W3Codec``), so the result is an ordinary Whoosh
segment, read by the ordinary Whoosh searcher. ``tests/council/search/test_bulk.py`` checks
that a bulk-built index answers exactly like one written document by document.

If the installed Whoosh lacks the codec internals used here, :func:`codec_supported` is false
and the engine falls back to Whoosh's standard writer.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import traceback
from array import array
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from itertools import compress, repeat
from pathlib import Path
from typing import Any

from whoosh import fields as wfields
from whoosh.codec import whoosh3
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files

from council.compat import whoosh as compat_whoosh
from council.search import arrays
from council.search.analysis import EXACT, FOLD, weighted_terms
from council.search.schema import IndexSpec, SearchError

__all__ = ["BATCH_SIZE", "SEGMENT_DOCS", "build_segments", "codec_supported", "publish_segments"]

BATCH_SIZE = 500
# Bulk-built segments are read whole by the executor: bigger blocks mean fewer decode calls.
BLOCK_LIMIT = 512
COMPRESSION = 1
# A worker starts a new segment past this many documents, bounding its memory (~1 GB).
SEGMENT_DOCS = 250_000
_POLL_SECONDS = 0.5
INDEX_NAME = "MAIN"


def codec_supported() -> bool:
    """Whether the installed Whoosh has the W3 codec internals the bulk path writes through."""
    return compat_whoosh.codec_supported()


class _SegmentBuilder:
    """Inverts documents in memory and writes them out as one Whoosh segment."""

    def __init__(self, storage: FileStorage, spec: IndexSpec) -> None:
        self.storage = storage
        self.spec = spec
        self.schema = spec.whoosh_schema()
        self.codec = whoosh3.W3Codec(blocklimit=BLOCK_LIMIT, compression=COMPRESSION)
        self.segment = self.codec.new_segment(storage, INDEX_NAME)
        self.perdoc = self.codec.per_document_writer(storage, self.segment)
        self.docnum = 0
        # field → term → doc numbers; text terms are str, others bytes. Weights are nearly
        # all 1: only the others are kept, as (position in the term's list, weight).
        self.ids: dict[str, defaultdict[Any, array]] = {}
        self.weights: dict[str, defaultdict[Any, list[tuple[int, float]]]] = {}
        self.lengths: dict[str, array] = {
            name: array("I") for name, field in self.schema.items() if field.scorable
        }

    def _post(self, fieldname: str, terms: list[Any], weights: Mapping[Any, float]) -> None:
        """Append this document to the posting lists of ``terms`` (a C loop, no Python one)."""
        ids = self.ids.get(fieldname)
        if ids is None:
            ids = self.ids[fieldname] = defaultdict(partial(array, "I"))
            self.weights[fieldname] = defaultdict(list)
        _consume(map(array.append, map(ids.__getitem__, terms), repeat(self.docnum)))
        if weights:
            others = self.weights[fieldname]
            for term in compress(weights.keys(), map(_ONE.__ne__, weights.values())):
                others[term].append((len(ids[term]) - 1, float(weights[term])))

    def add(self, raw: Mapping[str, Any]) -> None:
        """Add one domain document (mirrors ``SegmentWriter.add_document``)."""
        fields = self.spec.to_document(raw)
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdoc
        counted = dict(zip((EXACT, FOLD), weighted_terms(fields[EXACT]), strict=True))
        for column in self.lengths.values():
            column.append(0)
        perdoc.start_doc(docnum)
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            field = schema[fieldname]
            length = 0
            counts = counted.get(fieldname)
            if counts is not None:
                weights = counts.freqs if counts.weights is None else counts.weights
                self._post(fieldname, list(counts.freqs), weights)
                length = counts.length
            elif isinstance(field, wfields.ID):
                # What ID.index yields for a value or a list: each distinct string, weight 1.
                values = [value] if isinstance(value, str) else value
                terms = [v.encode("utf-8") for v in dict.fromkeys(values)]
                self._post(fieldname, terms, {})
            elif field.indexed:
                items = list(field.index(value))
                if any(vbytes for *_, vbytes in items):
                    raise SearchError(f"field {fieldname!r} has posting values")
                self._post(fieldname, [i[0] for i in items], {i[0]: i[2] for i in items})
                if field.scorable:
                    length = sum(i[1] for i in items)
            if field.scorable:
                self.lengths[fieldname][docnum] = length
            stored = fields.get(f"_stored_{fieldname}", value)
            perdoc.add_field(fieldname, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        self.docnum += 1

    def finish(self) -> Any:
        """Write the postings and close the segment; returns the Whoosh segment object."""
        self.perdoc.close()
        fieldwriter = self.codec.field_writer(self.storage, self.segment)
        common: dict[tuple[str, str], tuple[array, array | None]] = {}
        for fieldname in sorted(self.ids):
            field = self.schema[fieldname]
            lengths = self.lengths.get(fieldname)
            ids, weights = self.ids.pop(fieldname), self.weights.pop(fieldname)
            fieldwriter.start_field(fieldname, field)
            postings = compat_whoosh.start_postings(fieldwriter, BLOCK_LIMIT, COMPRESSION)
            # UTF-8 byte order equals code point order, so str keys sort like their bytes.
            for term in sorted(ids):
                tbytes = term.encode("utf-8") if isinstance(term, str) else term
                term_ids = ids[term]
                term_weights = _UNIT * len(term_ids)
                for position, weight in weights.get(term, ()):
                    term_weights[position] = weight
                fieldwriter.start_term(tbytes)
                compat_whoosh.write_postings(postings, term_ids, term_weights, lengths)
                fieldwriter.finish_term()
                if fieldname in _ARRAY_FIELDS and len(term_ids) >= arrays.MIN_POSTINGS:
                    unit = not weights.get(term)
                    common[(fieldname, term)] = (term_ids, None if unit else term_weights)
            fieldwriter.finish_field()
        fieldwriter.close()
        if common:
            name = self.segment.make_filename(arrays.EXTENSION)
            with open(Path(self.storage.folder) / name, "wb") as out:
                arrays.write_arrays(out, common)
        self.segment.set_doc_count(self.docnum)
        return self.segment


_ONE = 1
_UNIT = array("f", [1.0])
_ARRAY_FIELDS = (EXACT, FOLD)


def _consume(iterator: Iterator[Any]) -> None:
    deque(iterator, maxlen=0)


def _worker(directory: str, spec: IndexSpec, jobs: Any, results: Any) -> None:
    """Worker process: build segments from batches until the ``None`` sentinel."""
    try:
        storage = FileStorage(directory)
        segments = []
        builder = _SegmentBuilder(storage, spec)
        while True:
            batch = jobs.get()
            if batch is None:
                break
            for raw in batch:
                builder.add(raw)
            if builder.docnum >= SEGMENT_DOCS:
                segments.append(builder.finish())
                builder = _SegmentBuilder(storage, spec)
        if builder.docnum:
            segments.append(builder.finish())
        else:
            builder.perdoc.close()
        results.put(("ok", segments))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        results.put(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


class BulkBuild:
    """Feeds documents to worker processes; ``finish()`` returns the segments they wrote."""

    def __init__(self, directory: Path, spec: IndexSpec, procs: int) -> None:
        self.context = mp.get_context("spawn")
        self.jobs = self.context.Queue(maxsize=procs * 4)
        self.results = self.context.Queue()
        self.batch: list[Mapping[str, Any]] = []
        self.count = 0
        self.workers = [
            self.context.Process(
                target=_worker,
                args=(str(directory), spec, self.jobs, self.results),
                daemon=True,
            )
            for _ in range(procs)
        ]
        for proc in self.workers:
            proc.start()

    def _put(self, item: Any) -> None:
        while True:
            try:
                self.jobs.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                self._check_alive()

    def _check_alive(self) -> None:
        if any(p.exitcode is not None for p in self.workers):
            self._fail_from_results()

    def _fail_from_results(self) -> None:
        try:
            status, detail = self.results.get(timeout=1)
        except queue.Empty:
            status, detail = "error", "an index worker process died"
        self.abort()
        raise SearchError(f"index rebuild failed: {detail if status == 'error' else status}")

    def add(self, doc: Mapping[str, Any]) -> None:
        """Queue one domain document."""
        self.batch.append(doc)
        self.count += 1
        if len(self.batch) >= BATCH_SIZE:
            self._put(self.batch)
            self.batch = []

    def finish(self) -> list[Any]:
        """Flush, stop the workers and return every segment written."""
        if self.batch:
            self._put(self.batch)
            self.batch = []
        for _ in self.workers:
            self._put(None)
        segments: list[Any] = []
        pending = len(self.workers)
        while pending:
            exited = all(p.exitcode is not None for p in self.workers)
            try:
                # Once every worker has exited, only messages already in flight remain.
                status, payload = self.results.get(timeout=5.0 if exited else _POLL_SECONDS)
            except queue.Empty:
                if exited:
                    self.abort()
                    raise SearchError("index rebuild failed: a worker process died") from None
                continue
            if status != "ok":
                self.abort()
                raise SearchError(f"index rebuild failed: {payload}")
            segments.extend(payload)
            pending -= 1
        for proc in self.workers:
            proc.join()
        return segments

    def abort(self) -> None:
        """Stop every worker process this build started."""
        for proc in self.workers:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=5)


def build_segments(
    directory: Path, spec: IndexSpec, docs: Iterable[Mapping[str, Any]], procs: int
) -> tuple[list[Any], int]:
    """Build segments for ``docs`` in ``procs`` worker processes; returns (segments, count)."""
    build = BulkBuild(directory, spec, procs)
    try:
        for doc in docs:
            build.add(doc)
        return build.finish(), build.count
    except BaseException:
        build.abort()
        raise


def publish_segments(storage: FileStorage, spec: IndexSpec, segments: list[Any]) -> None:
    """Make ``segments`` the whole index: write a new TOC generation, delete the old files.

    The caller holds the index's write lock. Open searchers keep reading their old files.
    """
    generation = storage.open_index(INDEX_NAME).latest_generation() + 1
    TOC(spec.whoosh_schema(), segments, generation).write(storage, INDEX_NAME)
    clean_files(storage, INDEX_NAME, generation, segments)
