"""Every petitions route, mounted by the app. Fixed paths come before ``{code}`` patterns."""

from __future__ import annotations

from council.audit_log import register_target, register_values
from council.dashboard import register_widget
from council.i18n import N_
from council.templating import (
    HomeAction,
    NavItem,
    register_globals,
    register_home_action,
    register_nav,
)
from petitions import labels
from petitions.routes import (
    admin_api,
    api,
    downloads,
    open311_feed,
    oversight_pages,
    public_pages,
    staff_pages,
    widgets,
)
from petitions.services.scope import STAFF_ROLES

routes = [
    *downloads.routes,
    *admin_api.routes,
    *api.routes,
    *open311_feed.routes,
    *oversight_pages.routes,
    *staff_pages.routes,
    *public_pages.routes,
]

register_nav(NavItem(N_("Voters' petitions"), "/petitions", order=40, public=True))
# What most visitors come for: no account is needed to file or to follow a petition.
register_home_action(HomeAction(N_("Send a petition"), "/petitions/new", primary=True, order=10))
register_home_action(HomeAction(N_("Track a petition"), "/petitions/track", order=20))
register_nav(NavItem(N_("Petitions (staff)"), "/petitions/staff", roles=STAFF_ROLES, order=41))
# The citizens' pages link to the staff pages only for those who may open them.
register_globals(petition_staff_roles=STAFF_ROLES)
register_widget(widgets.petitions_widget)
register_target("petition", "/petitions/staff/{id}", N_("petition"))
# The codes the log's details hold, in the words of the petition pages (the export's filters too).
register_values(("from", "to", "status"), labels.STATUS, "petition.")
register_values("channel", labels.CHANNEL, "petition.")
register_values("resolution", labels.RESOLUTION, "petition.")
