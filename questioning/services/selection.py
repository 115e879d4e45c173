"""selection.open, selection.vote, selection.close: the delegates choose question groups (chọn
nhóm vấn đề) before the sitting. Unlike a sitting's election poll it runs outside a started
sitting, with no quorum gate and no seat threshold: the top ``max_choices`` groups by count are
chosen, and the chair's side breaks a tie at the boundary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import User
from questioning.models import QuestionGroup, Round, SelectionBallot, SelectionVote
from questioning.services.common import ASKERS, now, require_open, require_staff, round_for


@dataclass(frozen=True)
class Tally:
    counts: dict[int, int]  # group id → votes, every group of the round
    voted: int
    eligible: int


async def ballot_of(session_id: int) -> SelectionBallot | None:
    rnd = await Round.get_or_none(session_id=session_id)
    if rnd is None:
        return None
    return await SelectionBallot.filter(round_id=rnd.id).order_by("-id").first()


async def _eligible(council_id: int) -> int:
    return await User.filter(council_id=council_id, role__in=list(ASKERS), is_active=True).count()


async def tally(ballot: SelectionBallot) -> Tally:
    rnd = await Round.get(id=ballot.round_id)
    groups = await QuestionGroup.filter(round_id=rnd.id).values_list("id", flat=True)
    counts: Counter[int] = Counter(dict.fromkeys(groups, 0))  # type: ignore[arg-type]
    votes = await SelectionVote.filter(ballot_id=ballot.id)
    for v in votes:
        counts.update(v.group_ids)
    return Tally(dict(counts), len(votes), await _eligible(rnd.council_id))


async def selection_open(actor: User, session_id: int, max_choices: int) -> SelectionBallot:
    rnd = await round_for(session_id)
    require_staff(actor, rnd.council_id)
    rnd = await round_for(session_id, create=True)
    require_open(rnd)
    groups = await QuestionGroup.filter(round_id=rnd.id).count()
    if not 1 <= max_choices < groups:
        raise Invalid(
            fields={
                "max_choices": str(N_("Choose fewer groups than there are ({n}).")).format(n=groups)
            }
        )
    async with in_transaction():
        if await SelectionBallot.exists(round_id=rnd.id, status="open"):
            raise Conflict("ballot_open", N_("A selection ballot is already open."))
        ballot = await SelectionBallot.create(
            round_id=rnd.id, max_choices=max_choices, opened_at=now(), opened_by_id=actor.id
        )
        await audit.record(
            "selection.open",
            actor=actor,
            target_type="selection_ballot",
            target_id=ballot.id,
            council_id=rnd.council_id,
            details={"session_id": session_id, "max_choices": max_choices, "groups": groups},
        )
    return ballot


async def selection_vote(actor: User, session_id: int, group_ids: list[int]) -> None:
    ballot = await ballot_of(session_id)
    if ballot is None or ballot.status != "open":
        raise Conflict("ballot_not_open", N_("No selection ballot is open."))
    rnd = await Round.get(id=ballot.round_id)
    if actor.role not in ASKERS or actor.council_id != rnd.council_id:
        raise Forbidden(N_("Only the council's delegates choose the groups."))
    chosen = sorted(set(group_ids))
    if not chosen or len(chosen) > ballot.max_choices:
        raise Invalid(
            fields={
                "group_ids": str(N_("Choose from 1 to {n} groups.")).format(n=ballot.max_choices)
            }
        )
    if await QuestionGroup.filter(id__in=chosen, round_id=rnd.id).count() != len(chosen):
        raise Invalid(fields={"group_ids": str(N_("This group belongs to another sitting."))})
    try:
        async with in_transaction():
            await SelectionVote.create(ballot_id=ballot.id, user_id=actor.id, group_ids=chosen)
            # The choice itself is not audited: only that this delegate voted.
            await audit.record(
                "selection.vote",
                actor=actor,
                target_type="selection_ballot",
                target_id=ballot.id,
                council_id=rnd.council_id,
            )
    except IntegrityError:
        raise Conflict("already_voted", N_("You have already chosen.")) from None


def winners(counts: dict[int, int], n: int, prefer: list[int]) -> list[int] | list[list[int]]:
    """The top ``n`` groups by count; a tie across the boundary is broken by ``prefer`` (the
    chair's order). Without a full order for the tied ones, the tied groups come back as
    ``[[...]]`` instead."""
    ranked = sorted(counts, key=lambda g: -counts[g])
    if len(ranked) <= n:
        return ranked
    boundary = counts[ranked[n - 1]]
    above = [g for g in ranked if counts[g] > boundary]
    tied = [g for g in ranked if counts[g] == boundary]
    if len(above) + len(tied) == n:
        return above + tied
    if not set(tied) <= set(prefer):
        return [sorted(tied)]
    tied.sort(key=prefer.index)
    return above + tied[: n - len(above)]


async def selection_close(actor: User, session_id: int, prefer: list[int]) -> SelectionBallot:
    ballot = await ballot_of(session_id)
    if ballot is None or ballot.status != "open":
        raise Conflict("ballot_not_open", N_("No selection ballot is open."))
    rnd = await Round.get(id=ballot.round_id)
    require_staff(actor, rnd.council_id)
    result = await tally(ballot)
    top = winners(result.counts, ballot.max_choices, prefer)
    if top and isinstance(top[0], list):
        raise Conflict(
            "tie",
            N_("Groups are tied for the last place: give their order to break the tie."),
            tied=top[0],
        )
    async with in_transaction():
        ballot.status = "closed"
        ballot.closed_at = now()
        await ballot.save(update_fields=["status", "closed_at"])
        await QuestionGroup.filter(round_id=rnd.id).update(chosen=False)
        await QuestionGroup.filter(id__in=top).update(chosen=True)
        await audit.record(
            "selection.close",
            actor=actor,
            target_type="selection_ballot",
            target_id=ballot.id,
            council_id=rnd.council_id,
            details={"counts": {str(k): v for k, v in result.counts.items()}, "chosen": top},
        )
    return ballot


async def ballot_for(session_id: int) -> SelectionBallot:
    ballot = await ballot_of(session_id)
    if ballot is None:
        raise NotFound(N_("This sitting has no selection ballot."))
    return ballot
