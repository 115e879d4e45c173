"""petition.file, petition.support and voter-contact meetings (meeting.record, meeting.petitions)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.datastructures import UploadFile
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from council import audit, storage, uploads
from council.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    wait_text,
)
from council.i18n import N_, get_language
from council.models import Council, User
from council.ratelimit import Rate, limiter
from council.settings import Settings
from petitions import indexing
from petitions.codes import hash_token, new_token, new_tracking_code
from petitions.models import Attachment, Cycle, Petition, PetitionEvent, Supporter, VoterMeeting
from petitions.schemas import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    BatchPetitionIn,
    MeetingIn,
    PetitionIn,
    SupportIn,
)
from petitions.services import notify
from petitions.services.cycles import current_cycle, join_cycle
from petitions.services.routing import open_hop
from petitions.services.scope import get_by_code
from petitions.workflow import TERMINAL, Channel, Status

FILING_ROLES = frozenset({"admin", "secretariat", "chair", "delegate"})
CONSENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})


@dataclass
class Filed:
    petition: Petition
    token: str


def mail_config(settings: Settings) -> notify.MailConfig:
    return notify.MailConfig(settings.smtp_url, settings.smtp_from, settings.base_url)


def is_staff_filer(actor: User | None, council: Council) -> bool:
    """Staff of that council (or an admin) file on a citizen's behalf, outside the public limit."""
    if actor is None or actor.role not in FILING_ROLES:
        return False
    return actor.role == "admin" or actor.council_id == council.id


def contact_key(value: str | None) -> str | None:
    """A rate-limit key for a phone or e-mail, the same however it was typed ("0912 345 678",
    "+84912345678"), hashed so that no personal data sits in the limiter's store."""
    if not value or not value.strip():
        return None
    text = value.strip().casefold()
    if "@" not in text:
        digits = "".join(ch for ch in text if ch.isdigit())
        text = "0" + digits[2:] if digits.startswith("84") and len(digits) > 9 else digits
        if not text:
            return None
    return hashlib.sha256(text.encode()).hexdigest()[:32]


async def spend_public_budget(ip: str, contacts: list[str | None], settings: Settings) -> None:
    """Count a public filing (or support) against its limits, or refuse it with the wait.

    Many people share one IP behind carrier NAT, so a filing that names a phone or an e-mail
    counts against that contact (``COUNCIL_PETITION_RATE`` each) and against a raised per-IP
    budget (``COUNCIL_PETITION_IP_RATE``); an anonymous filing counts against the per-IP limit
    (``COUNCIL_PETITION_RATE``) only. Every limit is checked before any is spent."""
    keys = sorted({k for c in contacts if (k := contact_key(c))})
    rate = Rate.parse(settings.petition_rate)
    budgets = [(f"petition:contact:{k}", rate) for k in keys]
    if budgets:
        budgets.append((f"petition:ip-contact:{ip}", Rate.parse(settings.petition_ip_rate)))
    else:
        budgets.append((f"petition:ip:{ip}", rate))
    try:
        for key, limit in budgets:
            await limiter().check(key, limit)
        for key, limit in budgets:
            await limiter().consume(key, limit)
    except RateLimited as exc:
        raise RateLimited(
            exc.retry_after,
            N_("Many petitions were sent from this connection or contact just now. {wait}").format(
                wait=wait_text(exc.retry_after)
            ),
        ) from None


async def _council(code: str) -> Council:
    council = await Council.get_or_none(code=code, is_active=True)
    if council is None:
        raise Invalid(fields={"council_code": str(N_("No council has this code."))})
    return council


async def secretariat_ids(council_id: int) -> set[int]:
    users = await User.filter(council_id=council_id, role="secretariat", is_active=True)
    return {u.id for u in users}


async def store_files(
    files: list[UploadFile], consent: UploadFile | None
) -> list[tuple[str, uploads.StoredFile]]:
    """Check and store attachments (≤ 5 images/PDF, ≤ 10 MB each) and the consent scan."""
    real = [f for f in files if f.filename]
    if len(real) > MAX_ATTACHMENTS:
        raise Invalid(
            N_("At most {n} attachments.").format(n=MAX_ATTACHMENTS), fields={"files": "too_many"}
        )
    stored: list[tuple[str, uploads.StoredFile]] = []
    try:
        for f in real:
            stored.append(
                (
                    "evidence",
                    await uploads.store_upload(
                        f, allowed=ATTACHMENT_TYPES, max_bytes=MAX_ATTACHMENT_BYTES
                    ),
                )
            )
        if consent is not None and consent.filename:
            stored.append(
                (
                    "consent",
                    await uploads.store_upload(
                        consent, allowed=CONSENT_TYPES, max_bytes=MAX_ATTACHMENT_BYTES
                    ),
                )
            )
    except DomainError:
        await discard(stored)
        raise
    return stored


