"""Routes of the meetings domain: the JSON API and the HTML pages (htmx), plus menu and dashboard."""

from __future__ import annotations

from council.audit_log import register_detail, register_target, register_values
from council.dashboard import Widget, register_widget
from council.i18n import N_
from council.templating import NavItem, register_globals, register_nav
from meetings.models import AgendaItem, Poll
from meetings.routes.api import routes as api_routes
from meetings.routes.api_documents import routes as api_documents_routes
from meetings.routes.api_floor import routes as api_floor_routes
from meetings.routes.chairing import routes as chairing_routes
from meetings.routes.hall import routes as hall_routes
from meetings.routes.minutes import routes as minutes_routes
from meetings.routes.pages import routes as page_routes
from meetings.routes.pages_public import routes as pages_public_routes
from meetings.routes.pages_tablet import routes as pages_tablet_routes
from meetings.routes.preparing import notices_widget
from meetings.routes.preparing import routes as preparing_routes
from meetings.routes.presence import routes as presence_routes
from meetings.routes.resolution_pages import routes as resolution_pages
from meetings.routes.resolutions import routes as resolution_routes
from meetings.routes.viewer import routes as viewer_routes
from meetings.services import sessions_for
from meetings.services.common import (
    CHOICE_MSGIDS,
    CONFIDENTIALITY_MSGIDS,
    KIND_MSGIDS,
    PASSED_MSGIDS,
    POLL_KIND_MSGIDS,
    POLL_RULE_MSGIDS,
    RESOLUTION_FIELD_MSGIDS,
    RESULT_FIELD_MSGIDS,
    SIGNED_HOW_MSGIDS,
    SIGNER_MSGIDS,
    TEMPLATE_LABELS,
)

routes = [
    *api_routes,
    *api_documents_routes,
    *api_floor_routes,
    *preparing_routes,
    *presence_routes,
    *chairing_routes,
    *hall_routes,
    *minutes_routes,
    *pages_public_routes,
    *page_routes,
    *pages_tablet_routes,
    *viewer_routes,
    *resolution_routes,
    *resolution_pages,
]

register_nav(
    NavItem(
        N_("Sessions"),
        "/meetings",
        roles=frozenset({"admin", "secretariat", "chair", "delegate"}),
        order=10,
    )
)
register_nav(NavItem(N_("Council sessions"), "/public/sessions", order=60, public=True))


async def dashboard_widget(ctx) -> list[Widget]:  # type: ignore[no-untyped-def]
    """Upcoming and running sessions on the user's dashboard."""

    user = ctx.user
    if user is None or user.role not in ("admin", "secretariat", "chair", "delegate"):
        return []
    sessions = await sessions_for(user, include_closed=False)
    return [Widget("meetings/_dashboard.html", {"sessions": sessions[:5]}, order=10)]


register_widget(dashboard_widget)
register_widget(notices_widget)


async def _items(ids: list[int]) -> dict[int, tuple[str | None, str]]:
    """An agenda item's page is its session's agenda, at the item."""
    rows = await AgendaItem.filter(id__in=ids).values_list("id", "session_id", "title")
    return {i: (f"/meetings/sessions/{s}/prepare#item-{i}", title) for i, s, title in rows}


async def _polls(ids: list[int]) -> dict[int, tuple[str | None, str]]:
    """A poll has no page of its own: its session's agenda, at its item when it has one."""
    rows = await Poll.filter(id__in=ids).values_list("id", "session_id", "item_id", "title")
    return {
        i: (f"/meetings/sessions/{s}/prepare" + (f"#item-{item}" if item else ""), title)
        for i, s, item, title in rows
    }


register_target("session", "/meetings/sessions/{id}/prepare", N_("session"))
register_target("agenda_item", "", N_("agenda item"), resolve=_items)
register_target("poll", "", N_("vote"), resolve=_polls)
register_target("document", "/meetings/documents/{id}", N_("document"))
register_target("resolution", "/meetings/resolutions/{id}", N_("resolution"))
# The codes the log's details hold, in the words of the pages that show them.
register_values("kind", KIND_MSGIDS, "item.")
register_values("kind", POLL_KIND_MSGIDS, "poll.")
register_values("rule", POLL_RULE_MSGIDS, "poll.")
register_values("confidentiality", CONFIDENTIALITY_MSGIDS, "document.")
register_values("choice", CHOICE_MSGIDS, "ballot.")
register_values("signed_as", SIGNER_MSGIDS, "minutes.")
# session.set_current done by another operation (poll.open moves the sitting to its item).
register_detail("by", N_("Moved by"))
register_values("by", {"poll.open": N_("opening a vote")}, "session.")
# How a record was signed (minutes.sign, resolution.sign).
register_values("how", SIGNED_HOW_MSGIDS)
register_values("changed", RESOLUTION_FIELD_MSGIDS, "resolution.")
register_values("passed", PASSED_MSGIDS, "poll.")
for _key, _label in RESULT_FIELD_MSGIDS.items():
    register_detail(_key, _label)
# The same words on the pages: the macros of templates/meetings/_macros.html read these tables.
register_globals(meeting_labels=TEMPLATE_LABELS)
