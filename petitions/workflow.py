"""The petition status machine, its hops (owner + deadline) and overdue arithmetic, as pure data.

received → accepted (the commune is competent) | escalated (to the parent council; from a city,
to a central body: recorded and tracked) → assigned (to an agency) → answered → published → closed.
Also rejected (with a reason), merged (into another petition) and diverted (a complaint,
denunciation or individual procedure belongs elsewhere). Overdue is never stored: it is computed
from a hop's due date and end date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from council.errors import Conflict, Invalid
from council.i18n import N_
from petitions import labels


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    ESCALATED = "escalated"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    PUBLISHED = "published"
    CLOSED = "closed"
    REJECTED = "rejected"
    MERGED = "merged"
    DIVERTED = "diverted"


class Action(StrEnum):
    ACCEPT = "accept"
    ESCALATE = "escalate"
    ASSIGN = "assign"
    ANSWER = "answer"
    PUBLISH = "publish"
    REOPEN = "reopen"
    REJECT = "reject"
    MERGE = "merge"
    CLOSE = "close"
    DIVERT = "divert"
    RESOLUTION = "resolution"
    RETURN = "return"  # the agency sends a misrouted petition back to be assigned again


class Stage(StrEnum):
    """What the owner of the current hop must do next."""

    CLASSIFY = "classify"  # secretariat of the receiving council: accept, escalate, reject, divert
    ASSIGN = "assign"  # secretariat of the competent council: pick an agency
    CENTRAL = "central"  # a central body answers; the city secretariat tracks it
    ANSWER = "answer"  # the assigned agency
    REVIEW = "review"  # the secretariat reviews and publishes the answer


class Resolution(StrEnum):
    """Answered is not resolved: what actually happened to the issue."""

    RESOLVED = "resolved"
    ROADMAP = "roadmap"  # will be resolved, by a stated date
    NOT_RESOLVED = "not_resolved"


class DiversionKind(StrEnum):
    COMPLAINT = "complaint"  # khiếu nại: Law on Complaints 2011
    DENUNCIATION = "denunciation"  # tố cáo: Law on Denunciations 2018
    PROCEDURE = "procedure"  # an individual administrative procedure


class Channel(StrEnum):
    ONLINE = "online"
    VOTER_MEETING = "voter_meeting"
    DIRECT = "direct"
    MAIL = "mail"
    ASSISTED = "assisted"


# History entries the petitioner does not see: an extension asked for or refused, or a letter
# attached, changes nothing they wait for (an approved extension does: its date moves).
STAFF_ONLY_EVENTS = frozenset({"extend_request", "extend_refuse", "letter", "letter_remove"})

TERMINAL = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED, Status.DIVERTED})
PUBLIC_STATUSES = frozenset({Status.PUBLISHED, Status.CLOSED})

_EARLY = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.ESCALATED})

ALLOWED_FROM: dict[Action, frozenset[Status]] = {
    Action.ACCEPT: frozenset({Status.RECEIVED}),
    Action.ESCALATE: frozenset(
        {Status.RECEIVED, Status.ACCEPTED, Status.ESCALATED, Status.ASSIGNED}
    ),
    Action.ASSIGN: frozenset({Status.ACCEPTED, Status.ESCALATED, Status.ASSIGNED}),
    Action.ANSWER: frozenset({Status.ASSIGNED, Status.ESCALATED}),
    Action.PUBLISH: frozenset({Status.ANSWERED}),
    Action.REOPEN: frozenset({Status.ANSWERED, Status.PUBLISHED, Status.CLOSED}),
    Action.REJECT: _EARLY,
    Action.MERGE: frozenset({Status.RECEIVED, Status.ACCEPTED, Status.ESCALATED, Status.ASSIGNED}),
    Action.CLOSE: frozenset({Status.PUBLISHED}),
    Action.DIVERT: _EARLY,
    Action.RESOLUTION: frozenset({Status.ANSWERED, Status.PUBLISHED, Status.CLOSED}),
    Action.RETURN: frozenset({Status.ASSIGNED}),
}

# Who may take each action (the service also checks the council or agency).
ACTION_ROLES: dict[Action, frozenset[str]] = {
    action: frozenset({"admin", "secretariat"}) for action in Action
} | {
    Action.ANSWER: frozenset({"admin", "secretariat", "agency"}),
    Action.RESOLUTION: frozenset({"admin", "secretariat", "agency"}),
    Action.RETURN: frozenset({"admin", "agency"}),
}

_NEXT_ACTION: dict[Status, Action] = {
    Status.RECEIVED: Action.ACCEPT,
    Status.ACCEPTED: Action.ASSIGN,
    Status.ESCALATED: Action.ASSIGN,
    Status.ASSIGNED: Action.ANSWER,
    Status.ANSWERED: Action.PUBLISH,
    Status.PUBLISHED: Action.CLOSE,
}


def expected_action(status: Status, level: str) -> Action | None:
    """The step the petition waits for: offered first on the staff page, the others after it."""
    if status == Status.ESCALATED and level == "central":
        return Action.ANSWER  # the city records the central body's answer
    return _NEXT_ACTION.get(status)


@dataclass(frozen=True)
class Position:
    """Where a petition stands: enough to decide the next transition without the database."""

    status: Status
    level: str  # "commune" | "city" | "central": who handles it now
    has_parent: bool  # whether the handling council has a parent council to escalate to
    has_agency: bool
    escalated: bool = False  # handled by another council than the one that received it


def next_status(pos: Position, action: Action) -> tuple[Status, str]:
    """The status and handling level after ``action``; raises Conflict when not allowed now."""
    if pos.status not in ALLOWED_FROM[action]:
        raise Conflict(
            "invalid_transition",
            N_("This action is not possible while the petition is {status}.").format(
                status=labels.STATUS.get(pos.status.value, pos.status.value)
            ),
            action=action.value,
            current_status=pos.status.value,
        )
    if action == Action.ACCEPT:
        return Status.ACCEPTED, pos.level
    if action == Action.ESCALATE:
        if pos.level == "central":
            raise Conflict("invalid_transition", N_("The petition is already at central level."))
        return Status.ESCALATED, ("city" if pos.has_parent else "central")
    if action == Action.ASSIGN:
        if pos.level == "central":
            raise Conflict(
                "invalid_transition",
                N_("A central body is handling this petition; record its answer."),
            )
        return Status.ASSIGNED, pos.level
    if action == Action.ANSWER:
        if pos.status == Status.ESCALATED and pos.level != "central":
            raise Conflict("invalid_transition", N_("Assign the petition to an agency first."))
        return Status.ANSWERED, pos.level
    if action == Action.PUBLISH:
        return Status.PUBLISHED, pos.level
    if action == Action.REOPEN:
        if pos.level == "central":
            return Status.ESCALATED, pos.level
        return (Status.ASSIGNED if pos.has_agency else Status.ACCEPTED), pos.level
    if action == Action.REJECT:
        return Status.REJECTED, pos.level
    if action == Action.MERGE:
        return Status.MERGED, pos.level
    if action == Action.CLOSE:
        return Status.CLOSED, pos.level
    if action == Action.DIVERT:
        return Status.DIVERTED, pos.level
    if action == Action.RETURN:
        # Back to the step before assignment, owned by the handling council's secretariat.
        return (Status.ESCALATED if pos.escalated else Status.ACCEPTED), pos.level
    return pos.status, pos.level  # RESOLUTION changes a field, not the state


def stage_for(status: Status, level: str) -> Stage | None:
    """The hop a petition in ``status`` is waiting on, or None when no one owes a step."""
    if status == Status.RECEIVED:
        return Stage.CLASSIFY
    if status == Status.ACCEPTED:
        return Stage.ASSIGN
    if status == Status.ESCALATED:
        return Stage.CENTRAL if level == "central" else Stage.ASSIGN
    if status == Status.ASSIGNED:
        return Stage.ANSWER
    if status == Status.ANSWERED:
        return Stage.REVIEW
    return None


DEFAULT_SLA: dict[Stage, int] = {
    Stage.CLASSIFY: 5,
    Stage.ASSIGN: 5,
    Stage.CENTRAL: 30,
    Stage.ANSWER: 20,
    Stage.REVIEW: 5,
}


def sla_from_dict(data: Mapping[str, Any] | None) -> dict[Stage, int]:
    """Working days per stage: the defaults overlaid with a council's settings."""
    sla = dict(DEFAULT_SLA)
    for key, value in (data or {}).items():
        try:
            stage = Stage(key)
            days = int(value)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"bad SLA entry {key!r}: {value!r}") from exc
        if not 1 <= days <= 365:
            raise ValueError(f"SLA for {key} must be 1..365 working days")
        sla[stage] = days
    return sla


