"""Elections, their constituencies and candidates, before the counts: each change checked and audited."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from council import audit
from council.errors import Conflict, Invalid
from council.i18n import N_
from council.models import Council, User
from elections import rules
from elections.models import (
    ELECTION_KINDS,
    GENDERS,
    Candidate,
    CandidateEdit,
    Constituency,
    Election,
    Term,
)
from elections.services.common import (
    PROFILE_FIELDS,
    require_manager,
    require_open,
)

# --- elections ----------------------------------------------------------------------------------


async def term_create(actor: User, council: Council, *, number: int, starts_on: date) -> Term:
    """term.create: a council's term (khóa), numbered after the last one."""
    require_manager(actor, council.id)
    if not 1 <= number <= 100:
        raise Invalid(fields={"number": str(N_("The term number must be between 1 and 100."))})
    async with in_transaction():
        if await Term.exists(council_id=council.id, number=number):
            raise Conflict("duplicate", N_("This council already has a term with this number."))
        term = await Term.create(council_id=council.id, number=number, starts_on=starts_on)
        await audit.record(
            "term.create",
            actor=actor,
            target_type="term",
            target_id=term.id,
            council_id=council.id,
            details={"number": number},
        )
    return term


async def election_create(
    actor: User, council: Council, *, day: date, kind: str = "regular", term_number: int
) -> Election:
    """election.create: a regular election that fills a new term, or a by-election in the term."""
    require_manager(actor, council.id)
    if kind not in ELECTION_KINDS:
        raise Invalid(fields={"kind": str(N_("The kind is regular or by."))})
    term = await Term.get_or_none(council_id=council.id, number=term_number)
    if term is None:
        raise Invalid(fields={"term_number": str(N_("Create this term first."))})
    division = council.division_code or council.code.lower()
    async with in_transaction():
        nth = 1 + await Election.filter(council_id=council.id, day=day, kind=kind).count()
        slug = rules.election_id(division, day, by_election=kind == "by", nth=nth)
        election = await Election.create(
            slug=slug, council_id=council.id, term_id=term.id, day=day, kind=kind
        )
        await audit.record(
            "election.create",
            actor=actor,
            target_type="election",
            target_id=election.id,
            council_id=council.id,
            details={"slug": slug},
        )
    return election


# --- constituencies -----------------------------------------------------------------------------


async def constituency_save(
    actor: User,
    election: Election,
    *,
    number: int,
    area: str,
    seats: int,
    registered: int = 0,
    division_codes: list[str] | None = None,
) -> Constituency:
    """constituency.save: create or change constituency no. ``number`` of an election."""
    require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    await require_open(election)
    errors: dict[str, str] = {}
    if not 1 <= number <= 1000:
        errors["number"] = str(N_("The number must be between 1 and 1000."))
    if not 1 <= seats <= rules.MAX_SEATS_PER_CONSTITUENCY:
        errors["seats"] = str(N_("A constituency elects 1 to 5 delegates."))
    if not area.strip() or len(area) > 2000:
        errors["area"] = str(N_("Describe the area in 1 to 2000 characters."))
    if not 0 <= registered <= 10_000_000:
        errors["registered"] = str(N_("This number is out of range."))
    codes = [c.strip() for c in division_codes or [] if c.strip()]
    if any(not re.fullmatch(r"\d{2}|\d{5}", c) for c in codes) or len(codes) > 200:
        errors["division_codes"] = str(N_("Official codes have 2 or 5 digits."))
    if errors:
        raise Invalid(fields=errors)
    async with in_transaction():
        constituency, created = await Constituency.get_or_create(
            election_id=election.id,
            number=number,
            defaults={
                "area": area.strip(),
                "seats": seats,
                "registered": registered,
                "division_codes": codes,
            },
        )
        if not created:
            constituency.area, constituency.seats = area.strip(), seats
            constituency.registered, constituency.division_codes = registered, codes
            await constituency.save()
        await audit.record(
            "constituency.save",
            actor=actor,
            target_type="constituency",
            target_id=constituency.id,
            council_id=election.council_id,  # type: ignore[attr-defined]
            details={"election": election.slug, "number": number, "seats": seats},
        )
    return constituency


