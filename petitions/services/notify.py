"""Notifications on every change: to the petitioner (and those merged in or supporting, by e-mail
when they gave one and SMTP_URL is set) and to the owners of the hops involved (inbox, e-mail too).

Every notification is recorded first, inside the change's transaction; e-mail goes out after the
commit, in the background. Without SMTP_URL it stays ``recorded`` and is shown in the UI.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from council import mailer
from council.i18n import N_
from council.mailer import Mail, MailConfig, MailError
from council.models import User
from petitions import labels
from petitions.models import Notification, Petition, Supporter
from petitions.services.merging import merged_here

log = logging.getLogger("petitions.notify")

__all__ = [
    "MailConfig",
    "NoticeLine",
    "deliver_later",
    "describe",
    "flush",
    "record_change",
]


@dataclass(frozen=True)
class NoticeLine:
    """One notification as its reader sees it: when, about what, to whom, and what really
    happened to it (sent, waiting, failed, or only recorded because nothing could be sent)."""

    at: datetime
    subject: str
    to: str  # the masked address, or "" when it went nowhere but this page
    state: str  # recorded | sent | failed
    outcome: str  # the sentence shown: "đã gửi thư đến h***@example.vn"


def describe(n: Notification, *, smtp_configured: bool, lang: str | None = None) -> NoticeLine:
    """Say exactly what was done with ``n``: never "sent" unless an e-mail left the server."""
    to = labels.mask_email(n.email) if n.email else ""
    if n.state == "sent" and to:
        outcome = N_("e-mail sent to {address}").format(address=to)
    elif n.state == "failed" and to:
        outcome = N_("e-mail to {address} could not be delivered").format(address=to)
    elif not n.email:
        outcome = N_("recorded, not sent: no e-mail address was given")
    elif smtp_configured:
        outcome = N_("recorded, e-mail to {address} waiting to be sent").format(address=to)
    else:
        outcome = N_("recorded, not sent: e-mail is not set up on this server")
    return NoticeLine(n.created_at, n.subject, to, n.state, outcome.render(lang))


def _petitioner_text(p: Petition, action: str, lang: str, base_url: str) -> tuple[str, str]:
    status = labels.text(labels.STATUS, p.status, lang)
    subject = N_("Petition {code}: {status}").format(code=p.code, status=status).render(lang)
    lines = [
        N_('Your petition "{title}" ({code}) has a new update: {event}.')
        .format(title=p.title, code=p.code, event=labels.text(labels.ACTION, action, lang))
        .render(lang),
        N_("Current status: {status}.").format(status=status).render(lang),
    ]
    if p.status in ("published", "closed") and p.answer:
        lines += ["", N_("Published answer:").render(lang), p.answer]
    lines += [
        "",
        N_("Follow it with your tracking code and secret token at {url}")
        .format(url=f"{base_url}/petitions/track?code={p.code}")
        .render(lang),
    ]
    return subject, "\n".join(lines)


async def record_change(
    p: Petition,
    action: str,
    *,
    actor: User | None,
    owners: set[int],
    base_url: str = "",
    lang_default: str = "vi",
) -> list[Notification]:
    """Record this change's notifications (call inside the transaction). ``owners`` are user ids."""
    made: list[Notification] = []
    lang = p.lang or lang_default
    # The petitioners of this one and of every one merged into it, and all their supporters.
    family = {m.id: m for m in [p, *await merged_here(p)]}
    people: list[tuple[str, Petition, str | None]] = [
        ("petitioner", m, m.email) for m in family.values()
    ]
    supporters = Supporter.filter(petition_id__in=list(family), email__isnull=False)
    for s in await supporters.order_by("id"):
        people.append(("supporter", family[s.petition_id], s.email))
    seen_emails: set[str] = set()
    for kind, target, email in people:
        if email and email in seen_emails:
            continue
        if email:
            seen_emails.add(email)
        subject, body = _petitioner_text(p, action, target.lang or lang, base_url)
        if target.id != p.id:
            subject = f"{target.code} → {subject}"
        made.append(
            await Notification.create(
                petition_id=target.id, recipient=kind, email=email, subject=subject, body=body
            )
        )
    for user in await User.filter(id__in=owners, is_active=True):
        if actor is not None and user.id == actor.id:
            continue
        ulang = user.lang or lang_default
        status = labels.text(labels.STATUS, p.status, ulang)
        subject = N_("Petition {code}: {status}").format(code=p.code, status=status).render(ulang)
        body = (
            N_('{event}: "{title}" ({code}) is now {status}.')
            .format(
                event=labels.text(labels.ACTION, action, ulang),
                title=p.title,
                code=p.code,
                status=status,
            )
            .render(ulang)
        )
        made.append(
            await Notification.create(
                petition_id=p.id,
                recipient="staff",
                user_id=user.id,
                email=user.email,
                subject=subject,
                body=body,
            )
        )
    return made


def deliver_later(notes: list[Notification], config: MailConfig) -> None:
    """After commit: send the e-mails in the background (no-op without SMTP_URL)."""
    mailer.send_later(
        config,
        [Mail(n.email, n.subject, n.body, _outcome(n.id)) for n in notes if n.email],
    )


def _outcome(note_id: int) -> Callable[[MailError | None], Awaitable[None]]:
    async def done(error: MailError | None) -> None:
        if error is not None:
            log.warning("notification %s not delivered: %s", note_id, error)
            await Notification.filter(id=note_id).update(state="failed", error=str(error)[:300])
        else:
            await Notification.filter(id=note_id).update(state="sent", sent_at=datetime.now(UTC))

    return done


async def flush() -> None:
    """Wait for every e-mail still being sent (tests, shutdown)."""
    await mailer.flush()
