"""Index declarations: which fields are searched, filtered, dated and returned.

A domain declares each of its indexes once with :class:`IndexSpec`; the engine turns it into a
Whoosh schema and turns the domain's plain documents (``dict``, JSON-friendly) into Whoosh
fields. Searched text fields are not Whoosh fields of their own: their text goes, boosted, into
the shared ``exact`` and ``fold`` fields (see ``council.search.analysis``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from whoosh import fields as wfields

from council.search.analysis import EXACT, FOLD, VietnameseText
from council.search.text import normalize

__all__ = [
    "ID_FIELD",
    "IndexSpec",
    "SearchError",
    "date_field",
    "from_timestamp",
    "keyword_values",
    "to_timestamp",
]

ID_FIELD = "id"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_RESERVED = {ID_FIELD, EXACT, FOLD}
MAX_ID_LENGTH = 200


class SearchError(ValueError):
    """A programming error in a call to the search engine (unknown field, bad value, bad limit)."""


def to_timestamp(value: date | datetime | str, *, end_of_day: bool = False) -> int:
    """Seconds since the epoch (UTC) of a date, datetime or ISO string.

    Naive datetimes are taken as UTC; a bare date is its midnight UTC, or with ``end_of_day``
    its last second (an inclusive range end).
    """
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError as exc:
            raise SearchError(f"not an ISO date: {value!r}") from exc
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp() // 1)
    if isinstance(value, date):
        midnight = datetime(value.year, value.month, value.day, tzinfo=UTC)
        return int(midnight.timestamp()) + (86_399 if end_of_day else 0)
    raise SearchError(f"not a date: {value!r}")


def from_timestamp(seconds: int) -> datetime:
    """The aware UTC datetime of an epoch-seconds value."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def date_field(stored: bool) -> wfields.NUMERIC:
    """A date field: epoch seconds, sortable, range-searchable (4 trie terms per value)."""
    return wfields.NUMERIC(int, bits=64, signed=True, shift_step=16, stored=stored, sortable=True)


@dataclass(frozen=True)
class IndexSpec:
    """The declaration of one named index.

    - ``text_fields``: searched text, field name → boost (a title at 2.0 counts twice);
    - ``keyword_fields``: exact-value filters; a document may hold one value or a list;
    - ``date_fields``: range filters and sort keys, to the second (date, datetime or ISO
      string values; naive ones are UTC; returned in hits as aware UTC datetimes);
    - ``stored_fields``: returned in each hit's ``fields``; stored text fields are also
      the source of highlighted snippets. Store nothing the users of this index may not see.
    """

    name: str
    text_fields: Mapping[str, float]
    keyword_fields: tuple[str, ...] = ()
    date_fields: tuple[str, ...] = ()
    stored_fields: tuple[str, ...] = ()
    _names: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise SearchError(f"bad index name {self.name!r}")
        text = dict(self.text_fields)
        if not text:
            raise SearchError("an index needs at least one text field")
        declared = [*text, *self.keyword_fields, *self.date_fields]
        if len(set(declared)) != len(declared):
            raise SearchError("a field is declared twice")
        for name in {*declared, *self.stored_fields}:
            if not _NAME.match(name) or name in _RESERVED:
                raise SearchError(f"bad field name {name!r}")
        for boost in text.values():
            if not 0 < boost <= 100:
                raise SearchError("text field boosts must be in (0, 100]")
        object.__setattr__(self, "text_fields", text)
        object.__setattr__(self, "_names", frozenset({*declared, *self.stored_fields}))

    @property
    def highlight_fields(self) -> list[str]:
        """Text fields whose stored text yields snippets, in declaration order."""
        return [f for f in self.text_fields if f in self.stored_fields]

    def whoosh_schema(self) -> wfields.Schema:
        """Build the Whoosh schema for this declaration."""
        stored = set(self.stored_fields)
        schema: dict[str, wfields.FieldType] = {
            ID_FIELD: wfields.ID(stored=True, unique=True),
            EXACT: VietnameseText(folded=False),
            FOLD: VietnameseText(folded=True),
        }
        for name in self.keyword_fields:
            schema[name] = wfields.ID(stored=name in stored)
        for name in self.date_fields:
            schema[name] = date_field(name in stored)
        for name in stored - set(schema):
            schema[name] = wfields.STORED()
        return wfields.Schema(**schema)

    def to_document(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Turn a domain document into Whoosh ``add_document`` keyword arguments.

        ``doc`` needs ``id``; other keys must be declared fields. Text is stored NFC.
        """
        unknown = set(doc) - self._names - {ID_FIELD}
        if unknown:
            raise SearchError(f"undeclared fields for index {self.name!r}: {sorted(unknown)}")
        doc_id = doc.get(ID_FIELD)
        if not isinstance(doc_id, str | int) or not str(doc_id) or len(str(doc_id)) > MAX_ID_LENGTH:
            raise SearchError("a document needs an id (a non-empty string)")
        out: dict[str, Any] = {ID_FIELD: str(doc_id)}
        parts = []
        texts: dict[str, str] = {}
        for name, boost in self.text_fields.items():
            value = doc.get(name)
            if value is None:
                continue
            if not isinstance(value, str):
                raise SearchError(f"text field {name!r} must be a string")
            texts[name] = normalize(value)
            parts.append((texts[name], boost))
        out[EXACT] = parts
        out[FOLD] = parts
        for name in self.keyword_fields:
            values = keyword_values(doc.get(name))
            if values:
                out[name] = values
                if name in self.stored_fields:
                    given = doc[name]
                    out[f"_stored_{name}"] = values[0] if isinstance(given, str | int) else values
        for name in self.date_fields:
            value = doc.get(name)
            if value is not None:
                out[name] = to_timestamp(value)
        for name in self.stored_fields:
            if name in out or name not in doc or doc[name] is None:
                continue
            out[name] = texts.get(name, doc[name])
        return out


def keyword_values(value: Any) -> list[str]:
    """Normalize a keyword value (None, a scalar, or an iterable of scalars) to strings."""
    if value is None:
        return []
    if isinstance(value, str | int | bool):
        items: Iterable[Any] = [value]
    elif isinstance(value, Iterable):
        items = value
    else:
        raise SearchError(f"bad keyword value {value!r}")
    out = []
    for item in items:
        if not isinstance(item, str | int | bool):
            raise SearchError(f"bad keyword value {item!r}")
        text = normalize(str(item))
        if text and text not in out:
            out.append(text)
    return out


def jsonable(value: Any) -> Any:
    """Dates and datetimes to ISO strings, tuples and sets to lists, recursively."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
