"""Query parsing: syllables paired into words by index statistics, exact boost, folding."""

from collections import Counter

from whoosh import query as wq

from council.search.analysis import field_terms
from council.search.query import EXACT_BOOST, QueryWord, parse_query, word_query, words_query
from council.search.query import parse as full_parse

SENTENCES = [
    "Đường giao thông liên thôn xuống cấp",
    "Sửa đường giao thông nông thôn",
    "Đường làng ngập nước",
    "Mở rộng đường Trường Chinh",
    "Đèn đường hỏng",
    "Bàn giao mặt bằng chậm",
    "Thông báo lịch cắt điện",
    "Ô nhiễm môi trường do nước thải",
    "Ô nhiễm không khí, môi trường sống kém",
    "Trường học thiếu nước sạch",
    "Nước thải chưa qua xử lý; làm sạch kênh",
    "Cử tri phường Dương Nội kiến nghị",
    "Cử tri phường Dương Nội phản ánh",
    "Cử tri phường Hà Đông phản ánh",
    *(f"Cử tri phường {ward} phản ánh" for ward in ("Láng", "Kim Liên", "Bạch Mai", "Ba Đình")),
    *(f"Cử tri phường {ward} kiến nghị" for ward in ("Hoàn Kiếm", "Cửa Nam", "Tây Hồ", "Yên Sở")),
    *(f"Đường {street} hư hỏng" for street in ("Láng", "Kim Mã", "Tố Hữu", "Láng Hạ", "Âu Cơ")),
]


def _document_frequencies() -> tuple[Counter[str], Counter[str]]:
    exact: Counter[str] = Counter()
    folded: Counter[str] = Counter()
    for sentence in SENTENCES:
        ex, fo = field_terms(sentence)
        exact.update(set(ex))
        folded.update(set(fo))
    return exact, folded


EXACT_DF, FOLD_DF = _document_frequencies()


def parse(text: str) -> list[str]:
    return [w.exact for w in parse_query(text, FOLD_DF.__getitem__, EXACT_DF.__getitem__)]


def test_cohesive_neighbours_become_one_pair_term() -> None:
    assert parse_query("Đường giao thông", FOLD_DF.__getitem__, EXACT_DF.__getitem__) == [
        QueryWord("đường", "duong"),
        QueryWord("giao_thông", "giao_thong"),
    ]
    assert parse("duong giao thong") == ["duong", "giao_thong"]


def test_overlapping_pairs_are_resolved_by_cohesion() -> None:
    assert parse("ô nhiễm môi trường") == ["ô_nhiễm", "môi_trường"]


def test_loose_neighbours_stay_separate_words_and_boost_adjacency() -> None:
    assert parse("đường nước") == ["đường", "nước"]  # never side by side
    # Side by side in 4 of the 100 documents holding the rarer syllable: not a word, but
    # documents where they do stand together rank first.
    stats = {"nuoc": 400, "sach": 100, "nuoc_sach": 4}
    parsed = full_parse("nuoc sach", lambda t: stats.get(t, 0), lambda t: stats.get(t, 0))
    assert [w.fold for w in parsed.words] == ["nuoc", "sach"]
    assert [w.fold for w in parsed.boosts] == ["nuoc_sach"]


def test_pairs_maximise_total_cohesion() -> None:
    # All three pairs are equally cohesive: take the two outer ones, not the middle one.
    stats = {"o": 50, "nhiem": 10, "moi": 10, "truong": 50}
    stats |= {"o_nhiem": 10, "nhiem_moi": 10, "moi_truong": 10}
    parsed = full_parse("o nhiem moi truong", stats.__getitem__, stats.__getitem__)
    assert [w.fold for w in parsed.words] == ["o_nhiem", "moi_truong"]
    assert [w.fold for w in parsed.boosts] == ["nhiem_moi"]


def test_accented_pairs_are_judged_on_exact_statistics() -> None:
    # "Dương" is always "phường Dương", but "duong" is mostly "đường".
    assert parse("phường Dương") == ["phường_dương"]
    assert parse("phuong duong") == ["phuong", "duong"]


def test_without_statistics_every_pair_is_used() -> None:
    assert [w.exact for w in parse_query("dự toán ngân sách")] == [
        "dự_toán",
        "toán_ngân",
        "ngân_sách",
    ]


def test_punctuation_splits_runs_and_repeats_collapse() -> None:
    assert parse("giao thông, giao thông; đường!") == ["giao_thông", "đường"]


def test_word_query_boosts_the_exact_form() -> None:
    q = word_query(QueryWord("đường", "duong"))
    assert isinstance(q, wq.Or)
    exact, folded = q.subqueries
    assert (exact.fieldname, exact.text, exact.boost) == ("exact", "đường", EXACT_BOOST)
    assert (folded.fieldname, folded.text, folded.boost) == ("fold", "duong", 1.0)


def test_words_query_all_or_any() -> None:
    words = parse_query("đường giao thông", FOLD_DF.__getitem__, EXACT_DF.__getitem__)
    assert isinstance(words_query(words), wq.And)
    assert isinstance(words_query(words, match_all=False), wq.Or)
    assert words_query([]) is wq.NullQuery
    boosted = words_query(words, boosts=[QueryWord("đường_giao", "duong_giao")])
    assert isinstance(boosted, wq.AndMaybe)
