"""Every petitions route, mounted by the app. Fixed paths come before ``{code}`` patterns."""

from __future__ import annotations

from petitions.routes import api, exports, open311, oversight_pages, public_pages, staff_pages

routes = [
    *exports.routes,
    *api.routes,
    *open311.routes,
    *oversight_pages.routes,
    *staff_pages.routes,
    *public_pages.routes,
]
