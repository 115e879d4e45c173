"""audit.view: the audit log as administrators read it, filtered, each entry linked to its target,
and the chain's verification (``council verify-audit``) with its head hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tortoise import connections
from tortoise.expressions import Q

from council import audit_verify
from council.errors import Forbidden
from council.i18n import N_, LazyString
from council.localtime import LOCAL_TZ
from council.models import Agency, AuditEntry, Council, User

PER_PAGE = 50
MAX_PAGE = 100_000

# target_type → (page of the target, with "{id}", and what it is, in words). Domains add theirs
# with register_target (from their routes module, like the menu).
_TARGETS: dict[str, tuple[str, LazyString]] = {
    "user": ("/admin/users/{id}/edit", N_("person")),
    "council": ("/admin/councils/{id}/edit", N_("council")),
    "agency": ("/admin/agencies/{id}/edit", N_("agency")),
}


def register_target(target_type: str, url: str, label: LazyString) -> None:
    """Link audit entries about ``target_type`` to ``url`` ("/petitions/staff/{id}")."""
    _TARGETS[target_type] = (url, label)


@dataclass(frozen=True)
class AuditFilters:
    operation: str = ""
    user: str = ""  # a username or part of a name
    council_code: str = ""
    date_from: date | None = None  # local days, both included
    date_to: date | None = None


@dataclass(frozen=True)
class LogLine:
    entry: AuditEntry
    actor: str  # "Full name (username)", or the name recorded when the person is gone
    council: str
    target: str  # "kiến nghị KN-2026-…", or the raw type and id when unknown
    link: str | None


@dataclass(frozen=True)
class LogPage:
    lines: list[LogLine]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _start(day: date) -> datetime:
    """The first instant of ``day`` in Vietnam, in UTC (as the database stores it)."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC)


async def operations() -> list[str]:
    """Every operation the log holds, for the filter."""
    # Plain SQL: the model's default ordering (by id) would join any DISTINCT or GROUP BY the ORM
    # builds, which PostgreSQL refuses.
    rows = await connections.get("default").execute_query_dict(
        f"SELECT DISTINCT operation FROM {AuditEntry._meta.db_table}"
    )
    return sorted(str(row["operation"]) for row in rows)


def target_of(entry: AuditEntry, name: str = "") -> tuple[str, str | None]:
    """What the entry is about, in words ("người dùng Lê Văn An", "kiến nghị KN-2026-…"), and
    the page that shows it (None: no page). ``name`` replaces a bare id when known."""
    if not entry.target_type:
        return "", None
    known = _TARGETS.get(entry.target_type)
    if known is None:
        return f"{entry.target_type} {entry.target_id}".strip(), None
    url, label = known
    link = url.format(id=entry.target_id) if entry.target_id else None
    return f"{label} {name or entry.target_id}".strip(), link


async def _core_names(rows: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """Names of the people, councils and agencies the entries are about (ids say nothing)."""
    wanted: dict[str, set[int]] = {}
    for r in rows:
        if r.target_type in ("user", "council", "agency") and r.target_id.isdigit():
            wanted.setdefault(r.target_type, set()).add(int(r.target_id))
    names: dict[tuple[str, str], str] = {}
    for u in await User.filter(id__in=wanted.get("user", set())):
        names[("user", str(u.id))] = f"{u.full_name} ({u.username})" if u.full_name else u.username
    for c in await Council.filter(id__in=wanted.get("council", set())):
        names[("council", str(c.id))] = c.name
    for a in await Agency.filter(id__in=wanted.get("agency", set())):
        names[("agency", str(a.id))] = a.name
    return names


async def audit_log(actor: User, f: AuditFilters, page: int = 1) -> LogPage:
    """One page of the log, newest first (administrators only)."""
    if actor.role != "admin":
        raise Forbidden(N_("Only administrators can read the audit log."))
    qs = AuditEntry.all()
    if f.operation:
        qs = qs.filter(operation=f.operation)
    if f.user:
        ids = await User.filter(
            Q(username__icontains=f.user) | Q(full_name__icontains=f.user)
        ).values_list("id", flat=True)
        qs = qs.filter(Q(actor_id__in=list(ids)) | Q(actor_name__icontains=f.user))
    if f.council_code:
        council = await Council.get_or_none(code=f.council_code)
        qs = qs.filter(council_id=council.id if council else -1)
    if f.date_from:
        qs = qs.filter(created_at__gte=_start(f.date_from))
    if f.date_to:
        qs = qs.filter(created_at__lt=_start(f.date_to + timedelta(days=1)))
    total = await qs.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages, MAX_PAGE)
    rows = await qs.order_by("-id").offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    names = dict(
        await Council.filter(id__in={r.council_id for r in rows if r.council_id}).values_list(
            "id", "name"
        )
    )
    people = {
        u.id: f"{u.full_name} ({u.username})" if u.full_name else u.username
        for u in await User.filter(id__in={r.actor_id for r in rows if r.actor_id})
    }
    targets = await _core_names(list(rows))
    lines = []
    for r in rows:
        text, link = target_of(r, targets.get((r.target_type, r.target_id), ""))
        who = people.get(r.actor_id, r.actor_name) if r.actor_id else r.actor_name
        where = str(names.get(r.council_id, "")) if r.council_id else ""
        lines.append(LogLine(r, who, where, text, link))
    return LogPage(lines, total, page, PER_PAGE)


async def verification(actor: User) -> audit_verify.VerifyResult:
    """``council verify-audit`` for the page: the chain walked now, with its head hash."""
    if actor.role != "admin":
        raise Forbidden(N_("Only administrators can read the audit log."))
    return await audit_verify.verify()
