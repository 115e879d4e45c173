"""What delegates are told about a session: that it was published (in the app, and by e-mail when
``SMTP_URL`` is set), and each change to its agenda or documents after that (history, a live
``session:changed`` event, and an unread notice in the app).

Notices and history are written inside the change's transaction; events and e-mails go out after
its commit. A delegate's unread notices of changes to one session are one notice that counts them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.expressions import F

from council import mailer, realtime
from council.i18n import N_, LazyString
from council.mailer import Mail, MailConfig, MailError
from council.models import Council, User
from meetings.models import Document, Notice, Session, SessionChange
from meetings.services.common import LOCAL_TZ, SEAT_ROLES, iso, now
from meetings.services.minutes_notices import minutes_notice_text

# How each change is worded for delegates (the details name the item or document).
CHANGE_MSGIDS: dict[str, LazyString] = {
    "item.create": N_("Agenda item added: {title}"),
    "item.update": N_("Agenda item changed: {title}"),
    "item.delete": N_("Agenda item removed: {title}"),
    "item.move": N_("Agenda order changed"),
    "item.reorder": N_("Agenda order changed"),
    "document.upload": N_("Document added: {title}"),
    "document.replace": N_("New version of a document: {title}"),
    "document.update": N_("Document changed: {title}"),
    "document.delete": N_("Document removed: {title}"),
    "session.update": N_("Session details changed: {title}"),
}


def change_text(operation: str, details: dict[str, Any], lang: str | None = None) -> str:
    msgid = CHANGE_MSGIDS.get(operation, N_("Session details changed: {title}"))
    title = details.get("title")
    if title is None and details.get("confidential"):
        title = (
            N_("a confidential document").render(lang)
            if lang
            else str(N_("a confidential document"))
        )
    text = msgid.format(title=title or "")
    return text.render(lang) if lang else str(text)


def change_dict(change: SessionChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "session_id": change.session_id,
        "operation": change.operation,
        "details": change.details,
        "created_at": iso(change.created_at),
        "text": {
            lang: change_text(change.operation, change.details, lang) for lang in ("vi", "en")
        },
    }


async def _seat_holders(council_id: int) -> list[User]:
    return list(
        await User.filter(council_id=council_id, role__in=SEAT_ROLES, is_active=True).order_by("id")
    )


async def record_change(
    session: Session, actor: User, operation: str, details: dict[str, Any]
) -> SessionChange | None:
    """In the change's transaction: once the session is published, keep the change in its
    history and count it in each delegate's unread notice of changes. Drafts keep no history
    (the audit log has every step)."""
    if session.status == "draft":
        return None
    at = now()
    change = await SessionChange.create(
        session_id=session.id,
        operation=operation,
        details=details,
        actor_id=actor.id,
        created_at=at,
    )
    holders = [u.id for u in await _seat_holders(session.council_id)]
    unread = Notice.filter(session_id=session.id, kind="changes", read_at=None, user_id__in=holders)
    counted = set(await unread.values_list("user_id", flat=True))
    if counted:
        await unread.update(changes=F("changes") + 1, updated_at=at)
    await Notice.bulk_create(
        [
            Notice(
                user_id=uid,
                session_id=session.id,
                kind="changes",
                changes=1,
                created_at=at,
                updated_at=at,
            )
            for uid in holders
            if uid not in counted
        ]
    )
    return change


async def announce(change: SessionChange | None) -> None:
    """After commit: tell the session's open screens (they refresh agenda and documents)."""
    if change is None:
        return
    await realtime.emit(
        "session:changed",
        {"session_id": change.session_id, "change": change_dict(change)},
        room=realtime.session_room(change.session_id),
    )


async def history(session_id: int, limit: int = 200) -> list[SessionChange]:
    """The session's changes, newest first; a document made confidential since a change was
    recorded has its title left out of it, as if it had been confidential then."""
    changes = list(await SessionChange.filter(session_id=session_id).order_by("-id").limit(limit))
    ids = {int(c.details["document_id"]) for c in changes if "document_id" in c.details}
    hidden = set(
        await Document.filter(id__in=ids, confidentiality="confidential").values_list(
            "id", flat=True
        )
    )
    for c in changes:
        if c.details.get("document_id") in hidden and "title" in c.details:
            c.details = {k: v for k, v in c.details.items() if k != "title"} | {
                "confidential": True
            }
    return changes


