"""Answers and summaries laid out to read: points citing pages by title, escaped HTML, the label."""

from __future__ import annotations

import lxml.html

from assistant.layout import layout, points_out, reference, short_title
from council.i18n import gettext
from council.templating import environment

TITLES = {
    12: "Tờ trình dự toán ngân sách 2027",
    7: "Báo cáo thẩm tra của Ban Kinh tế - Xã hội về dự toán thu, chi ngân sách địa phương năm 2027",
}


def test_short_titles_end_with_an_ellipsis_at_a_word_boundary() -> None:
    assert short_title(TITLES[12]) == "Tờ trình dự toán ngân sách 2027"
    cut = short_title(TITLES[7])
    assert cut.endswith("…") and len(cut) <= 48
    assert TITLES[7].startswith(cut[:-1]) and TITLES[7][len(cut) - 1] == " "
    assert reference(TITLES[12], 3) == "Tờ trình dự toán ngân sách 2027, tr. 3"


def test_tags_become_references_by_title_and_only_for_pages_sent() -> None:
    text = (
        "Các câu liên quan nhất trong tài liệu:\n"
        "- Tổng thu là **52.300 tỷ đồng**. [TL 12, tr. 3]\n"
        "- Ban đề nghị giảm chi thường xuyên. [TL 7, tr. 2; TL 12, tr. 4]\n"
        "- Một ý bịa. [TL 99, tr. 1]"
    )
    points = layout(text, titles=TITLES, valid={(12, 3), (7, 2)})
    assert [p.kind for p in points] == ["paragraph", "item", "item", "item"]
    assert points[1].text == "Tổng thu là 52.300 tỷ đồng."
    assert [(r.document_id, r.page) for r in points[1].refs] == [(12, 3)]
    # (12, 4) was not given to the model: no reference to it, whatever the tag says.
    assert [(r.document_id, r.page) for r in points[2].refs] == [(7, 2)]
    assert points[3].refs == [] and "TL" not in points[3].text
    out = points_out(points)[1]["citations"][0]
    assert out == {
        "document_id": 12,
        "page": 3,
        "title": TITLES[12],
        "reference": "Tờ trình dự toán ngân sách 2027, tr. 3",
        "url": "/meetings/documents/12#page=3",
    }


def test_summary_headings_and_numbered_points() -> None:
    text = "## I. DỰ TOÁN THU\n- Thu nội địa 48.100 tỷ đồng. [tr. 2]\n1. Điểm thứ nhất. [tr. 3]"
    points = layout(text, titles={5: "Tờ trình"}, valid={(5, 2), (5, 3)}, default_document=5)
    assert [(p.kind, p.text) for p in points] == [
        ("heading", "I. DỰ TOÁN THU"),
        ("item", "Thu nội địa 48.100 tỷ đồng."),
        ("item", "Điểm thứ nhất."),
    ]
    assert [r.page for r in points[2].refs] == [3]


def _render(points: list[dict[str, object]]) -> lxml.html.HtmlElement:
    template = environment().from_string(
        '{% import "assistant/_macros.html" as a with context %}'
        "{{ a.machine_label(out) }}{{ a.points(points) }}"
    )
    html = template.render(
        points=points,
        out={"provider": "openai", "model": "qwen"},
        _=lambda message: gettext(message, "vi"),
    )
    return lxml.html.fromstring(f"<div>{html}</div>")


def test_points_render_as_escaped_lists_with_the_page_beside_each() -> None:
    text = "Trả lời:\n- <img src=x onerror=alert(1)> tăng 8,5%. [TL 12, tr. 3]\n- Ý hai. [TL 12, tr. 4]"
    points = points_out(layout(text, titles=TITLES, valid={(12, 3), (12, 4)}))
    root = _render(points)
    assert not root.xpath("//img")  # the model's text is escaped, never markup
    (para,) = root.xpath("//div[@class='assistant-text']/p")
    assert para.text == "Trả lời:"
    items = root.xpath("//ul[@class='points']/li")
    assert items[0].text.startswith("<img src=x")
    assert [a.get("href") for a in root.xpath("//li/a[@class='cite']")] == [
        "/meetings/documents/12#page=3",
        "/meetings/documents/12#page=4",
    ]
    assert items[1].xpath("./a")[0].text == "Tờ trình dự toán ngân sách 2027, tr. 4"


def test_machine_label_is_text_with_an_inline_svg_icon() -> None:
    root = _render([])
    (label,) = root.xpath("//p[@data-machine-written='true']")
    (icon,) = label.xpath("./svg")
    assert icon.get("aria-hidden") == "true" and icon.xpath(".//path")
    assert "Do máy tạo — kiểm tra trước khi sử dụng" in label.text_content()
    assert "openai · qwen" in label.text_content()
    assert "🤖" not in label.text_content()
