"""Routes of the questioning domain: the JSON API and the pages."""

from questioning.routes import api, documents, live, pages, widgets

routes = [*api.routes, *documents.routes, *live.routes, *pages.routes]
__all__ = ["routes", "widgets"]
