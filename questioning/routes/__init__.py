"""Routes of the questioning domain: the JSON API and the pages."""

from questioning.routes import api, pages

routes = [*api.routes, *pages.routes]
