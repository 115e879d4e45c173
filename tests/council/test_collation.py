"""Vietnamese alphabetical order of words and of people's names."""

from __future__ import annotations

from council.collation import name_key, sort_key


def test_words_follow_the_vietnamese_alphabet_and_tones() -> None:
    words = ["Yến", "Đặng", "Vũ", "Ân", "An", "Ăn", "Dũng", "Ơn", "Ông", "Ô", "Uyên", "Ư", "Bình"]
    assert sorted(words, key=sort_key) == [
        "An", "Ăn", "Ân", "Bình", "Dũng", "Đặng", "Ô", "Ông", "Ơn", "Uyên", "Ư", "Vũ", "Yến",
    ]  # fmt: skip
    # The tones only break ties, in the order: none, huyền, hỏi, ngã, sắc, nặng.
    assert sorted(["má", "mạ", "mà", "ma", "mã", "mả"], key=sort_key) == [
        "ma", "mà", "mả", "mã", "má", "mạ",
    ]  # fmt: skip


def test_people_are_listed_by_given_name_then_family_and_middle_names() -> None:
    people = ["Vũ Văn Bình", "Đặng Thị An", "Nguyễn Văn An", "Lê Đức", "Trần Thị Dung"]
    assert sorted(people, key=name_key) == [
        "Đặng Thị An", "Nguyễn Văn An", "Vũ Văn Bình", "Trần Thị Dung", "Lê Đức",
    ]  # fmt: skip
