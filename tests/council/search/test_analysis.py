"""The Vietnamese analyzer: exact and folded syllables plus in-run syllable pairs."""

from collections import Counter

from council.search.analysis import VietnameseText, VietnameseTokenizer, field_terms, runs

BUDGET = "Nghị quyết về dự toán ngân sách nhà nước năm 2025. Đường giao thông: ô nhiễm môi trường!"


def test_runs_break_at_punctuation() -> None:
    assert runs("Cử tri phản ánh: Thời gian giải quyết, hồ sơ") == [
        ["cử", "tri", "phản", "ánh"],
        ["thời", "gian", "giải", "quyết"],
        ["hồ", "sơ"],
    ]


def test_field_terms_have_syllables_and_pairs_in_both_forms() -> None:
    exact, folded = field_terms("Đường giao thông nông thôn")
    assert exact == [
        "đường", "giao", "thông", "nông", "thôn",
        "đường_giao", "giao_thông", "thông_nông", "nông_thôn",
    ]  # fmt: skip
    assert folded == [
        "duong", "giao", "thong", "nong", "thon",
        "duong_giao", "giao_thong", "thong_nong", "nong_thon",
    ]  # fmt: skip


def test_pairs_never_cross_punctuation() -> None:
    exact, _ = field_terms("phản ánh: Thời gian")
    assert "ánh_thời" not in exact
    assert "phản_ánh" in exact and "thời_gian" in exact


def test_no_stop_words_are_dropped() -> None:
    exact, _ = field_terms("Đề nghị các cơ quan chức năng và của nhà nước không được chậm")
    for word in ("các", "và", "của", "không", "được"):
        assert word in exact


def test_exact_terms_unify_tone_placement() -> None:
    old, _ = field_terms("Khánh Hoà, thuỷ lợi")
    new, _ = field_terms("Khánh Hòa, thủy lợi")
    assert old == new


def test_whoosh_tokenizer_yields_the_fast_path_terms() -> None:
    exact, folded = field_terms(BUDGET)
    assert Counter(t.text for t in VietnameseTokenizer()(BUDGET)) == Counter(exact)
    assert Counter(t.text for t in VietnameseTokenizer(folded=True)(BUDGET)) == Counter(folded)


def test_tokenizer_offsets_point_into_the_text() -> None:
    text = "Ô nhiễm môi trường"
    tokens = [(t.text, t.startchar, t.endchar) for t in VietnameseTokenizer()(text, chars=True)]
    for word, start, end in tokens:
        assert text[start:end].lower().replace(" ", "_") == word
    assert ("môi_trường", 8, 18) in tokens


def test_field_index_counts_frequency_and_boosted_weight() -> None:
    field = VietnameseText(folded=True)
    postings = {
        term.decode(): (freq, weight)
        for term, freq, weight, _ in field.index([("Đường làng", 2.0), ("đường ngập", 1.0)])
    }
    assert postings["duong"] == (2, 3.0)
    assert postings["lang"] == (1, 2.0)
    assert postings["duong_ngap"] == (1, 1.0)
