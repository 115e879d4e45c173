"""The pages of question forms: a delegate files through the page, the chair's side groups."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser

import questioning.routes  # noqa: F401 - registers the questioning targets of the audit log
from council.audit_log import target_of
from council.models import AuditEntry
from questioning.models import QuestionForm
from tests.factories import login
from tests.questioning.helpers import file_question, setup_world


def _soup(r) -> HTMLParser:
    return HTMLParser(r.text)


async def test_a_delegate_files_a_form_through_the_page(client) -> None:
    w = await setup_world()
    await login(client, w.delegate)
    page = await client.get(f"/questioning/sessions/{w.session_id}")
    assert page.status_code == 200
    assert _soup(page).css_first("#file form") is not None
    r = await client.post(
        f"/questioning/sessions/{w.session_id}/forms",
        data={
            "agency_code": "SO-XD-Q",
            "official_name": "Nguyễn Văn Giám",
            "official_title": "Giám đốc Sở Xây dựng",
            "field": "Giao thông",
            "text": "Đề nghị cho biết tiến độ sửa chữa đường Hoàng Hoa Thám.",
            "petition_codes": "",
        },
    )
    assert r.status_code == 303
    form = await QuestionForm.get(asker_id=w.delegate.id)
    listing = _soup(await client.get(f"/questioning/sessions/{w.session_id}"))
    assert listing.css_first(f"#form-{form.id}") is not None


async def test_a_refused_filing_shows_the_reason_in_the_page(client) -> None:
    w = await setup_world()
    await login(client, w.delegate)
    r = await client.post(
        f"/questioning/sessions/{w.session_id}/forms",
        data={
            "agency_code": "SO-XD-O",
            "official_name": "A",
            "official_title": "B",
            "field": "C",
            "text": "Một câu hỏi đủ dài để gửi.",
        },
    )
    assert r.status_code == 422
    assert _soup(r).css_first("#form-errors") is not None


async def test_the_chair_groups_forms_through_the_page(client) -> None:
    w = await setup_world()
    a = (await file_question(client, w))["id"]
    b = (await file_question(client, w, user=w.delegate2))["id"]
    await login(client, w.chair)
    r = await client.post(
        f"/questioning/sessions/{w.session_id}/groups",
        data={"title": "Giao thông đô thị", "criterion": "pressing"},
    )
    assert r.status_code == 303
    page = _soup(await client.get(f"/questioning/sessions/{w.session_id}"))
    option = page.css(f"select[name=group_of_{a}] option")[1]
    gid = option.attributes["value"]
    r = await client.post(
        f"/questioning/sessions/{w.session_id}/move",
        data={f"group_of_{a}": gid, f"group_of_{b}": "", "chosen": gid},
    )
    assert r.status_code == 303
    assert (await QuestionForm.get(id=a)).group_id == int(gid)
    assert (await QuestionForm.get(id=b)).group_id is None
    page = _soup(await client.get(f"/questioning/sessions/{w.session_id}"))
    assert page.css_first(f"#group-{gid} input[name=chosen]").attributes.get("checked", "x") is None


def test_the_audit_log_names_and_links_question_forms_and_commitments() -> None:
    form = AuditEntry(target_type="question_form", target_id="3")
    assert target_of(form) == ("phiếu chất vấn 3", "/questioning/forms/3")
    commitment = AuditEntry(target_type="commitment", target_id="7")
    assert target_of(commitment) == ("lời hứa 7", "/questioning/commitments/7")
