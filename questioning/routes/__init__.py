"""Routes of the questioning domain: the JSON API and the pages. Importing ``panel`` puts the live
questioning on the sitting's live pages, and ``questioning.minutes`` its record in the minutes."""

from council.audit_log import register_detail, register_target, register_values
from council.i18n import N_
from questioning import minutes
from questioning.models import QuestionGroup, Round
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


async def _groups(ids: list[int]) -> dict[int, tuple[str | None, str]]:
    """A question group's page is its session's questioning page, at the group."""
    rows = await QuestionGroup.filter(id__in=ids).values_list("id", "round__session_id", "title")
    return {i: (f"/questioning/sessions/{s}#group-{i}", title) for i, s, title in rows}


async def _rounds(ids: list[int]) -> dict[int, tuple[str | None, str]]:
    """A questioning round is its session's questioning page."""
    rows = await Round.filter(id__in=ids).values_list("id", "session_id")
    return {i: (f"/questioning/sessions/{s}", "") for i, s in rows}


register_target("question_group", "", N_("question group"), resolve=_groups)
register_target("round", "", N_("questioning round"), resolve=_rounds)

# The codes the log's details hold, in the words of the pages that show them.
register_values("criterion", pages.CRITERION_LABELS, "question_group.")
register_values("verdict", pages.VERDICT_LABELS, "answer.")
# questioning.limits: the round's limits before and after, in seconds (None: the default).
register_detail("before", N_("Before"))
register_detail("after", N_("After"))
register_detail("asking_seconds", N_("Time to ask (seconds)"))
register_detail("answering_seconds", N_("Time to answer (seconds)"))
register_detail("followup_seconds", N_("Time for a follow-up (seconds)"))
