"""The parts of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP) that carry no content.

A proposal, report or resolution opens with the issuing body, the national motto, its number,
place and date, its type and subject; then its legal bases ("Căn cứ …", "Xét …") and salutation
("Kính gửi: …"); it closes with a formula ("… kính trình Hội đồng nhân dân xem xét, quyết định"),
the distribution list ("Nơi nhận: …") and the signature block. A summary must never quote any of
them. Sentences with figures (sums of money, percentages, dates and deadlines) are what a delegate
looks for, so they weigh more.
"""

from __future__ import annotations

import re

from council.search.text import fold

# Lines are compared accent-folded and lowercased, with runs of spaces and dashes tidied.
_MOTTO = re.compile(r"cong hoa xa hoi chu nghia viet nam|doc lap\W+tu do\W+hanh phuc")
_NUMBER = re.compile(r"^so\s*:\s*\S*/")  # "Số: 245/TTr-UBND", "Số:    /NQ-HĐND"
_PLACE_DATE = re.compile(r"^[\w .'-]{2,40}, ngay [\w.…]{1,4} thang [\w.…]{1,4} nam \d{4}\W*$")
_DRAFT = re.compile(r"^\(?du thao( lan \d+)?\)?$")
_SUBJECT = re.compile(r"^(ve|v/v)\b")  # the subject line under the document type
_DOC_TYPE = re.compile(
    r"^(to trinh|bao cao|nghi quyet|quyet dinh|ke hoach|de an|thong bao|chuong trinh|du thao)\b"
)
_BASIS = re.compile(
    r"^(can cu (luat|bo luat|hien phap|nghi dinh|nghi quyet|quyet dinh|thong tu|chi thi|ket luan|"
    r"cong van|van ban|phap lenh|quy che|quy dinh|chuc nang|thong bao|ke hoach|to trinh|bao cao|"
    r"y kien|dieu \d)|xet (to trinh|de nghi|bao cao|ket qua|y kien)|theo de nghi cua|"
    r"thuc hien su phan cong)\b"
)
_SALUTATION = re.compile(r"^kinh gui\b")
_DISTRIBUTION = re.compile(r"^noi nhan\b")
_SIGNATURE = re.compile(
    r"^(tm|kt|tl|tuq|q)\s*\.\s*\S|^(pho )?(chu tich|truong ban|truong phong|chanh van phong|"
    r"giam doc|thu truong|pho truong ban)$|^\((da )?ky\b|^\(ky\b|^(nguoi ky|thu ky)$"
)
_PAGE_FURNITURE = re.compile(r"^(trang\s*\d+(\s*/\s*\d+)?|-\s*\d+\s*-|\d{1,4})$")
# Closing formulas, and the sentence that only announces what follows ("… như sau:").
_CLOSING = re.compile(
    r"kinh trinh\b|kinh bao cao\b|xem xet,? quyet dinh\W*$|^tren day la\b|^tran trong\b|"
    r"/\.\s*$|nhu sau\s*:\s*$"
)
# The first numbered part ends the header ("I. TÌNH HÌNH KINH TẾ", "1. Thu ngân sách").
_SECTION = re.compile(r"^\s*(?:[IVXLC]+|\d{1,2})[.)]\s")
# Content after a signature block: an appendix starts over.
_APPENDIX = re.compile(r"^phu luc\b")

_FIGURE = re.compile(
    r"\d[\d.,]*\s*(%|phần trăm|tỷ|triệu|nghìn|ngàn|đồng|ha\b|km\b|m2|m²|người|hộ|trường|"
    r"công trình|dự án|lượt)",
    re.IGNORECASE,
)
_MONEY = re.compile(r"\d[\d.,]*\s*(nghìn tỷ|tỷ|triệu|nghìn|ngàn)?\s*đồng", re.IGNORECASE)
_PERCENT = re.compile(r"\d[\d,]*\s*%")
_DATE = re.compile(
    r"\bngày\s+\d{1,2}(\s*/\s*\d{1,2}(\s*/\s*\d{2,4})?|\s+tháng\s+\d{1,2})|"
    r"\b(quý\s+[IV]+|tháng\s+\d{1,2})\s*(/|năm)\s*\d{4}",
    re.IGNORECASE,
)
_DEADLINE = re.compile(
    r"\b(trước ngày|chậm nhất|hạn chót|đến hết|trong thời hạn|hoàn thành (trong|trước|vào))\b",
    re.IGNORECASE,
)


def _key(line: str) -> str:
    return " ".join(fold(line).replace("–", "-").replace("—", "-").split())


def is_motto_or_number(line: str) -> bool:
    """The national motto, the document number or the place and date line."""
    key = _key(line)
    return bool(_MOTTO.search(key) or _NUMBER.match(key) or _PLACE_DATE.match(key))


