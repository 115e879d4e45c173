"""The delegate roll: a council's delegates imported from a spreadsheet, all or none."""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from council import audit, rollfile
from council.errors import Invalid
from council.i18n import N_
from council.models import Council, User
from council.security import MIN_PASSWORD_LENGTH, hash_password
from council.services.common import (
    SEAT_ROLES,
    USERNAME_RE,
    _contact_errors,
    seat_holders,
)
from council.services.users import _may_manage, generate_password

# --- delegate roll import -----------------------------------------------------------------------

ROLL_COLUMNS = ("username", "full_name", "password", "email", "phone")
MAX_ROLL_ROWS = 500


@dataclass
class RollResult:
    created: list[User]
    errors: list[tuple[int, str]]  # (physical line number, message)
    passwords: dict[str, str] = field(default_factory=dict)  # generated: username → password
    # The rows read, with their own errors (what the preview shows), the file's encoding as
    # people call it and its columns (the file's header, the field it fills).
    rows: list[tuple[int, dict[str, str], list[str]]] = field(default_factory=list)
    encoding: str = ""
    columns: list[tuple[str, str]] = field(default_factory=list)
    free_seats: int | None = None


def _roll_row_errors(clean: dict[str, str]) -> list[str]:
    errors = []
    if not USERNAME_RE.match(clean.get("username", "").lower()):
        errors.append(str(N_("Username is missing or has characters that are not allowed.")))
    if not clean.get("full_name"):
        errors.append(str(N_("The full name is missing.")))
    errors += [
        str(m)
        for m in _contact_errors(
            clean.get("full_name"), clean.get("email"), clean.get("phone")
        ).values()
    ]
    if clean.get("password") and len(clean["password"]) < MIN_PASSWORD_LENGTH:
        errors.append(str(N_("The password needs at least 8 characters.")))
    return errors


async def roll_import(
    actor: User, council: Council, data: bytes, role: str = "delegate", *, dry_run: bool = False
) -> RollResult:
    """user.import: create a council's delegates from a CSV roll (``council.rollfile``: UTF-8,
    UTF-16 or Windows-1258; comma, semicolon or tab; Vietnamese or English column names).

    All or nothing: every row is checked and errors are reported by the file's line number.
    Rows without a password get a generated one, returned once in ``passwords``. ``dry_run``
    checks everything and creates nothing: the preview.
    """
    await _may_manage(actor, role, council)
    try:
        roll = rollfile.read(data)
    except Invalid as exc:
        return RollResult([], [(0, str(exc.message))])
    rows = roll.rows
    errors: list[tuple[int, str]] = []
    row_errors: dict[int, list[str]] = {}
    seen: set[str] = set()
    for line, clean in rows:
        mine = _roll_row_errors(clean)
        username = clean.get("username", "").lower()
        if username in seen:
            mine.append(str(N_("This username appears twice in the file.")))
        seen.add(username)
        row_errors[line] = mine
    if len(rows) > MAX_ROLL_ROWS:
        errors.append((0, str(N_("At most 500 rows can be imported at once."))))
    taken = set(await User.filter(username__in=list(seen)).values_list("username", flat=True))
    for line, clean in rows:
        if clean.get("username", "").lower() in taken:
            row_errors[line].append(str(N_("This username is already taken.")))
    errors += [(line, m) for line, ms in row_errors.items() for m in ms]
    free = council.seats - await seat_holders(council.id) if role in SEAT_ROLES else None
    if free is not None and len(rows) > free:
        errors.append(
            (
                0,
                str(
                    N_(
                        "The council has {free} free seats of {seats}; the file lists "
                        "{rows} delegates."
                    ).format(free=max(free, 0), seats=council.seats, rows=len(rows))
                ),
            )
        )
    checked = RollResult(
        [],
        sorted(errors),
        rows=[(line, clean, row_errors[line]) for line, clean in rows],
        encoding=roll.encoding,
        columns=roll.columns,
        free_seats=max(free, 0) if free is not None else None,
    )
    if errors or dry_run:
        return checked
    created: list[User] = []
    generated: dict[str, str] = {}
    async with in_transaction():
        for _line, clean in rows:
            username = clean["username"].lower()
            password = clean.get("password") or generate_password()
            if not clean.get("password"):
                generated[username] = password
            user = await User.create(
                username=username,
                password_hash=hash_password(password),
                role=role,
                full_name=clean["full_name"],
                council=council,
                email=clean.get("email") or None,
                phone=clean.get("phone") or None,
            )
            created.append(user)
        await audit.record(
            "user.import",
            actor=actor,
            target_type="council",
            target_id=council.id,
            council_id=council.id,
            details={"count": len(created)},
        )
    checked.created, checked.passwords = created, generated
    return checked
