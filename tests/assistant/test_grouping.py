"""assistant.group: petitions grouped by shared terms, with counts, communes and summaries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from assistant.models import UsageEntry
from assistant.services.grouping import cluster
from tests.assistant.conftest import with_llm
from tests.assistant.openai_server import OpenAIServer, user_text
from tests.factories import bearer, htmx, login, make_commune, make_council, make_user
from tests.html import has, refusal, text, texts

GROUPS = "/api/v1/assistant/petition-groups"

PETITIONS = [
    (
        "transport",
        "Sửa chữa đường liên xã thôn Đông",
        "Đường liên xã đoạn qua thôn Đông xuống cấp nghiêm trọng, nhiều ổ gà, đề nghị sửa chữa sớm.",
    ),
    (
        "transport",
        "Duong lien xa xuong cap",
        "De nghi sua chua duong lien xa doan qua thon Doai vi xuong cap, mua xuong ngap nuoc.",
    ),
    (
        "transport",
        "Nâng cấp đường liên xã",
        "Cử tri đề nghị nâng cấp, sửa chữa đường liên xã để người dân đi lại an toàn.",
    ),
    (
        "transport",
        "Lắp đèn tín hiệu giao thông",
        "Đề nghị lắp đèn tín hiệu giao thông tại ngã tư chợ Đông vì thường xuyên ùn tắc.",
    ),
    (
        "environment",
        "Ngập úng khu dân cư sau mưa",
        "Khu dân cư tổ 5 bị ngập úng kéo dài sau mỗi trận mưa lớn, đề nghị nạo vét cống thoát nước.",
    ),
    (
        "environment",
        "Ngap ung tuyen pho chinh",
        "Sau moi tran mua lon tuyen pho chinh bi ngap ung, de nghi cai tao he thong thoat nuoc.",
    ),
    (
        "environment",
        "Điểm tập kết rác tự phát",
        "Điểm tập kết rác tự phát cạnh trường học gây ô nhiễm, đề nghị di dời.",
    ),
]


@dataclass(frozen=True)
class Brief:
    code: str
    title: str
    body: str
    category: str
    council_code: str
    commune_name: str
    status: str = "received"


def test_cluster_groups_by_shared_terms_across_accents() -> None:
    communes = [
        "Xã Đông Anh",
        "Xã Phúc Thịnh",
        "Xã Thư Lâm",
        "Xã Đông Anh",
        "Phường A",
        "Phường B",
        "Phường B",
    ]
    briefs = [Brief(f"KN-{i}", t, b, c, "X", communes[i]) for i, (c, t, b) in enumerate(PETITIONS)]
    groups = cluster(briefs)
    assert [(g.category, g.count) for g in groups] == [
        ("transport", 3),
        ("environment", 2),
        ("environment", 1),
        ("transport", 1),
    ]
    road, flood = groups[0], groups[1]
    assert road.topic == "đường liên xã" and road.codes == ["KN-0", "KN-1", "KN-2"]
    assert road.communes == ["Xã Phúc Thịnh", "Xã Thư Lâm", "Xã Đông Anh"]
    assert flood.topic.startswith("ngập úng") and flood.codes == ["KN-4", "KN-5"]
    assert groups[3].topic == "Lắp đèn tín hiệu giao thông"  # a single petition keeps its title
    assert cluster(list(reversed(briefs)))[0].codes == road.codes  # order does not matter here


async def _file_petitions(client: Any, commune: Any) -> list[str]:
    codes = []
    for i, (category, title, body) in enumerate(PETITIONS):
        response = await client.post(
            "/api/v1/petitions",
            json={
                "council_code": commune.code,
                "category": category,
                "title": title,
                "body": body,
                "name": f"Nguyễn Thị Hoa {i}",
                "phone": f"09123456{i:02d}",
            },
        )
        assert response.status_code == 201, response.text
        codes.append(response.json()["code"])
    return codes


async def test_grouping_through_the_api_summarizes_each_group(
    settings: Any, make_client: Any, llm_server: OpenAIServer
) -> None:
    relaxed = dataclasses.replace(settings, petition_rate="1000/60")
    client = await make_client(with_llm(relaxed, llm_server))
    city = await make_council()
    commune = await make_commune(city)
    await _file_petitions(client, commune)
    secretariat = await make_user("secretariat", commune)

    response = await client.post(GROUPS, json={}, headers=await bearer(secretariat))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (
        body["petitions"] == 7 and body["machine_written"] is True and body["provider"] == "openai"
    )
    assert [(g["topic"], g["count"]) for g in body["groups"]][0] == ("đường liên xã", 3)
    assert all(g["communes"] == [commune.name] for g in body["groups"])
    assert len(body["groups"]) == 2 and len(body["others"]) == 2
    assert llm_server.count == 2  # one summary per group of two or more
    for request in llm_server.requests:
        text = user_text(request)
        assert text.startswith("Nhóm kiến nghị về ")
        assert "[KN-" in text and "[KN KN-" not in text
        assert "Nguyễn Thị Hoa" not in text and "0912345" not in text  # no personal data
    assert all(g["summary"].startswith("- ") for g in body["groups"])
    assert body["report"].startswith(f"1. Về đường liên xã (3 kiến nghị; {commune.name})")
    assert "Các kiến nghị khác (2 kiến nghị)" in body["report"]
    entry = await UsageEntry.get(action="assistant.group")
    assert entry.calls == 2 and entry.detail["petitions"] == 7 and entry.user_id == secretariat.id


async def test_grouping_offline_and_denials(settings: Any, make_client: Any) -> None:
    relaxed = dataclasses.replace(settings, petition_rate="1000/60")
    client = await make_client(with_llm(relaxed, None))
    city = await make_council()
    commune = await make_commune(city)
    await _file_petitions(client, commune)
    secretariat = await make_user("secretariat", commune)
    response = await client.post(GROUPS, json={}, headers=await bearer(secretariat))
    body = response.json()
    assert body["provider"] == "extractive"
    assert "đường liên xã" in body["groups"][0]["summary"]
    delegate = await make_user("delegate", commune)
    denied = await client.post(GROUPS, json={}, headers=await bearer(delegate))
    assert refusal(denied) == (403, "forbidden")
    assert denied.json()["error"]["details"]["operation"] == "assistant.group"
    bad = await client.post(GROUPS, json={"cycle_id": "x"}, headers=await bearer(secretariat))
    assert refusal(bad) == (422, "invalid")
    missing = await client.post(
        GROUPS, json={"cycle_id": 987654}, headers=await bearer(secretariat)
    )
    assert refusal(missing) == (404, "not_found")
    other = await make_user("secretariat", await make_commune(city))
    theirs = await client.post(
        GROUPS, json={"council_code": commune.code}, headers=await bearer(other)
    )
    assert (
        theirs.status_code == 200 and theirs.json()["petitions"] == 0
    )  # scoped to what they may see

    await login(client, secretariat)
    page = await client.get("/assistant/petitions")
    assert page.status_code == 200
    # The council's cycles, by name, to choose from.
    assert any(
        t.startswith("Trước kỳ họp thứ 1") for t in texts(page.text, "select#cycle_id option")
    )
    fragment = await client.post("/assistant/petitions", data={"cycle_id": ""}, headers=htmx())
    assert fragment.status_code == 200 and not has(fragment.text, "main, select#cycle_id")
    assert "đường liên xã" in text(fragment.text, "#report-text")
    # Fields by their names, never their codes.
    cells = texts(fragment.text, "td")
    assert "Giao thông" in cells and "transport" not in cells


def test_a_group_is_named_by_the_words_its_titles_share_never_half_a_word() -> None:
    """Vietnamese words are syllables written apart ("xây dựng", "tồn đọng"): a name built from
    syllable pairs alone read "dựng sai phép", and folded spellings mixed "đọng" with "đồng"."""
    titles = [
        ("construction", "Xây dựng sai phép tại thôn Thượng"),
        ("construction", "Nhà xây dựng sai phép lấn chiếm ngõ 12"),
        ("construction", "Xây dựng sai phép trên đất nông nghiệp"),
        ("environment", "Rác thải tồn đọng nhiều ngày ở tổ 3"),
        ("environment", "Rác thải tồn đọng gần chợ Đồng"),
        ("environment", "Rac thai ton dong canh truong hoc"),
        ("agriculture", "Kênh mương nội đồng bị bồi lắng"),
        ("agriculture", "Cánh đồng thôn Đông thiếu nước tưới"),
    ]
    briefs = [
        Brief(f"KN-{i}", title, f"{title}. Đề nghị xử lý sớm.", category, "X", "Xã A")
        for i, (category, title) in enumerate(titles)
    ]
    topics = {g.category: g.topic for g in cluster(briefs) if g.count > 1}
    assert topics["construction"] == "xây dựng sai phép"
    assert topics["environment"] == "rác thải tồn đọng"
