"""E-mail notifications through ``SMTP_URL`` (smtp://, smtp+starttls:// or smtps://, optional
user:password@), for every domain. Blocking smtplib runs in a worker thread so the event loop never
waits on it; ``send_later`` sends after the commit that recorded the notifications, in the
background."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from council.settings import Settings

log = logging.getLogger("council.mailer")


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A UTF-8 plain-text message (Vietnamese subjects are RFC 2047-encoded by the library)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject.replace("\n", " ").replace("\r", " ")
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg.set_content(body, charset="utf-8")
    return msg


def _send_blocking(smtp_url: str, msg: EmailMessage, timeout: float) -> None:
    url = urlsplit(smtp_url)
    host = url.hostname or "127.0.0.1"
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, url.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    elif url.scheme in ("smtp", "smtp+starttls"):
        client = smtplib.SMTP(host, url.port or 25, timeout=timeout)
    else:
        raise MailError(f"unsupported SMTP_URL scheme {url.scheme!r}")
    with client:
        if url.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(msg)


async def send(smtp_url: str, msg: EmailMessage, socket_timeout: float = 15.0) -> None:
    """Deliver ``msg``; raises MailError on any SMTP or network failure."""
    try:
        await asyncio.to_thread(_send_blocking, smtp_url, msg, socket_timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(str(exc)) from exc


@dataclass(frozen=True)
class MailConfig:
    """Where notifications go: ``smtp_url`` (None: they are recorded, not sent), the sender,
    and the site's public address for the links they carry."""

    smtp_url: str | None
    sender: str
    base_url: str

    @classmethod
    def of(cls, settings: Settings) -> MailConfig:
        return cls(settings.smtp_url, settings.smtp_from, settings.base_url)


@dataclass(frozen=True)
class Mail:
    """One message to send, and what to record once it went out (``None``) or failed."""

    to: str
    subject: str
    body: str
    done: Callable[[MailError | None], Awaitable[None]]


_pending: set[asyncio.Task[None]] = set()


def send_later(config: MailConfig, mails: list[Mail]) -> None:
    """After the commit that recorded them: send ``mails`` in the background, one by one, each
    ``done`` called with its outcome. Without ``SMTP_URL`` nothing is sent."""
    if not config.smtp_url or not mails:
        return
    task = asyncio.get_running_loop().create_task(_deliver(config, mails))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def _deliver(config: MailConfig, mails: list[Mail]) -> None:
    for mail in mails:
        msg = build_message(config.sender, mail.to, mail.subject, mail.body)
        try:
            await send(config.smtp_url or "", msg)
        except MailError as exc:
            log.warning("mail to %s not delivered: %s", mail.to, exc)
            await mail.done(exc)
        else:
            await mail.done(None)


async def flush() -> None:
    """Wait for every e-mail still being sent (tests, shutdown)."""
    while _pending:
        await asyncio.gather(*list(_pending), return_exceptions=True)
