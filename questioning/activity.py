"""The questions a delegate asked and their answers, for their public activity record
(``council.activity``): only the forms the public may see (``is_public_form``: in a group chosen
for the sitting, once it was held, never withdrawn), each linked to its public page."""

from __future__ import annotations

from datetime import date

from council.activity import Entry
from council.localtime import local_date
from questioning.models import QuestionForm, QuestionGroup, QuestionTurn, Round
from questioning.services.common import is_public_form


async def questions_of(user_id: int, since: date | None, until: date | None) -> list[Entry]:
    """The delegate's public questions asked between two days (the sitting's day), oldest first."""
    forms = await QuestionForm.filter(asker_id=user_id, state="filed").order_by("id")
    out: list[Entry] = []
    for form in forms:
        rnd = await Round.get(id=form.round_id)
        chosen = form.group_id is not None and await QuestionGroup.exists(
            id=form.group_id, chosen=True
        )
        if rnd.held_at is None or not is_public_form(form, rnd, chosen):
            continue
        day = local_date(rnd.held_at)
        if (since and day < since) or (until and day > until):
            continue
        answered_live = await QuestionTurn.exists(form_id=form.id, phase="answering")
        if form.answer_text:
            outcome = "answered_written"
        elif answered_live:
            outcome = "answered_live"
        else:
            outcome = "awaiting"
        out.append(
            Entry(
                kind="question",
                day=day,
                title=f"{form.official_title} {form.official_name}".strip(),
                text=form.text,
                outcome=outcome,
                answer=form.answer_text or "",
                verdict=form.verdict or "",
                source=f"/questioning/forms/{form.id}",
            )
        )
    return out
