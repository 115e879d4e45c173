"""Sending one e-mail through ``SMTP_URL`` (smtp://, smtp+starttls:// or smtps://, optional
user:password@). Blocking smtplib runs in a worker thread so the event loop never waits on it."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit


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
