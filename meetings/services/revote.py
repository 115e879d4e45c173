"""poll.revote: the chair has a closed vote taken again (biểu quyết lại), saying why.

The re-vote is a new draft poll, a copy of the first (title, kind, secrecy, rule, options, item,
countdown) that names it; both stay on record and in the minutes, the first with its result.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Forbidden, Invalid
from council.i18n import N_
from council.models import User
from meetings.models import Poll, PollOption
from meetings.services.common import get_session, is_staff_of
from meetings.services.voting import get_poll, poll_create

MAX_REASON = 1000


async def poll_revote(user: User, poll_id: int, reason: str) -> Poll:
    """poll.revote: a new draft poll repeating closed poll ``poll_id``, with the reason."""
    first = await get_poll(poll_id)
    session = await get_session(first.session_id)
    if not is_staff_of(user, session.council_id):
        raise Forbidden(N_("Only the council's secretariat or chair may do this."))
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_REASON:
        raise Invalid(
            fields={"reason": str(N_("Say why the vote is taken again (1 to 1000 characters)."))}
        )
    if first.status != "closed":
        raise Conflict("poll_not_closed", N_("Only a closed vote can be taken again."), status=409)
    labels = [o.label for o in await PollOption.filter(poll_id=first.id).order_by("position", "id")]
    async with in_transaction():
        again = await poll_create(
            user,
            session.id,
            title=first.title,
            kind=first.kind,
            secret=first.secret,
            rule=first.rule,
            item_id=first.item_id,
            options=labels or None,
            max_choices=first.max_choices if first.kind == "election" else None,
            countdown_seconds=first.countdown_seconds,
            # Not kept before this transaction commits, nor without its revote_of and reason:
            # the opening reads the committed poll.
            remember_facts=False,
        )
        await Poll.filter(id=again.id).update(revote_of_id=first.id, revote_reason=reason)
        await audit.record(
            "poll.revote",
            actor=user,
            target_type="poll",
            target_id=again.id,
            council_id=session.council_id,
            details={"revote_of": first.id, "reason": reason},
        )
    return await get_poll(again.id)
