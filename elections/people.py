"""One person, several councils: a person elected to a city's council and to a ward's has an
account in each (each council's rights stay its own), and the public pages show one person.

Accounts are linked by the admin (``person.link``), or when a term's roster seats a winner whose
published profile (full name and date of birth) is that of a delegate seated from another
council's election (``link_by_profile``)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Invalid, NotFound
from council.i18n import N_
from council.models import Council, User
from elections.models import Candidate, Person, PersonAccount, TermSeat

SEAT_ROLES = ("delegate", "chair")


@dataclass
class Seat:
    """One council's account of the person."""

    user: User
    council: Council


@dataclass
class PersonView:
    person: Person
    seats: list[Seat]


async def person_link(actor: User, user_ids: list[int]) -> Person:
    """person.link: these delegates' accounts (one per council) are one person."""
    ids = sorted(set(user_ids))
    users = await User.filter(id__in=ids, role__in=SEAT_ROLES)
    if len(ids) < 2 or len(users) != len(ids):
        raise Invalid(fields={"user_ids": str(N_("Name two or more delegates' accounts."))})
    councils = [u.council_id for u in users]  # type: ignore[attr-defined]
    if None in councils or len(set(councils)) != len(councils):
        raise Invalid(
            fields={
                "user_ids": str(
                    N_(
                        "A person has one account in each council: name accounts of different councils."
                    )
                )
            }
        )
    async with in_transaction():
        person = await _link(users)
        await audit.record(
            "person.link",
            actor=actor,
            target_type="person",
            target_id=person.id,
            details={"user_ids": ids},
        )
    return person


async def _link(users: list[User]) -> Person:
    """Join the accounts into one person (merging the persons they already belong to)."""
    existing = await PersonAccount.filter(user_id__in=[u.id for u in users])
    person_ids = sorted({a.person_id for a in existing})
    if person_ids:
        person = await Person.get(id=person_ids[0])
        if len(person_ids) > 1:
            await PersonAccount.filter(person_id__in=person_ids[1:]).update(person_id=person.id)
            await Person.filter(id__in=person_ids[1:]).delete()
    else:
        person = await Person.create(full_name=users[0].full_name)
    linked = {a.user_id for a in await PersonAccount.filter(person_id=person.id)}
    for user in users:
        if user.id not in linked:
            await PersonAccount.create(person_id=person.id, user_id=user.id)
    councils = await PersonAccount.filter(person_id=person.id).values_list(
        "user__council_id", flat=True
    )
    if len(set(councils)) != len(councils):
        raise Conflict(
            "one_account_per_council",
            N_("This person already has an account in one of these councils."),
        )
    return person


async def link_by_profile(candidate: Candidate, user: User, council: Council) -> Person | None:
    """A winner seated by a roster who is a delegate of the parent or a child council, as the
    published profiles say (same full name and date of birth): one person. Called inside the
    roster's transaction."""
    related = [c for c in (council.parent_id,) if c]  # type: ignore[attr-defined]
    related += list(await Council.filter(parent_id=council.id).values_list("id", flat=True))
    if not related:
        return None
    seats = await TermSeat.filter(
        candidate__full_name=candidate.full_name,
        candidate__birth_date=candidate.birth_date,
        user__council_id__in=related,
    ).prefetch_related("user")
    others = [s.user for s in seats if s.user.id != user.id]
    if len({u.council_id for u in others}) != len(others) or not others:  # type: ignore[attr-defined]
        return None  # ambiguous (two namesakes born the same day in one council) or nobody
    return await _link([user, *others])


async def person_of(user_id: int) -> PersonView | None:
    """The person an account belongs to, with every council's account; None when not linked."""
    account = await PersonAccount.get_or_none(user_id=user_id)
    return await person_view(account.person_id) if account else None


async def person_view(person_id: int) -> PersonView:
    person = await Person.get_or_none(id=person_id)
    if person is None:
        raise NotFound(N_("No such person."))
    accounts = await PersonAccount.filter(person_id=person.id).prefetch_related("user")
    seats = []
    for a in accounts:
        council = await Council.get(id=a.user.council_id)  # type: ignore[attr-defined]
        seats.append(Seat(a.user, council))
    # The city first, then its communes and wards.
    seats.sort(key=lambda s: (s.council.level != "city", s.council.name))
    return PersonView(person, seats)
