"""The activity record's questions asked and their answers (kept by questioning, read through
council.activity) and the petitions raised at the delegate's voter-contact meetings with their
outcome; each links to its public source record."""

from __future__ import annotations

from datetime import UTC, datetime

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from elections.contacts import today
from petitions.models import Petition
from questioning.models import QuestionForm, QuestionGroup, QuestionTurn, Round
from tests.elections.test_contacts import _seated_ward
from tests.factories import bearer, make_agency
from tests.questioning.helpers import coming_sitting, form_body


async def test_questions_and_petitions_in_the_activity_record(client, anon) -> None:
    ward, h, staff, (delegate,) = await _seated_ward(client, "HN-AQ")
    await make_agency(ward, "UB-AQ")
    sid = await coming_sitting(staff, ward)
    asked = []
    for text in ("Đề nghị cho biết tiến độ cải tạo chợ Hàng Da đã chậm hai năm.",
                 "Đề nghị làm rõ việc cấp phép xây dựng nhà ở riêng lẻ trên phố Hàng Bông.",
                 "Đề nghị giải thích vì sao đèn chiếu sáng ngõ 12 chưa được sửa chữa."):  # fmt: skip
        r = await client.post(
            f"/api/v1/questioning/sessions/{sid}/forms",
            headers=await bearer(delegate),
            json=form_body("UB-AQ", text=text, official_title="Chủ tịch UBND phường"),
        )
        assert r.status_code == 201, r.text
        asked.append(r.json()["id"])
    # The sitting's questioning is held: two forms were in the chosen group, the third was not.
    rnd = await Round.get(session_id=sid)
    chosen = await QuestionGroup.create(
        round=rnd, title="Đô thị", criterion="pressing", chosen=True
    )
    await QuestionForm.filter(id__in=asked[:2]).update(group_id=chosen.id)
    rnd.held_at = datetime.now(UTC)
    await rnd.save()
    await QuestionTurn.create(
        session_id=sid, form_id=asked[0], phase="answering", speaker="Chủ tịch UBND phường",
        limit_seconds=300, started_at=datetime.now(UTC),
    )  # fmt: skip
    await QuestionForm.filter(id=asked[1]).update(
        answer_text="UBND phường đã cấp 12 giấy phép đúng quy định.",
        answered_at=datetime.now(UTC),
        verdict="unsatisfactory",
    )

    # A voter-contact meeting with two petitions raised, one of them answered and published.
    r = await client.post(
        "/api/v1/petitions/meetings",
        headers=h,
        json={"council_code": ward.code, "held_on": today().isoformat(), "place": "Nhà văn hóa",
              "delegates": delegate.full_name, "attendees": 60},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    meeting_id = r.json()["id"]
    r = await client.post(
        f"/api/v1/petitions/meetings/{meeting_id}/petitions",
        headers=h,
        json={"petitions": [
            {"category": "transport", "title": "Sửa mặt đường ngõ 5", "body": "Mặt đường ngõ 5 hư hỏng nặng.",
             "name": "Nguyễn Văn Cử", "phone": "0912345678"},
            {"category": "environment", "title": "Thu gom rác tổ 7", "body": "Rác tồn đọng nhiều ngày ở tổ 7."},
        ]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    first, second = (i["code"] for i in r.json()["items"])
    await Petition.filter(code=first).update(
        status="published", answer="Đã sửa xong.", published_at=datetime.now(UTC)
    )
    r = await client.post(
        f"/api/v1/councils/{ward.code}/contact-meetings/link",
        headers=h,
        json={"voter_meeting_id": meeting_id, "constituency": 1, "delegate_ids": [delegate.id]},
    )
    assert r.status_code == 201, r.text

    a = (await anon.get(f"/api/v1/delegates/{delegate.id}/activity")).json()
    assert [(q["outcome"], q["verdict"], q["source"]) for q in a["questions"]] == [
        ("answered_live", "", f"/questioning/forms/{asked[0]}"),
        ("answered_written", "unsatisfactory", f"/questioning/forms/{asked[1]}"),
    ]  # the third form was never in a chosen group: not public, not listed
    assert a["questions"][1]["answer"] == "UBND phường đã cấp 12 giấy phép đúng quy định."
    for q in a["questions"]:
        assert (await anon.get(q["source"])).status_code == 200  # the source is public
    (held,) = a["contact_meetings"]
    assert held["petitions"] == 2
    assert [(p["code"], p["outcome"], p["title"], p["source"]) for p in held["raised"]] == [
        (first, "answered", "Sửa mặt đường ngõ 5", f"/petitions/p/{first}"),
        (second, "in_progress", "", ""),
    ]
    assert (await anon.get(f"/petitions/p/{first}")).status_code == 200
    assert "Nguyễn Văn Cử" not in str(a) and "0912345678" not in str(a)

    page = HTMLParser((await anon.get(f"/delegates/{delegate.id}")).text)
    links = [n.attributes["href"] for n in page.css("#questions li a")]
    assert links == [f"/questioning/forms/{asked[0]}", f"/questioning/forms/{asked[1]}"]
    assert page.css_first("#questions li.question-answered_written") is not None
    raised = page.css("#contact-meetings ul.raised li")
    assert [li.attributes["class"] for li in raised] == [
        "petition-answered",
        "petition-others",
    ]
    assert "1" in raised[1].text()  # one being resolved, named by no title
    assert raised[0].css_first("a").attributes["href"] == f"/petitions/p/{first}"
    assert "Nguyễn Văn Cử" not in page.body.text()

    # "Your delegates": the published answer under the meeting's constituency.
    page = HTMLParser((await anon.get(f"/delegates?council={ward.code}")).text)
    answers = page.css(f"#council-{ward.code} ul.petition-answers li a")
    assert [a.attributes["href"] for a in answers] == [f"/petitions/p/{first}"]
