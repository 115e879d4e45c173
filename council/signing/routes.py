"""The public verification page and API (``pdf.verify``)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from council.errors import DomainError, Invalid
from council.i18n import N_
from council.signing import services
from council.signing.operations import PDF_VERIFY
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


routes = [pdf_verify_api, pdf_verify_page]
