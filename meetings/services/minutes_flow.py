"""minutes.*: the versions of a session's minutes and their approval workflow.

draft (generated from the record) → reviewed by the secretary (an edited file becomes a new
version) → approved by the chair → signed by the secretary, then by the chair (PAdES, each an
incremental update, ``council.signing``) → published, once the sitting has ended (closed).
A version with a signature never changes; a correction is a new version that needs every step
again, and earlier versions stay readable. Signing (on the server or remotely) is in
``meetings.services.minutes_signing``.

Each step is recorded in the audit log under its operation's name and tells the next person in the
app (``meetings.services.minutes_notices``). Files go through ``council.storage``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from council import audit, storage, uploads, workers
from council.errors import Conflict, Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import User
from council.signing.pades import UnsignablePdf
from meetings.minutes.stamp_place import signable_page_count
from meetings.minutes_models import LOCKED_STATES, SIGNED_STATES, MinutesVersion
from meetings.models import Session
from meetings.services.common import get_session, now, same_council
from meetings.services.minutes import minutes_pdf_bytes
from meetings.services.minutes_notices import tell

MAX_NOTE = 1000


@dataclass(frozen=True)
class Step:
    """What may happen next to a version, and who does it (for pages and the API)."""

    operation: str  # minutes.review | minutes.approve | minutes.sign | minutes.publish | ""
    role: str  # secretariat | chair | ""


def next_step(version: MinutesVersion | None, latest: bool = True) -> Step:
    if version is None:
        return Step("minutes.draft", "secretariat")
    if not latest:
        return Step("", "")
    return {
        "draft": Step("minutes.review", "secretariat"),
        "reviewed": Step("minutes.approve", "chair"),
        "approved": Step("minutes.sign", "secretariat"),
        "signing": Step("minutes.sign", "chair"),
        "signed": Step("minutes.publish", "secretariat"),
    }.get(version.status, Step("", ""))


def may_act(user: User | None, step: Step, council_id: int) -> bool:
    """Whether ``user`` takes ``step`` (admins may draft and publish, never review, approve or
    sign: those are the secretary's and the chair's own acts)."""
    if user is None or not step.operation or not same_council(user, council_id):
        return False
    if user.role == "admin":
        return step.operation in ("minutes.draft", "minutes.publish")
    return user.role == step.role


async def versions_of(session_id: int) -> list[MinutesVersion]:
    return list(await MinutesVersion.filter(session_id=session_id).order_by("number"))


async def _member_session(user: User, session_id: int) -> Session:
    session = await get_session(session_id)
    if not same_council(user, session.council_id) or session.status == "draft":
        raise Forbidden(N_("This session belongs to another council."))
    return session


async def minutes_versions(user: User, session_id: int) -> tuple[Session, list[MinutesVersion]]:
    """minutes.versions: every version of the minutes, oldest first, for the council's members."""
    session = await _member_session(user, session_id)
    return session, await versions_of(session.id)


async def minutes_version(
    user: User, session_id: int, number: int
) -> tuple[Session, MinutesVersion]:
    """minutes.version: one version (its file is downloaded with it)."""
    session = await _member_session(user, session_id)
    version = await MinutesVersion.get_or_none(session_id=session.id, number=number)
    if version is None:
        raise NotFound(N_("This version of the minutes does not exist."))
    return session, version


async def minutes_current(user: User, session_id: int) -> tuple[Session, MinutesVersion | None]:
    """The version ``minutes.pdf`` serves: the latest signed one, else the latest draft (None:
    no version yet, the caller generates the draft from the record)."""
    session, versions = await minutes_versions(user, session_id)
    signed = [v for v in versions if v.status in SIGNED_STATES]
    if signed:
        return session, signed[-1]
    return session, versions[-1] if versions else None


async def public_minutes(session: Session) -> MinutesVersion | None:
    """The published signed minutes of an open sitting; a closed sitting's (họp kín) stay internal."""
    if session.closed_sitting or session.status != "closed":
        return None
    return (
        await MinutesVersion.filter(session_id=session.id, status="published")
        .order_by("-number")
        .first()
    )


