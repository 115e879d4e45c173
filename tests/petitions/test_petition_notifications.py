"""Notifications: recorded without SMTP_URL and shown in the UI; e-mailed through a real SMTP
server on loopback (aiosmtpd) when SMTP_URL is set."""

from __future__ import annotations

import email
import socket
from email import policy

from aiosmtpd.controller import Controller

from petitions.models import Notification, Petition
from petitions.services import notify
from tests.factories import login
from tests.html import attrs
from tests.petitions.helpers import act_ok, file_petition, setup_world


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_without_smtp_notifications_are_recorded_and_shown(client, anon) -> None:
    w = await setup_world()
    filed = await file_petition(anon)
    await act_ok(client, w.commune_sec, filed["code"], "escalate")
    p = await Petition.get(code=filed["code"])
    notes = await Notification.filter(petition_id=p.id)
    assert {n.state for n in notes} == {"recorded"}
    assert any(n.recipient == "petitioner" for n in notes)
    assert any(n.user_id == w.city_sec.id for n in notes)  # the new hop's owner
    await login(client, w.city_sec)
    r = await client.get("/petitions/notifications")
    assert set(attrs(r.text, "li.card a", "href")) == {f"/petitions/staff/{filed['code']}"}
    r = await anon.get(f"/api/v1/petitions/{filed['code']}", params={"token": filed["token"]})
    assert r.status_code == 200
    r = await anon.get("/petitions/track")
    assert r.status_code == 200


async def test_petitioner_and_hop_owner_are_emailed(client, anon, settings) -> None:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_port())
    controller.start()
    try:
        settings.smtp_url = f"smtp://127.0.0.1:{controller.port}"
        w = await setup_world()
        w.city_sec.email = "vanphong@hanoi.example.vn"
        await w.city_sec.save()
        filed = await file_petition(anon)
        await act_ok(client, w.commune_sec, filed["code"], "escalate")
        await notify.flush()
    finally:
        controller.stop()
    recipients = sorted(m["To"] for m in inbox.messages)
    assert recipients.count("hoa.nguyen@example.vn") == 2  # filed, escalated
    assert "vanphong@hanoi.example.vn" in recipients
    escalated = [m for m in inbox.messages if m["To"] == "hoa.nguyen@example.vn"][-1]
    assert filed["code"] in escalated["Subject"]
    assert f"/petitions/track?code={filed['code']}" in escalated.get_content()
    assert filed["token"] not in escalated.get_content()
    p = await Petition.get(code=filed["code"])
    assert await Notification.filter(petition_id=p.id, state="sent").count() == 3


async def test_supporters_of_merged_petitions_follow_the_survivor(client, anon, settings) -> None:
    settings.petition_rate = "20/3600"
    w = await setup_world()
    survivor = (await file_petition(anon))["code"]
    merged = (await file_petition(anon, email=None))["code"]
    earlier = (await file_petition(anon, email=None))["code"]
    for code, address in (
        (survivor, "nam@example.vn"),
        (merged, "lan@example.vn"),
        (earlier, "binh@example.vn"),
        (earlier, "lan@example.vn"),  # supports two of them: told once
    ):
        r = await anon.post(f"/api/v1/petitions/{code}/support", json={"email": address})
        assert r.status_code == 200, r.text
    await act_ok(client, w.commune_sec, earlier, "merge", into_code=merged)
    await act_ok(client, w.commune_sec, merged, "merge", into_code=survivor)
    last = (await Notification.all().order_by("-id").first()).id
    await act_ok(client, w.commune_sec, survivor, "escalate")
    told = await Notification.filter(id__gt=last, recipient="supporter").values_list(
        "email", flat=True
    )
    assert sorted(told) == ["binh@example.vn", "lan@example.vn", "nam@example.vn"]
