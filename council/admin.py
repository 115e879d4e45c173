"""Admin and secretariat pages for councils, agencies and users (HTML + htmx)."""

from __future__ import annotations

from starlette.routing import Route

routes: list[Route] = []
