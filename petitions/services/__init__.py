"""The petitions domain's rules. Routes, pages and other domains call these functions only.

Other domains use :func:`cycle_petitions_for_staff` (the assistant groups petitions by topic).
"""

from __future__ import annotations

from dataclasses import dataclass

from council.errors import Forbidden, NotFound
from council.i18n import N_
from council.models import Council, User
from petitions import categories
from petitions.models import Cycle, Petition
from petitions.services.actions import act
from petitions.services.cycles import current_cycle, cycle_label, open_next_cycle
from petitions.services.filing import (
    Filed,
    add_support,
    file_petition,
    meeting_petitions,
    meeting_record,
)
from petitions.services.queries import Filters, staff_list, staff_view
from petitions.services.scope import petition_for_staff, visible_query
from petitions.services.tracking import authenticate, give_feedback, track_view

__all__ = [
    "Filed",
    "category_label",
    "council_cycles",
    "Filters",
    "PetitionBrief",
    "act",
    "add_support",
    "authenticate",
    "current_cycle",
    "cycle_label",
    "cycle_petitions_for_staff",
    "file_petition",
    "give_feedback",
    "meeting_petitions",
    "meeting_record",
    "open_next_cycle",
    "petition_for_staff",
    "staff_list",
    "staff_view",
    "track_view",
]


@dataclass(frozen=True)
class PetitionBrief:
    """A petition for the assistant: never any personal data."""

    code: str
    title: str
    body: str
    category: str
    council_code: str
    commune_name: str
    status: str


def category_label(code: str) -> str:
    """A field's label in the current language ("Đất đai" / "Land"), for other domains' pages."""
    return categories.label(code)


async def council_cycles(user: User, council_code: str | None = None) -> list[tuple[int, str]]:
    """The petition cycles of the user's council (or of ``council_code``), newest first, each
    as (id, label): for a staff page that lets the user pick one."""
    visible_query(user)  # raises Forbidden for roles that see no petitions
    if council_code:
        council = await Council.get_or_none(code=council_code)
    else:
        council = await Council.get_or_none(id=user.council_id) if user.council_id else None
    if council is None:
        return []
    cycles = await Cycle.filter(council_id=council.id).order_by("-id").limit(50)
    return [(c.id, cycle_label(c)) for c in cycles]


async def cycle_petitions_for_staff(
    user: User, cycle_id: int | None = None, council_code: str | None = None
) -> list[PetitionBrief]:
    """The petitions of a cycle (default: the current cycle of ``council_code`` or of the user's
    council) that ``user`` may see. Merged, rejected and diverted petitions are left out."""
    qs = visible_query(user)  # raises Forbidden for roles that see no petitions
    if cycle_id is None:
        code = council_code
        if code is None:
            if user.council_id is None:
                raise Forbidden(N_("Choose a council or a cycle."))
            council = await Council.get(id=user.council_id)
        else:
            found_council = await Council.get_or_none(code=code)
            if found_council is None:
                raise NotFound(N_("No council has this code."))
            council = found_council
        cycle = await current_cycle(council.id)
    else:
        found = await Cycle.get_or_none(id=cycle_id)
        if found is None:
            raise NotFound(N_("No such cycle."))
        cycle = found
    rows = (
        await qs.filter(cycle_entries__cycle_id=cycle.id)
        .exclude(status__in=("merged", "rejected", "diverted"))
        .order_by("id")
        .limit(5000)
    )
    councils = {c.id: c for c in await Council.filter(id__in={p.council_id for p in rows})}
    return [
        PetitionBrief(
            code=p.code,
            title=p.title,
            body=p.body,
            category=p.category,
            council_code=councils[p.council_id].code,
            commune_name=councils[p.council_id].name,
            status=p.status,
        )
        for p in rows
    ]


async def petition_count(cycle: Cycle) -> int:
    return await Petition.filter(cycle_entries__cycle_id=cycle.id).count()
