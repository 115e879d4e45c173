"""Opening and checking what a poll's ballots are stored as, for the close and a recount.

A named poll's choices are JSON in ``meetings_ballot``; a secret poll's are sealed boxes
(``meetings_sealed_ballots``), opened with its private key, itself sealed under a key derived from
SECRET_KEY for that poll (``meetings.voting.sealing``). Every choice is checked against the poll
again, and their number against the poll's ``voted``: what is tallied is exactly what was cast.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from council import keys
from council.errors import DomainError
from council.i18n import N_
from meetings.models import Ballot, Poll, SealedBallots
from meetings.services import draws
from meetings.services.poll_facts import PollFacts, poll_facts
from meetings.voting import sealing
from meetings.voting.tally import InvalidChoice, normalise_choice

log = logging.getLogger(__name__)
_ballot_choice = Ballot._meta.fields_map["choice"]


def unwrap(stored: Any) -> Any:
    """A stored choice: JSON columns hold ``{"c": choice}`` (see ``voting.wrap``)."""
    return stored.get("c") if isinstance(stored, dict) else stored


def wrap_key(poll_id: int) -> bytes:
    """The key a poll's private key is sealed under: derived from SECRET_KEY, for this poll."""
    return keys.derive("meetings.poll-key", str(poll_id))


def key_unavailable() -> DomainError:
    return DomainError(
        "ballot_key_unavailable",
        N_(
            "The poll's key cannot be opened with this server's SECRET_KEY, so its ballots cannot "
            "be counted. The poll stays open: restore the SECRET_KEY it was opened with."
        ),
        status=503,
    )


def ballots_inconsistent() -> DomainError:
    return DomainError(
        "ballots_inconsistent",
        N_("The stored ballots do not match the count of votes; the poll stays open."),
        status=409,
    )


@dataclass
class Counted:
    choices: list[Any]  # every ballot's choice, as tallied
    urn: tuple[str, int, bytes] | None  # a secret poll's ballots as one box, to store instead


def counted(facts: PollFacts, poll: Any, stored: list[Any], boxes: list[Any]) -> Counted:
    """Every ballot's choice: the stored ones decoded, the sealed ones opened with the poll's
    key; each checked against the poll again, and their number against its ``voted``."""
    choices = _decoded(stored)
    urn = None
    if boxes:
        if poll["ballot_key"] is None or poll["sealed_key"] is None:
            raise key_unavailable()
        try:
            private = sealing.open_key(
                bytes(poll["ballot_key"]), bytes(poll["sealed_key"]), wrap_key(facts.id)
            )
        except sealing.KeyUnavailable:
            log.error("poll %s: its key does not open with this SECRET_KEY", facts.id)
            raise key_unavailable() from None
        try:
            opened = sealing.unseal(private, boxes)
        except ValueError:
            log.error("poll %s: a sealed ballot does not open", facts.id)
            raise ballots_inconsistent() from None
        width = sealing.slot(facts.kind, facts.option_ids, facts.max_choices)
        encoded = draws.shuffled([sealing.encode(c) for c in opened])
        urn = (
            draws.random_ids(1)[0],
            facts.id,
            sealing.seal(bytes(poll["ballot_key"]), encoded, width),
        )
        choices += opened
    try:
        choices = [
            normalise_choice(facts.kind, c, facts.option_ids, facts.max_choices) for c in choices
        ]
    except InvalidChoice:
        log.error("poll %s: a stored ballot does not fit the poll", facts.id)
        raise ballots_inconsistent() from None
    if len(choices) != int(poll["voted"]):
        log.error("poll %s: %d ballots for %s votes", facts.id, len(choices), poll["voted"])
        raise ballots_inconsistent()
    return Counted(choices, urn)


def _decoded(stored: list[Any]) -> list[Any]:
    """The ballots' choices as stored (JSON text or objects, one per ballot), decoded. Each
    distinct text is decoded once: a poll's ballots repeat a handful of choices."""
    decoded: dict[str, Any] = {}

    def value(c: Any) -> Any:
        if not isinstance(c, str):
            return unwrap(_ballot_choice.to_python_value(c))
        if c not in decoded:
            decoded[c] = unwrap(_ballot_choice.to_python_value(c))
        return decoded[c]

    return [value(c) for c in stored]


async def stored_choices(poll_id: int) -> list[Any]:
    """Every choice stored for a poll, in no meaningful order: a secret poll's opened with its
    key (so only where SECRET_KEY is). For a recount, and for the tests and the bench."""
    facts = await poll_facts(poll_id)
    poll = await Poll.get(id=poll_id)
    stored = await Ballot.filter(poll_id=poll_id).values_list("choice", flat=True)
    boxes = await SealedBallots.filter(poll_id=poll_id).values_list("sealed", flat=True)
    row = {"ballot_key": poll.ballot_key, "sealed_key": poll.sealed_key, "voted": poll.voted}
    return counted(facts, row, list(stored), list(boxes)).choices
