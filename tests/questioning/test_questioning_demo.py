"""The demo: a past questioning in the city with commitments in every state, forms in Ba Đình."""

from __future__ import annotations

import time

from council.demo import load_core
from council.models import User
from meetings.models import AgendaItem, Session
from meetings.services.minutes import minutes_record
from questioning import demo
from questioning.models import Commitment, GroupConclusion, QuestionForm, QuestionTurn
from questioning.services.commitments import state_of


async def test_demo_questioning_every_state_and_safe_twice(settings, anon) -> None:
    await load_core()
    from meetings import demo as meetings_demo

    await meetings_demo.load(settings)
    started = time.perf_counter()
    await demo.load(settings)
    took = time.perf_counter() - started
    assert took < 5, f"the questioning demo took {took:.1f}s"
    states = {state_of(c) for c in await Commitment.all()}
    assert states == {"done_on_time", "done_late", "in_progress", "overdue"}
    coming = await QuestionForm.filter(council__code="HN-BADINH", state="filed").count()
    assert coming == 4
    await demo.load(settings)
    assert await Commitment.all().count() == 4
    page = await anon.get("/questioning/tracker/HN")
    assert page.status_code == 200 and "Sở Xây dựng Hà Nội" in page.text

    # The past sitting is closed, every form was asked and answered, each group concluded, and
    # its minutes hold the record; the coming one in Ba Đình has its questioning item ready.
    past = await Session.get(title=demo.PAST_TITLE)
    assert past.status == "closed"
    asked = {t.form_id for t in await QuestionTurn.filter(session_id=past.id, phase="answering")}
    assert asked == set(
        await QuestionForm.filter(round__session_id=past.id).values_list("id", flat=True)
    )
    assert await GroupConclusion.all().count() == 2
    record = await minutes_record(past)
    (item,) = [i for i in record.items if i.title == demo.QUESTIONING_ITEM]
    text = "\n".join(t for _style, t in item.sections)
    assert "Kết luận của chủ tọa về nhóm vấn đề" in text and "Tranh luận:" in text
    coming = await Session.get(title=demo.COMING_TITLE)
    assert await AgendaItem.exists(session_id=coming.id, kind="questioning")
    official = await User.get(username="cb.ub-badinh")
    assert (
        official.title and await QuestionForm.filter(official_name=official.full_name).count() == 4
    )
