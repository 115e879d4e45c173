"""A person elected to two councils (city and ward) has one account per council, shown as one
person on the public pages: linked when the second roster is made (same published name and date
of birth), or by the admin (person.link)."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.models import Council, User
from elections.models import PersonAccount
from tests.elections.test_contacts import _seated_ward
from tests.elections.test_elections import _enter_counts, _setup_election
from tests.factories import bearer, error_code, make_delegates, make_user


async def test_elected_to_the_city_and_a_ward_one_person(client, anon) -> None:
    ward, _h, _staff, (in_ward,) = await _seated_ward(client, "HN-PP")
    city = await Council.get(code="HN-PP-CITY")
    h = await bearer(await make_user("secretariat", council=city))
    slug, (a, b) = await _setup_election(client, city, h, seats=1, n=2)  # the same two candidates
    counts = {"registered": 900, "voted": 800, "issued": 800, "received": 800, "valid": 800,
              "invalid": 0}  # fmt: skip
    assert (await _enter_counts(client, slug, h, 1, counts, {a: 700, b: 100})).status_code == 200
    assert (await client.post(f"/api/v1/elections/{slug}/confirm", headers=h)).status_code == 200
    r = await client.post(f"/api/v1/elections/{slug}/roster", headers=h)
    assert r.status_code == 201, r.text
    in_city = await User.get(username=r.json()["delegates"][0]["username"])
    assert in_city.id != in_ward.id and in_city.council_id == city.id  # an account per council

    account = await PersonAccount.get(user_id=in_ward.id)
    assert (await PersonAccount.get(user_id=in_city.id)).person_id == account.person_id
    person = (await anon.get(f"/api/v1/people/{account.person_id}")).json()
    assert person["full_name"] == in_ward.full_name
    assert [(s["council_code"], s["activity"]) for s in person["seats"]] == [
        (city.code, f"/delegates/{in_city.id}"),
        (ward.code, f"/delegates/{in_ward.id}"),
    ]

    # /delegates shows the person in the ward's list and in the city's, each linked to the one
    # person's page; the ward record links to the city record.
    page = HTMLParser((await anon.get(f"/delegates?council={ward.code}")).text)
    for council, user in ((ward, in_ward), (city, in_city)):
        also = page.css_first(f"#council-{council.code} #delegate-{user.id} a.also")
        assert also is not None and also.attributes["href"] == f"/people/{account.person_id}"
    page = HTMLParser((await anon.get(f"/delegates/{in_ward.id}")).text)
    assert page.css_first(f"#person a[href='/delegates/{in_city.id}']").text() == city.name
    page = HTMLParser((await anon.get(f"/people/{account.person_id}")).text)
    assert [a.attributes["href"] for a in page.css("#seats li a")] == [
        f"/delegates/{in_city.id}",
        f"/delegates/{in_ward.id}",
    ]


async def test_the_admin_links_accounts_one_per_council(client, anon) -> None:
    ward, _h, staff, (in_ward,) = await _seated_ward(client, "HN-PL")
    city = await Council.get(code="HN-PL-CITY")
    in_city, neighbour = await make_delegates(city, 2)
    body = {"user_ids": [in_ward.id, in_city.id]}
    assert (await anon.post("/api/v1/people", json=body)).status_code == 401
    r = await client.post("/api/v1/people", headers=await bearer(staff), json=body)
    assert (r.status_code, error_code(r)) == (403, "forbidden")
    admin = await bearer(await make_user("admin"))
    r = await client.post(
        "/api/v1/people", headers=admin, json={"user_ids": [in_city.id, neighbour.id]}
    )
    assert r.status_code == 422  # two accounts of one council are two people
    r = await client.post("/api/v1/people", headers=admin, json=body)
    assert r.status_code == 201, r.text
    assert {s["user_id"] for s in r.json()["seats"]} == {in_ward.id, in_city.id}
    assert (await anon.get("/api/v1/people/999999")).status_code == 404
