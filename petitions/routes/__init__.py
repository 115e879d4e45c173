"""Every petitions route, mounted by the app. Fixed paths come before ``{code}`` patterns."""

from __future__ import annotations

from petitions.routes import api, exports, public_pages

routes = [*exports.routes, *api.routes, *public_pages.routes]