async def seats_of(election: Election) -> int:
    return sum(c.seats for c in await Constituency.filter(election_id=election.id))


# --- candidates ---------------------------------------------------------------------------------


def _clean_profile(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in data.items():
        if key not in PROFILE_FIELDS:
            continue
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value.strip())
            if len(value) > 300:
                errors[key] = str(N_("This is too long."))
        out[key] = value
    if "full_name" in out and not out["full_name"]:
        errors["full_name"] = str(N_("The full name is required."))
    if "gender" in out and out["gender"] not in GENDERS:
        errors["gender"] = str(N_("Choose male or female."))
    born = out.get("birth_date")
    if "birth_date" in out and (not isinstance(born, date) or not date(1900, 1, 1) <= born):
        errors["birth_date"] = str(N_("The date of birth is required."))
    if errors:
        raise Invalid(fields=errors)
    return out


def _require_source(source: str) -> str:
    source = (source or "").strip()
    if not source or len(source) > 300:
        raise Invalid(
            fields={
                "source": str(
                    N_("Name the document or decision this comes from (up to 300 characters).")
                )
            }
        )
    return source


async def candidate_create(
    actor: User, constituency: Constituency, profile: dict[str, Any], *, source: str
) -> Candidate:
    """candidate.create: a candidate's published profile, with the source it comes from."""
    election = await Election.get(id=constituency.election_id)  # type: ignore[attr-defined]
    require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    await require_open(election)
    source = _require_source(source)
    clean = _clean_profile(profile)
    for required in ("full_name", "birth_date", "gender"):
        if required not in clean:
            raise Invalid(fields={required: str(N_("This field is required."))})
    async with in_transaction():
        candidate = await Candidate.create(constituency_id=constituency.id, **clean)
        await CandidateEdit.create(
            candidate_id=candidate.id,
            changes={k: [None, _plain(v)] for k, v in clean.items()},
            source=source,
            actor_id=actor.id,
        )
        await audit.record(
            "candidate.create",
            actor=actor,
            target_type="candidate",
            target_id=candidate.id,
            council_id=election.council_id,  # type: ignore[attr-defined]
            details={"constituency": constituency.number, "source": source},
        )
    return candidate


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def candidate_update(
    actor: User, candidate: Candidate, changes: dict[str, Any], *, source: str
) -> Candidate:
    """candidate.update: every change records the document or decision it comes from."""
    constituency = await Constituency.get(id=candidate.constituency_id)  # type: ignore[attr-defined]
    election = await Election.get(id=constituency.election_id)  # type: ignore[attr-defined]
    require_manager(actor, election.council_id)  # type: ignore[attr-defined]
    await require_open(election)
    source = _require_source(source)
    clean = _clean_profile(changes)
    diff = {
        k: [_plain(getattr(candidate, k)), _plain(v)]
        for k, v in clean.items()
        if getattr(candidate, k) != v
    }
    if not diff:
        return candidate
    async with in_transaction():
        for key, value in clean.items():
            setattr(candidate, key, value)
        await candidate.save()
        await CandidateEdit.create(
            candidate_id=candidate.id, changes=diff, source=source, actor_id=actor.id
        )
        await audit.record(
            "candidate.update",
            actor=actor,
            target_type="candidate",
            target_id=candidate.id,
            council_id=election.council_id,  # type: ignore[attr-defined]
            details={"fields": sorted(diff), "source": source},
        )
    return candidate


async def list_problems(constituency: Constituency) -> str | None:
    """The legal surplus of candidates over seats; None when the list is long enough."""
    standing = await Candidate.filter(constituency_id=constituency.id, withdrawn=False).count()
    need = rules.surplus_problem(constituency.seats, standing)
    if need is None:
        return None
    return str(
        N_("{seats} seats need at least {need} candidates; the list has {have}.").format(
            seats=constituency.seats, need=need, have=standing
        )
    )
