"""Helpers shared by the admin pages: form parsing, filters and labels (the scope resolvers are
in `council.scopes`)."""

from __future__ import annotations

import unicodedata
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel
from starlette.datastructures import FormData, QueryParams
from starlette.responses import RedirectResponse, Response

from council.errors import DomainError, Invalid, NotFound
from council.i18n import N_
from council.models import Agency, Council, User
from council.validation import int_param, parse
from council.web import Ctx

M = TypeVar("M", bound=BaseModel)

PER_PAGE = 25
MAX_PAGE = 100_000
# Above this many councils a <select> gets too heavy for a slow link; a code field replaces it.
SELECT_LIMIT = 300

ROLE_LABELS = {
    "admin": N_("Administrator"),
    "secretariat": N_("Secretariat"),
    "chair": N_("Chair"),
    "delegate": N_("Delegate"),
    "agency": N_("Agency officer"),
    "citizen": N_("Citizen"),
    "display": N_("Hall display"),
}
LEVEL_LABELS = {"city": N_("City / province"), "commune": N_("Commune / ward")}
STATUS_CHOICES = (("", N_("All")), ("active", N_("Active")), ("inactive", N_("Inactive")))


def labels() -> dict[str, Any]:
    """Labels every admin template uses."""
    return {
        "role_labels": ROLE_LABELS,
        "level_labels": LEVEL_LABELS,
        "status_choices": STATUS_CHOICES,
    }


async def council_or_404(council_id: int) -> Council:
    council = await Council.get_or_none(id=council_id)
    if council is None:
        raise NotFound(N_("No such council."))
    return council


async def agency_or_404(agency_id: int) -> Agency:
    agency = await Agency.get_or_none(id=agency_id)
    if agency is None:
        raise NotFound(N_("No such agency."))
    return agency


async def user_or_404(user_id: int) -> User:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    return user


# --- query strings --------------------------------------------------------------------------------


def page_number(query: QueryParams) -> int:
    try:
        return min(int_param(query, "page", 1, minimum=1), MAX_PAGE)
    except Invalid:
        return 1  # a hand-edited address shows the first page


def active_filter(query: QueryParams) -> bool | None:
    return {"active": True, "inactive": False}.get(query.get("status", ""))


def search_text(query: QueryParams) -> str:
    return unicodedata.normalize("NFC", query.get("q", "")).strip()[:100]


def filters(query: QueryParams, *names: str) -> dict[str, str]:
    """The list filters to carry over in pagination links (empty ones left out)."""
    return {n: query[n][:100] for n in names if query.get(n)}


def here(ctx: Ctx) -> str:
    url = ctx.request.url
    return url.path + (f"?{url.query}" if url.query else "")


def safe_back(target: object, default: str) -> str:
    """Only a local admin page may be a redirect target."""
    if (
        isinstance(target, str)
        and target.startswith("/admin/")
        and "//" not in target
        and "\\" not in target
    ):
        return target
    return default


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def no_store(response: Response) -> Response:
    """For pages showing a password: never cached, never kept in history caches."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


# --- forms ----------------------------------------------------------------------------------------


def form_values(
    model: type[BaseModel], form: FormData, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The model's fields taken from a posted form: empty fields are left out (so defaults or the
    'required' message apply), lists come from repeated fields, uploads are ignored."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        is_list = get_origin(info.annotation) is list or any(
            get_origin(a) is list for a in get_args(info.annotation)
        )
        if is_list:
            data[name] = [v for v in form.getlist(name) if isinstance(v, str) and v.strip()]
        else:
            value = form.get(name)
            if isinstance(value, str) and value.strip():
                data[name] = value
    data.update(extra or {})
    return data


def parse_form(model: type[M], form: FormData, extra: dict[str, Any] | None = None) -> M:
    """Validate a posted form, raising Invalid with one translated message per field."""
    return parse(model, form_values(model, form, extra))


def field_errors(error: DomainError | None) -> dict[str, str]:
    if error is None:
        return {}
    fields = error.details.get("fields") or {}
    return {str(k): str(v) for k, v in fields.items()}
