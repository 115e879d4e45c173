"""What elections tells the core of a council's terms (``council.terms``): the total of
delegates the law's thresholds and quorum count against, as the council reads it, and the moment
before which its records belong to a closed term."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from council import terms
from council.localtime import LOCAL_TZ
from council.models import Council
from elections import seats
from elections.models import Term


async def delegates_total(council: Council) -> int | None:
    """ "Tổng số đại biểu": the legal seats or the delegates in office, as the council reads it."""
    if not council.seats:
        return None  # seats not set yet: sittings are refused anyway (council.divisions)
    return (await seats.total(council)).total


async def closed_before(council_id: int) -> datetime | None:
    """The first day of the term that followed the last closed one, at local midnight."""
    ended = (
        await Term.filter(council_id=council_id, ends_on__not_isnull=True)
        .order_by("-ends_on")
        .first()
    )
    if ended is None or ended.ends_on is None:
        return None
    return datetime.combine(ended.ends_on + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)


terms.provide_total("elections", delegates_total)
terms.provide_boundary("elections", closed_before)
