"""The petitions JSON API (CONTRACT: Petitions, and additions). Thin: every rule is a service."""

from __future__ import annotations

import json

from starlette.datastructures import UploadFile
from starlette.responses import Response

from council.errors import DomainError
from council.i18n import N_
from council.models import Council
from council.permissions import check
from council.validation import int_param, parse
from council.web import Ctx, api
from petitions import indexing
from petitions import operations as ops
from petitions.models import Petition
from petitions.routes import convert
from petitions.routes.downloads import reply_letter_download
from petitions.schemas import (
    BatchOut,
    ExtensionOut,
    FeedbackOut,
    LetterOut,
    LetterRemoveIn,
    MeetingOut,
    MergeCandidateOut,
    MergeCandidatesOut,
    PetitionCreated,
    PetitionIn,
    PetitionListOut,
    PetitionStateOut,
    PublicListOut,
    SimilarListOut,
    SimilarOut,
    SupportOut,
    TrackOut,
)
from petitions.services import (
    Filters,
    act,
    add_support,
    authenticate,
    file_petition,
    give_feedback,
    meeting_petitions,
    meeting_record,
    petition_for_staff,
    staff_list,
    staff_view,
    track_view,
)
from petitions.services.extensions import decide_extension, request_extension
from petitions.services.letters import attach_letter, remove_letter
from petitions.services.queries import merge_candidates
from petitions.workflow import Action

TAGS = ["petitions"]
TOKEN_HEADER = "X-Tracking-Token"
TOKEN_QUERY = (
    "Deprecated: the secret token given when filing. Send it in the X-Tracking-Token header "
    "instead: a query string lands in access logs and browser history"
)
FORM_FIELDS = (
    "council_code",
    "category",
    "title",
    "body",
    "name",
    "phone",
    "email",
    "address",
    "channel",
    "website",
    "support_of",
)


def tracking_token(ctx: Ctx) -> str:
    """The petitioner's secret token: the ``X-Tracking-Token`` header, or (older clients) the
    ``token`` query parameter."""
    return (ctx.request.headers.get(TOKEN_HEADER) or ctx.query.get("token") or "").strip()


async def read_filing(ctx: Ctx) -> tuple[PetitionIn, list[UploadFile], UploadFile | None]:
    """A filing from JSON or multipart (fields + ``files`` + optional ``consent``)."""
    ctype = ctx.request.headers.get("content-type", "")
    if "multipart/form-data" in ctype or "application/x-www-form-urlencoded" in ctype:
        form = await ctx.form()
        data = {k: form.get(k) for k in FORM_FIELDS if isinstance(form.get(k), str)}
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        consent = form.get("consent")
        return parse(PetitionIn, data), files, consent if isinstance(consent, UploadFile) else None
    raw = await ctx.request.body()
    if len(raw) > 1_000_000:
        raise DomainError("too_large", N_("The request is too large."), status=413)
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DomainError(
            "bad_request", N_("The request body is not valid JSON."), status=400
        ) from None
    return parse(PetitionIn, data), [], None


@api(
    "POST",
    "/api/v1/petitions",
    perm=ops.PETITION_FILE,
    response=PetitionCreated,
    status=201,
    tags=TAGS,
    summary="File a petition (no login; JSON, or multipart with up to 5 `files` images/PDF)",
    multipart={
        "council_code": "text",
        "category": "text",
        "title": "text",
        "body": "text",
        "name": "text",
        "phone": "text",
        "email": "text",
        "address": "text",
        "channel": "text",
        "files": "file",
        "consent": "file",
    },
    json_alt=PetitionIn,
)
async def petition_file(ctx: Ctx) -> PetitionCreated:
    data, files, consent = await read_filing(ctx)
    filed = await file_petition(
        data, actor=ctx.user, ip=ctx.ip, settings=ctx.settings, files=files, consent=consent
    )
    p = filed.petition
    return PetitionCreated(code=p.code, token=filed.token, status=p.status, due_at=p.due_at)


