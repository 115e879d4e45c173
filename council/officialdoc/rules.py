"""The layout rules of Nghị định 30/2020/NĐ-CP, Phụ lục I, as numbers both renderers read.

Sizes in points, lengths in millimetres. Where the decree gives a range, the value chosen is noted.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_WIDTH_MM = 210.0  # A4
PAGE_HEIGHT_MM = 297.0


@dataclass(frozen=True)
class Margins:
    top: float
    bottom: float
    left: float
    right: float


# Decree ranges: top 20-25, bottom 20-25, left 30-35, right 15-20.
MARGINS = Margins(top=20.0, bottom=20.0, left=30.0, right=15.0)
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS.left - MARGINS.right  # 165
# The two-column header: the issuing body on the left, the national name and motto on the right.
HEADER_LEFT_MM = 65.0
HEADER_RIGHT_MM = TEXT_WIDTH_MM - HEADER_LEFT_MM

# The font: Times New Roman by name in DOCX, Liberation Serif (same metrics) embedded in PDF.
FONT_NAME = "Times New Roman"

ISSUER_PT = 13.0  # tên cơ quan ban hành: 12-13, upper case, bold
NATIONAL_PT = 12.0  # quốc hiệu: 12-13, upper case, bold
MOTTO_PT = 13.0  # tiêu ngữ: 13-14, bold, underlined by a rule as long as itself
NUMBER_PT = 13.0  # số, ký hiệu: 13, upright
DATE_PT = 13.0  # địa danh, thời gian: 13-14, italic
KIND_PT = 14.0  # tên loại văn bản: 13-14, upper case, bold
SUMMARY_PT = 14.0  # trích yếu: 13-14, bold
BODY_PT = 13.0  # nội dung: 13-14
TABLE_PT = 12.0
SIGNER_PT = 13.0  # chức vụ, họ tên người ký: 13-14, bold
SIGN_NOTE_PT = 12.0
RECIPIENTS_TITLE_PT = 12.0  # "Nơi nhận:": 12, bold italic
RECIPIENTS_PT = 11.0  # each recipient: 11
PAGE_NUMBER_PT = 13.0  # 13-14, centred in the top margin, not on the first page

FIRST_LINE_INDENT_MM = 10.0  # 1-1.27 cm
BULLET_TEXT_INDENT_MM = 15.0  # a bullet's text, wrapped lines included; its marker sits at 10 mm
PARAGRAPH_AFTER_PT = 6.0  # at least 6 pt between paragraphs
LINE_SPACING = 1.15  # single to 1.5 lines
SIGNATURE_SPACE_MM = 25.0  # room for the handwritten signature (and seal)

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SIGN_NOTE = "(Ký, ghi rõ họ tên)"
