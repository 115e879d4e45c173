"""Routes of the questioning domain: the JSON API and the pages (importing ``panel`` puts the live
questioning on the sitting's live pages)."""

from questioning.routes import api, documents, live, pages, panel, widgets

routes = [*api.routes, *documents.routes, *live.routes, *panel.routes, *pages.routes]
__all__ = ["routes", "widgets"]