def _limits(ctx: Ctx) -> tuple[int, int]:
    """The page asked for: its size is clamped by each list, an offset below 0 is refused."""
    return int_param(ctx.query, "limit", 50), int_param(ctx.query, "offset", 0, minimum=0)


@api(
    "GET",
    "/api/v1/petitions",
    perm=ops.PETITION_LIST,
    response=PetitionListOut,
    tags=TAGS,
    summary="Petitions the caller may see, filtered and searched",
    query={
        "q": "Search text (Vietnamese, with or without accents)",
        "status": "A status",
        "council_code": "Received by or handled by this council",
        "category": "A field code",
        "channel": "A channel",
        "date_from": "Filed on or after (YYYY-MM-DD)",
        "date_to": "Filed on or before (YYYY-MM-DD)",
        "overdue": "true or false",
        "agency_code": "Assigned to this agency",
        "cycle_id": "In this session cycle",
        "limit": "Page size (≤ 200)",
        "offset": "Skip this many (with q: at most 10000)",
    },
)
async def petition_list(ctx: Ctx) -> PetitionListOut:
    limit, offset = _limits(ctx)
    indexing.use_data_dir(ctx.settings.index_dir)
    items, total, total_exact = await staff_list(
        ctx.require_user(), Filters.parse(ctx.query), limit=limit, offset=offset
    )
    return PetitionListOut(
        items=[convert.list_item(i) for i in items], total=total, total_exact=total_exact
    )


@api(
    "GET",
    "/api/v1/petitions/similar",
    perm=ops.PETITION_SIMILAR,
    response=SimilarListOut,
    tags=TAGS,
    summary="Accepted petitions like this one in the same commune or its city (before filing); those awaiting the secretariat only counted",
    query={"council_code": "The commune", "title": "What the citizen is about to file"},
)
async def petition_similar(ctx: Ctx) -> SimilarListOut:
    council = await Council.get_or_none(code=ctx.query.get("council_code") or "")
    text = (ctx.query.get("title") or "")[:300]
    if council is None or len(text.strip()) < 3:
        return SimilarListOut(items=[], pending=0)
    indexing.use_data_dir(ctx.settings.index_dir)
    found = await indexing.similar(text, council)
    return SimilarListOut(items=[SimilarOut(**s) for s in found.shown], pending=found.pending)


@api(
    "GET",
    "/api/v1/petitions/{code}",
    perm=ops.PETITION_TRACK,
    response=TrackOut,
    tags=TAGS,
    summary="The petitioner's view (code + secret token in the X-Tracking-Token header): "
    "status, history, answer",
    query={"token": TOKEN_QUERY},
)
async def petition_track(ctx: Ctx) -> TrackOut:
    p = await authenticate(ctx.params["code"], tracking_token(ctx), ctx.ip)
    return convert.track(await track_view(p, smtp_configured=bool(ctx.settings.smtp_url)))


@api(
    "GET",
    "/api/v1/petitions/{code}/letters/{letter_id:int}",
    perm=ops.PETITION_TRACK_LETTER,
    tags=TAGS,
    summary="A reply letter (PDF) published with the answer, for the petitioner (code + token "
    "in the X-Tracking-Token header)",
    query={"token": TOKEN_QUERY},
    raw_response="application/pdf",
)
async def petition_track_letter(ctx: Ctx) -> Response:
    return await reply_letter_download(
        ctx.request, ctx.params["code"], tracking_token(ctx), ctx.ip, ctx.params["letter_id"]
    )


@api(
    "GET",
    "/api/v1/petitions/{code}/detail",
    perm=ops.PETITION_VIEW,
    response=PetitionStateOut,
    tags=TAGS,
    summary="A petition as staff see it (personal data only for the handling council or agency)",
)
async def petition_detail(ctx: Ctx) -> PetitionStateOut:
    user = ctx.require_user()
    p = await petition_for_staff(user, ctx.params["code"])
    return convert.state(await staff_view(user, p))


