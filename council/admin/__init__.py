"""Admin and secretariat pages for councils, agencies and users (HTML + htmx).

Each page declares its permission as data; every change goes through ``council.services`` (which
audits it). Lists filter and paginate with htmx and work as plain links and forms without it.
"""

from __future__ import annotations

from starlette.routing import Route

from council.admin import agencies, audit, councils, roll, users
from council.i18n import N_
from council.templating import NavItem, register_nav

register_nav(NavItem(N_("Councils"), "/admin/councils", roles=frozenset({"admin"}), order=80))
register_nav(
    NavItem(N_("Agencies"), "/admin/agencies", roles=frozenset({"admin", "secretariat"}), order=81)
)
register_nav(
    NavItem(N_("People"), "/admin/users", roles=frozenset({"admin", "secretariat"}), order=82)
)

register_nav(NavItem(N_("Audit log"), "/admin/audit", roles=frozenset({"admin"}), order=84))

routes: list[Route] = [
    *councils.routes,
    *agencies.routes,
    *users.routes,
    *roll.routes,
    *audit.routes,
]
