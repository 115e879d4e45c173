"""Snippets: escaped text, our <mark> tags around the matched syllables, a window on the best part."""

import unicodedata

from council.search.highlight import highlight

GIAO_THONG = [("giao", "thong")]


def test_marks_whole_words_found_by_folding() -> None:
    assert highlight("Đường giao thông nông thôn", [("duong",)]) == (
        "<mark>Đường</mark> giao thông nông thôn"
    )
    assert highlight("Sửa đường giao thông", GIAO_THONG) == "Sửa đường <mark>giao thông</mark>"


def test_pair_words_do_not_mark_lone_syllables() -> None:
    text = "Bàn giao mặt bằng; hệ thống giao thông"
    assert highlight(text, GIAO_THONG) == "Bàn giao mặt bằng; hệ thống <mark>giao thông</mark>"
    # Nor across punctuation.
    assert highlight("nút giao, thông tin", GIAO_THONG) == ""


def test_adjacent_matches_merge_into_one_mark() -> None:
    assert highlight("ô nhiễm môi trường nặng", [("o", "nhiem"), ("moi", "truong")]) == (
        "<mark>ô nhiễm môi trường</mark> nặng"
    )


def test_everything_but_our_marks_is_escaped() -> None:
    text = 'Đèn đường <script>alert("x")</script> & <b>tối</b>'
    out = highlight(text, [("duong",)])
    assert out == (
        "Đèn <mark>đường</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
        "&amp; &lt;b&gt;tối&lt;/b&gt;"
    )
    assert highlight("<mark>x</mark> đường", [("mark",)]) == (
        "&lt;<mark>mark</mark>&gt;x&lt;/<mark>mark</mark>&gt; đường"
    )


def test_long_text_gets_a_window_around_the_matches() -> None:
    filler = "Cử tri phản ánh nhiều vấn đề khác nhau của địa phương. " * 20
    text = filler + "Đề nghị sớm xử lý ngập úng tại tổ dân phố số 5. " + filler
    out = highlight(text, [("ngap", "ung")], width=120)
    assert "<mark>ngập úng</mark>" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out.replace("<mark>", "").replace("</mark>", "")) <= 122


def test_decomposed_text_is_composed_first() -> None:
    text = unicodedata.normalize("NFD", "Trường học")
    assert highlight(text, [("truong",)]) == "<mark>Trường</mark> học"


def test_no_match_gives_no_snippet() -> None:
    assert highlight("Đường làng", [("karaoke",)]) == ""
    assert highlight("", [("duong",)]) == ""
