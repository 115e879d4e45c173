"""The demo's signed records: a development CA made at `council demo` time (its keys in the data
directory, never committed: ``council.signing.devca``), a signer for the city council's
secretary and chair, and an earlier, closed sitting (họp kín) of the city council whose minutes
went through the whole workflow, signed by the secretary and then the chair.

``demo_signer(settings, role)`` is reusable (resolutions signed by the chair in the demo).
"""

from __future__ import annotations

from datetime import timedelta

from council import storage
from council.localtime import LOCAL_TZ, local_day_at
from council.models import Council, User
from council.settings import Settings
from council.signing import SigningConfig, certificates
from council.signing.devca import issue_signer
from meetings import services
from meetings.models import Attendance, Poll, Session
from meetings.services import minutes_flow, minutes_signing
from meetings.services.minutes_flow import session_closed_sitting

CITY = "HN"
SIGNERS = {"secretariat": "hn.vanphong", "chair": "hn.chutoa"}
CLOSED_TITLE = (
    "Kỳ họp chuyên đề (họp kín) về công tác cán bộ, Hội đồng nhân dân thành phố Hà Nội, "
    "nhiệm kỳ 2026–2031"
)
CLOSED_AGENDA = [
    ("Khai mạc kỳ họp; thông qua chương trình kỳ họp", "opening"),
    ("Tờ trình về việc kiện toàn tổ chức bộ máy các cơ quan chuyên môn thuộc UBND thành phố", "proposal"),
    ("Dự thảo Nghị quyết về kiện toàn tổ chức bộ máy các cơ quan chuyên môn", "draft_resolution"),
    ("Bế mạc kỳ họp", "closing"),
]  # fmt: skip


async def demo_signer(settings: Settings, role: str) -> tuple[User, SigningConfig]:
    """The city council's demo ``role`` (``secretariat`` or ``chair``) and the key they sign with,
    issued by the development CA on first use."""
    user = await User.get(username=SIGNERS[role])
    issue_signer(settings, user.username, user.full_name or user.username)
    config = SigningConfig.for_signer(settings, user.username)
    # as an administrator would, register the certificate to its holder (remote signing needs it)
    await certificates.register_p12(user, config.p12_path or "", config.p12_password or "")
    return user, config


async def closed_sitting(settings: Settings) -> Session | None:
    """The demo's earlier, closed sitting of the city council (None before the demo made it)."""
    council = await Council.get_or_none(code=CITY)
    if council is None:
        return None
    return await Session.get_or_none(council_id=council.id, title=CLOSED_TITLE)


async def load(settings: Settings) -> Session | None:
    """Make the closed sitting and sign its minutes (once; safe to run twice)."""
    council = await Council.get_or_none(code=CITY)
    if council is None or not await User.exists(username=SIGNERS["chair"]):
        return None
    storage.configure(settings)
    secretary, _ = await demo_signer(settings, "secretariat")
    chair, _ = await demo_signer(settings, "chair")
    existing = await closed_sitting(settings)
    if existing is not None:
        return existing
    session = await services.session_create(
        secretary, council_code=CITY, title=CLOSED_TITLE, location="Phòng họp số 1, Thành ủy Hà Nội",
        starts_at=local_day_at(days=-21),
    )  # fmt: skip
    items = [
        await services.item_create(secretary, session.id, title=t, kind=k) for t, k in CLOSED_AGENDA
    ]
    await session_closed_sitting(secretary, session.id, True)
    await services.session_publish(secretary, session.id)
    await services.session_start(chair, session.id)
    delegates = list(await User.filter(council_id=council.id, role="delegate").order_by("username"))
    voters = [chair, *delegates[:71]]
    for voter in voters:
        await services.attendance_check_in(voter, session.id)
    await services.session_set_current(chair, session.id, items[2].id)
    poll = await services.poll_create(
        chair, session.id, title="Biểu quyết thông qua Nghị quyết về kiện toàn tổ chức bộ máy",
        kind="motion", secret=False, item_id=items[2].id,
    )  # fmt: skip
    await services.poll_open(chair, poll.id)
    for i, voter in enumerate(voters):
        await services.ballot_cast(voter, poll.id, "yes" if i < 66 else "abstain")
    await services.poll_close(chair, poll.id)
    await services.session_close(chair, session.id)
    await _held_on_its_day(session.id, poll.id)

    draft = await minutes_flow.minutes_draft(secretary, session.id)
    await minutes_flow.minutes_review(secretary, session.id, draft.number, note="Đã rà soát")
    await minutes_flow.minutes_approve(chair, session.id, draft.number)
    await minutes_signing.minutes_sign(secretary, session.id, draft.number, settings=settings)
    await minutes_signing.minutes_sign(chair, session.id, draft.number, settings=settings)
    return await Session.get(id=session.id)


async def _held_on_its_day(session_id: int, poll_id: int) -> None:
    """The services ran now; the record says the sitting was held on its day (08:00 local), so
    its minutes and its resolution date it as its agenda does: the signatures alone are today's."""
    session = await Session.get(id=session_id)
    start = session.starts_at.astimezone(LOCAL_TZ).replace(hour=8, minute=0)
    await Session.filter(id=session_id).update(
        starts_at=start,
        check_in_opened_at=start - timedelta(minutes=30),
        started_at=start,
        current_item_at=start + timedelta(minutes=40),
        closed_at=start + timedelta(hours=2, minutes=30),
    )
    await Attendance.filter(session_id=session_id).update(
        checked_in_at=start - timedelta(minutes=10)
    )
    await Poll.filter(id=poll_id).update(
        opened_at=start + timedelta(minutes=75), closed_at=start + timedelta(minutes=80)
    )