def is_caps(line: str) -> bool:
    """A line written in capitals (an issuing body, a document type, a heading)."""
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def opens_header(lines: list[str]) -> bool:
    """Whether a page starts with a document's header: the motto, a number or a date among its
    first lines, or a document type in capitals followed by its subject ("TỜ TRÌNH" / "Về …")."""
    if any(is_motto_or_number(line) for line in lines[:10]):
        return True
    if any(is_caps(line) and _DOC_TYPE.match(_key(line)) for line in lines[:3]):
        return True  # "BÁO CÁO THẨM TRA" on top, the document's type
    return any(
        is_caps(line) and _DOC_TYPE.match(_key(line)) and _SUBJECT.match(_key(after))
        for line, after in zip(lines[:6], lines[1:7], strict=False)
    )


def _header_like(line: str, previous: str) -> bool:
    key = _key(line)
    return bool(
        is_motto_or_number(line)
        or is_caps(line)
        or _DRAFT.match(key)
        or _SUBJECT.match(key)
        # The subject line wrapped onto a second line.
        or (_SUBJECT.match(_key(previous)) and not _ends(previous))
    )


def header_length(lines: list[str]) -> int:
    """How many of ``lines`` (a page's first non-blank lines) form its header: issuing body,
    motto, number, place and date, draft mark, document type, and the subject under it. It
    ends at the first sentence, numbered part, legal basis or salutation."""
    if not opens_header(lines):
        return 0
    end = 0
    for i, line in enumerate(lines[:16]):
        key = _key(line)
        if (
            _BASIS.match(key)
            or _SALUTATION.match(key)
            or _SECTION.match(line)
            or (_ends(line) and not is_motto_or_number(line))
        ):
            break
        if _header_like(line, lines[i - 1] if i else ""):
            end = i + 1
    return end


def _ends(line: str) -> bool:
    return bool(re.search(r"[.!?;:]['\"”’)\]]*\s*$", line))


def is_legal_basis(text: str) -> bool:
    """A legal basis ("Căn cứ Luật …;", "Xét Tờ trình số …") or a salutation ("Kính gửi: …")."""
    key = _key(text.lstrip("-–•* "))
    return bool(_BASIS.match(key) or _SALUTATION.match(key))


def starts_salutation(line: str) -> bool:
    """ "Kính gửi:", after which "- Thường trực …" lines are addressees."""
    return bool(_SALUTATION.match(_key(line)))


def starts_distribution(line: str) -> bool:
    """ "Nơi nhận:": the distribution list and the signature block follow, to the page's end."""
    return bool(_DISTRIBUTION.match(_key(line)))


def starts_appendix(line: str) -> bool:
    """ "PHỤ LỤC …": content again after a signature block."""
    return bool(_APPENDIX.match(_key(line)))


def is_signature(line: str) -> bool:
    """A line of a signature block ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "(Đã ký)")."""
    return bool(_SIGNATURE.search(_key(line)))


def is_page_furniture(line: str) -> bool:
    """A page number or running footer ("Trang 3/12", "- 3 -")."""
    return bool(_PAGE_FURNITURE.match(_key(line)))


def is_closing(sentence: str) -> bool:
    """A closing formula: "… kính trình Hội đồng nhân dân xem xét, quyết định./.", "Trên đây
    là báo cáo …", "Trân trọng./."."""
    key = _key(sentence)
    if not _CLOSING.search(key):
        return False
    # "Nghị quyết này có hiệu lực từ ngày 01/01/2027./." ends like a formula but says when.
    return not (key.endswith("/.") and has_date(sentence) and "kinh trinh" not in key)


def is_boilerplate(sentence: str) -> bool:
    """A sentence that carries no content wherever it stands."""
    line = sentence.strip()
    return (
        is_legal_basis(line)
        or is_closing(line)
        or is_motto_or_number(line)
        or starts_distribution(line)
        or is_signature(line)
        or is_page_furniture(line)
    )


def has_date(text: str) -> bool:
    """A date or a deadline ("ngày 31/12/2026", "quý II/2027", "trước ngày 15 tháng 7")."""
    return bool(_DATE.search(text) or _DEADLINE.search(text))


def figure_weight(sentence: str) -> float:
    """How much a sentence's figures count: sums of money, percentages, dates and deadlines,
    counts of things; 0 for a sentence without any."""
    weight = 0.0
    if _MONEY.search(sentence):
        weight += 1.0
    if _PERCENT.search(sentence):
        weight += 0.6
    if has_date(sentence):
        weight += 0.5
    if not weight and _FIGURE.search(sentence):
        weight += 0.4
    return min(weight, 1.6)
