"""Routes of the questioning domain: the JSON API and the pages."""

from questioning.routes import api, pages, widgets

routes = [*api.routes, *pages.routes]
__all__ = ["routes", "widgets"]