LOCAL_TZ = timezone(timedelta(hours=7), "ICT")


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam (UTC+7) of an aware or naive-UTC datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def is_overdue(due: datetime | None, ended: datetime | None, now: datetime) -> bool:
    """An open hop past its due date."""
    return due is not None and ended is None and _aware(now) > _aware(due)


def was_on_time(due: datetime | None, ended: datetime | None) -> bool | None:
    """For a finished hop: finished by its due date? None while it is still open."""
    if ended is None or due is None:
        return None
    return _aware(ended) <= _aware(due)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def validate_resolution(
    kind: str, roadmap_date: str | date | None
) -> tuple[Resolution, date | None]:
    """Check a resolution update: ``roadmap`` needs a date, the others take none."""
    try:
        resolution = Resolution(kind)
    except ValueError as exc:
        raise Invalid(
            N_("Resolution must be resolved, roadmap or not_resolved."), field="resolution"
        ) from exc
    if resolution != Resolution.ROADMAP:
        return resolution, None
    if roadmap_date is None or roadmap_date == "":
        raise Invalid(
            N_("A roadmap needs the date by which it will be resolved."), field="roadmap_date"
        )
    if isinstance(roadmap_date, date):
        return resolution, roadmap_date
    try:
        return resolution, date.fromisoformat(str(roadmap_date))
    except ValueError as exc:
        raise Invalid(N_("The date is not valid (use YYYY-MM-DD)."), field="roadmap_date") from exc
