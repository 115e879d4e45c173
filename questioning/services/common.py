"""Who may see and do what in a council's questioning, and the rows every operation starts from."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from council.errors import Conflict, Forbidden, NotFound
from council.i18n import N_
from council.models import User
from questioning import links
from questioning.models import Notice, QuestionForm, Round

STAFF = frozenset({"secretariat", "chair"})
ASKERS = frozenset({"delegate", "chair"})


def now() -> datetime:
    return datetime.now(UTC)


def is_staff(user: User | None, council_id: int) -> bool:
    """The chair's side (Thường trực HĐND and its secretariat) of ``council_id``, or an admin."""
    if user is None:
        return False
    return user.role == "admin" or (user.role in STAFF and user.council_id == council_id)


def require_staff(user: User, council_id: int) -> None:
    if not is_staff(user, council_id):
        raise Forbidden(N_("Only the council's chair or secretariat may do this."))


async def round_for(session_id: int, *, create: bool = False) -> Round:
    """The questioning of a sitting; made on first use by an operation that changes it."""
    found = await Round.get_or_none(session_id=session_id)
    if found is not None:
        return found
    council_id, _title, _starts, _status = await links.sitting(session_id)
    if not create:
        return Round(council_id=council_id, session_id=session_id)
    async with in_transaction():
        found = await Round.get_or_none(session_id=session_id)
        return found or await Round.create(council_id=council_id, session_id=session_id)


def require_open(rnd: Round) -> None:
    if rnd.groups_fixed_at is not None:
        raise Conflict(
            "groups_fixed",
            N_("The question groups of this sitting are fixed: forms can no longer change."),
        )


async def form_get(form_id: int) -> QuestionForm:
    form = await QuestionForm.get_or_none(id=form_id)
    if form is None:
        raise NotFound(N_("No such question form."))
    return form


def is_public_form(form: QuestionForm, rnd: Round, chosen: bool) -> bool:
    """The public sees a form only in a chosen group, after the questioning, never withdrawn."""
    return form.state == "filed" and chosen and rnd.held_at is not None


async def may_see_form(user: User | None, form: QuestionForm) -> bool:
    if user is not None and (is_staff(user, form.council_id) or user.id == form.asker_id):
        return True
    if user is not None and user.role == "agency" and user.agency_id == form.agency_id:
        return form.state == "filed" and (
            form.answer_due_at is not None or form.group_id is not None
        )
    rnd = await Round.get(id=form.round_id)
    chosen = False
    if form.group_id is not None:
        group = await form.group  # type: ignore[misc]
        chosen = bool(group and group.chosen)
    return is_public_form(form, rnd, chosen)


async def notify(user_ids: set[int], subject: str, link: str) -> None:
    """Put a message in each user's questioning inbox (inside the change's transaction)."""
    for uid in sorted(user_ids):
        await Notice.create(user_id=uid, subject=subject[:300], link=link[:300])


async def staff_ids(council_id: int) -> set[int]:
    rows = await User.filter(council_id=council_id, role="secretariat", is_active=True).values_list(
        "id", flat=True
    )
    return set(rows)  # type: ignore[arg-type]


async def agency_user_ids(agency_id: int) -> set[int]:
    rows = await User.filter(agency_id=agency_id, is_active=True).values_list("id", flat=True)
    return set(rows)  # type: ignore[arg-type]
