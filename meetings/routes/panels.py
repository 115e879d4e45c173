"""Other domains' panels on a sitting's live pages (``council.livepanels``): drawn with the
tablet, the chair's console and the hall screen, and fetched again as fragments on their events.
The live questioning is one; meetings knows none of them by name."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.responses import HTMLResponse, Response

from council import livepanels
from council.web import Ctx
from meetings.models import Session
from meetings.services.common import item_dict, session_for, staff_session
from meetings.services.sessions import current_item


async def live_panels(
    ctx: Ctx, session: Session, view: str, current: dict[str, Any] | None
) -> list[Markup]:
    """Every registered panel's markup for the ``view`` (tablet, chair or hall)."""
    return await livepanels.render_all(ctx.request, ctx.require_user(), session.id, view, current)


async def panel_fragment(ctx: Ctx, name: str) -> Response:
    """A panel again (``?view=tablet|chair|hall``); a hall display gets the hall's only, the
    chair's view is for the council's staff."""
    user = ctx.require_user()
    view = ctx.query.get("view", "tablet")
    if user.role == "display":
        view = "hall"
    elif view == "chair":
        await staff_session(user, ctx.params["session_id"])
    session = await session_for(ctx.user, ctx.params["session_id"])
    current = item_dict(await current_item(session))
    html = await livepanels.render_one(name, ctx.request, user, session.id, view, current)
    return HTMLResponse(str(html or ""), headers={"Cache-Control": "no-store"})
