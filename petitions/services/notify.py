"""Notifications on every change: to the petitioner (and those merged in or supporting, by e-mail
when they gave one and SMTP_URL is set) and to the owners of the hops involved (inbox, e-mail too).

Every notification is recorded first, inside the change's transaction; e-mail goes out after the
commit, in the background. Without SMTP_URL it stays ``recorded`` and is shown in the UI.
"""

from __future__ import annotations

import logging
import re
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
    "notice_name",
    "record_change",
    "staff_line",
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


_SUBJECT = N_("Petition {code}: {status}")


def notice_name(subject: str) -> str:
    """What a notice is about, without the "Kiến nghị KN-…:" its subject starts with (the page
    it is shown on is that petition's); a subject of another form is kept whole."""
    for lang in ("vi", "en"):
        pattern = re.escape(_SUBJECT.render(lang))
        pattern = pattern.replace(r"\{code\}", r"\S+").replace(r"\{status\}", "(.+)")
        if m := re.fullmatch(pattern, subject):
            return m.group(1)
    return subject


def describe(n: Notification, *, smtp_configured: bool, lang: str | None = None) -> NoticeLine:
    """Say exactly what was done with ``n``, as one sentence: never "sent" unless an e-mail
    left the server."""
    to = labels.mask_email(n.email) if n.email else ""
    name = notice_name(n.subject)
    if n.state == "sent" and to:
        outcome = N_("The notice “{name}” was e-mailed to {address}.")
    elif n.state == "failed" and to:
        outcome = N_("The notice “{name}” could not be delivered to {address}.")
    elif not n.email:
        outcome = N_("The notice “{name}” was not sent because you left no e-mail address.")
    elif smtp_configured:
        outcome = N_("The notice “{name}” is waiting to be e-mailed to {address}.")
    else:
        outcome = N_(
            "The notice “{name}” was not sent because e-mail is not set up on this server."
        )
    text = outcome.format(name=name, address=to).render(lang)
    return NoticeLine(n.created_at, n.subject, to, n.state, text)


def staff_line(n: Notification, recipient: str, lang: str | None = None) -> str:
    """A notification as staff read it on the petition's page, as one sentence with its fate."""
    if n.state == "sent":
        sentence = N_("The notice “{name}” for {recipient} was e-mailed.")
    elif n.state == "failed":
        sentence = N_("The notice “{name}” for {recipient} could not be e-mailed.")
    else:
        sentence = N_("The notice “{name}” for {recipient} was recorded, not e-mailed.")
    return sentence.format(name=notice_name(n.subject), recipient=recipient).render(lang)


def _petitioner_text(p: Petition, action: str, lang: str, base_url: str) -> tuple[str, str]:
    status = labels.text(labels.STATUS, p.status, lang)
    subject = _SUBJECT.format(code=p.code, status=status).render(lang)
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
        subject = _SUBJECT.format(code=p.code, status=status).render(ulang)
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
