"""The Vietnamese prompts, versioned.

Bump ``PROMPT_VERSION`` whenever a prompt's wording or the citation format changes: it is part
of the summary cache key, so cached summaries written under old prompts are not served.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.providers.base import Confidentiality, Prompt, Source
from assistant.providers.phrases import EXTRACTIVE_ANSWER_LEAD, NO_CONTENT, NOT_FOUND

__all__ = ["EXTRACTIVE_ANSWER_LEAD", "NO_CONTENT", "NOT_FOUND", "PROMPT_VERSION"]

PROMPT_VERSION = "vi-2025.1"

_GROUNDING = (
    "Chỉ dùng thông tin có trong các đoạn trích được cung cấp; không suy đoán, không dùng "
    "kiến thức bên ngoài, không bổ sung số liệu. Giữ nguyên các con số, tên văn bản, tên cơ quan."
)

SUMMARY_SYSTEM = (
    "Bạn là trợ lý của Hội đồng nhân dân, giúp đại biểu nắm nhanh nội dung tài liệu kỳ họp. "
    f"{_GROUNDING} Viết bằng tiếng Việt, văn phong hành chính, ngắn gọn, dạng gạch đầu dòng "
    '(mỗi ý một dòng, bắt đầu bằng "- "). Cuối mỗi ý ghi trang nguồn trong ngoặc vuông, '
    "đúng như nhãn của đoạn trích, ví dụ [tr. 12]."
)

REDUCE_SYSTEM = (
    "Bạn là trợ lý của Hội đồng nhân dân, giúp đại biểu nắm nhanh nội dung tài liệu kỳ họp. "
    "Hợp nhất các bản tóm tắt từng phần dưới đây thành một bản tóm tắt chung của cả tài liệu: "
    'tối đa 10 ý, mỗi ý một dòng bắt đầu bằng "- ", theo thứ tự của tài liệu, bỏ các ý trùng '
    "lặp. Giữ nguyên nhãn trang trong ngoặc vuông của từng ý (ví dụ [tr. 12]); không tạo nhãn "
    f"trang mới. {_GROUNDING}"
)

ANSWER_SYSTEM = (
    "Bạn là trợ lý của Hội đồng nhân dân, trả lời câu hỏi của đại biểu về tài liệu kỳ họp. "
    f"{_GROUNDING} Trả lời ngắn gọn bằng tiếng Việt. Sau mỗi ý, ghi nguồn trong ngoặc vuông "
    "đúng như nhãn của đoạn trích, ví dụ [TL 12, tr. 3]. Nếu các đoạn trích không chứa thông "
    f'tin để trả lời, chỉ viết đúng câu: "{NOT_FOUND}"'
)

GROUP_SYSTEM = (
    "Bạn là trợ lý của Văn phòng Hội đồng nhân dân, giúp lập báo cáo tổng hợp ý kiến, kiến "
    "nghị cử tri. Viết một đoạn ngắn (1–3 câu) nêu chung nội dung các kiến nghị dưới đây, theo "
    'văn phong báo cáo tổng hợp ("Cử tri phản ánh …, đề nghị …"). Không nêu tên hay thông tin '
    "cá nhân; không thêm nội dung không có trong kiến nghị."
)


def page_label(page: int) -> str:
    """Citation label of a page within the one document being summarized."""
    return f"tr. {page}"


def passage_label(document_id: int, page: int) -> str:
    """Citation label of a page among a session's documents."""
    return f"TL {document_id}, tr. {page}"


def petition_label(code: str) -> str:
    """Citation label of a petition: its tracking code, which already reads as one
    ("KN-2026-7DVY4BD"; prefixed "KN " it printed "[KN KN-2026-…]")."""
    return code if code.startswith("KN") else f"KN {code}"


def summary_map(title: str, sources: Sequence[Source], part: int, parts: int) -> Prompt:
    """Prompt summarizing one chunk of a document."""
    pages = [s.page for s in sources if s.page is not None]
    span = f"trang {min(pages)}–{max(pages)}" if pages else ""
    where = f"phần {part}/{parts}, {span}" if parts > 1 else span
    return Prompt(
        task="summarize",
        system=SUMMARY_SYSTEM,
        intro=f"Tóm tắt các ý chính của tài liệu «{title}» ({where}):",
        sources=tuple(sources),
        version=PROMPT_VERSION,
    )


def summary_reduce(title: str, partials: Sequence[str], level: Confidentiality) -> Prompt:
    """Prompt merging partial summaries (which carry their own page tags)."""
    return Prompt(
        task="reduce",
        system=REDUCE_SYSTEM,
        intro=f"Các bản tóm tắt từng phần của tài liệu «{title}»:",
        sources=tuple(Source(text=p, confidentiality=level) for p in partials),
        version=PROMPT_VERSION,
    )


def answer(question: str, sources: Sequence[Source]) -> Prompt:
    """Prompt answering a delegate's question from retrieved passages."""
    return Prompt(
        task="answer",
        system=ANSWER_SYSTEM,
        intro="Các đoạn trích tài liệu của kỳ họp:",
        sources=tuple(sources),
        question=question,
        version=PROMPT_VERSION,
    )


def group(topic: str, sources: Sequence[Source]) -> Prompt:
    """Prompt summarizing one group of petitions for the summary report."""
    return Prompt(
        task="group",
        system=GROUP_SYSTEM,
        intro=f"Nhóm kiến nghị về {topic} ({len(sources)} kiến nghị):",
        sources=tuple(sources),
        version=PROMPT_VERSION,
    )
