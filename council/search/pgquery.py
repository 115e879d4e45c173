"""Searching one PostgreSQL index: reading the query, counting, choosing and ranking candidates.

Nothing here visits every match. Matches are counted up to the search's ``track_total`` (and one
more): the GIN bitmap's heap scan stops there. The candidates are the newest ``CANDIDATES``
matches by ``key``, the precomputed order (keys grow with insertion; a rebuild loads documents
in source order), found in a key window that the estimated number of matches sizes and that
widens until it holds enough (``_Newest``), so only the window's rows are read; the newest
matches of every word in its exact form join them when those are rarer (an exact spelling typed
is never lost behind a common folded one). Only the candidates are ranked, each row's tsvector
read once: by words matched (``match="any"``), then words matched in their exact form (exact
matches first), then adjacent pairs, then ``ts_rank``, then ``key``; only the page's stored
fields leave the database.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from council.search.analysis import PAIR_JOINER, folded, runs
from council.search.pgrows import EXACT_PREFIX, exact_lexeme, tsquery
from council.search.query import EXACT_BOOST, QueryWord, parse

if TYPE_CHECKING:
    from council.search.pgindex import PgSearchIndex

__all__ = [
    "CANDIDATES",
    "Parsed",
    "SETTINGS",
    "ordered",
    "parse_query",
    "ranked",
]

CANDIDATES = 200
# A lexeme in fewer documents than this is counted exactly for query segmentation; a more
# common one is estimated from the planner's statistics (most common elements).
DF_CAP = 2000
STATS_TTL = 60.0
_BIG = 2**63 - 1
# The key floor keeps this many times the candidates needed, by the estimated matches.
_MARGIN = 4

# The planner counts a tsvector test as one cheap operator call, but each is a TOAST read and
# decompression (30-50 µs here). It would scan the table (or its key index) and test every
# row; with a keyword filter (every staff search has its council scope) it would take the
# filter's GIN bitmap alone and test each row passing it (a status filter passes one row in
# seven); for a key window it would take the key range alone. Costing a fetched heap row like
# about 600 GIN entries (cpu_tuple_cost 3, what the test costs here) makes it AND the text's
# GIN bitmap with the filter's or the key range, so only the rows matching both are read; it
# still tests the text on a few hundred rows where that is cheaper than a common word's bitmap.
SETTINGS = (
    "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "
    "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '64MB'; "
    "SET LOCAL cpu_tuple_cost = 3"
)


class Parsed:
    """A query read against the index: words, pair boosts, estimates, the highest key."""

    def __init__(
        self,
        words: list[QueryWord],
        boosts: list[QueryWord],
        estimate: int,
        exact_estimate: int,
        high: int,
    ) -> None:
        self.words = words
        self.boosts = boosts
        self.estimate = estimate  # at most this many documents match
        self.exact_estimate = exact_estimate  # ... in the exact forms
        self.high = high  # the highest key given so far


async def parse_query(
    index: PgSearchIndex, q: str, conn: BaseDBAsyncClient, match: str = "all"
) -> Parsed:
    """Split ``q`` into words with the index's statistics (one statement)."""
    lexemes: set[str] = set()
    for run in runs(q[:2000]):
        folds = [folded(s) for s in run]
        lexemes.update(folds)
        lexemes.update(exact_lexeme(s) for s in run)
        for i in range(len(run) - 1):
            lexemes.add(folds[i] + PAIR_JOINER + folds[i + 1])
            lexemes.add(exact_lexeme(run[i] + PAIR_JOINER + run[i + 1]))
    if not lexemes:
        return Parsed([], [], 0, 0, 0)
    common = await _common_lexemes(index, conn)
    df = {lex: common[lex] for lex in lexemes if lex in common}
    # The other lexemes are counted by every search, never remembered: a count kept by one
    # process outlives another's write, and two workers would then split the same words
    # differently. The key sequence cannot tell when to forget: a delete does not move it, and
    # an upsert moves it before its commit (a search in between counts the documents of before
    # under the new value).
    rare = sorted(lex for lex in lexemes if lex not in df)
    rows = await conn.execute_query_dict(
        f"SELECT NULL AS l, pg_sequence_last_value(pg_get_serial_sequence($1, 'key')) AS n "
        f"UNION ALL SELECT l, (SELECT count(*) FROM (SELECT FROM {index.table} "
        f"WHERE terms @@ quote_literal(l)::tsquery LIMIT {DF_CAP}) s) FROM unnest($2::text[]) l",
        [index.table, rare],
    )
    high = 0
    for row in rows:
        if row["l"] is None:
            high = int(row["n"] or 0)
        else:
            df[row["l"]] = int(row["n"])
    found = parse(q, lambda t: df.get(t, 0), lambda t: df.get(EXACT_PREFIX + t, 0))
    counts = [df.get(w.fold, 0) for w in found.words]
    exact = [df.get(exact_lexeme(w.exact), 0) for w in found.words]

    def bound(values: list[int]) -> int:
        # At most this many documents match (every word: the rarest; any word: the sum).
        return (min(values) if match == "all" else sum(values)) if values else 0

    return Parsed(found.words, found.boosts, bound(counts), bound(exact), high)


