"""Vietnamese full-text search: text helpers, Whoosh analyzers, named indexes and the single writer.

Import the text helpers from ``council.search.text``; the index interface from
``council.search.index``; the transactional outbox from ``council.search.outbox``.
"""

from council.search.text import fold, normalize, syllable_pairs, syllables

__all__ = ["fold", "normalize", "syllable_pairs", "syllables"]
