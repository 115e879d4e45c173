"""The offline extractive provider on real Vietnamese text."""

from __future__ import annotations

import re

from assistant import prompts
from assistant.chunking import page_sources
from assistant.config import AssistantConfig
from assistant.gateway import Gateway, Usage
from assistant.providers import Source, get_provider
from assistant.providers.extractive import extract
from assistant.sentences import split_sentences
from assistant.summaries import summarize
from tests.assistant.conftest import report, report_pages

TAG = re.compile(r"\s*\[(tr\. \d+|TL \d+, tr\. \d+)\]$")


def _summary_prompt() -> prompts.Prompt:
    sources = page_sources(
        report_pages(),
        label=prompts.page_label,
        budget=10_000,
        confidentiality="public",
        document_id=1,
    )
    return prompts.summary_map("Báo cáo", sources, 1, 1)


def _passages() -> list[Source]:
    return [
        Source(p.text, prompts.passage_label(7, p.number), "Báo cáo", "public", 7, p.number)
        for p in report_pages()
    ]


def test_sentences_respect_vietnamese_abbreviations_numbers_and_headings() -> None:
    text = (
        "I. TÌNH HÌNH KINH TẾ\n1. Thu ngân sách\nUBND TP. Hà Nội báo cáo thu đạt 1.234,5 tỷ đồng.\n"
        "Chi thường xuyên tăng 3,6% so với\nnăm trước. Ths. Nguyễn Văn A trình bày tờ trình!"
    )
    assert split_sentences(text) == [
        "I. TÌNH HÌNH KINH TẾ",
        "1. Thu ngân sách",
        "UBND TP. Hà Nội báo cáo thu đạt 1.234,5 tỷ đồng.",
        "Chi thường xuyên tăng 3,6% so với năm trước.",
        "Ths. Nguyễn Văn A trình bày tờ trình!",
    ]


def test_summary_is_verbatim_sentences_each_citing_its_page() -> None:
    text = extract(_summary_prompt(), max_tokens=1024)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    lines = [line for line in text.splitlines() if not line.startswith("## ")]
    assert 4 <= len(lines) <= 8
    # Headings stay as structure above the points, never as points.
    assert "## I. TÌNH HÌNH KINH TẾ" in headings
    assert not any(line.removeprefix("- ").startswith(("I.", "II.", "1.")) for line in lines)
    pages = {p.number: " ".join(p.text.split()) for p in report_pages()}
    cited_pages = set()
    for line in lines:
        match = TAG.search(line)
        assert match, line
        page = int(match.group(1).split()[-1])
        sentence = TAG.sub("", line).removeprefix("- ")
        assert sentence in pages[page], (sentence, page)
        cited_pages.add(page)
    # The summary covers the document, not only its most central page.
    assert len(cited_pages) >= 4


def test_summary_is_deterministic() -> None:
    assert extract(_summary_prompt(), max_tokens=1024) == extract(
        _summary_prompt(), max_tokens=1024
    )


def test_answer_matches_question_typed_without_accents() -> None:
    prompt = prompts.answer("ty le giai ngan von dau tu cong nam 2025", _passages())
    text = extract(prompt, max_tokens=600)
    assert text.startswith(prompts.EXTRACTIVE_ANSWER_LEAD)
    first = text.splitlines()[1]
    assert "giải ngân vốn đầu tư công" in first and "85%" in first
    assert first.endswith("[TL 7, tr. 1]")


def test_answer_with_accents_does_not_confuse_folded_homographs() -> None:
    # "giá" (price) must not match "tham gia" (take part) on page 3.
    prompt = prompts.answer("Giá vàng thế giới tăng bao nhiêu?", _passages())
    assert extract(prompt, max_tokens=600) == prompts.NOT_FOUND


def test_answer_about_flooding_cites_the_environment_page() -> None:
    text = extract(
        prompts.answer("Tình trạng ngập úng đã được khắc phục chưa?", _passages()), max_tokens=600
    )
    assert "ngập úng" in text and "[TL 7, tr. 4]" in text


def test_group_summary_picks_central_sentences() -> None:
    bodies = [
        (
            "KN-1",
            "Đường liên xã qua thôn Đông bị xuống cấp, nhiều ổ gà. Đề nghị sửa chữa đường liên xã.",
        ),
        (
            "KN-2",
            "Cử tri đề nghị sớm sửa chữa đường liên xã đoạn qua thôn Đoài vì xuống cấp nghiêm trọng.",
        ),
        ("KN-3", "Đề nghị nâng cấp, sửa chữa đường liên xã để người dân đi lại an toàn."),
    ]
    sources = [Source(b, prompts.petition_label(c)) for c, b in bodies]
    text = extract(prompts.group("giao thông", sources), max_tokens=300)
    assert "đường liên xã" in text
    assert re.search(r"\[KN-\d\]", text) and "[KN KN-" not in text


async def test_offline_summary_of_long_document_is_map_reduced_with_page_citations() -> None:
    doc = report(repeat=12)  # 60 pages
    gateway = Gateway.from_config(AssistantConfig())
    usage = Usage()
    summary = await summarize(doc, gateway, usage=usage, cache=None, max_tokens=1024)
    assert summary.provider == "extractive" and summary.model == "textrank-vi-2"
    assert usage.calls > 1  # chunks + reduce
    assert summary.citations and summary.unverified == 0
    page_numbers = {p.number for p in doc.pages}
    assert {c.page for c in summary.citations} <= page_numbers
    for citation in summary.citations:
        page_text = " ".join(doc.pages[citation.page - 1].text.split())
        assert citation.excerpt.rstrip("…") in page_text


def test_registry_knows_both_providers() -> None:
    assert get_provider(AssistantConfig()).name == "extractive"
