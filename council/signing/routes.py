"""The public verification page and API (``pdf.verify``)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from council.errors import DomainError, Invalid, NotFound
from council.i18n import N_
from council.models import User
from council.signing import certificates, services
from council.signing.operations import (
    PDF_VERIFY,
    SIGNING_CERTIFICATE_LIST,
    SIGNING_CERTIFICATE_REGISTER,
    SIGNING_CERTIFICATE_REMOVE,
)
from council.signing.schemas import CertificateList, CertificateOut
from council.templating import NavItem, register_nav, render
from council.validation import Out
from council.web import Ctx, api, page

register_nav(NavItem(N_("Check a signed file"), "/verify", order=90, public=True))


class SignatureOut(Out):
    field: str
    signer: str | None
    issuer: str | None
    signed_at: str | None
    timestamp: str | None
    timestamp_trusted: bool | None
    intact: bool
    modified_after: bool
    later_changes: str | None
    trusted: bool
    revoked: bool
    level: str | None
    problem: str | None
    verdict: int


class VerifyOut(Out):
    exit_code: int
    problem: str | None
    signatures: list[SignatureOut]


async def _upload(ctx: Ctx) -> UploadFile:
    upload = (await ctx.form()).get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid(fields={"file": str(N_("Choose a PDF file."))})
    return upload


def _jsonable(report: dict[str, Any]) -> dict[str, Any]:
    sigs = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in s.items()}
        for s in report["signatures"]
    ]
    return {**report, "signatures": sigs}


@api(
    "POST",
    "/api/v1/verify-pdf",
    perm=PDF_VERIFY,
    response=VerifyOut,
    tags=["signing"],
    summary="Check a signed PDF (not stored): each signature's signer, time, timestamp, "
    "changes after signing and trust; exit_code as `council verify-pdf`",
    multipart={"file": "the PDF (up to the upload limit)"},
)
async def pdf_verify_api(ctx: Ctx) -> dict[str, Any]:
    report = await services.pdf_verify(await _upload(ctx), ctx.settings, ctx.ip)
    return _jsonable(report)


@page("/verify", perm=PDF_VERIFY, methods=("GET", "POST"))
async def pdf_verify_page(ctx: Ctx) -> Response:
    context: dict[str, Any] = {"report": None, "error": None}
    status = 200
    if ctx.request.method == "POST":
        try:
            context["report"] = await services.pdf_verify(await _upload(ctx), ctx.settings, ctx.ip)
        except DomainError as exc:
            context["error"], status = exc, exc.status
    return render(
        ctx.request,
        "council/verify.html",
        context,
        fragment="council/_verify_result.html",
        status=status,
    )


# --- the signers' registered certificates (admin) ------------------------------------------------


async def user_or_404(user_id: int) -> User:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    return user


@api(
    "GET",
    "/api/v1/users/{user_id:int}/signing-certificates",
    perm=SIGNING_CERTIFICATE_LIST,
    response=CertificateList,
    tags=["signing"],
    summary="The signing certificates registered to an account (admin)",
)
async def certificate_list_api(ctx: Ctx) -> dict[str, Any]:
    user = await user_or_404(ctx.params["user_id"])
    rows = await certificates.certificates_of(user)
    return {"items": [certificates.certificate_dict(r) for r in rows]}


@api(
    "POST",
    "/api/v1/users/{user_id:int}/signing-certificates",
    perm=SIGNING_CERTIFICATE_REGISTER,
    response=CertificateOut,
    status=201,
    tags=["signing"],
    summary="Register a signer's certificate to their account (admin): remote signatures are "
    "accepted only from a certificate registered to the user who signs",
)
async def certificate_register_api(ctx: Ctx) -> dict[str, Any]:
    user = await user_or_404(ctx.params["user_id"])
    row = await certificates.certificate_register(ctx.require_user(), user, ctx.body.certificate)
    return certificates.certificate_dict(row)


@api(
    "DELETE",
    "/api/v1/users/{user_id:int}/signing-certificates/{certificate_id:int}",
    perm=SIGNING_CERTIFICATE_REMOVE,
    response=CertificateList,
    tags=["signing"],
    summary="Remove a registered signing certificate (admin); the answer lists those left",
)
async def certificate_remove_api(ctx: Ctx) -> dict[str, Any]:
    user = await user_or_404(ctx.params["user_id"])
    await certificates.certificate_remove(ctx.require_user(), user, ctx.params["certificate_id"])
    rows = await certificates.certificates_of(user)
    return {"items": [certificates.certificate_dict(r) for r in rows]}


CERTS = "/admin/users/{user_id:int}/signing-certificates"


async def _certificates_page(ctx: Ctx, error: DomainError | None = None) -> Response:
    user = await user_or_404(ctx.params["user_id"])
    return render(
        ctx.request,
        "council/admin/signing_certificates.html",
        {
            "target": user,
            "certificates": await certificates.certificates_of(user),
            "error": error,
            "saved": ctx.query.get("saved"),
        },
        fragment="council/admin/_signing_certificates.html",
        status=error.status if error else 200,
    )


@page(CERTS, perm=SIGNING_CERTIFICATE_LIST)
async def certificate_list_page(ctx: Ctx) -> Response:
    """The certificates registered to a person (a section of their edit page, loaded by htmx)."""
    return await _certificates_page(ctx)


@page(CERTS + "/register", perm=SIGNING_CERTIFICATE_REGISTER, methods=("POST",))
async def certificate_register_page(ctx: Ctx) -> Response:
    user = await user_or_404(ctx.params["user_id"])
    form = await ctx.form()
    upload = form.get("file")
    text: str | bytes = str(form.get("certificate") or "")
    if isinstance(upload, UploadFile) and upload.filename:
        text = await upload.read(certificates.MAX_CERTIFICATE_BYTES + 1)
    try:
        await certificates.certificate_register(ctx.require_user(), user, text)  # type: ignore[arg-type]
    except DomainError as exc:
        return await _certificates_page(ctx, exc)
    return RedirectResponse(f"/admin/users/{user.id}/signing-certificates?saved=1", 303)


@page(CERTS + "/{certificate_id:int}/remove", perm=SIGNING_CERTIFICATE_REMOVE, methods=("POST",))
async def certificate_remove_page(ctx: Ctx) -> Response:
    user = await user_or_404(ctx.params["user_id"])
    await certificates.certificate_remove(ctx.require_user(), user, ctx.params["certificate_id"])
    return RedirectResponse(f"/admin/users/{user.id}/signing-certificates?saved=0", 303)


routes = [
    pdf_verify_api,
    pdf_verify_page,
    certificate_list_api,
    certificate_register_api,
    certificate_remove_api,
    certificate_list_page,
    certificate_register_page,
    certificate_remove_page,
]
