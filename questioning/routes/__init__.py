"""Routes of the questioning domain: the JSON API and the pages. Importing ``panel`` puts the live
questioning on the sitting's live pages, and ``questioning.minutes`` its record in the minutes."""

from council.audit_log import register_target
from council.i18n import N_
from questioning import minutes
from questioning.routes import (
    api,
    api_commitments,
    documents,
    live,
    pages,
    pages_commitments,
    panel,
    widgets,
)

routes = [
    *api.routes,
    *api_commitments.routes,
    *documents.routes,
    *live.routes,
    *panel.routes,
    *pages.routes,
    *pages_commitments.routes,
]
__all__ = ["minutes", "routes", "widgets"]

# The audit log named these "question_form 3", "commitment 3", with no link.
register_target("question_form", "/questioning/forms/{id}", N_("question form"))
register_target("commitment", "/questioning/commitments/{id}", N_("commitment"))
