"""The demo: a past questioning in the city with commitments in every state, forms in Ba Đình."""

from __future__ import annotations

import time

from council.demo import load_core
from questioning import demo
from questioning.models import Commitment, QuestionForm
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
