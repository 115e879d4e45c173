"""The offline summarizer reads a Vietnamese administrative document's frame and never quotes it."""

from __future__ import annotations

from assistant import prompts
from assistant.anatomy import figure_weight, is_boilerplate
from assistant.chunking import page_sources
from assistant.providers.extractive import extract
from assistant.sentences import blocks, content, units
from tests.assistant.quality import load_set

PROPOSAL = load_set().documents[0]


def _kinds(text: str) -> dict[str, str]:
    return {b.text: b.kind for b in blocks(text)}


def test_header_legal_bases_salutation_distribution_and_signature_are_frame() -> None:
    first, last = PROPOSAL.pages[0], PROPOSAL.pages[-1]
    kinds = _kinds(first)
    frame = [t for t, k in kinds.items() if k == "boilerplate"]
    # Two-column header lines as a PDF gives them, merged: body + motto, number + place and date.
    assert any(t.startswith("ỦY BAN NHÂN DÂN") and "CỘNG HÒA" in t for t in frame)
    assert any(t.startswith("Số: 412/TTr-UBND") and "ngày 18 tháng 11" in t for t in frame)
    assert "TỜ TRÌNH" in frame and "năm 2027" in frame  # the subject, wrapped over two lines
    assert "Kính gửi: Hội đồng nhân dân tỉnh Ninh Bình." in frame
    sentences = dict(units(first))
    assert all(k == "boilerplate" for s, k in sentences.items() if s.startswith("Căn cứ"))
    assert kinds["I. ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN DỰ TOÁN NGÂN SÁCH NĂM 2026"] == "heading"
    tail = _kinds(last)
    assert all(
        k == "boilerplate"
        for t, k in tail.items()
        if t.startswith(("Nơi nhận", "- Như trên", "- Lưu", "Trần Quốc Hưng"))
    )
    closing = [s for s, k in units(last) if "xem xét, quyết định" in s]
    assert closing and all(k == "boilerplate" for s, k in units(last) if s in closing)


def test_heading_is_split_from_the_sentence_after_it() -> None:
    # The demo's page: an unpunctuated subject line, then a legal basis; a heading in a DOCX
    # paragraph of its own, then its first sentence.
    text = (
        "Về dự toán thu, chi ngân sách phường năm 2027\n"
        "Căn cứ Luật Ngân sách nhà nước;\n"
        "Thu ngân sách\n"
        "Tổng thu ngân sách nhà nước trên địa bàn ước đạt 1.284 tỷ đồng, bằng 81,6% dự toán."
    )
    found = units(text)
    assert ("Căn cứ Luật Ngân sách nhà nước;", "boilerplate") in found
    assert ("Thu ngân sách", "heading") in found
    assert found[-1] == (
        "Tổng thu ngân sách nhà nước trên địa bàn ước đạt 1.284 tỷ đồng, bằng 81,6% dự toán.",
        "text",
    )
    assert not any(s.startswith("Về dự toán") and "Căn cứ" in s for s, _k in found)


def test_content_sentences_that_look_like_the_frame_are_kept() -> None:
    assert not is_boilerplate(
        "Căn cứ khả năng thu, chi đầu tư phát triển năm 2027 là 17.900 tỷ đồng."
    )
    assert not is_boilerplate("Nghị quyết này có hiệu lực từ ngày 01 tháng 01 năm 2027./.")
    assert is_boilerplate("Trên đây là báo cáo thẩm tra của Ban Kinh tế - Ngân sách.")
    assert is_boilerplate("Ban báo cáo kết quả thẩm tra như sau:")
    assert is_boilerplate("Xét Tờ trình số 412/TTr-UBND ngày 18 tháng 11 năm 2026;")


def test_figures_weigh_more() -> None:
    assert figure_weight("Tổng chi ngân sách địa phương là 42.150 tỷ đồng.") >= 1.0
    assert figure_weight("Tỷ lệ hộ nghèo giảm còn 1,45%.") > 0
    assert figure_weight("Giao dự toán trước ngày 31 tháng 12 năm 2026.") > 0
    assert figure_weight("Ban cơ bản thống nhất với dự toán thu.") == 0


def test_summary_of_the_proposal_quotes_no_frame_keeps_headings_and_cites_pages() -> None:
    sources = page_sources(
        [
            type("P", (), {"number": n, "text": content(t)})()
            for n, t in enumerate(PROPOSAL.pages, 1)
        ],
        label=prompts.page_label,
        budget=10_000,
        confidentiality="internal",
        document_id=1,
    )
    text = extract(prompts.summary_map(PROPOSAL.title, sources, 1, 1), max_tokens=1024)
    points = [line for line in text.splitlines() if line.startswith("- ")]
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(points) >= 6 and headings
    assert all(
        line.rstrip().endswith(("[tr. 1]", "[tr. 2]", "[tr. 3]", "[tr. 4]")) for line in points
    )
    for line in points:
        assert not any(
            mark in line for mark in ("Căn cứ", "Kính gửi", "kính trình", "Nơi nhận", "CHỦ TỊCH")
        )
    assert any("45.600 tỷ đồng" in line for line in points)


def test_a_document_that_is_all_frame_says_so() -> None:
    # The demo's "Tờ trình" holds only a resolution's preamble.
    page = (
        "HỘI ĐỒNG NHÂN DÂN PHƯỜNG BA ĐÌNH\nNGHỊ QUYẾT\nVề dự toán thu, chi ngân sách phường năm 2027\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;\nCăn cứ Luật Ngân sách nhà nước;\n"
        "Xét Tờ trình của Ủy ban nhân dân phường và ý kiến thảo luận của đại biểu tại kỳ họp."
    )
    sources = page_sources(
        [type("P", (), {"number": 1, "text": page})()],
        label=prompts.page_label,
        budget=10_000,
        confidentiality="internal",
        document_id=1,
    )
    assert extract(prompts.summary_map("Tờ trình", sources, 1, 1), max_tokens=1024) == (
        prompts.NO_CONTENT
    )
