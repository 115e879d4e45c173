"""commitment.create, commitment.report (with milestones done), and the public tracker's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starlette.datastructures import UploadFile
from tortoise.transactions import in_transaction

from council import audit, storage, uploads
from council.errors import Forbidden, Invalid, NotFound
from council.i18n import N_
from council.localtime import local_date
from council.models import Agency, User
from questioning import links, tracker
from questioning.models import Commitment, Milestone, ProgressReport, QuestionForm
from questioning.services.common import is_staff, notify, now, require_staff, staff_ids

EVIDENCE_MAX_BYTES = 20 << 20
EVIDENCE_TYPES = frozenset({uploads.PDF, *uploads.IMAGES})


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    due_on: date


async def commitment_get(commitment_id: int) -> Commitment:
    found = await Commitment.get_or_none(id=commitment_id)
    if found is None:
        raise NotFound(N_("No such commitment."))
    return found


async def commitment_create(
    actor: User,
    session_id: int,
    *,
    agency_code: str,
    official_name: str,
    official_title: str,
    measure: str,
    deadline: date,
    form_id: int | None = None,
    milestones: list[MilestoneInput] | None = None,
) -> Commitment:
    """commitment.create: a commitment from the questioning sitting or its resolution."""
    council_id, *_ = await links.sitting(session_id)
    require_staff(actor, council_id)
    agency = await Agency.get_or_none(code=agency_code[:32])
    if agency is None or agency.council_id != council_id:
        raise Invalid(fields={"agency_code": str(N_("Choose an agency of this council's list."))})
    if form_id is not None:
        form = await QuestionForm.get_or_none(id=form_id, council_id=council_id)
        if form is None:
            raise Invalid(fields={"form_id": str(N_("No such question form in this council."))})
    for m in milestones or []:
        if m.due_on > deadline:
            raise Invalid(
                fields={"milestones": str(N_("A milestone cannot fall after the deadline."))}
            )
    async with in_transaction():
        c = await Commitment.create(
            council_id=council_id,
            session_id=session_id,
            agency_id=agency.id,
            official_name=official_name,
            official_title=official_title,
            form_id=form_id,
            measure=measure,
            deadline=deadline,
            created_by_id=actor.id,
        )
        for m in milestones or []:
            await Milestone.create(commitment_id=c.id, title=m.title, due_on=m.due_on)
        await audit.record(
            "commitment.create",
            actor=actor,
            target_type="commitment",
            target_id=c.id,
            council_id=council_id,
            details={"agency": agency.code, "deadline": deadline.isoformat()},
        )
    return c


def may_report(user: User | None, c: Commitment) -> bool:
    if user is None:
        return False
    if user.role == "agency":
        return user.agency_id == c.agency_id
    return is_staff(user, c.council_id)


async def commitment_report(
    actor: User,
    commitment_id: int,
    *,
    percent: int,
    note: str,
    milestones_done: list[int] | None = None,
    evidence: UploadFile | None = None,
    today: date | None = None,
) -> ProgressReport:
    """commitment.report: the owner reports progress; 100% marks the commitment done today. The
    askers and the secretariat are told."""
    c = await commitment_get(commitment_id)
    if not may_report(actor, c):
        raise Forbidden(N_("Only the agency that made the commitment may report on it."))
    if not 0 <= percent <= 100:
        raise Invalid(fields={"percent": str(N_("A percentage from 0 to 100."))})
    if c.done_on is not None:
        raise Invalid(fields={"percent": str(N_("This commitment is already done."))})
    day = today or local_date(now())
    own = {m.id: m for m in await Milestone.filter(commitment_id=c.id)}
    wanted = set(milestones_done or [])
    if wanted - set(own):
        raise Invalid(fields={"milestones_done": str(N_("No such milestone of this commitment."))})
    stored = None
    if evidence is not None and evidence.filename:
        stored = await uploads.store_upload(
            evidence, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES
        )
    try:
        async with in_transaction():
            report = await ProgressReport.create(
                commitment_id=c.id,
                percent=percent,
                note=note,
                reported_on=day,
                evidence_path=stored.path if stored else None,
                evidence_name=stored.original_name if stored else "",
                evidence_mime=stored.mime if stored else "",
                reported_by_id=actor.id,
            )
            for mid in wanted:
                if own[mid].done_on is None:
                    own[mid].done_on = day
                    await own[mid].save(update_fields=["done_on"])
            c.percent = percent
            if percent == 100:
                c.done_on = day
            await c.save(update_fields=["percent", "done_on"])
            await audit.record(
                "commitment.report",
                actor=actor,
                target_type="commitment",
                target_id=c.id,
                council_id=c.council_id,
                details={"percent": percent, "milestones_done": sorted(wanted)},
            )
            await notify(
                await askers(c) | await staff_ids(c.council_id),
                str(N_("Progress reported on a commitment: {percent}%")).format(percent=percent),
                f"/questioning/commitments/{c.id}",
            )
    except BaseException:
        if stored is not None:
            await storage.discard([stored])
        raise
    return report


async def askers(c: Commitment) -> set[int]:
    """The delegates who asked the question the commitment answers (carried ones included)."""
    if c.form_id is None:
        return set()
    ids = {c.form_id}
    form = await QuestionForm.get_or_none(id=c.form_id)
    found: set[int] = set()
    if form is not None:
        found.add(form.asker_id)
        if form.carried_from_id:
            ids.add(form.carried_from_id)
    rows = await QuestionForm.filter(id__in=list(ids)).values_list("asker_id", flat=True)
    return found | set(rows)  # type: ignore[arg-type]


def state_of(c: Commitment, today: date | None = None) -> tracker.State:
    return tracker.state(c.deadline, c.done_on, today or local_date(now()))


async def commitments_of(council_id: int) -> list[Commitment]:
    return list(
        await Commitment.filter(council_id=council_id)
        .prefetch_related("agency", "milestones", "reports")
        .order_by("agency_id", "deadline", "id")
    )
