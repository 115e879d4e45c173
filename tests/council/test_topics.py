"""Topic names are phrases the titles share, cut between words (council.topics)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from council.search.text import fold, syllables
from council.topics import _BREAKS, _FRAMING, chunks, topic_name, words

GOLD = Path(__file__).parent.parent / "assistant" / "data" / "demo_titles_segmented.json"


def _titles(template: str, raw: dict[str, list[str]], n: int = 3) -> list[tuple[str, list[str]]]:
    """``n`` titles made from ``template`` with different slot values: (title, reference words)."""
    out = []
    for i in range(n):
        text = template
        for slot in re.findall(r"\{(\w+)\}", template):
            text = text.replace("{" + slot + "}", raw[slot][(i * 5 + 1) % len(raw[slot])], 1)
        out.append(
            (text.replace("_", " "), [w for w in text.split() if any(c.isalnum() for c in w)])
        )
    return out


def _whole_words_without_breaks(name: str, reference: list[str]) -> bool:
    want = [fold(s) for s in syllables(name)]
    folded = [[fold(s) for s in w.split("_")] for w in reference]
    for start in range(len(folded)):
        run, end = [], start
        while end < len(folded) and len(run) < len(want):
            run += folded[end]
            end += 1
        if run == want:
            inner = [w.replace("_", " ").lower() for w in reference[start:end]]
            return not any(w in _BREAKS or fold(w) in _FRAMING for w in inner)
    return False


def test_the_names_the_delegate_saw_are_now_phrases() -> None:
    cases = {
        "công khai kết quả giải quyết": [
            "Đề nghị công khai kết quả giải quyết kiến nghị kỳ trước",
            "Đề nghị công khai kết quả giải quyết kiến nghị kỳ trước",
        ],
        "lắp đặt đèn tín hiệu giao thông": [
            "Đề nghị lắp đặt đèn tín hiệu giao thông tại nút giao phố Kim Mã",
            "Đề nghị lắp đặt đèn tín hiệu giao thông tại nút giao đường Láng",
        ],
        "trộm cắp tài sản": [
            "Tình trạng trộm cắp tài sản tại thôn Đông",
            "Tình trạng trộm cắp tài sản tại khu tập thể Kim Liên",
        ],
        "bổ sung tuyến xe buýt": [
            "Đề nghị bổ sung tuyến xe buýt qua thôn Đông",
            "Đề nghị bổ sung tuyến xe buýt qua xóm Bãi",
        ],
    }
    for expected, titles in cases.items():
        assert topic_name(titles) == expected


def test_every_demo_title_template_gets_a_name_of_whole_words() -> None:
    raw = json.loads(GOLD.read_text(encoding="utf-8"))
    clean = 0
    for template in raw["templates"]:
        made = _titles(template, raw)
        name = topic_name([t for t, _w in made])
        assert name, template
        clean += any(_whole_words_without_breaks(name, ref) for _t, ref in made)
    # underthesea cuts one template's words unlike the reference ("mặt | đường phố").
    assert clean >= len(raw["templates"]) - 2


def test_words_and_chunks() -> None:
    assert ["sử", "dụng"] in words("Chậm cấp giấy chứng nhận quyền sử dụng đất")
    # Prepositions and petition wording cut phrases; "đèn" (lamp) is not "đến" (to).
    assert [
        [" ".join(w) for w in c] for c in chunks("Đề nghị lắp đặt đèn tín hiệu tại ngã tư")
    ] == [
        ["lắp đặt", "đèn", "tín hiệu"],
        ["ngã", "tư"],
    ]


def test_titles_typed_without_accents_hold_the_phrase_of_those_typed_with() -> None:
    titles = ["Ngập úng khu dân cư sau mưa", "Ngap ung tuyen pho chinh", "Ngập úng kéo dài"]
    assert topic_name(titles) == "ngập úng"
    assert topic_name(["Xây dựng sai phép", "Nhà ở"]) == ""