async def history_rows(session_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The history as pages list it: when, and the change in the reader's words."""
    return [
        {"id": c.id, "created_at": c.created_at, "text": change_text(c.operation, c.details)}
        for c in await history(session_id, limit)
    ]


# --- publishing ---------------------------------------------------------------------------------


async def record_published(session: Session) -> list[Notice]:
    """In the publishing transaction: a notice for every delegate (with their e-mail address)."""
    at = now()
    notices = [
        Notice(
            user_id=u.id,
            session_id=session.id,
            kind="published",
            email=u.email or None,
            created_at=at,
            updated_at=at,
        )
        for u in await _seat_holders(session.council_id)
    ]
    await Notice.bulk_create(notices)
    return list(await Notice.filter(session_id=session.id, kind="published").order_by("id"))


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")


async def mail_published(session: Session, notices: list[Notice], config: MailConfig) -> None:
    """After commit: e-mail each delegate who has an address, in their language."""
    if not config.smtp_url:
        return
    council = await Council.get(id=session.council_id)
    langs = {u.id: u.lang for u in await User.filter(id__in=[n.user_id for n in notices])}
    mails = []
    for notice in notices:
        if not notice.email:
            continue
        lang = langs.get(notice.user_id) or "vi"
        subject = N_("Session published: {title}").format(title=session.title).render(lang)
        lines = [
            N_("{council} has published the session \u201c{title}\u201d.")
            .format(council=council.name, title=session.title)
            .render(lang),
            N_("Starts at: {when}").format(when=_local(session.starts_at)).render(lang),
        ]
        if session.location:
            lines.append(N_("Location: {place}").format(place=session.location).render(lang))
        lines += [
            "",
            N_("The agenda and documents: {url}")
            .format(url=f"{config.base_url}/meetings/sessions/{session.id}/tablet")
            .render(lang),
        ]
        mails.append(Mail(notice.email, subject, "\n".join(lines), _outcome(notice.id)))
    mailer.send_later(config, mails)


def _outcome(notice_id: int) -> Any:
    async def done(error: MailError | None) -> None:
        if error is not None:
            await Notice.filter(id=notice_id).update(state="failed", error=str(error)[:300])
        else:
            await Notice.filter(id=notice_id).update(state="sent", sent_at=now())

    return done


# --- reading ------------------------------------------------------------------------------------


async def notices_for(user: User, *, unread_only: bool = False, limit: int = 50) -> list[Notice]:
    """notice.list: the caller's own notices, newest first."""
    qs = Notice.filter(user_id=user.id)
    if unread_only:
        qs = qs.filter(read_at=None)
    return list(await qs.order_by("-updated_at", "-id").limit(limit).prefetch_related("session"))


async def notices_read(user: User, session_id: int) -> int:
    """notice.read: the caller has seen what is new in a session (opening its tablet does it)."""
    return await Notice.filter(user_id=user.id, session_id=session_id, read_at=None).update(
        read_at=now()
    )


def notice_url(notice: Notice) -> str:
    """Where a notice leads: the minutes' page for the minutes' steps, else the tablet."""
    if notice.kind.startswith("minutes."):
        return f"/meetings/sessions/{notice.session_id}/minutes"
    if notice.kind.startswith("resolution."):
        return f"/meetings/sessions/{notice.session_id}/resolutions"
    return f"/meetings/sessions/{notice.session_id}/tablet"


def notice_text(notice: Notice, session: Session, lang: str | None = None) -> str:
    minutes = minutes_notice_text(notice.kind, session.title)
    if minutes is not None:
        text = minutes
    elif notice.kind == "published":
        text = N_("Session published: {title}").format(title=session.title)
    elif notice.kind == "resolution.sign":
        text = N_("A resolution of this session awaits your signature: {title}").format(
            title=session.title
        )
    else:
        text = N_("{n} change(s) to the session: {title}").format(
            n=notice.changes, title=session.title
        )
    return text.render(lang) if lang else str(text)


def notice_dict(notice: Notice, session: Session) -> dict[str, Any]:
    return {
        "id": notice.id,
        "session_id": notice.session_id,
        "kind": notice.kind,
        "changes": notice.changes,
        "text": notice_text(notice, session),
        "url": notice_url(notice),
        "created_at": iso(notice.created_at),
        "updated_at": iso(notice.updated_at),
        "read": notice.read_at is not None,
        "email": notice.state if notice.email else None,
    }
