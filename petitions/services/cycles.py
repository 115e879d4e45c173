"""Session cycles: every petition belongs to the cycle before or after session N of a council,
and what is still unresolved when a cycle closes carries over to the next one."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Forbidden, Invalid
from council.i18n import N_, LazyString
from council.models import Council, User
from meetings.services import agenda_for
from petitions.models import Cycle, CycleEntry, Petition, PetitionEvent

UNRESOLVED_EXCLUDED = ("rejected", "merged", "diverted")


def cycle_label(cycle: Cycle, lang: str | None = None) -> str:
    """ "Trước kỳ họp thứ 5" / "Before session 5"."""
    msg: LazyString = (
        N_("Before session {n}") if cycle.phase == "before" else N_("After session {n}")
    )
    return msg.format(n=cycle.session_number).render(lang)


async def current_cycle(council_id: int) -> Cycle:
    """The council's open cycle; the first one ("before session 1") is opened on first use."""
    cycle = (
        await Cycle.filter(council_id=council_id, closed_at__isnull=True).order_by("-id").first()
    )
    if cycle is None:
        latest = await Cycle.filter(council_id=council_id).order_by("-id").first()
        number, phase = _next(latest.session_number, latest.phase) if latest else (1, "before")
        cycle, _ = await Cycle.get_or_create(
            council_id=council_id, session_number=number, phase=phase
        )
    return cycle


def _next(number: int, phase: str) -> tuple[int, str]:
    return (number, "after") if phase == "before" else (number + 1, "before")


async def join_cycle(p: Petition, cycle: Cycle, *, carried_over: bool = False) -> None:
    """Put ``p`` in ``cycle``'s reports (idempotent)."""
    await CycleEntry.get_or_create(
        cycle_id=cycle.id, petition_id=p.id, defaults={"carried_over": carried_over}
    )


def is_unresolved(p: Petition) -> bool:
    return p.status not in UNRESOLVED_EXCLUDED and p.resolution != "resolved"


async def open_next_cycle(actor: User, council: Council, session_id: int | None = None) -> Cycle:
    """cycle.open: close the current cycle, open the next, carry unresolved petitions over."""
    if actor.role != "admin" and not (
        actor.role == "secretariat" and actor.council_id == council.id
    ):
        raise Forbidden(N_("Only the council's secretariat can open a new cycle."))
    if session_id is not None:
        await _check_session(actor, council, session_id)
    now = datetime.now(UTC)
    async with in_transaction():
        old = await current_cycle(council.id)
        number, phase = _next(old.session_number, old.phase)
        if await Cycle.exists(council_id=council.id, session_number=number, phase=phase):
            raise Invalid(N_("The next cycle already exists."))
        old.closed_at = now
        await old.save(update_fields=["closed_at"])
        new = await Cycle.create(
            council_id=council.id, session_number=number, phase=phase, session_id=session_id
        )
        carried = 0
        entries = await CycleEntry.filter(cycle_id=old.id).prefetch_related("petition")
        for entry in entries:
            p = entry.petition
            if not is_unresolved(p):
                continue
            await join_cycle(p, new, carried_over=True)
            if p.cycle_id == old.id:
                p.cycle_id = new.id
                await p.save(update_fields=["cycle_id", "updated_at"])
            await PetitionEvent.create(
                petition_id=p.id,
                action="carry_over",
                from_status=p.status,
                to_status=p.status,
                actor_id=actor.id,
                actor_label=actor.full_name or actor.username,
                details={"from_cycle": old.id, "to_cycle": new.id},
            )
            carried += 1
        await audit.record(
            "cycle.open",
            actor=actor,
            target_type="petition_cycle",
            target_id=new.id,
            council_id=council.id,
            details={"closed": old.id, "carried_over": carried},
        )
    return new


async def _check_session(actor: User, council: Council, session_id: int) -> None:
    """The session a cycle reports to must be one of the council's own (404 when there is no
    such session, 403 when it is another council's), read through the meetings services."""

    session, _items = await agenda_for(actor, session_id)
    if session.council_id != council.id:
        raise Forbidden(N_("This session belongs to another council."))
