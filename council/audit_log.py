"""audit.view: the audit log as administrators read it, filtered, each entry linked to its target,
and the chain's verification (``council verify-audit``) with its head hash."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import Q

from council import audit_verify, registry
from council.errors import Forbidden
from council.i18n import N_, LazyString
from council.localtime import LOCAL_TZ
from council.models import Agency, AuditEntry, Council, User

PER_PAGE = 50
MAX_PAGE = 100_000

# Resolves ids of one target type to (page, name): for targets whose page needs more than the id
# (an agenda item's page is its session's), or whose name is worth showing.
Resolver = Callable[[list[int]], Awaitable[dict[int, tuple[str | None, str]]]]

# target_type → (page of the target, with "{id}", and what it is, in words). Domains add theirs
# with register_target (from their routes module, like the menu).
_TARGETS: dict[str, tuple[str, LazyString]] = {
    "user": ("/admin/users/{id}/edit", N_("person")),
    "council": ("/admin/councils/{id}/edit", N_("council")),
    "agency": ("/admin/agencies/{id}/edit", N_("agency")),
    "pdf": ("", N_("PDF file, SHA-256")),  # a file checked, not kept: no page
    "operation": ("", N_("operation")),  # what a refused request tried: named by its label
}
_RESOLVERS: dict[str, Resolver] = {}

# Entries the log holds that are not operations of the registry.
_EXTRA_LABELS: dict[str, LazyString] = {
    "permission.denied": N_("Refused: no permission"),
    "auth.login_failed": N_("Failed login"),
    "auth.guess_alert": N_("Password guessing alert"),
    "auth.throttled": N_("Logins slowed down"),
    "attendance.new_day": N_("New sitting day"),
}

# Keys of ``details`` as the log shows them; domains add theirs with register_detail.
_DETAILS: dict[str, LazyString] = {
    "letter": N_("Reply letter"),
    "letters": N_("Reply letters published"),
    "published": N_("Was published"),
    "window_seconds": N_("Window (seconds)"),
    "known_device": N_("Known device"),
    "format": N_("Format"),
    "filters": N_("Filters"),
    "rows": N_("Rows"),
    "personal": N_("With personal data"),
    "from": N_("Changed from"),
    "to": N_("Changed to"),
    "reason": N_("Reason"),
    "original": N_("First due date"),
    "file": N_("File"),
    "sha256": N_("SHA-256"),
    "fields": N_("Fields changed"),
    "username": N_("Username"),
    "role": N_("Role"),
    "ip": N_("IP address"),
    "path": N_("Address"),
    "method": N_("Method"),
    "operation": N_("Operation"),
    "count": N_("Count"),
    "status": N_("Status"),
    "title": N_("Title"),
    "code": N_("Code"),
    "name": N_("Name"),
    "poll_id": N_("Vote no."),
    "choice": N_("Choice"),
    "user_id": N_("User no."),
    "day": N_("Sitting day"),
    "session_id": N_("Session no."),
    "width": N_("Width (px)"),
    "height": N_("Height (px)"),
    "kind": N_("Kind"),
    "confidentiality": N_("Confidentiality"),
    "pages": N_("Page count"),
    "request_id": N_("Request no."),
    "agency": N_("Agency"),
    "seats": N_("Seats"),
    "version": N_("Version"),
    "division": N_("Administrative unit"),
    "notified": N_("People notified"),
    "emails": N_("E-mails sent"),
    "item_id": N_("Agenda item no."),
    "secret": N_("Secret ballot"),
    "rule": N_("Passing rule"),
    "options": N_("Choices offered"),
    "max_choices": N_("Most choices per ballot"),
    "countdown_seconds": N_("Countdown (seconds)"),
    "present": N_("Present"),
    "number": N_("Number"),
    "channel": N_("Channel"),
    "quorum": N_("Quorum"),
    "result": N_("Result"),
    "signed_as": N_("Signed as"),
    "year": N_("Year"),
    "resolution": N_("Outcome of the issue"),
    "extension": N_("Extension request no."),
    "closed_sitting": N_("Closed sitting"),
    "correction": N_("Correction"),
    "edited": N_("Edited"),
    "changed": N_("Changed"),
    "how": N_("How"),
    "due": N_("Due"),
    "until": N_("Extended until"),
    "criterion": N_("Criterion"),
    "verdict": N_("Assessment of the answer"),
    "by_hand": N_("Recorded by hand"),
    "signs": N_("A role that signs records"),
    "was": N_("Previous role"),
    "signing_role": N_("Role that signs, refused"),
    "effect_of": N_("Effect of"),
    "subject": N_("Certificate holder"),
    "serial": N_("Serial"),
    "issuer": N_("Issued by"),
}


# Values of ``details`` that are codes (a petition's status, an agenda item's kind, a role), in
# words: (key, operation prefix) → the labels the domain's own pages show them with. Domains add
# theirs with register_values; a prefix ("petition.") scopes a key that means different things in
# different domains ("from", "to"). A code without a label is shown as it is.
_VALUES: dict[tuple[str, str], Mapping[str, LazyString]] = {}


def register_values(
    keys: str | Iterable[str], labels: Mapping[str, LazyString], operations: str = ""
) -> None:
    """Show the codes ``labels`` names in words wherever ``keys`` appear in the details of
    operations whose name starts with ``operations`` (all when empty)."""
    for key in (keys,) if isinstance(keys, str) else keys:
        _VALUES[(key, operations)] = labels


def value_labels(operation: str, key: str) -> Mapping[str, LazyString] | None:
    """The labels for the codes of ``key`` in ``operation``'s details (the narrowest scope wins),
    or None when the key's values are not codes."""
    best: tuple[int, Mapping[str, LazyString]] | None = None
    for (k, prefix), labels in _VALUES.items():
        if k == key and operation.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), labels)
    return best[1] if best else None


