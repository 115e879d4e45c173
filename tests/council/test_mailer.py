"""E-mail delivery through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from council.mailer import MailError, build_message, send


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_send_vietnamese_mail_to_a_real_server() -> None:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        msg = build_message(
            "hdnd@example.vn",
            "cu.tri@example.vn",
            "Kiến nghị KN-2026-AAAAAA1: đã trả lời",
            "Nội dung trả lời: đường sẽ được sửa.",
        )
        await send(f"smtp://127.0.0.1:{controller.port}", msg)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    got = inbox.messages[0]
    assert got["Subject"] == "Kiến nghị KN-2026-AAAAAA1: đã trả lời"
    assert got["To"] == "cu.tri@example.vn"
    assert "đường sẽ được sửa" in got.get_content()


async def test_unreachable_server_is_a_mail_error() -> None:
    msg = build_message("a@example.vn", "b@example.vn", "x", "y")
    with pytest.raises(MailError):
        await send(f"smtp://127.0.0.1:{_free_port()}", msg, socket_timeout=2)
    with pytest.raises(MailError):
        await send("http://127.0.0.1:1", msg)
