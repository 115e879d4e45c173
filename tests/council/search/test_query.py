"""Query parsing: syllables paired into words by index statistics, exact boost, folding."""

from whoosh import query as wq

from council.search.query import EXACT_BOOST, QueryWord, parse_query, word_query, words_query

DF = {
    "duong": 600,
    "giao": 300,
    "thong": 350,
    "duong_giao": 20,
    "giao_thong": 280,
    "o": 500,
    "nhiem": 210,
    "moi": 260,
    "truong": 900,
    "o_nhiem": 200,
    "nhiem_moi": 150,
    "moi_truong": 240,
    "nuoc": 400,
    "sach": 100,
    "nuoc_sach": 4,
}


def df(term: str) -> int:
    return DF.get(term, 0)


def test_cohesive_neighbours_become_one_pair_term() -> None:
    assert parse_query("Đường giao thông", df) == [
        QueryWord("đường", "duong"),
        QueryWord("giao_thông", "giao_thong"),
    ]


def test_overlapping_pairs_are_resolved_by_cohesion() -> None:
    words = parse_query("ô nhiễm môi trường", df)
    assert [w.fold for w in words] == ["o_nhiem", "moi_truong"]


def test_loose_neighbours_stay_separate_words() -> None:
    # "nước sạch" occurs in 4 of the 100 documents holding "sạch": not a word here.
    assert [w.fold for w in parse_query("nước sạch", df)] == ["nuoc", "sach"]


def test_without_statistics_every_pair_is_used() -> None:
    assert [w.exact for w in parse_query("dự toán ngân sách")] == [
        "dự_toán",
        "toán_ngân",
        "ngân_sách",
    ]


def test_punctuation_splits_runs_and_repeats_collapse() -> None:
    words = parse_query("giao thông, giao thông; đường!", df)
    assert [w.fold for w in words] == ["giao_thong", "duong"]


def test_word_query_boosts_the_exact_form() -> None:
    q = word_query(QueryWord("đường", "duong"))
    assert isinstance(q, wq.Or)
    exact, folded = q.subqueries
    assert (exact.fieldname, exact.text, exact.boost) == ("exact", "đường", EXACT_BOOST)
    assert (folded.fieldname, folded.text, folded.boost) == ("fold", "duong", 1.0)


def test_words_query_all_or_any() -> None:
    words = parse_query("đường giao thông", df)
    assert isinstance(words_query(words), wq.And)
    assert isinstance(words_query(words, match_all=False), wq.Or)
    assert words_query([]) is wq.NullQuery