def register_target(
    target_type: str, url: str, label: LazyString, resolve: Resolver | None = None
) -> None:
    """Link audit entries about ``target_type`` to ``url`` ("/petitions/staff/{id}"), or to the
    page ``resolve`` finds for each id (then ``url`` is unused and may be "")."""
    _TARGETS[target_type] = (url, label)
    if resolve is not None:
        _RESOLVERS[target_type] = resolve


def register_detail(key: str, label: LazyString) -> None:
    """Name a key of audit entries' ``details`` (``extension`` → "Yêu cầu gia hạn số"), nested
    ones included (a poll's ``result`` → ``yes``, ``not_voted``…)."""
    _DETAILS.setdefault(key, label)


def detail_label(key: str) -> LazyString | None:
    """The words for a key of the details, at any depth; None when none is registered."""
    return _DETAILS.get(key)


def operation_label(name: str) -> str:
    """What people call an operation: its registry label, translated; the name when none."""
    op = registry.REGISTRY.get(name)
    label = op.label if op is not None and op.label is not None else _EXTRA_LABELS.get(name)
    return str(label) if label is not None else name


@dataclass(frozen=True)
class Detail:
    key: str
    label: str  # the key's name in words; the key itself when none is registered
    value: str


def _ordered(details: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Keys in the order of ``_DETAILS``, then unnamed ones alphabetically: PostgreSQL's jsonb
    does not keep the order they were recorded in."""
    known = {key: i for i, key in enumerate(_DETAILS)}
    return sorted(details.items(), key=lambda kv: (known.get(kv[0], len(known)), kv[0]))


def _value(value: Any, operation: str = "", key: str = "") -> str:
    if isinstance(value, bool):
        labels = value_labels(operation, key) if key else None
        word = labels.get("true" if value else "false") if labels is not None else None
        return str(word if word is not None else N_("yes") if value else N_("no"))
    if isinstance(value, dict):
        return (
            "; ".join(
                f"{_DETAILS.get(k, k)}: {_value(v, operation, k)}" for k, v in _ordered(value)
            )
            or "—"
        )
    if isinstance(value, list | tuple) and value and all(isinstance(v, dict) for v in value):
        # Records (a poll's candidates): each headed by its own label, its fields in brackets.
        return " | ".join(
            f"{v['label']} ({_value({k: x for k, x in v.items() if k != 'label'}, operation)})"
            if v.get("label")
            else _value(v, operation)
            for v in value
        )
    if isinstance(value, list | tuple):
        return ", ".join(_value(v, operation, key) for v in value) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and key:
        labels = value_labels(operation, key)
        if labels is not None and value in labels:
            return str(labels[value])
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:  # an instant recorded as ISO 8601: read in Vietnam time, as the page's dates
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return moment.astimezone(LOCAL_TZ).strftime("%H:%M, %d/%m/%Y")
    return str(value)


def details_of(entry: AuditEntry) -> list[Detail]:
    """The entry's details as labelled fields (a nested record field by field), in the order
    of ``_DETAILS``, then unnamed keys alphabetically."""
    return [
        Detail(k, str(_DETAILS[k]) if k in _DETAILS else k, _value(v, entry.operation, k))
        for k, v in _ordered(entry.details or {})
    ]


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
    label: str = ""  # the operation in words
    details: tuple[Detail, ...] = ()


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


async def operations() -> list[tuple[str, str]]:
    """Every operation the log holds, for the filter: (name, label), by label."""
    # Plain SQL: the model's default ordering (by id) would join any DISTINCT or GROUP BY the ORM
    # builds, which PostgreSQL refuses.
    rows = await connections.get("default").execute_query_dict(
        f"SELECT DISTINCT operation FROM {AuditEntry._meta.db_table}"
    )
    names = [str(row["operation"]) for row in rows]
    return sorted(((n, operation_label(n)) for n in names), key=lambda p: (p[1].casefold(), p[0]))


def target_of(
    entry: AuditEntry, name: str = "", resolved: tuple[str | None, str] | None = None
) -> tuple[str, str | None]:
    """What the entry is about, in words ("người dùng Lê Văn An", "kiến nghị KN-2026-…"), and
    the page that shows it (None: no page). ``name`` replaces a bare id when known;
    ``resolved`` is what the target type's resolver found: (page, name)."""
    if not entry.target_type:
        return "", None
    known = _TARGETS.get(entry.target_type)
    if known is None:
        return f"{entry.target_type} {entry.target_id}".strip(), None
    url, label = known
    if entry.target_type in _RESOLVERS:
        page, found = resolved or (None, "")
        return f"{label} {found or entry.target_id}".strip(), page
    link = url.format(id=entry.target_id) if entry.target_id and url else None
    return f"{label} {name or entry.target_id}".strip(), link


async def _resolved(rows: list[AuditEntry]) -> dict[tuple[str, str], tuple[str | None, str]]:
    """Pages and names the domains' resolvers find for the entries' targets."""
    wanted: dict[str, set[int]] = {}
    for r in rows:
        if r.target_type in _RESOLVERS and r.target_id.isdigit():
            wanted.setdefault(r.target_type, set()).add(int(r.target_id))
    found: dict[tuple[str, str], tuple[str | None, str]] = {}
    for kind, ids in wanted.items():
        for i, value in (await _RESOLVERS[kind](sorted(ids))).items():
            found[(kind, str(i))] = value
    return found


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
    for r in rows:
        if r.target_type == "operation":
            names[("operation", r.target_id)] = operation_label(r.target_id)
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
    resolved = await _resolved(list(rows))
    lines = []
    for r in rows:
        key = (r.target_type, r.target_id)
        text, link = target_of(r, targets.get(key, ""), resolved.get(key))
        who = people.get(r.actor_id, r.actor_name) if r.actor_id else r.actor_name
        where = str(names.get(r.council_id, "")) if r.council_id else ""
        label = operation_label(r.operation)
        lines.append(LogLine(r, who, where, text, link, label, tuple(details_of(r))))
    return LogPage(lines, total, page, PER_PAGE)


async def verification(actor: User) -> audit_verify.VerifyResult:
    """``council verify-audit`` for the page: the chain walked now, with its head hash."""
    if actor.role != "admin":
        raise Forbidden(N_("Only administrators can read the audit log."))
    return await audit_verify.verify()
