"""ballot.hand_*: a vote by show of hands for a delegate whose device failed (biểu quyết bằng giơ
tay, thư ký ghi nhận).

The secretariat enters it (``ballot.hand_record``), the chair confirms it (``ballot.hand_confirm``)
or rejects it (``ballot.hand_reject``). Confirming casts the delegate's ballot through
``ballot.cast`` itself (``ballots.ballot_cast_by_hand``): one ballot per delegate, checked in,
accepted until the close commits, written in the same group commit. Only for named polls: no one
votes for another in a secret ballot, and a hand raised in the hall is not secret anyway.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from council import audit, realtime
from council.errors import Conflict, DomainError, Forbidden, NotFound
from council.i18n import N_
from council.models import User
from meetings.models import Attendance, BallotReceipt, HandVote
from meetings.services.ballots import ballot_cast_by_hand, normalise_choice
from meetings.services.common import holds_seat, is_admin, now, user_names
from meetings.services.poll_facts import PollFacts, poll_facts


def _secret_refused() -> Conflict:
    return Conflict(
        "secret_poll",
        N_("A secret ballot is cast by the delegate alone: no vote by hand is recorded."),
        status=409,
    )


def _role_refused(role: str) -> Forbidden:
    if role == "chair":
        return Forbidden(N_("Only the council's chair confirms a vote by hand."))
    return Forbidden(N_("Only the council's secretariat records a vote by hand."))


def _may(user: User, facts: PollFacts, role: str) -> None:
    if not (is_admin(user) or (user.role == role and user.council_id == facts.council_id)):
        raise _role_refused(role)


async def _emit(facts: PollFacts) -> None:
    await realtime.emit(
        "hand_votes:update",
        {"poll_id": facts.id, "pending": await pending_count(facts.id)},
        room=realtime.session_room(facts.session_id),
    )


async def pending_count(poll_id: int) -> int:
    return await HandVote.filter(poll_id=poll_id, status="pending").count()


async def hand_record(user: User, poll_id: int, user_id: int, choice: Any) -> HandVote:
    """ballot.hand_record: the secretariat enters a checked-in delegate's raised hand, for a named
    poll that is open and in which the delegate has no ballot yet."""
    facts = await poll_facts(poll_id)
    _may(user, facts, "secretariat")
    if facts.secret:
        raise _secret_refused()
    if facts.status == "closed":
        raise Conflict("poll_not_open", N_("This poll is not open."), status=409)
    voter = await User.get_or_none(id=user_id, is_active=True)
    if voter is None or not holds_seat(voter, facts.council_id):
        raise NotFound(N_("This delegate does not exist in this council."))
    value = normalise_choice(facts, choice)
    async with in_transaction():
        if not await Attendance.exists(session_id=facts.session_id, user_id=voter.id):
            raise Conflict("not_checked_in", N_("This delegate is not checked in."), status=409)
        if await BallotReceipt.exists(poll_id=facts.id, user_id=voter.id):
            raise Conflict("already_voted", N_("This delegate has already voted."), status=409)
        if await HandVote.exists(poll_id=facts.id, user_id=voter.id, status="pending"):
            raise Conflict(
                "hand_vote_pending",
                N_("A vote by hand of this delegate waits for the chair."),
                status=409,
            )
        hand = await HandVote.create(
            poll_id=facts.id,
            user_id=voter.id,
            choice={"c": value},
            entered_by_id=user.id,
            entered_at=now(),
        )
        await audit.record(
            "ballot.hand_record",
            actor=user,
            target_type="poll",
            target_id=facts.id,
            council_id=facts.council_id,
            details={"hand_vote_id": hand.id, "user_id": voter.id, "choice": value},
        )
    await _emit(facts)
    return hand


async def _pending(hand_vote_id: int) -> tuple[HandVote, PollFacts]:
    hand = await HandVote.get_or_none(id=hand_vote_id)
    if hand is None:
        raise NotFound(N_("This vote by hand does not exist."))
    return hand, await poll_facts(hand.poll_id)


async def hand_confirm(user: User, hand_vote_id: int) -> HandVote:
    """ballot.hand_confirm: the chair confirms; the ballot is cast as the delegate's own, marked
    ``by_hand`` with who entered and who confirmed it. A refusal of the cast (the poll closed
    meanwhile, the delegate voted from a repaired device) is the answer, and the entry stays
    pending for the chair to reject."""
    hand, facts = await _pending(hand_vote_id)
    _may(user, facts, "chair")
    if facts.secret:
        raise _secret_refused()
    if hand.status != "pending":
        raise Conflict("hand_vote_decided", N_("This vote by hand is already decided."), status=409)
    voter = await User.get(id=hand.user_id)
    by_hand = {"entered_by": hand.entered_by_id, "confirmed_by": user.id, "hand_vote_id": hand.id}
    await ballot_cast_by_hand(voter, facts.id, hand.choice.get("c"), by_hand)
    async with in_transaction():
        await HandVote.filter(id=hand.id, status="pending").update(
            status="confirmed", decided_by_id=user.id, decided_at=now()
        )
        await audit.record(
            "ballot.hand_confirm",
            actor=user,
            target_type="poll",
            target_id=facts.id,
            council_id=facts.council_id,
            details={"hand_vote_id": hand.id, "user_id": voter.id},
        )
    await _emit(facts)
    return await HandVote.get(id=hand.id)


async def hand_reject(user: User, hand_vote_id: int) -> HandVote:
    """ballot.hand_reject: the chair (or the secretariat, for its own mistake) drops an entry."""
    hand, facts = await _pending(hand_vote_id)
    try:
        _may(user, facts, "chair")
    except DomainError:
        _may(user, facts, "secretariat")
    async with in_transaction():
        changed = await HandVote.filter(id=hand.id, status="pending").update(
            status="rejected", decided_by_id=user.id, decided_at=now()
        )
        if not changed:
            raise Conflict(
                "hand_vote_decided", N_("This vote by hand is already decided."), status=409
            )
        await audit.record(
            "ballot.hand_reject",
            actor=user,
            target_type="poll",
            target_id=facts.id,
            council_id=facts.council_id,
            details={"hand_vote_id": hand.id, "user_id": hand.user_id},
        )
    await _emit(facts)
    return await HandVote.get(id=hand.id)


async def hand_votes_of(poll_id: int) -> list[dict[str, Any]]:
    """A poll's votes by hand, for the chair's console and the secretariat."""
    rows = await HandVote.filter(poll_id=poll_id).order_by("id")
    names = await user_names(
        [r.user_id for r in rows]
        + [r.entered_by_id for r in rows]
        + [r.decided_by_id or 0 for r in rows]
    )
    return [hand_dict(r, names) for r in rows]


def hand_dict(hand: HandVote, names: dict[int, str] | None = None) -> dict[str, Any]:
    names = names or {}
    return {
        "id": hand.id,
        "poll_id": hand.poll_id,
        "user_id": hand.user_id,
        "name": names.get(hand.user_id, ""),
        "choice": hand.choice.get("c") if isinstance(hand.choice, dict) else hand.choice,
        "status": hand.status,
        "entered_by": hand.entered_by_id,
        "entered_by_name": names.get(hand.entered_by_id, ""),
        "decided_by": hand.decided_by_id,
        "entered_at": hand.entered_at.isoformat(),
        "decided_at": hand.decided_at.isoformat() if hand.decided_at else None,
    }
