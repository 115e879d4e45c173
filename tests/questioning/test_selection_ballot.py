"""selection.open / .vote / .close: delegates choose N of M groups before the sitting, with no
quorum and no seat threshold; the chair's side breaks a tie (issue 20 item 2)."""

from __future__ import annotations

from council.models import AuditEntry
from questioning.models import QuestionGroup
from questioning.services.selection import winners
from tests.factories import error_code, make_delegates
from tests.questioning.helpers import World, call, ok, setup_world


def test_top_n_and_ties() -> None:
    assert winners({1: 5, 2: 3, 3: 1}, 2, []) == [1, 2]
    assert winners({1: 5, 2: 3, 3: 3}, 2, []) == [[2, 3]]
    assert winners({1: 5, 2: 3, 3: 3}, 2, [3, 2]) == [1, 3]
    assert winners({1: 2, 2: 2}, 2, []) == [1, 2]


async def _groups(client, w: World, n: int) -> list[int]:
    base = f"/api/v1/questioning/sessions/{w.session_id}/groups"
    return [
        (
            await ok(
                client, w.chair, "POST", base, json={"title": f"Nhóm {i}", "criterion": "pressing"}
            )
        )["id"]
        for i in range(n)
    ]


async def _vote(client, user, w: World, group_ids: list[int]):
    return await call(
        client,
        user,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/selection/votes",
        json={"group_ids": group_ids},
    )


async def test_delegates_choose_two_of_three_without_quorum(client) -> None:
    w = await setup_world()
    a, b, c = await _groups(client, w, 3)
    base = f"/api/v1/questioning/sessions/{w.session_id}/selection"
    opened = await ok(client, w.chair, "POST", base, json={"max_choices": 2})
    assert opened["status"] == "open" and opened["eligible"] >= 3
    # Three of a 30-seat council vote; nobody checked in; the sitting has not started.
    assert (await _vote(client, w.delegate, w, [a, b])).status_code == 201
    assert (await _vote(client, w.delegate2, w, [a, c])).status_code == 201
    r = await _vote(client, w.delegate, w, [c])
    assert r.status_code == 409 and error_code(r) == "already_voted"
    r = await _vote(client, w.chair, w, [a, b, c])
    assert r.status_code == 422  # more than N
    r = await _vote(client, w.other_delegate, w, [a])
    assert r.status_code == 403
    seen = await ok(client, w.delegate, "GET", base)
    assert seen["counts"] is None and seen["has_voted"]  # counts only once closed

    r = await call(client, w.chair, "POST", f"{base}/close", json={})
    assert r.status_code == 409 and error_code(r) == "tie"
    assert sorted(r.json()["error"]["details"]["tied"]) == sorted([b, c])
    closed = await ok(client, w.chair, "POST", f"{base}/close", json={"prefer": [c, b]})
    assert closed["chosen"] == sorted([a, c])
    assert closed["counts"] == {str(a): 2, str(b): 1, str(c): 1}
    assert {g.id for g in await QuestionGroup.filter(chosen=True)} == {a, c}
    entries = await AuditEntry.filter(operation="selection.vote")
    assert len(entries) == 2 and all("group" not in str(e.details) for e in entries)


async def test_n_must_be_below_the_number_of_groups(client) -> None:
    w = await setup_world()
    await _groups(client, w, 2)
    r = await call(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/selection",
        json={"max_choices": 2},
    )
    assert r.status_code == 422


async def test_every_delegate_counts_as_eligible(client) -> None:
    w = await setup_world()
    await make_delegates(w.council, 5)
    await _groups(client, w, 2)
    opened = await ok(
        client,
        w.chair,
        "POST",
        f"/api/v1/questioning/sessions/{w.session_id}/selection",
        json={"max_choices": 1},
    )
    assert opened["eligible"] == 1 + 2 + 5  # the chair, the two delegates, five more


async def test_the_ballot_through_the_pages(client) -> None:
    from selectolax.lexbor import LexborHTMLParser

    from tests.factories import login

    w = await setup_world()
    a, b, _c = await _groups(client, w, 3)
    sid = w.session_id
    await login(client, w.chair)
    assert (
        await client.post(f"/questioning/sessions/{sid}/selection", data={"max_choices": "1"})
    ).status_code == 303
    await login(client, w.delegate)
    page = LexborHTMLParser((await client.get(f"/questioning/sessions/{sid}")).text)
    assert len(page.css("#selection-vote input[name=group_ids]")) == 3
    r = await client.post(
        f"/questioning/sessions/{sid}/selection/votes", data={"group_ids": [str(a), str(b)]}
    )
    assert r.status_code == 422  # two where one may be chosen: the page says why
    assert LexborHTMLParser(r.text).css_first("#form-errors") is not None
    assert (
        await client.post(
            f"/questioning/sessions/{sid}/selection/votes", data={"group_ids": str(b)}
        )
    ).status_code == 303
    await login(client, w.chair)
    assert (
        await client.post(f"/questioning/sessions/{sid}/selection/close", data={"prefer": ""})
    ).status_code == 303
    assert {g.id for g in await QuestionGroup.filter(chosen=True)} == {b}
