"""Who is told of each step of the minutes' approval, in the app (``meetings.models.Notice``).

The notice's kind is the step now waiting (``minutes.review``, ``minutes.approve``,
``minutes.sign``, ``minutes.publish``) or ``minutes.out`` once they are published; it goes to the
people who take that step: the council's secretariat or its chair, never the person who just acted.
Written in the step's transaction.
"""

from __future__ import annotations

from council.i18n import N_, LazyString
from council.models import User
from meetings.minutes_models import MinutesVersion
from meetings.models import Notice, Session
from meetings.services.common import SEAT_ROLES, now

MINUTES_NOTICES: dict[str, LazyString] = {
    "minutes.review": N_("Minutes to review: {title}"),
    "minutes.approve": N_("Minutes to approve: {title}"),
    "minutes.sign": N_("Minutes to sign: {title}"),
    "minutes.publish": N_("Signed minutes to publish: {title}"),
    "minutes.out": N_("Minutes published: {title}"),
}


def _roles(step: str, version: MinutesVersion) -> tuple[str, ...]:
    if step == "minutes.approve" or (step == "minutes.sign" and version.status == "signing"):
        return ("chair",)
    if step == "minutes.out":
        return ("secretariat", *SEAT_ROLES)
    return ("secretariat",)


async def tell(session: Session, version: MinutesVersion, step: str, *, exclude: int) -> int:
    """In the step's transaction: a notice for each person who takes ``step`` next. Unread
    notices of the steps before are done with: they are marked read."""
    at = now()
    await Notice.filter(session_id=session.id, kind__startswith="minutes.", read_at=None).update(
        read_at=at
    )
    users = await User.filter(
        council_id=session.council_id, role__in=_roles(step, version), is_active=True
    ).exclude(id=exclude)
    await Notice.bulk_create(
        [
            Notice(user_id=u.id, session_id=session.id, kind=step, created_at=at, updated_at=at)
            for u in users
        ]
    )
    return len(users)


def minutes_notice_text(kind: str, title: str) -> LazyString | None:
    msgid = MINUTES_NOTICES.get(kind)
    return msgid.format(title=title) if msgid is not None else None
