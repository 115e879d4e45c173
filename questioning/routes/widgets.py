"""The dashboard's questioning panel: written answers past their deadline and overdue commitments,
for the council's chair side, and for an agency's officials their own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from council.dashboard import Widget, register_widget
from council.localtime import local_date
from questioning.models import Commitment, QuestionForm


async def overdue_widget(ctx: Any) -> list[Widget]:
    user = ctx.user
    if user is None:
        return []
    now = datetime.now(UTC)
    tasks = False
    forms = QuestionForm.filter(
        state="filed", answered_at=None, answer_due_at__not_isnull=True, answer_due_at__lt=now
    )
    commitments = Commitment.filter(done_on=None, deadline__lt=local_date(now))
    if user.role == "agency" and user.agency_id:
        # An agency's officials see all their open work, the late items first: a written
        # question waiting for its answer, a commitment waiting for its progress reports.
        forms = QuestionForm.filter(
            state="filed", answered_at=None, answer_due_at__not_isnull=True
        ).filter(agency_id=user.agency_id)
        commitments = Commitment.filter(done_on=None, agency_id=user.agency_id)
        tasks = True
    elif user.role in ("secretariat", "chair") and user.council_id:
        forms = forms.filter(council_id=user.council_id)
        commitments = commitments.filter(council_id=user.council_id)
    elif user.role != "admin":
        return []
    late_forms = await forms.order_by("answer_due_at").limit(10)
    late_commitments = await commitments.order_by("deadline").limit(10)
    if not late_forms and not late_commitments:
        return []
    return [
        Widget(
            "questioning/_dashboard.html",
            {
                "forms": late_forms,
                "commitments": late_commitments,
                "tasks": tasks,
                "now": now,
                "today": local_date(now),
            },
            order=15,
        )
    ]


register_widget(overdue_widget)
