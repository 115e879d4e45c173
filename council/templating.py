"""Jinja2 templates: one helper renders a full page, or only its fragment for htmx requests."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from council import assets
from council.i18n import get_language, gettext, ngettext
from council.localtime import LOCAL_TZ
from council.security import mask_csrf

STATIC_DIR = assets.STATIC_DIR
ROOT = STATIC_DIR.parent
TEMPLATES_DIR = ROOT / "templates"
static_url = assets.url


_HX_ATTRIBUTE = re.compile(r"\s(?:data-)?hx-[a-z]")


def using_htmx(html: str) -> bool:
    """Whether rendered HTML has an htmx attribute (``hx-post=…``, ``data-hx-get=…``)."""
    return _HX_ATTRIBUTE.search(html) is not None


def using_htmx_script(html: str) -> bool:
    """Whether rendered HTML links htmx itself (a page whose scripts swap in htmx fragments)."""
    return assets.url("vendor/htmx.min.js") in html or "/static/vendor/htmx.min.js" in html


# Vietnamese as administrative documents write it (CLDR's vi short forms drop the century and
# its long date reads "9 tháng 12, 2026"). English keeps CLDR's en_GB forms.
_VI_DATETIME = {"short": "HH:mm, dd/MM/yyyy", "medium": "HH:mm, dd/MM/yyyy"}
_VI_DATE = {"short": "dd/MM/yyyy", "medium": "dd/MM/yyyy", "long": "'ngày' d 'tháng' M 'năm' y"}


def fmt_datetime(value: datetime | str | None, fmt: str = "short") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):  # as the services' dicts carry it (ISO 8601)
        value = datetime.fromisoformat(value)
    if get_language() == "vi":
        return format_datetime(value, _VI_DATETIME.get(fmt, fmt), tzinfo=LOCAL_TZ, locale="vi_VN")
    return format_datetime(value, fmt, tzinfo=LOCAL_TZ, locale="en_GB")


def fmt_date(value: Any, fmt: str = "short") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    if get_language() == "vi":
        return format_date(value, _VI_DATE.get(fmt, fmt), locale="vi_VN")
    return format_date(value, fmt, locale="en_GB")


def fmt_number(value: float | int, digits: int = 2) -> str:
    locale = "vi_VN" if get_language() == "vi" else "en_GB"
    return format_decimal(
        value, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=locale
    )


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(static=static_url)
    env.filters.update(datetime=fmt_datetime, date=fmt_date, number=fmt_number)
    env.tests.update(using_htmx=using_htmx, using_htmx_script=using_htmx_script)
    return env


def register_globals(**values: Any) -> None:
    """Give every template (macros imported without context too) these names: a domain's
    wording tables, kept in one place for its pages and its audit log alike."""
    environment().globals.update(values)


def context_for(request: Request) -> dict[str, Any]:
    state = request.scope.get("state", {})
    user = state.get("user")
    return {
        "request": request,
        "user": user,
        "lang": get_language(),
        "csrf_token": mask_csrf(state["csrf_token"]) if state.get("csrf_token") else "",
        "_": gettext,
        "nav": nav_for(user),
        "public_nav": public_nav(),
        "home_actions": home_actions(user),
    }


def render_string(request: Request, template: str, context: dict[str, Any] | None = None) -> str:
    return environment().get_template(template).render({**context_for(request), **(context or {})})


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template``; for an htmx request, render only ``fragment`` (which the page includes)."""
    if (
        fragment
        and request.headers.get("hx-request") == "true"
        and not request.headers.get("hx-boosted")
    ):
        template = fragment
    html = render_string(request, template, context)
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


class NavItem:
    """A link in the main menu, shown to the roles given (None: everyone logged in)."""

    def __init__(
        self,
        label: Any,
        url: str,
        roles: frozenset[str] | None = None,
        order: int = 50,
        public: bool = False,
    ) -> None:
        self.label, self.url, self.roles, self.order, self.public = label, url, roles, order, public


NAV: list[NavItem] = []


def _add(registry: list[Any], item: Any) -> None:
    """Add ``item`` unless an item of its URL is there, keeping the registry in display order."""
    if all(n.url != item.url for n in registry):
        registry.append(item)
        registry.sort(key=lambda n: n.order)


def register_nav(item: NavItem) -> None:
    _add(NAV, item)


def nav_for(user: Any) -> list[NavItem]:
    if user is None:
        return [n for n in NAV if n.public]
    return [n for n in NAV if not n.public and (n.roles is None or user.role in n.roles)]


class HomeAction(NavItem):
    """A button on the home page: what a visitor (or a user of ``roles``) most likely came to do."""

    def __init__(
        self,
        label: Any,
        url: str,
        *,
        primary: bool = False,
        order: int = 50,
        roles: frozenset[str] = frozenset({"citizen"}),
    ) -> None:
        super().__init__(label, url, roles=roles, order=order, public=True)
        self.primary = primary


HOME_ACTIONS: list[HomeAction] = []


def register_home_action(action: HomeAction) -> None:
    _add(HOME_ACTIONS, action)


def home_actions(user: Any) -> list[HomeAction]:
    """The home page's actions for a visitor, or for a logged-in user of the actions' roles."""
    return [a for a in HOME_ACTIONS if user is None or user.role in (a.roles or ())]


def public_nav() -> list[NavItem]:
    """Links to the public pages (the footer shows them to everyone)."""
    return [n for n in NAV if n.public]
