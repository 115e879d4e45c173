"""The minutes' approval workflow: JSON API, the secretariat's and chair's minutes page (forms that
post and come back), the public download of an open sitting's published minutes, and
``minutes.pdf`` (the latest signed version, else the draft, named by ``X-Minutes-Version``)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from council import storage
from council.errors import DomainError, Invalid, NotFound
from council.i18n import N_
from council.models import Council
from council.signing import SigningConfig
from council.signing.schemas import SignPrepareOut
from council.templating import render
from council.validation import parse
from council.web import Ctx, api, page
from meetings import operations as ops
from meetings.minutes_models import SIGNED_STATES, MinutesVersion
from meetings.minutes_schemas import (
    ClosedSittingOut,
    MinutesOut,
    MinutesSignIn,
    MinutesVersionOut,
)
from meetings.models import Notice, Session
from meetings.services import minutes_flow as flow
from meetings.services import minutes_signing as signing
from meetings.services.common import get_session, now, user_names
from meetings.services.minutes import minutes_pdf_bytes

TAGS = ["minutes"]
PDF = "application/pdf"
STEP_LABELS = {
    "draft": N_("Draft"),
    "reviewed": N_("Reviewed by the secretary"),
    "approved": N_("Approved by the chair"),
    "signing": N_("Signed by the secretary"),
    "signed": N_("Signed by the secretary and the chair"),
    "published": N_("Minutes published"),
}
NEXT_LABELS = {
    "minutes.draft": N_("The secretariat drafts the minutes from the sitting's record."),
    "minutes.review": N_("The secretary reviews the draft, or uploads an edited PDF."),
    "minutes.approve": N_("The chair approves the reviewed minutes."),
    "minutes.sign": N_("The minutes await a signature."),
    "minutes.publish": N_("The secretariat publishes the signed minutes."),
}


def _version_url(v: MinutesVersion) -> str:
    return f"/api/v1/sessions/{v.session_id}/minutes/versions/{v.number}.pdf"


async def _versions_out(versions: list[MinutesVersion]) -> list[dict[str, Any]]:
    ids = {
        uid
        for v in versions
        for uid in (v.created_by_id, v.reviewed_by_id, v.approved_by_id,
                    v.secretary_signed_by_id, v.chair_signed_by_id, v.published_by_id)
        if uid
    }  # fmt: skip
    names = await user_names(sorted(ids))
    last = versions[-1].id if versions else None
    out = []
    for v in versions:
        row: dict[str, Any] = {
            "number": v.number, "status": v.status, "source": v.source, "sha256": v.sha256,
            "size": v.size, "note": v.note, "latest": v.id == last, "url": _version_url(v),
        }  # fmt: skip
        for step in ("created", "reviewed", "approved", "secretary_signed", "chair_signed",
                     "published"):  # fmt: skip
            by = getattr(v, f"{step}_by_id")
            row[f"{step}_at"] = getattr(v, f"{step}_at")
            row[f"{step}_by"] = names.get(by) if by else None
        out.append(row)
    return out


async def _minutes_out(session: Session, versions: list[MinutesVersion]) -> dict[str, Any]:
    step = flow.next_step(versions[-1] if versions else None)
    return {
        "session_id": session.id,
        "closed_sitting": session.closed_sitting,
        "next_step": step.operation or None,
        "next_role": step.role or None,
        "versions": await _versions_out(versions),
    }


async def _version_json(v: MinutesVersion) -> MinutesVersionOut:
    latest = await MinutesVersion.filter(session_id=v.session_id).order_by("-number").first()
    row = (await _versions_out([v]))[0]
    row["latest"] = latest is not None and latest.id == v.id
    return MinutesVersionOut(**row)


def _file(v: MinutesVersion, request: Any, kind: str | None = None) -> Any:
    label = kind or ("signed" if v.status in SIGNED_STATES else "draft")
    return storage.file_response(
        request, v.path, mime=PDF, filename=f"bien-ban-ky-hop-{v.session_id}-v{v.number}.pdf",
        disposition="attachment",
        headers={"X-Minutes-Version": label, "X-Minutes-Version-Number": str(v.number),
                 "X-Minutes-Status": v.status, "Cache-Control": "no-store"},
    )  # fmt: skip


async def current_minutes_pdf(ctx: Ctx) -> Response:
    """``minutes.pdf``: the latest signed version when there is one, else the latest version (a
    draft), else the draft generated from the record now (no version number)."""
    session, version = await flow.minutes_current(ctx.require_user(), ctx.params["session_id"])
    if version is not None:
        return await _file(version, ctx.request)
    data = await minutes_pdf_bytes(session)
    return Response(
        data,
        media_type=PDF,
        headers={
            "Content-Disposition": f'attachment; filename="bien-ban-ky-hop-{session.id}.pdf"',
            "Cache-Control": "no-store",
            "X-Minutes-Version": "draft",
        },
    )


# --- JSON API ------------------------------------------------------------------------------------


@api("GET", "/api/v1/sessions/{session_id:int}/minutes", perm=ops.MINUTES_VERSIONS,
     response=MinutesOut, tags=TAGS, summary="The minutes' versions and the next step")  # fmt: skip
async def minutes_versions_api(ctx: Ctx) -> MinutesOut:
    session, versions = await flow.minutes_versions(ctx.require_user(), ctx.params["session_id"])
    return MinutesOut(**await _minutes_out(session, versions))


@api("GET", "/api/v1/sessions/{session_id:int}/minutes/versions/{number:int}.pdf",
     perm=ops.MINUTES_VERSION, tags=TAGS, raw_response=PDF,
     summary="One version of the minutes as PDF (X-Minutes-Version: signed or draft)")  # fmt: skip
async def minutes_version_api(ctx: Ctx) -> Response:
    _, version = await flow.minutes_version(
        ctx.require_user(), ctx.params["session_id"], ctx.params["number"]
    )
    return await _file(version, ctx.request)


@api("POST", "/api/v1/sessions/{session_id:int}/minutes/draft", perm=ops.MINUTES_DRAFT,
     response=MinutesVersionOut, status=201, tags=TAGS,
     summary="A new version generated from the record (a correction needs a note)")  # fmt: skip
async def minutes_draft_api(ctx: Ctx) -> MinutesVersionOut:
    version = await flow.minutes_draft(
        ctx.require_user(), ctx.params["session_id"], note=ctx.body.note
    )
    return await _version_json(version)


async def _upload_bytes(ctx: Ctx, field: str = "file") -> bytes | None:
    form = await ctx.form()
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    max_bytes = ctx.settings.max_upload_mb << 20
    data = await upload.read(max_bytes + 1)
    return data or None


def _form_text(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


@api("POST", "/api/v1/sessions/{session_id:int}/minutes/versions/{number:int}/review",
     perm=ops.MINUTES_REVIEW, response=MinutesVersionOut, tags=TAGS,
     multipart={"file": "file", "note": "text"},
     summary="The secretary reviews the draft; an edited PDF (optional) becomes a new version")  # fmt: skip
async def minutes_review_api(ctx: Ctx) -> MinutesVersionOut:
    return await _version_json(await _review(ctx))


async def _review(ctx: Ctx) -> MinutesVersion:
    ctype = ctx.request.headers.get("content-type", "")
    data, note = None, None
    if "form" in ctype:
        data = await _upload_bytes(ctx)
        note = _form_text(await ctx.form(), "note")
    return await flow.minutes_review(
        ctx.require_user(), ctx.params["session_id"], ctx.params["number"], data=data, note=note,
        max_bytes=ctx.settings.max_upload_mb << 20,
    )  # fmt: skip


@api("POST", "/api/v1/sessions/{session_id:int}/minutes/versions/{number:int}/approve",
     perm=ops.MINUTES_APPROVE, response=MinutesVersionOut, tags=TAGS,
     summary="The chair approves the reviewed minutes")  # fmt: skip
async def minutes_approve_api(ctx: Ctx) -> MinutesVersionOut:
    version = await flow.minutes_approve(
        ctx.require_user(), ctx.params["session_id"], ctx.params["number"]
    )
    return await _version_json(version)


@api("POST", "/api/v1/sessions/{session_id:int}/minutes/versions/{number:int}/sign",
     perm=ops.MINUTES_SIGN, response=MinutesVersionOut, tags=TAGS,
     summary="Sign the approved minutes: the secretary, then the chair; a token's PIN is used "
             "once and never stored (wrong PIN: 422 wrong_pin with tries_left)")  # fmt: skip
async def minutes_sign_api(ctx: Ctx) -> MinutesVersionOut:
    version = await signing.minutes_sign(
        ctx.require_user(), ctx.params["session_id"], ctx.params["number"], pin=ctx.body.pin,
        settings=ctx.settings,
    )  # fmt: skip
    return await _version_json(version)


@api("POST", "/api/v1/sessions/{session_id:int}/minutes/versions/{number:int}/sign/prepare",
     perm=ops.MINUTES_SIGN_PREPARE, response=SignPrepareOut, tags=TAGS,
     summary="Remote signing, step 1: the server prepares the version for this signer (the "
             "secretary, then the chair); the answer is the digest the signer's client signs "
             "(a CMS SignedData, PAdES) and the session to complete")  # fmt: skip
async def minutes_sign_prepare_api(ctx: Ctx) -> dict[str, Any]:
    return await signing.minutes_sign_prepare(
        ctx.require_user(), ctx.params["session_id"], ctx.params["number"], ctx.body.certificate
    )


@api("POST", "/api/v1/sessions/{session_id:int}/minutes/versions/{number:int}/sign/complete",
     perm=ops.MINUTES_SIGN_COMPLETE, response=MinutesVersionOut, tags=TAGS,
     summary="Remote signing, step 2: the CMS signature (base64 DER) is checked and embedded")  # fmt: skip
async def minutes_sign_complete_api(ctx: Ctx) -> MinutesVersionOut:
    version = await signing.minutes_sign_complete(
        ctx.require_user(), ctx.params["session_id"], ctx.params["number"], ctx.body.session_id,
        ctx.body.cms, ctx.settings,
    )  # fmt: skip
    return await _version_json(version)


@api("POST", "/api/v1/sessions/{session_id:int}/minutes/versions/{number:int}/publish",
     perm=ops.MINUTES_PUBLISH, response=MinutesVersionOut, tags=TAGS,
     summary="Publish the signed minutes (on the public portal unless a closed sitting)")  # fmt: skip
async def minutes_publish_api(ctx: Ctx) -> MinutesVersionOut:
    version = await flow.minutes_publish(
        ctx.require_user(), ctx.params["session_id"], ctx.params["number"]
    )
    return await _version_json(version)


@api("PUT", "/api/v1/sessions/{session_id:int}/closed-sitting", perm=ops.SESSION_CLOSED_SITTING,
     response=ClosedSittingOut, tags=TAGS,
     summary="Mark a sitting closed (họp kín: minutes stay internal) or open")  # fmt: skip
async def closed_sitting_api(ctx: Ctx) -> dict[str, Any]:
    session = await flow.session_closed_sitting(
        ctx.require_user(), ctx.params["session_id"], ctx.body.closed_sitting
    )
    return {"session_id": session.id, "closed_sitting": session.closed_sitting}


async def _public_file(ctx: Ctx) -> Response:
    session = await Session.get_or_none(id=ctx.params["session_id"])
    version = await flow.public_minutes(session) if session is not None else None
    if version is None:
        raise NotFound(N_("These minutes are not published."))
    return await _file(version, ctx.request, "signed")


@api("GET", "/api/v1/public/sessions/{session_id:int}/minutes.pdf", perm=ops.MINUTES_PUBLIC,
     tags=TAGS, raw_response=PDF,
     summary="The published signed minutes of an open sitting (404 for a closed sitting)")  # fmt: skip
async def public_minutes_api(ctx: Ctx) -> Response:
    return await _public_file(ctx)


# --- pages ---------------------------------------------------------------------------------------


async def _page_context(ctx: Ctx, session: Session) -> dict[str, Any]:
    user = ctx.require_user()
    versions = await flow.versions_of(session.id)
    latest = versions[-1] if versions else None
    step = flow.next_step(latest)
    key = SigningConfig.for_signer(ctx.settings, user.username)
    return {
        "session": session,
        "council": await Council.get(id=session.council_id),
        "versions": list(reversed(await _versions_out(versions))),
        "latest": latest,
        "step": step,
        "step_text": NEXT_LABELS.get(step.operation),
        "step_labels": STEP_LABELS,
        "order": ("draft", "reviewed", "approved", "signing", "signed", "published"),
        "can_act": session.status == "closed" and flow.may_act(user, step, session.council_id),
        "can_correct": (
            session.status == "closed"
            and latest is not None
            and latest.status not in ("draft", "reviewed")
            and flow.may_act(user, flow.Step("minutes.draft", "secretariat"), session.council_id)
        ),  # fmt: skip
        "can_mark": user.role in ("admin", "secretariat", "chair"),
        "needs_pin": key.uses_token,
        "can_sign_key": key.can_sign,
        "sign_as": "chair" if latest is not None and latest.status == "signing" else "secretary",
    }


async def _page(ctx: Ctx, error: DomainError | None = None, done: str | None = None) -> Response:
    session = await get_session(ctx.params["session_id"])
    context = await _page_context(ctx, session)
    context["error"], context["done"] = error, done
    return render(
        ctx.request, "meetings/minutes.html", context, status=error.status if error else 200
    )


@page("/meetings/sessions/{session_id:int}/minutes", perm=ops.MINUTES_VERSIONS)
async def minutes_page(ctx: Ctx) -> Response:
    user = ctx.require_user()
    await flow.minutes_versions(user, ctx.params["session_id"])  # the council's members only
    await Notice.filter(
        user_id=user.id, session_id=ctx.params["session_id"], kind__startswith="minutes.",
        read_at=None,
    ).update(read_at=now())  # fmt: skip
    done = ctx.query.get("done")
    return await _page(ctx, done=done if done in STEP_LABELS else None)


def _back(ctx: Ctx, status: str) -> Response:
    return RedirectResponse(
        f"/meetings/sessions/{ctx.params['session_id']}/minutes?done={status}", status_code=303
    )


async def _step(ctx: Ctx, run: Any) -> Response:
    try:
        version = await run()
    except DomainError as exc:
        return await _page(ctx, error=exc)
    return _back(ctx, version.status)


@page("/meetings/sessions/{session_id:int}/minutes/draft", perm=ops.MINUTES_DRAFT,
      methods=("POST",))  # fmt: skip
async def minutes_draft_page(ctx: Ctx) -> Response:
    note = _form_text(await ctx.form(), "note")
    return await _step(
        ctx, lambda: flow.minutes_draft(ctx.require_user(), ctx.params["session_id"], note=note)
    )


@page("/meetings/sessions/{session_id:int}/minutes/{number:int}/review", perm=ops.MINUTES_REVIEW,
      methods=("POST",))  # fmt: skip
async def minutes_review_page(ctx: Ctx) -> Response:
    return await _step(ctx, lambda: _review(ctx))


@page("/meetings/sessions/{session_id:int}/minutes/{number:int}/approve",
      perm=ops.MINUTES_APPROVE, methods=("POST",))  # fmt: skip
async def minutes_approve_page(ctx: Ctx) -> Response:
    return await _step(
        ctx,
        lambda: flow.minutes_approve(
            ctx.require_user(), ctx.params["session_id"], ctx.params["number"]
        ),
    )


@page("/meetings/sessions/{session_id:int}/minutes/{number:int}/sign", perm=ops.MINUTES_SIGN,
      methods=("POST",))  # fmt: skip
async def minutes_sign_page(ctx: Ctx) -> Response:
    form = await ctx.form()
    try:
        body = parse(MinutesSignIn, {"pin": _form_text(form, "pin") or None})
    except Invalid as exc:
        return await _page(ctx, error=exc)
    return await _step(
        ctx,
        lambda: signing.minutes_sign(
            ctx.require_user(), ctx.params["session_id"], ctx.params["number"], pin=body.pin,
            settings=ctx.settings,
        ),
    )  # fmt: skip


@page("/meetings/sessions/{session_id:int}/minutes/{number:int}/publish",
      perm=ops.MINUTES_PUBLISH, methods=("POST",))  # fmt: skip
async def minutes_publish_page(ctx: Ctx) -> Response:
    return await _step(
        ctx,
        lambda: flow.minutes_publish(
            ctx.require_user(), ctx.params["session_id"], ctx.params["number"]
        ),
    )


@page("/meetings/sessions/{session_id:int}/closed-sitting", perm=ops.SESSION_CLOSED_SITTING,
      methods=("POST",))  # fmt: skip
async def closed_sitting_page(ctx: Ctx) -> Response:
    closed = _form_text(await ctx.form(), "closed_sitting") == "1"
    try:
        await flow.session_closed_sitting(ctx.require_user(), ctx.params["session_id"], closed)
    except DomainError as exc:
        return await _page(ctx, error=exc)
    return RedirectResponse(f"/meetings/sessions/{ctx.params['session_id']}/minutes", 303)


@page("/public/sessions/{session_id:int}/minutes.pdf", perm=ops.MINUTES_PUBLIC)
async def public_minutes_page(ctx: Ctx) -> Response:
    return await _public_file(ctx)


routes = [
    minutes_versions_api,
    minutes_version_api,
    minutes_draft_api,
    minutes_review_api,
    minutes_approve_api,
    minutes_sign_api,
    minutes_sign_prepare_api,
    minutes_sign_complete_api,
    minutes_publish_api,
    closed_sitting_api,
    public_minutes_api,
    minutes_page,
    minutes_draft_page,
    minutes_review_page,
    minutes_approve_page,
    minutes_sign_page,
    minutes_publish_page,
    closed_sitting_page,
    public_minutes_page,
]