async def discard(stored: list[tuple[str, uploads.StoredFile]]) -> None:
    """Remove the files of a filing that failed (a file another row also names stays)."""
    await storage.discard([f for _, f in stored])


async def file_petition(
    data: PetitionIn,
    *,
    actor: User | None,
    ip: str,
    settings: Settings,
    files: list[UploadFile] | None = None,
    consent: UploadFile | None = None,
    meeting: VoterMeeting | None = None,
) -> Filed:
    """petition.file: anyone files online; staff file for a citizen with another channel."""
    if data.website:
        raise Invalid(N_("The form was not filled in correctly."))
    council = await _council(data.council_code)
    staff = is_staff_filer(actor, council)
    if not staff and council.level != "commune":
        raise Invalid(
            fields={"council_code": str(N_("A petition is received at the commune or ward."))}
        )
    channel = data.channel if staff else Channel.ONLINE
    if not staff:
        await spend_public_budget(ip, [data.phone, data.email], settings)
    if channel == Channel.ASSISTED and (consent is None or not consent.filename):
        raise Invalid(
            N_("Assisted filing needs a scan or photo of the citizen's signed consent."),
            fields={"consent": "required"},
        )
    stored = await store_files(files or [], consent if staff else None)
    try:
        filed, notes = await _create(
            data, council, channel, actor if staff else None, stored, meeting, settings.base_url
        )
    except BaseException:
        await discard(stored)
        raise
    notify.deliver_later(notes, mail_config(settings))
    return filed


async def _create(
    data: PetitionIn | BatchPetitionIn,
    council: Council,
    channel: Channel,
    actor: User | None,
    stored: list[tuple[str, uploads.StoredFile]],
    meeting: VoterMeeting | None,
    base_url: str = "",
) -> tuple[Filed, list[notify.Notification]]:
    now = datetime.now(UTC)
    token = new_token()
    for _attempt in range(5):
        code = new_tracking_code(now.year)
        try:
            async with in_transaction():
                cycle = meeting.cycle if meeting else await current_cycle(council.id)  # type: ignore[attr-defined]
                p = await Petition.create(
                    code=code,
                    token_hash=hash_token(token),
                    council_id=council.id,
                    handler_id=council.id,
                    level=council.level,
                    cycle_id=cycle.id,
                    meeting_id=meeting.id if meeting else None,
                    status=Status.RECEIVED.value,
                    category=data.category,
                    channel=channel.value,
                    title=data.title,
                    body=data.body,
                    name=data.name,
                    phone=data.phone,
                    email=getattr(data, "email", None),
                    address=data.address,
                    lang=get_language(),
                    filed_by_id=actor.id if actor else None,
                )
                await join_cycle(p, cycle)
                await open_hop(p, now)
                await p.save(update_fields=["due_at"])
                for kind, f in stored:
                    await Attachment.create(
                        petition_id=p.id,
                        kind=kind,
                        path=f.path,
                        mime=f.mime,
                        size=f.size,
                        sha256=f.sha256,
                        original_name=f.original_name,
                    )
                await PetitionEvent.create(
                    petition_id=p.id,
                    action="file",
                    to_status=p.status,
                    actor_id=actor.id if actor else None,
                    actor_label=(actor.full_name or actor.username) if actor else "",
                    details={"channel": channel.value},
                )
                await audit.record(
                    "petition.file",
                    actor=actor,
                    target_type="petition",
                    target_id=p.code,
                    council_id=council.id,
                    details={"channel": channel.value},
                )
                notes = await notify.record_change(
                    p,
                    "file",
                    actor=actor,
                    owners=await secretariat_ids(council.id),
                    base_url=base_url,
                )
                await indexing.petition_changed(p)
            return Filed(p, token), notes
        except IntegrityError:
            if await Petition.exists(code=code):
                continue  # a rare clash of random codes: draw another
            raise
    raise Conflict("code_exhausted", N_("Please try again."))


@dataclass
class Supported:
    petition: Petition  # the one supported: a merged petition's survivor
    supporter: Supporter


