"""user.import: upload a council's delegate roll as CSV (all or nothing, errors line by line)."""

from __future__ import annotations

import base64
import csv
import io
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.responses import Response

from council import operations as ops
from council import services
from council.admin.common import council_or_404, labels, no_store
from council.errors import DomainError, Invalid, TooLarge
from council.i18n import N_
from council.models import User
from council.templating import render
from council.uploads import sniff_mime
from council.web import Ctx, page

MAX_BYTES = 1 << 20
# The multipart envelope around a 1 MB file stays well under this.
MAX_REQUEST = MAX_BYTES + (64 << 10)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIELD_LABELS = {
    "username": N_("Username"),
    "full_name": N_("Full name"),
    "password": N_("Password"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
}


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def passwords_csv(users: list[User], passwords: dict[str, str]) -> str:
    """The generated passwords as CSV text (UTF-8 with BOM, so Excel reads the Vietnamese names)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "full_name", "password"])
    for user in users:
        if user.username in passwords:
            writer.writerow([user.username, _cell(user.full_name), passwords[user.username]])
    return "\ufeff" + out.getvalue()


async def read_roll(ctx: Ctx) -> bytes:
    """The uploaded file's bytes: at most 1 MB of text."""
    length = ctx.request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_REQUEST:
        raise TooLarge(N_("The file is larger than 1 MB."))
    upload = (await ctx.form()).get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid(fields={"file": str(N_("Choose a CSV file."))})
    data = await upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge(N_("The file is larger than 1 MB."))
    if not data.strip():
        raise Invalid(fields={"file": str(N_("The file is empty."))})
    if sniff_mime(data) is not None:
        raise Invalid(
            fields={
                "file": str(N_("This is not a CSV text file. In Excel, use Save as: CSV UTF-8."))
            }
        )
    return data


@page(
    "/admin/councils/{council_id:int}/users/import",
    methods=("GET", "POST"),
    perm=ops.USER_IMPORT,
)
async def roll_import(ctx: Ctx) -> Response:
    """Upload the delegate roll (username, full_name, password?, email?, phone?, in English or
    Vietnamese): the rows are read and checked and shown first; "import" then creates them all,
    or nothing; generated passwords are shown once."""
    actor = ctx.require_user()
    council = await council_or_404(ctx.params["council_id"])
    page_ctx: dict[str, object] = {
        **labels(),
        "council": council,
        "error": None,
        "errors": [],
        "result": None,
        "preview": None,
        "field_labels": FIELD_LABELS,
    }
    if ctx.request.method == "GET":
        return render(ctx.request, "council/admin/roll_import.html", page_ctx)
    form = await ctx.form()
    confirmed = form.get("roll")
    try:
        data = _confirmed(confirmed) if isinstance(confirmed, str) else await read_roll(ctx)
    except DomainError as exc:
        page_ctx["error"] = exc
        return render(ctx.request, "council/admin/roll_import.html", page_ctx, status=exc.status)
    # First the preview (nothing created); the preview's button sends the same rows back.
    result = await services.roll_import(
        actor, council, data, dry_run=not isinstance(confirmed, str)
    )
    if result.errors or not isinstance(confirmed, str):
        page_ctx["preview"] = result
        page_ctx["errors"] = result.errors
        page_ctx["roll"] = base64.b64encode(data).decode() if not result.errors else ""
        status = 422 if result.errors else 200
        return render(ctx.request, "council/admin/roll_import.html", page_ctx, status=status)
    passwords = result.passwords
    page_ctx["result"] = result
    page_ctx["passwords"] = passwords
    if passwords:
        page_ctx["download"] = "data:text/csv;charset=utf-8," + quote(
            passwords_csv(result.created, passwords)
        )
    return no_store(render(ctx.request, "council/admin/roll_import.html", page_ctx))


def _confirmed(value: str) -> bytes:
    """The previewed file sent back by the preview's button (it is checked again)."""
    if len(value) > MAX_BYTES * 4 // 3 + 8:
        raise TooLarge(N_("The file is larger than 1 MB."))
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise Invalid(fields={"file": str(N_("Choose a CSV file."))}) from None


routes = [roll_import]
