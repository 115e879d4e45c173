"""petition.track tells the petitioner exactly what was sent and to whom, one sentence a notice:
"đã được gửi thư đến h***@example.vn" only when an e-mail left the server, "chưa gửi được vì …"
otherwise; each notification once; the history worded as events, with the notices' names."""

from __future__ import annotations

import re

import httpx
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from petitions.services import notify
from tests.factories import login
from tests.petitions.helpers import act_ok, file_petition, setup_world
from tests.petitions.test_petition_notifications import _Inbox, _port


async def _track_page(
    anon: httpx.AsyncClient, code: str, token: str, lang: str = "vi"
) -> HTMLParser:
    r = await anon.get("/petitions/track", params={"lang": lang})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    r = await anon.post("/petitions/track", data={"code": code, "token": token, "csrf_token": csrf})
    assert r.status_code == 200, r.text
    return HTMLParser(r.text)


def _notices(page: HTMLParser) -> list[str]:
    return [li.text(deep=True).strip() for li in page.css("ul.notices li")]


async def test_without_email_nothing_claims_to_be_sent(client, anon) -> None:
    w = await setup_world()
    filed = await file_petition(anon, email=None)
    await act_ok(client, w.commune_sec, filed["code"], "accept")
    page = await _track_page(anon, filed["code"], filed["token"])
    notices = _notices(page)
    assert len(notices) == 2  # filed, accepted: each once
    assert [n.split(" — ", 1)[1] for n in notices] == [
        f"Thông báo «{name}» chưa gửi được vì bạn không để lại địa chỉ thư điện tử."
        for name in ("Cấp xã thụ lý", "Đã tiếp nhận")  # newest first
    ]
    text = page.body.text()
    assert "Thông báo đã gửi cho bạn" not in text and "đã gửi thư" not in text
    history = [li.text(deep=True) for li in page.css("ol.history li")]
    assert "Đã tiếp nhận" in history[0] and "Ngày gửi" not in " ".join(history)
    assert "Cấp xã thụ lý" in history[1]  # the step named as its notice names it
    english = _notices(await _track_page(anon, filed["code"], filed["token"], lang="en"))
    assert english[0].split(" — ", 1)[
        1
    ] == (  # the subject as it was sent, in the filing's language
        "The notice “Cấp xã thụ lý” was not sent because you left no e-mail address."
    )


async def test_an_address_without_a_mail_server_is_recorded_not_sent(anon) -> None:
    await setup_world()
    filed = await file_petition(anon)  # gives hoa.nguyen@example.vn; no SMTP_URL
    page = await _track_page(anon, filed["code"], filed["token"])
    (notice,) = _notices(page)
    assert notice.endswith(
        "Thông báo «Đã tiếp nhận» chưa gửi được vì máy chủ chưa được cài đặt gửi thư."
    )
    assert "hoa.nguyen@example.vn" not in page.html
    r = await anon.get(f"/api/v1/petitions/{filed['code']}", params={"token": filed["token"]})
    (note,) = r.json()["notifications"]
    assert note["state"] == "recorded" and note["to"] == "h***@example.vn"


async def test_a_sent_email_names_its_masked_address_once(client, anon, settings) -> None:
    inbox = _Inbox()
    from aiosmtpd.controller import Controller

    controller = Controller(inbox, hostname="127.0.0.1", port=_port())
    controller.start()
    try:
        settings.smtp_url = f"smtp://127.0.0.1:{controller.port}"
        w = await setup_world()
        filed = await file_petition(anon)
        await act_ok(client, w.commune_sec, filed["code"], "escalate")
        await notify.flush()
    finally:
        controller.stop()
    page = await _track_page(anon, filed["code"], filed["token"])
    notices = _notices(page)
    assert len(notices) == 2
    assert all(n.endswith("» đã được gửi thư đến h***@example.vn.") for n in notices)
    assert "hoa.nguyen@example.vn" not in page.html
    # Staff see each notification once with its recipient, not the same subject twice.
    await login(client, w.city_sec)
    r = await client.get(f"/petitions/staff/{filed['code']}")
    lines = [li.text(deep=True) for li in HTMLParser(r.text).css("section.card li.notice")]
    assert all(line.count(":") == 1 for line in lines), lines  # the time's, no other
    assert len(lines) == 4  # petitioner ×2, Ba Đình's secretariat (filed), Hà Nội's (escalated)
    assert sum("người gửi kiến nghị (h***@example.vn)" in line for line in lines) == 2
    assert any("Văn phòng Hà Nội" in line for line in lines)