def check_step(user: User, session: Session, version: MinutesVersion | None, op: str) -> None:
    step = next_step(version)
    if step.operation != op:
        raise Conflict(
            "minutes_state",
            N_("The minutes are not at this step of their approval."),
            status=409,
            state=version.status if version else None,
            next=step.operation or None,
        )
    if not may_act(user, step, session.council_id):
        raise Forbidden(
            N_("Only the chair approves and signs as chair; the secretary reviews and signs first.")
        )


async def closed_session(user: User, session_id: int) -> Session:
    session = await _member_session(user, session_id)
    if session.status != "closed":
        raise Conflict(
            "session_state",
            N_("The minutes are approved and signed once the sitting is closed."),
            status=409,
            state=session.status,
        )
    return session


async def _latest_for_update(session: Session) -> MinutesVersion | None:
    return (
        await MinutesVersion.filter(session_id=session.id)
        .select_for_update()
        .order_by("-number")
        .first()
    )


async def numbered(session: Session, version_number: int | None) -> MinutesVersion:
    """The latest version, which ``version_number`` (when given) must name: a step on an older
    version is refused (someone made a newer one meanwhile)."""
    latest = await MinutesVersion.filter(session_id=session.id).order_by("-number").first()
    if latest is None:
        raise NotFound(N_("The minutes have no version yet."))
    if version_number is not None and version_number != latest.number:
        raise Conflict(
            "minutes_not_latest",
            N_("A newer version of the minutes exists: reload the page."),
            status=409,
            latest=latest.number,
        )
    return latest


def record_step(
    op: str, user: User, session: Session, version: MinutesVersion, **details: Any
) -> Any:
    return audit.record(
        op,
        actor=user,
        target_type="session",
        target_id=session.id,
        council_id=session.council_id,
        details={"version": version.number, "sha256": version.sha256, **details},
    )


async def _new_version(
    user: User,
    session: Session,
    stored: uploads.StoredFile,
    *,
    source: str,
    status: str,
    note: str,
) -> MinutesVersion:
    """In the caller's transaction: the next version number of the session's minutes."""
    await Session.select_for_update(no_key=True).get(id=session.id)  # one numbering at a time
    top = await MinutesVersion.filter(session_id=session.id).order_by("-number").first()
    number = top.number + 1 if top is not None else 1
    at = now()
    return await MinutesVersion.create(
        session_id=session.id, number=number, status=status, source=source, path=stored.path,
        sha256=stored.sha256, size=stored.size, note=note, created_by_id=user.id, created_at=at,
        reviewed_by_id=user.id if status == "reviewed" else None,
        reviewed_at=at if status == "reviewed" else None,
    )  # fmt: skip


def _note(note: str | None) -> str:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise Invalid(fields={"note": str(N_("This is too long."))})
    return text


async def minutes_draft(user: User, session_id: int, *, note: str | None = None) -> MinutesVersion:
    """minutes.draft: a new version generated from the sitting's record. Once a version is
    approved or signed this is a correction: it says why (``note``) and needs every step again."""
    session = await closed_session(user, session_id)
    if not (user.role in ("admin", "secretariat") and same_council(user, session.council_id)):
        raise Forbidden(N_("Only the council's secretariat drafts the minutes."))
    text = _note(note)
    latest = await MinutesVersion.filter(session_id=session.id).order_by("-number").first()
    if latest is not None and latest.status not in ("draft", "reviewed") and not text:
        raise Invalid(fields={"note": str(N_("Say what the correction changes."))})
    data = await minutes_pdf_bytes(session)
    stored = await uploads.store_bytes(
        data, original_name=f"bien-ban-ky-hop-{session.id}.pdf", mime=uploads.PDF
    )
    try:
        async with in_transaction():
            version = await _new_version(
                user, session, stored, source="generated", status="draft", note=text
            )
            await record_step("minutes.draft", user, session, version, correction=bool(text))
            await tell(session, version, "minutes.review", exclude=user.id)
    except BaseException:
        await storage.discard(stored)
        raise
    return version


async def readable(data: bytes) -> None:
    """An edited PDF must open, have pages and take a signature before it becomes a version
    (pdfium and pyHanko parse it in a worker process, with the workers' limits); one that does
    not is a 422, never a 500 — and never a version that passes review and approval only to be
    refused at its signing."""
    try:
        pages = await workers.run(signable_page_count, data)
    except Exception:  # pdfium's error for a damaged file, or the worker's limits
        pages = 0
    if pages == -1:
        raise Invalid(fields={"file": str(UnsignablePdf.MESSAGE)})
    if pages < 1:
        raise Invalid(fields={"file": str(N_("The file is not a readable PDF."))})