async def _common_lexemes(index: PgSearchIndex, conn: BaseDBAsyncClient) -> dict[str, int]:
    """The planner's most common lexemes and their estimated document counts (cached)."""
    at, known = index.stats
    if time.monotonic() - at < STATS_TTL:
        return known
    rows = await conn.execute_query_dict(
        "SELECT s.most_common_elems::text::text[] AS lex, s.most_common_elem_freqs AS freq, "
        "c.reltuples AS n FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename "
        "WHERE s.schemaname = current_schema() AND s.tablename = $1 AND s.attname = 'terms'",
        [index.table],
    )
    known = {}
    if rows and rows[0]["lex"]:
        n = max(float(rows[0]["n"]), 0.0)
        for lex, freq in zip(rows[0]["lex"], rows[0]["freq"], strict=False):
            estimate = int(freq * n)
            if estimate >= DF_CAP:
                known[lex] = estimate
    index.stats = (time.monotonic(), known)
    return known


async def ordered(
    index: PgSearchIndex,
    conn: BaseDBAsyncClient,
    where: str,
    params: list[Any],
    sort: str | None,
    limit: int,
    offset: int,
    track_total: int,
) -> tuple[int, list[dict[str, Any]]]:
    """The count (up to ``track_total + 1``) and a page in date order (missing dates last
    going up, first going down) or key order, for date-sorted and empty queries."""
    order = "key"
    if sort:
        column = f"d{index.spec.date_fields.index(sort.removeprefix('-'))}"
        desc = " DESC" if sort.startswith("-") else ""
        order = f"coalesce({column}, {_BIG}){desc}, key"
    rows = await conn.execute_query_dict(
        f"SELECT ({_count_sql(index, where, track_total)}) AS total, p.* FROM "
        f"(SELECT 1) one LEFT JOIN LATERAL (SELECT doc_id, stored, 0.0::float8 AS score "
        f"FROM {index.table} WHERE {where} ORDER BY {order} LIMIT {limit} OFFSET {offset}) p "
        f"ON true",
        params,
    )
    total = int(rows[0]["total"]) if rows else 0
    return total, [r for r in rows if r["doc_id"] is not None]


def _count_sql(index: PgSearchIndex, where: str, track_total: int) -> str:
    """Count matches up to ``track_total + 1``: the bitmap heap scan stops there, so a common
    syllable costs as much as one matched by ``track_total`` documents."""
    return (
        f"SELECT count(*) FROM (SELECT FROM {index.table} WHERE {where} "
        f"LIMIT {track_total + 1}) counted"
    )


def _floor(high: int, estimate: int, need: int) -> int:
    """A key below which the newest ``need`` of ``estimate`` matches are unlikely to lie."""
    if not high or estimate <= need:
        return 0
    return max(0, high - int(_MARGIN * need * high / estimate))