async def add_support(code: str, data: SupportIn, *, ip: str, settings: Settings) -> Supported:
    """petition.support: a voter backs an existing petition instead of filing a duplicate."""
    if data.website:
        raise Invalid(N_("The form was not filled in correctly."))
    p = await get_by_code(code)
    while p.status == Status.MERGED.value and p.merged_into_id:
        p = await Petition.get(id=p.merged_into_id)
    if p.status in (Status.REJECTED.value, Status.DIVERTED.value):
        raise Conflict("not_open", N_("This petition no longer accepts support."))
    await spend_public_budget(ip, [data.email], settings)
    async with in_transaction():
        await Petition.filter(id=p.id).update(weight=F("weight") + 1)
        supporter = await Supporter.create(petition_id=p.id, name=data.name, email=data.email)
        await PetitionEvent.create(
            petition_id=p.id, action="support", from_status=p.status, to_status=p.status
        )
        await audit.record(
            "petition.support", target_type="petition", target_id=p.code, council_id=p.handler_id
        )
        await p.refresh_from_db()
        await indexing.petition_changed(p)
    return Supported(p, supporter)


async def add_support_contact(code: str, supporter_id: int, email: str | None) -> Supporter:
    """petition.support_contact: the voter who has just added their support leaves an e-mail
    for the petition's updates (once; the route only knows the supporter it signed for)."""
    if not email:
        raise Invalid(fields={"email": str(N_("Enter your e-mail address."))})
    supporter = await Supporter.get_or_none(id=supporter_id, petition__code=code)
    if supporter is None:
        raise NotFound(N_("No petition has this code."))
    if supporter.email:
        raise Conflict("contact_given", N_("Updates already go to an e-mail address."))
    p = await Petition.get(id=supporter.petition_id)
    async with in_transaction():
        supporter.email = email
        await supporter.save(update_fields=["email"])
        await audit.record(
            "petition.support_contact",
            target_type="petition",
            target_id=p.code,
            council_id=p.handler_id,
        )
    return supporter


MEETING_ROLES = frozenset({"admin", "secretariat", "chair", "delegate"})


async def meeting_record(actor: User, data: MeetingIn) -> VoterMeeting:
    """meeting.record: a delegate records a voter-contact meeting of their council."""
    council = await _council(data.council_code)
    if actor.role not in MEETING_ROLES or (
        actor.role != "admin" and actor.council_id != council.id
    ):
        raise Forbidden(N_("Only delegates and staff of this council can record its meetings."))
    cycle = await current_cycle(council.id)
    if data.cycle_id is not None:
        chosen = await Cycle.get_or_none(id=data.cycle_id, council_id=council.id)
        if chosen is None:
            raise Invalid(fields={"cycle_id": str(N_("No such cycle for this council."))})
        cycle = chosen
    async with in_transaction():
        meeting = await VoterMeeting.create(
            council_id=council.id,
            cycle_id=cycle.id,
            held_on=data.held_on,
            place=data.place,
            delegates=data.delegates,
            attendees=data.attendees,
            note=data.note or "",
            created_by_id=actor.id,
        )
        await audit.record(
            "meeting.record",
            actor=actor,
            target_type="voter_meeting",
            target_id=meeting.id,
            council_id=council.id,
            details={"attendees": data.attendees},
        )
    return meeting


async def meeting_petitions(
    actor: User, meeting_id: int, items: list[BatchPetitionIn], settings: Settings
) -> list[Filed]:
    """meeting.petitions: enter the petitions raised at a meeting, in one batch."""
    meeting = await VoterMeeting.get_or_none(id=meeting_id).prefetch_related("cycle", "council")
    if meeting is None:
        raise NotFound(N_("No such meeting."))
    if actor.role not in MEETING_ROLES or (
        actor.role != "admin" and actor.council_id != meeting.council_id
    ):
        raise Forbidden(N_("Only delegates and staff of this council can record its meetings."))
    filed: list[Filed] = []
    notes: list[notify.Notification] = []
    async with in_transaction():
        for item in items:
            f, n = await _create(
                item, meeting.council, Channel.VOTER_MEETING, actor, [], meeting, settings.base_url
            )
            filed.append(f)
            notes.extend(n)
    notify.deliver_later(notes, mail_config(settings))
    return filed


def is_open(p: Petition) -> bool:
    return Status(p.status) not in TERMINAL
