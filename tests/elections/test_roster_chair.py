"""A term's roster and a vacancy in a council WITH a chair: the secretariat makes them; the seats'
holders who sign records (the chair) lose or regain access as the election decided, without an
administrator, and the secretariat still cannot grant, change or reset an account that signs."""

from __future__ import annotations

from typing import Any

import pytest

from council import services, signals
from council.errors import Forbidden
from council.models import AuditEntry, User
from elections.models import Candidate, Election, TermSeat
from elections.services import roster
from tests.elections.test_elections import _enter_counts, _setup_election
from tests.factories import bearer, make_council, make_delegates, make_user


async def test_a_secretariat_makes_the_roster_and_vacates_seats_of_a_council_with_a_chair(
    client,
) -> None:
    ward = await make_council(code="HN-CH", seats=3)
    old = await make_delegates(ward, 1)
    chair = await make_user("chair", council=ward)  # the outgoing chair, not re-elected
    former = await make_user("chair", council=ward)  # a chair of an earlier term, re-elected
    former.is_active = False
    await former.save()
    staff = await make_user("secretariat", council=ward)
    h = await bearer(staff)
    slug, (a, b, c) = await _setup_election(client, ward, h, seats=2, n=3)
    # The former chair stands again as candidate a: the election links the person's account.
    await Candidate.filter(id=a).update(user_id=former.id)
    counts = {"registered": 100, "voted": 80, "issued": 80, "received": 80, "valid": 80}
    r = await _enter_counts(client, slug, h, 1, {**counts, "invalid": 0}, {a: 60, b: 50, c: 10})
    assert r.status_code == 200, r.text
    assert (await client.post(f"/api/v1/elections/{slug}/confirm", headers=h)).status_code == 200

    r = await client.post(f"/api/v1/elections/{slug}/roster", headers=h)
    assert r.status_code == 201, r.text
    usernames = {e["username"] for e in r.json()["delegates"]}
    assert former.username in usernames and len(usernames) == 2
    chair, former = await User.get(id=chair.id), await User.get(id=former.id)
    assert not chair.is_active and chair.role == "chair"  # not re-elected: access ends
    assert former.is_active and former.role == "chair"  # re-elected: the role as given
    assert not any(u.is_active for u in await User.filter(id__in=[d.id for d in old]))
    effects = {
        (e.target_id, e.details["is_active"], e.details.get("signs"))
        for e in await AuditEntry.filter(operation="user.update", council_id=ward.id)
        if e.details.get("effect_of") == "term.roster"
    }
    assert {(str(chair.id), False, True), (str(former.id), True, True)} <= effects
    assert not await AuditEntry.exists(operation="permission.denied", council_id=ward.id)

    # A chair dismissed mid-term: the secretariat records the vacancy; the account closes.
    seat = await TermSeat.get(user_id=former.id)
    r = await client.post(
        f"/api/v1/term-seats/{seat.id}/vacate",
        headers=h,
        json={"day": "2026-10-01", "reason": "dismissal", "note": ""},
    )
    assert r.status_code == 200, r.text
    assert not (await User.get(id=former.id)).is_active
    entry = await AuditEntry.filter(operation="user.update", target_id=former.id).order_by("-id")
    assert entry[0].details == {"is_active": False, "effect_of": "seat.vacate", "signs": True}

    # The seat services are no back door: the secretariat still cannot reactivate a chair itself.
    with pytest.raises(Forbidden):
        await services.user_set_active(staff, await User.get(id=former.id), True)
    assert not (await User.get(id=former.id)).is_active


async def test_a_roster_rolled_back_tells_nobody_their_sessions_ended(client, monkeypatch) -> None:
    """The accounts the roster closes are told (``user.tokens_ended``: their connections close)
    only once the roster has committed: a roster that fails halfway tells nobody."""
    ward = await make_council(code="HN-RB", seats=3)
    old = await make_delegates(ward, 1)
    chair = await make_user("chair", council=ward)  # not re-elected: the roster closes it
    staff = await make_user("secretariat", council=ward)
    h = await bearer(staff)
    slug, (a, b, c) = await _setup_election(client, ward, h, seats=2, n=3)
    counts = {"registered": 100, "voted": 80, "issued": 80, "received": 80, "valid": 80}
    r = await _enter_counts(client, slug, h, 1, {**counts, "invalid": 0}, {a: 60, b: 50, c: 10})
    assert r.status_code == 200, r.text
    assert (await client.post(f"/api/v1/elections/{slug}/confirm", headers=h)).status_code == 200

    told: list[int] = []

    async def listener(user_id: int) -> None:
        told.append(user_id)

    signals.TOKENS_ENDED.connect(listener)
    try:

        async def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("the roster fails after closing the outgoing accounts")

        with monkeypatch.context() as patch:
            patch.setattr(roster.people, "link_by_profile", broken)
            election = await Election.get(slug=slug)
            with pytest.raises(RuntimeError):
                await roster.roster_create(staff, election)
        assert told == []
        assert (await User.get(id=chair.id)).is_active  # rolled back: still in office

        r = await client.post(f"/api/v1/elections/{slug}/roster", headers=h)
        assert r.status_code == 201, r.text
        assert sorted(told) == sorted([chair.id, *(d.id for d in old)])
    finally:
        signals.TOKENS_ENDED.disconnect(listener)