class _Newest:
    """The newest matches of one condition, found in a key window widened until it holds
    enough: the GIN bitmap ANDed with the primary key's range, so only the window's heap
    pages are read, however many documents match."""

    def __init__(self, where: str, params: list[Any], need: int, estimate: int, high: int):
        self.where, self.params, self.need, self.high = where, params, need, high
        self.floor = _floor(high, estimate, need)
        self.keys: list[int] = []
        self.seen = 0  # matches in the last window
        self.done = False

    def sql(self, table: str, offset: int) -> str:
        """The window's keys (the newest ``need`` when the window is the whole table)."""
        where = _renumber(self.where, offset)
        if self.floor:
            return f"ARRAY(SELECT key FROM {table} WHERE {where} AND key > {self.floor})"
        return f"ARRAY(SELECT key FROM {table} WHERE {where} ORDER BY key DESC LIMIT {self.need})"

    def take(self, keys: list[int] | None) -> None:
        """Keep the window's keys, or widen it when it holds too few."""
        found = sorted(keys or [], reverse=True)
        self.seen = len(found)
        if len(found) >= self.need or not self.floor:
            self.keys, self.done = found[: self.need], True
            return
        # Widen by the density seen (at least four times): a handful of rounds at most.
        width = self.high - self.floor
        grow = max(4.0, _MARGIN * self.need / max(len(found), 1))
        self.floor = max(0, self.high - int(width * grow))
        self.keys = found

    def every(self, keys: list[int] | None) -> None:
        """Keep the newest of ``keys``, every match of the condition."""
        self.keys = sorted(keys or [], reverse=True)[: self.need]
        self.seen, self.floor, self.done = len(self.keys), 0, True

    def density(self) -> float | None:
        """Matches per key in the last window (None: the window was the whole table)."""
        if not self.floor or not self.high:
            return None
        return self.seen / (self.high - self.floor)


def _renumber(sql: str, offset: int) -> str:
    """``sql`` with its parameters ``$1``… moved up by ``offset`` (several conditions in
    one statement)."""
    if not offset:
        return sql
    return re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + offset}", sql)


async def ranked(
    index: PgSearchIndex,
    conn: BaseDBAsyncClient,
    where: str,
    params: list[Any],
    parsed: Parsed,
    match: str,
    limit: int,
    offset: int,
    track_total: int,
    filtered: bool = False,
) -> tuple[int, list[dict[str, Any]], int | None]:
    """The count (up to ``track_total + 1``), a ranked page and an estimate of the matches.

    The count stops at ``track_total + 1`` matches; the candidates are the newest ``cut``
    matches, found in a key window (``_Newest``), with the newest matches of every word in
    its exact form when those are rare enough to be crowded out by the folded forms'. Only
    the candidates are ranked. The estimate extrapolates the window's density of matches to
    every key.
    """
    words = parsed.words
    need = offset + limit
    cut = max(CANDIDATES, need)
    table = index.table
    high = parsed.high
    exact_params = [*params, tsquery(words, exact=True, match_all=match == "all")]
    exact_where = f"{where} AND terms @@ ${len(exact_params)}::text::tsquery"
    recent = _Newest(where, params, cut, parsed.estimate, high)
    # The exact forms' newest matches join the candidates when they are rarer than the
    # folded forms' (an unaccented "duong" typed is rarely spelt so) and may be crowded out.
    exact = None
    if 0 < parsed.exact_estimate < parsed.estimate:
        exact = _Newest(exact_where, exact_params, need, parsed.exact_estimate, high)
    pending = [w for w in (recent, exact) if w is not None]
    # Count first, keeping the keys counted, when the count may well end within
    # ``track_total``: a filter thins the matches the statistics estimate, or the words are
    # rare. Every match is then known, the newest are the candidates, and no key window (a
    # second GIN bitmap of the same words) is needed. Otherwise the count and the windows
    # share the first statement.
    count_first = filtered or parsed.estimate <= track_total
    total = -1
    while pending:
        columns, statement_params, prefix, windows = [], [], "", pending
        if total < 0:
            statement_params = list(params)
            if count_first:
                prefix = (
                    f"WITH m AS MATERIALIZED (SELECT key FROM {table} WHERE {where} "
                    f"LIMIT {track_total + 1}) "
                )
                columns += [
                    "(SELECT count(*) FROM m) AS total",
                    f"ARRAY(SELECT key FROM m ORDER BY key DESC LIMIT {cut}) AS keys",
                ]
                windows = [w for w in pending if w is not recent]
            else:
                columns.append(f"({_count_sql(index, where, track_total)}) AS total")
        for n, window in enumerate(windows):
            columns.append(f"{window.sql(table, len(statement_params))} AS w{n}")
            statement_params += window.params
        found = (
            await conn.execute_query_dict(f"{prefix}SELECT {', '.join(columns)}", statement_params)
        )[0]
        if total < 0:
            total = int(found["total"])
            if total <= min(offset, track_total):
                return total, [], None
            if count_first and total <= track_total:
                recent.every(found["keys"])
            elif count_first:
                # More than track_total pass: size the window by that, not by the words'
                # estimate, which a filter may thin sevenfold (several widenings, each
                # building the words' GIN bitmaps again).
                recent.floor = _floor(high, track_total + 1, cut)
        for n, window in enumerate(windows):
            window.take(found[f"w{n}"])
        pending = [w for w in pending if not w.done]
    candidates = sorted({*recent.keys, *(exact.keys if exact else [])})
    rows = await _rank(index, conn, candidates, parsed, match, limit, offset)
    n_exact = int(rows[0]["n_exact"]) if rows else 0
    every = total <= min(track_total, len(recent.keys))  # every match is a candidate
    if not every and n_exact < need and exact is None and parsed.exact_estimate:
        # Too few exact matches among the candidates: add the newest exact matches.
        more = _Newest(exact_where, exact_params, need, parsed.exact_estimate, high)
        while not more.done:
            got = await conn.execute_query_dict(f"SELECT {more.sql(table, 0)} AS w", exact_params)
            more.take(got[0]["w"])
        extra = set(more.keys) - set(candidates)
        if extra:
            candidates = sorted({*candidates, *extra})
            rows = await _rank(index, conn, candidates, parsed, match, limit, offset)
    estimate = None
    density = recent.density()
    if total > track_total:
        estimate = int(density * high) if density is not None else parsed.estimate
    return total, rows, estimate


