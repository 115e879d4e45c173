"""Rows as the API shows them."""

from __future__ import annotations

from council.models import Agency, Council, User
from questioning.models import Commitment, QuestionForm, QuestionGroup, Round
from questioning.schemas import (
    QCommitmentOut,
    QFormOut,
    QGroupOut,
    QMilestoneOut,
    QReportOut,
    QRoundOut,
)
from questioning.services.answers import answer_overdue
from questioning.services.commitments import state_of


async def form_out(f: QuestionForm) -> QFormOut:
    council = await Council.get(id=f.council_id)
    agency = await Agency.get(id=f.agency_id)
    asker = await User.get(id=f.asker_id)
    rnd = await Round.get(id=f.round_id)
    return QFormOut(
        id=f.id,
        session_id=rnd.session_id,
        council_code=council.code,
        asker=asker.full_name or asker.username,
        agency_code=agency.code,
        agency_name=agency.name,
        official_name=f.official_name,
        official_title=f.official_title,
        field=f.field,
        text=f.text,
        petition_codes=list(f.petition_codes),
        written_only=f.written_only,
        state=f.state,
        group_id=f.group_id,
        answer_due_at=f.answer_due_at,
        answer_overdue=answer_overdue(f),
        answer_text=f.answer_text,
        answered_at=f.answered_at,
        has_letter=bool(f.letter_path),
        verdict=f.verdict,
    )


async def round_out(session_id: int, rnd: Round | None) -> QRoundOut:
    groups: list[QGroupOut] = []
    if rnd is not None and rnd.id is not None:
        for g in await QuestionGroup.filter(round_id=rnd.id):
            ids = await QuestionForm.filter(group_id=g.id, state="filed").values_list(
                "id", flat=True
            )
            groups.append(
                QGroupOut(
                    id=g.id,
                    title=g.title,
                    criterion=g.criterion,
                    machine_made=g.machine_made,
                    chosen=g.chosen,
                    form_ids=sorted(int(i) for i in ids),  # type: ignore[call-overload]
                )
            )
    return QRoundOut(
        session_id=session_id,
        groups_fixed=bool(rnd and rnd.groups_fixed_at),
        held=bool(rnd and rnd.held_at),
        groups=groups,
    )


def commitment_out(c: Commitment, council: Council) -> QCommitmentOut:
    """``c`` with its agency, milestones and reports prefetched."""
    agency: Agency = c.agency  # type: ignore[assignment]
    return QCommitmentOut(
        id=c.id,
        council_code=council.code,
        session_id=c.session_id,
        agency_code=agency.code,
        agency_name=agency.name,
        official_name=c.official_name,
        official_title=c.official_title,
        measure=c.measure,
        deadline=c.deadline,
        percent=c.percent,
        done_on=c.done_on,
        state=state_of(c),
        milestones=[
            QMilestoneOut(id=m.id, title=m.title, due_on=m.due_on, done_on=m.done_on)
            for m in sorted(c.milestones, key=lambda m: (m.due_on, m.id))  # type: ignore[attr-defined]
        ],
        history=[
            QReportOut(
                id=r.id,
                percent=r.percent,
                note=r.note,
                reported_on=r.reported_on,
                evidence_url=f"/questioning/evidence/{r.id}" if r.evidence_path else None,
            )
            for r in sorted(c.reports, key=lambda r: r.id)  # type: ignore[attr-defined]
        ],
    )
