"""council.search.text: the helpers every package uses for Vietnamese text."""

import unicodedata

from council.search.text import canonical_tone, fold, normalize, syllable_pairs, syllables


def test_normalize_composes_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Nghị quyết về dự toán ngân sách")
    assert decomposed != "Nghị quyết về dự toán ngân sách"
    assert normalize(decomposed) == "Nghị quyết về dự toán ngân sách"


def test_fold_strips_tones_and_vowel_marks_and_maps_d_bar() -> None:
    assert fold("Đường giao thông") == "duong giao thong"
    assert fold("ĐẠI BIỂU Hội đồng nhân dân") == "dai bieu hoi dong nhan dan"
    assert fold("Ô nhiễm môi trường") == "o nhiem moi truong"
    assert fold(unicodedata.normalize("NFD", "Ủy ban nhân dân")) == "uy ban nhan dan"


def test_syllables_are_lowercased_nfc_letters_and_digits() -> None:
    text = "Nghị quyết 72/2025/QH15 về đường giao-thông, ô nhiễm môi_trường!"
    assert syllables(text) == [
        "nghị", "quyết", "72", "2025", "qh15", "về", "đường", "giao", "thông",
        "ô", "nhiễm", "môi", "trường",
    ]  # fmt: skip
    assert syllables(unicodedata.normalize("NFD", "Đường TRƯỜNG")) == ["đường", "trường"]


def test_syllable_pairs_join_neighbours() -> None:
    assert syllable_pairs(["dự", "toán", "ngân", "sách"]) == ["dự_toán", "toán_ngân", "ngân_sách"]
    assert syllable_pairs(["đường"]) == []
    assert syllable_pairs([]) == []


def test_canonical_tone_unifies_old_and_new_spellings() -> None:
    assert canonical_tone("hoà") == canonical_tone("hòa") == "hòa"
    assert canonical_tone("thuỷ") == canonical_tone("thủy") == "thủy"
    assert canonical_tone("khoẻ") == canonical_tone("khỏe") == "khỏe"
    assert canonical_tone("uỷ") == "ủy"
    # Syllables with one possible place are untouched.
    for word in ("quý", "hoàng", "thuyền", "quà", "trường", "người"):
        assert canonical_tone(word) == word
