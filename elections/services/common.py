"""Who manages a council's elections, the current term, and the published profile's fields."""

from __future__ import annotations

from council import terms
from council.errors import Conflict, Forbidden, NotFound
from council.i18n import N_
from council.models import Council, User
from elections import rules
from elections.models import (
    Election,
    Term,
)

PROFILE_FIELDS = (
    "full_name",
    "birth_date",
    "gender",
    "ethnicity",
    "religion",
    "hometown",
    "education",
    "political_theory",
    "occupation",
    "workplace",
    "party_joined",
    "nominated_by",
    "withdrawn",
)
COUNT_FIELDS = ("registered", "voted", "issued", "received", "valid", "invalid")
PROBLEM_MESSAGES = {
    "negative": N_("A count cannot be negative."),
    "voted_above_registered": N_("More voters voted ({voted}) than are registered ({registered})."),
    "valid_invalid_received": N_(
        "Valid ({valid}) plus invalid ({invalid}) ballots must equal the ballots received "
        "({received})."
    ),
    "received_above_issued": N_(
        "More ballots were received ({received}) than were issued ({issued})."
    ),
    "candidate_votes": N_("A candidate has {votes} votes, more than the {valid} valid ballots."),
    "choices_above_valid": N_(
        "The candidates' votes add up to {choices}, more than the valid ballots times the seats "
        "({limit})."
    ),
}


def may_manage(user: User | None, council_id: int) -> bool:
    return user is not None and (
        user.role == "admin" or (user.role == "secretariat" and user.council_id == council_id)
    )


def require_manager(user: User | None, council_id: int) -> User:
    if user is None or not may_manage(user, council_id):
        raise Forbidden(N_("Only the council's secretariat may do this."))
    return user


# --- terms --------------------------------------------------------------------------------------


async def current_term(council_id: int) -> Term | None:
    return await Term.filter(council_id=council_id).order_by("-number").first()


async def require_term_open(term_id: int) -> None:
    """A term that has ended (the next one's roster was made) is read-only."""
    if await Term.filter(id=term_id, ends_on__not_isnull=True).exists():
        raise terms.TermClosed()


def term_label(term: Term) -> str:
    """ "khóa XVII, nhiệm kỳ 2026–2031"."""
    end = term.ends_on.year if term.ends_on else term.starts_on.year + 5
    return f"khóa {rules.roman(term.number)}, nhiệm kỳ {term.starts_on.year}–{end}"


async def election_by_slug(slug: str) -> Election:
    election = await Election.get_or_none(slug=slug[:64])
    if election is None:
        raise NotFound(N_("No election has this id."))
    return election


async def require_open(election: Election) -> None:
    """Refuse changes to a closed term's election (409 term_closed) or to confirmed results."""
    await require_term_open(election.term_id)  # type: ignore[attr-defined]
    if election.status == "confirmed":
        raise Conflict(
            "election_confirmed",
            N_("The results of this election are confirmed: nothing in it can change."),
        )


async def council_by_code(code: str) -> Council:
    council = await Council.get_or_none(code=code[:32])
    if council is None:
        raise NotFound(N_("No council has this code."))
    return council
