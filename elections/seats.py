"""The council setting for reading "tổng số đại biểu" (the total number of delegates) that the
law's thresholds and quorum count against: the legal seats of the term, or the delegates in office
after vacancies (the default). This module keeps the setting and shows what it gives; meetings
reads it through ``council.terms`` (``elections.hooks`` provides it) when a sitting starts."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Invalid
from council.i18n import N_
from council.models import Council, User
from elections import rules, services
from elections.models import SEATS_READINGS, SeatsReading, TermSeat

DEFAULT = "in_office"


@dataclass(frozen=True)
class Total:
    reading: str
    legal_seats: int
    in_office: int
    total: int
    more_than_half: int
    two_thirds: int


async def reading_of(council: Council) -> str:
    row = await SeatsReading.get_or_none(council_id=council.id)
    return row.reading if row else DEFAULT


async def total(council: Council) -> Total:
    """The council's legal seats, its delegates in office, and the total its reading gives."""
    reading = await reading_of(council)
    # The latest term with a roster: a term created for a coming election has no seats yet.
    seated = (
        await TermSeat.filter(term__council_id=council.id).order_by("-term__number", "id").first()
    )
    in_office = (
        await TermSeat.filter(term_id=seated.term_id, until=None).count()  # type: ignore[attr-defined]
        if seated is not None
        else council.seats
    )
    n = rules.total_delegates(reading, council.seats, in_office)
    return Total(reading, council.seats, in_office, n, rules.more_than_half(n), rules.two_thirds(n))


async def reading_set(actor: User, council: Council, reading: str) -> Total:
    """term.seats_reading: choose how the council reads "tổng số đại biểu"."""
    services.require_manager(actor, council.id)
    if reading not in SEATS_READINGS:
        raise Invalid(
            fields={"reading": str(N_("Choose the legal seats or the delegates in office."))}
        )
    async with in_transaction():
        row, _ = await SeatsReading.get_or_create(council_id=council.id)
        before = row.reading
        row.reading, row.updated_by_id = reading, actor.id  # type: ignore[attr-defined]
        await row.save()
        await audit.record(
            "term.seats_reading",
            actor=actor,
            target_type="council",
            target_id=council.id,
            council_id=council.id,
            details={"from": before, "to": reading},
        )
    return await total(council)