@api(
    "POST",
    "/api/v1/petitions/{code}/actions",
    perm=ops.PETITION_ACT,
    response=PetitionStateOut,
    tags=TAGS,
    summary="accept, escalate, assign, answer, publish, reopen, reject, merge, close, divert, "
    "resolution, return (the assigned agency sends a misrouted petition back, with a reason)",
)
async def petition_act(ctx: Ctx) -> PetitionStateOut:
    user = ctx.require_user()
    await check(ops.ACTIONS[Action(ctx.body.action)].permission, user, ctx.params)
    p = await act(user, ctx.params["code"], ctx.body, ctx.settings)
    return convert.state(await staff_view(user, p))


@api(
    "POST",
    "/api/v1/petitions/{code}/extensions",
    perm=ops.PETITION_EXTENSION_REQUEST,
    response=ExtensionOut,
    status=201,
    tags=TAGS,
    summary="The assigned agency asks, before the due date, for more time to answer",
)
async def extension_request(ctx: Ctx) -> ExtensionOut:
    e = await request_extension(
        ctx.require_user(), ctx.params["code"], ctx.body.until, ctx.body.reason, ctx.settings
    )
    return convert.extension(e)


@api(
    "POST",
    "/api/v1/petitions/{code}/extensions/{extension_id:int}/decision",
    perm=ops.PETITION_EXTENSION_DECIDE,
    response=ExtensionOut,
    tags=TAGS,
    summary="The handling council's secretariat approves (the due date moves) or refuses "
    "(with a reason) an extension",
)
async def extension_decide(ctx: Ctx) -> ExtensionOut:
    await check(ops.EXTENSION_DECISIONS[ctx.body.approve].permission, ctx.user, ctx.params)
    e = await decide_extension(
        ctx.require_user(),
        ctx.params["code"],
        ctx.params["extension_id"],
        ctx.body.approve,
        ctx.body.reason,
        ctx.settings,
    )
    return convert.extension(e)


@api(
    "POST",
    "/api/v1/petitions/{code}/letter",
    perm=ops.PETITION_LETTER,
    response=LetterOut,
    status=201,
    tags=TAGS,
    summary="Attach the official reply letter (PDF, ≤ 10 MB) to the petition's answer",
    multipart={"file": "file"},
)
async def letter(ctx: Ctx) -> LetterOut:
    form = await ctx.form()
    upload = form.get("file")
    a = await attach_letter(
        ctx.require_user(), ctx.params["code"], upload if isinstance(upload, UploadFile) else None
    )
    return LetterOut(
        id=a.id, name=a.original_name, size=a.size, sha256=a.sha256, published_at=a.published_at
    )


@api(
    "DELETE",
    "/api/v1/petitions/{code}/letter/{letter_id:int}",
    perm=ops.PETITION_LETTER_REMOVE,
    body=LetterRemoveIn,  # a DELETE's body is named (the operation's only for POST/PUT/PATCH)
    response=PetitionStateOut,
    tags=TAGS,
    summary="Remove a reply letter (the wrong file or petition), with a `reason`: the handling "
    "council's secretariat, or the agency that attached it while it is not yet published",
)
async def letter_remove(ctx: Ctx) -> PetitionStateOut:
    user = ctx.require_user()
    await remove_letter(user, ctx.params["code"], ctx.params["letter_id"], ctx.body.reason)
    return convert.state(await staff_view(user, await petition_for_staff(user, ctx.params["code"])))


@api(
    "GET",
    "/api/v1/petitions/{code}/merge-candidates",
    perm=ops.PETITION_MERGE_CANDIDATES,
    response=MergeCandidatesOut,
    tags=TAGS,
    summary="Open petitions of the same handling council this one could be merged into",
    query={"q": "Words or a tracking code (any form); empty: the newest of the same field"},
)
async def merge_candidates_api(ctx: Ctx) -> MergeCandidatesOut:
    user = ctx.require_user()
    p = await petition_for_staff(user, ctx.params["code"])
    indexing.use_data_dir(ctx.settings.index_dir)
    items = await merge_candidates(user, p, ctx.query.get("q") or "")
    return MergeCandidatesOut(
        items=[
            MergeCandidateOut(
                code=i.code,
                title=i.title,
                council_name=i.council_name,
                status=i.status,
                weight=i.weight,
            )
            for i in items
        ]
    )


