"""The live questioning on the sitting's live pages: a panel (``council.livepanels``) on the
delegates' tablets, the chair's console (with the chair's buttons) and the hall screen, shown while
the current agenda item is of kind questioning and refreshed on ``questioning:update``; and the
chair's buttons' form posts (htmx: the panel again; plain: back to the questioning page)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from council import livepanels
from council.errors import DomainError, Invalid
from council.i18n import N_
from council.models import User
from council.templating import render_string
from council.web import Ctx, page
from questioning import links
from questioning import operations as ops
from questioning.operations import OPERATIONS
from questioning.services import live
from questioning.services.common import is_staff

NAME = "questioning"
# A vote's opening and close change the panel too: the hall gives way to the vote and its
# result, the chair's buttons wait for the close.
EVENTS = ("questioning:update", "agenda:current", "poll:opened", "poll:closed")


async def panel_html(
    request: Request,
    user: User,
    session_id: int,
    view: str,
    current: dict[str, Any] | None,
    error: DomainError | None = None,
) -> str | None:
    """The panel for ``view``; nothing outside an item of kind questioning, and nothing on the
    hall screen while nobody has the floor."""
    if current is None or current.get("kind") != live.KIND:
        return None
    council_id, *_ = await links.sitting(session_id)
    chair = view == "chair" and is_staff(user, council_id)
    state = await live.state(session_id)
    shows = None
    if view == "hall":
        shows = await live.hall_shows(session_id, state["turn"])
        if shows is None:
            return None
    vote = await links.open_poll(session_id)
    return render_string(
        request,
        "questioning/_live_panel.html",
        {
            "session_id": session_id,
            "view": "chair" if chair else ("hall" if view == "hall" else "tablet"),
            "shows": shows,
            "conclusion": await live.latest_conclusion(session_id) if shows else None,
            "vote": {"id": vote[0], "title": vote[1]} if vote else None,
            "turn": state["turn"],
            "groups": await live.board(session_id),
            "item": current,
            "events": " ".join(EVENTS),
            "error": error,
        },
    )


async def _provider(
    request: Request, user: User, session_id: int, view: str, current: dict[str, Any] | None
) -> str | None:
    return await panel_html(request, user, session_id, view, current)


livepanels.register(NAME, _provider, events=EVENTS)


def _number(form: Any, name: str) -> int:
    value = str(form.get(name) or "")
    if not value.isdigit():
        raise Invalid(fields={name: str(N_("Not a form of this sitting's groups."))})
    return int(value)


async def _answer(ctx: Ctx, run: Callable[[], Awaitable[Any]]) -> Response:
    """htmx (the chair's console): the panel as it stands, with the refusal if any; else back to
    the questioning page (``#live``), or the page with the refusal."""
    sid = ctx.params["session_id"]
    error: DomainError | None = None
    try:
        await run()
    except DomainError as exc:
        if not ctx.is_htmx:
            raise
        error = exc
    if not ctx.is_htmx:
        return RedirectResponse(f"/questioning/sessions/{sid}#live", status_code=303)
    current = await links.current_item(sid)
    item = {"id": current[0], "kind": current[1], "title": current[2]} if current else None
    html = await panel_html(ctx.request, ctx.require_user(), sid, "chair", item, error)
    if html is None:
        html = str(livepanels.placeholder(NAME, EVENTS))
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def _step_page(step: str) -> Any:
    @page(
        f"/questioning/sessions/{{session_id:int}}/live/{step}",
        perm=OPERATIONS[f"questioning.{step}"],
        methods=("POST",),
        name=f"questioning.{step}:page",
    )
    async def handler(ctx: Ctx) -> Response:
        form = await ctx.form()
        sid = ctx.params["session_id"]
        user = ctx.require_user()

        async def run() -> None:
            form_id = _number(form, "form_id")
            if step == "call":
                await live.questioning_call(user, sid, form_id)
            elif step == "answer":
                official = str(form.get("official_id") or "")
                await live.questioning_answer(
                    user, sid, form_id, int(official) if official.isdigit() else None
                )
            else:
                await live.questioning_followup(user, sid, form_id)

        return await _answer(ctx, run)

    return handler


@page(
    "/questioning/sessions/{session_id:int}/live/conclude",
    perm=ops.QUESTIONING_CONCLUDE,
    methods=("POST",),
)
async def conclude_page(ctx: Ctx) -> Response:
    form = await ctx.form()
    sid = ctx.params["session_id"]

    async def run() -> None:
        text = str(form.get("text") or "").strip()[:5000]
        if not text:
            raise Invalid(fields={"text": str(N_("Write the conclusion."))})
        await live.questioning_conclude(ctx.require_user(), sid, _number(form, "group_id"), text)

    return await _answer(ctx, run)


routes = [_step_page("call"), _step_page("answer"), _step_page("followup"), conclude_page]