async def minutes_review(
    user: User,
    session_id: int,
    version_number: int | None = None,
    *,
    data: bytes | None = None,
    note: str | None = None,
    max_bytes: int | None = None,
) -> MinutesVersion:
    """minutes.review: the secretary has read the draft. An edited PDF (``data``) becomes a new
    version, already reviewed, and the draft stays as it was."""
    session = await closed_session(user, session_id)
    version = await numbered(session, version_number)
    check_step(user, session, version, "minutes.review")
    text = _note(note)
    stored = None
    if data is not None:
        await readable(data)
        stored = await uploads.store_bytes(
            data, original_name=f"bien-ban-ky-hop-{session.id}.pdf", allowed={uploads.PDF},
            max_bytes=max_bytes,
        )  # fmt: skip
    try:
        async with in_transaction():
            latest = await _latest_for_update(session)
            if latest is None or latest.id != version.id or latest.status != version.status:
                raise Conflict(
                    "minutes_not_latest", N_("A newer version of the minutes exists: reload the page."),
                    status=409,
                )  # fmt: skip
            if stored is not None:
                version = await _new_version(
                    user, session, stored, source="upload", status="reviewed", note=text
                )
            else:
                version.status, version.reviewed_by_id, version.reviewed_at = (
                    "reviewed",
                    user.id,
                    now(),
                )
                if text:
                    version.note = text
                await version.save(
                    update_fields=["status", "reviewed_by_id", "reviewed_at", "note"]
                )
            await record_step("minutes.review", user, session, version, edited=stored is not None)
            await tell(session, version, "minutes.approve", exclude=user.id)
    except BaseException:
        if stored is not None:
            await storage.discard(stored)
        raise
    return version


async def _advance(
    user: User, session_id: int, version_number: int | None, op: str, status: str, who: str,
    after: str,
) -> MinutesVersion:  # fmt: skip
    session = await closed_session(user, session_id)
    version = await numbered(session, version_number)
    check_step(user, session, version, op)
    async with in_transaction():
        changed = await MinutesVersion.filter(id=version.id, status=version.status).update(
            status=status, **{f"{who}_by_id": user.id, f"{who}_at": now()}
        )
        if not changed:
            raise Conflict("minutes_state", N_("The minutes changed meanwhile: reload the page."))
        version = await MinutesVersion.get(id=version.id)
        await record_step(op, user, session, version)
        await tell(session, version, after, exclude=user.id)
    return version


async def minutes_approve(
    user: User, session_id: int, version_number: int | None = None
) -> MinutesVersion:
    """minutes.approve: the chair approves the reviewed version; the secretary signs next."""
    return await _advance(
        user, session_id, version_number, "minutes.approve", "approved", "approved", "minutes.sign"
    )


async def minutes_publish(
    user: User, session_id: int, version_number: int | None = None
) -> MinutesVersion:
    """minutes.publish: the signed minutes are released: on the public portal for an open sitting,
    to the council's members only for a closed one (họp kín)."""
    return await _advance(
        user, session_id, version_number, "minutes.publish", "published", "published",
        "minutes.out",
    )  # fmt: skip


async def session_closed_sitting(user: User, session_id: int, closed: bool) -> Session:
    """session.closed_sitting: mark a sitting closed (họp kín) or open. A closed sitting's signed
    minutes stay internal; an open one's published minutes are on the public portal."""
    session = await get_session(session_id)
    if not (
        user.role in ("admin", "secretariat", "chair") and same_council(user, session.council_id)
    ):
        raise Forbidden(N_("Only the council's secretariat or chair may do this."))
    if session.closed_sitting == closed:
        return session
    async with in_transaction():
        await Session.filter(id=session.id).update(closed_sitting=closed)
        await audit.record(
            "session.closed_sitting", actor=user, target_type="session", target_id=session.id,
            council_id=session.council_id, details={"closed_sitting": closed},
        )  # fmt: skip
    return await get_session(session.id)


def locked(version: MinutesVersion) -> bool:
    return version.status in LOCKED_STATES