@api(
    "POST",
    "/api/v1/petitions/{code}/feedback",
    perm=ops.PETITION_FEEDBACK,
    response=FeedbackOut,
    tags=TAGS,
    summary="The petitioner says whether the published answer satisfies them",
)
async def petition_feedback(ctx: Ctx) -> FeedbackOut:
    p = await authenticate(ctx.params["code"], ctx.body.token, ctx.ip)
    p = await give_feedback(p, ctx.body.satisfied, ctx.body.comment, base_url=ctx.settings.base_url)
    return FeedbackOut(code=p.code, satisfied=bool(p.satisfied))


@api(
    "POST",
    "/api/v1/petitions/{code}/support",
    perm=ops.PETITION_SUPPORT,
    response=SupportOut,
    tags=TAGS,
    summary="Add your support to an existing petition",
)
async def petition_support(ctx: Ctx) -> SupportOut:
    p = (await add_support(ctx.params["code"], ctx.body, ip=ctx.ip, settings=ctx.settings)).petition
    return SupportOut(code=p.code, weight=p.weight)


@api(
    "POST",
    "/api/v1/petitions/meetings",
    perm=ops.MEETING_RECORD,
    response=MeetingOut,
    status=201,
    tags=TAGS,
    summary="Record a voter-contact meeting",
)
async def meeting_create(ctx: Ctx) -> MeetingOut:
    m = await meeting_record(ctx.require_user(), ctx.body)
    return MeetingOut(
        id=m.id,
        council_code=ctx.body.council_code,
        cycle_id=m.cycle_id,
        held_on=m.held_on,
        place=m.place,
        delegates=m.delegates,
        attendees=m.attendees,
    )


@api(
    "POST",
    "/api/v1/petitions/meetings/{meeting_id:int}/petitions",
    perm=ops.MEETING_PETITIONS,
    response=BatchOut,
    status=201,
    tags=TAGS,
    summary="Enter the petitions raised at a meeting, in one batch",
)
async def meeting_batch(ctx: Ctx) -> BatchOut:
    filed = await meeting_petitions(
        ctx.require_user(), ctx.params["meeting_id"], ctx.body.petitions, ctx.settings
    )
    return BatchOut(
        items=[
            PetitionCreated(
                code=f.petition.code,
                token=f.token,
                status=f.petition.status,
                due_at=f.petition.due_at,
            )
            for f in filed
        ]
    )


@api(
    "GET",
    "/api/v1/public/petitions",
    perm=ops.PETITION_PUBLIC_LIST,
    response=PublicListOut,
    tags=TAGS,
    summary="Published petitions and answers, without personal data",
    query={
        "q": "Search text",
        "category": "A field code",
        "council_code": "A council",
        "limit": "Page size (≤ 100)",
        "offset": "Skip this many (at most 10000)",
    },
)
async def public_list(ctx: Ctx) -> PublicListOut:
    limit, offset = _limits(ctx)
    limit = max(1, min(limit, 100))
    indexing.use_data_dir(ctx.settings.index_dir)
    hits, total, total_exact = await indexing.search_public(
        (ctx.query.get("q") or "")[:200],
        category=ctx.query.get("category") or None,
        council_code=ctx.query.get("council_code") or None,
        limit=limit,
        offset=offset,
    )
    rows = {p.code: p for p in await Petition.filter(code__in=[h.code for h in hits])}
    items = [
        await convert.public(rows[h.code], h.highlight or None) for h in hits if h.code in rows
    ]
    return PublicListOut(items=items, total=total, total_exact=total_exact)


routes = [
    petition_file,
    petition_list,
    petition_similar,
    meeting_create,
    meeting_batch,
    petition_track,
    petition_track_letter,
    petition_detail,
    petition_act,
    merge_candidates_api,
    extension_request,
    extension_decide,
    letter,
    letter_remove,
    petition_feedback,
    petition_support,
    public_list,
]