async def _rank(
    index: PgSearchIndex,
    conn: BaseDBAsyncClient,
    keys: list[int],
    parsed: Parsed,
    match: str,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """Order candidates: words matched (any), exact words, adjacent pairs, ts_rank, key.

    Each candidate's tsvector is read from TOAST once (``terms || ''`` in a subquery kept
    apart by ``OFFSET 0``); only the page's rows carry their stored fields out. Every row
    also tells how many candidates hold every word in its exact form (``n_exact``).
    """
    words, boosts = parsed.words, parsed.boosts
    rank_params: list[Any] = [keys]

    def lexeme_test(word: QueryWord, exact: bool) -> str:
        rank_params.append(tsquery([word], exact=exact, match_all=True))
        return f"(t @@ ${len(rank_params)}::text::tsquery)::int"

    tiers = {"t_exact": " + ".join(lexeme_test(w, True) for w in words)}
    if match == "any":
        tiers = {"t_any": " + ".join(lexeme_test(w, False) for w in words), **tiers}
    if boosts:
        tiers["t_pairs"] = " + ".join(lexeme_test(b, False) for b in boosts)
    scored = [*words, *boosts]
    rank_params.append(tsquery(scored, exact=True, match_all=False))
    exact_rank = f"ts_rank({index.weights}, t, ${len(rank_params)}::text::tsquery, 1)"
    rank_params.append(tsquery(scored, exact=False, match_all=False))
    fold_rank = f"ts_rank({index.weights}, t, ${len(rank_params)}::text::tsquery, 1)"
    columns = ", ".join(f"{sql} AS {name}" for name, sql in tiers.items())
    order = ", ".join(f"{name} DESC" for name in tiers)
    table = index.table
    return await conn.execute_query_dict(
        f"SELECT f.doc_id, f.stored, r.score, r.n_exact FROM (SELECT key, score, "
        f"count(*) FILTER (WHERE t_exact = {len(words)}) OVER () AS n_exact, "
        f"row_number() OVER (ORDER BY {order}, score DESC, key) AS place FROM "
        f"(SELECT key, {columns}, ({EXACT_BOOST} * {exact_rank} + {fold_rank})::float8 "
        f"AS score FROM (SELECT key, terms || ''::tsvector AS t FROM {table} "
        f"WHERE key = ANY($1::bigint[]) OFFSET 0) c) s ORDER BY place "
        f"LIMIT {limit} OFFSET {offset}) r JOIN {table} f ON f.key = r.key ORDER BY r.place",
        rank_params,
    )
