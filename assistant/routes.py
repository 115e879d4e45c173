"""assistant routes: JSON API, the streaming summary, and the HTML pages (thin: they call services).

Each points at its operation (``assistant/operations.py``): ``assistant.summarize``,
``assistant.ask``, ``assistant.group``, ``assistant.usage``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response, StreamingResponse

from assistant import operations as ops
from assistant import schemas, services
from council.dashboard import Widget, register_widget
from council.errors import Invalid
from council.i18n import N_
from council.search.text import normalize
from council.templating import NavItem, register_nav, render
from council.validation import int_param
from council.web import Ctx, api, page
from meetings.services import sessions_for
from petitions.services import council_cycles


async def dashboard_widget(ctx: Ctx) -> list[Widget]:
    """The assistant's links on the dashboard: each published open session, the grouping
    page for the secretariat, the usage log for administrators."""
    user = ctx.user
    if user is None or not ops.SUMMARIZE.may(user.role):
        return []

    sessions = [s for s in await sessions_for(user, include_closed=False) if s.status != "draft"]
    return [
        Widget("assistant/_dashboard.html", {"sessions": sessions[:5], "role": user.role}, order=30)
    ]


register_widget(dashboard_widget)
register_nav(
    NavItem(
        N_("Petition groups"), "/assistant/petitions", roles=frozenset({"secretariat"}), order=45
    )
)
register_nav(
    NavItem(N_("Assistant usage"), "/assistant/usage", roles=frozenset({"admin"}), order=90)
)


# --- JSON API -------------------------------------------------------------------------------


@api(
    "POST",
    "/api/v1/assistant/summaries",
    perm=ops.SUMMARIZE,
    response=schemas.SummaryOut,
    tags=["assistant"],
    summary="Summarize a session document",
)
async def summary_create(ctx: Ctx) -> dict[str, Any]:
    """Summarize a document the caller may read; cached by content, provider, model and prompt."""
    return await services.summarize(ctx.require_user(), ctx.body.document_id, settings=ctx.settings)


def sse(events: AsyncIterator[tuple[str, dict[str, Any]]]) -> StreamingResponse:
    """Server-Sent Events framing of ``(event, data)`` pairs."""

    async def frames() -> AsyncIterator[str]:
        async for name, data in events:
            yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    return StreamingResponse(
        frames(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@api(
    "POST",
    "/api/v1/assistant/summaries/stream",
    perm=ops.SUMMARIZE,
    tags=["assistant"],
    raw_response="text/event-stream",
    summary="Summarize a session document, streamed as Server-Sent Events",
)
async def summary_stream(ctx: Ctx) -> Response:
    """Events: ``meta`` (provider, model, label), ``progress``, ``delta`` (text), ``done``
    (the same body as the plain route) or ``error`` ({code, message})."""
    events = await services.open_summary_stream(
        ctx.require_user(), ctx.body.document_id, settings=ctx.settings
    )
    return sse(events)


@api(
    "POST",
    "/api/v1/assistant/questions",
    perm=ops.ASK,
    response=schemas.AnswerOut,
    tags=["assistant"],
    summary="Ask about a session's documents",
)
async def question_ask(ctx: Ctx) -> dict[str, Any]:
    """Answer from the session's documents, citing [document, page]; says so when they don't."""
    return await services.ask(
        ctx.require_user(), ctx.body.session_id, ctx.body.question, settings=ctx.settings
    )


@api(
    "POST",
    "/api/v1/assistant/petition-groups",
    perm=ops.GROUP,
    response=schemas.GroupsOut,
    tags=["assistant"],
    summary="Group a cycle's petitions by topic",
)
async def petition_groups(ctx: Ctx) -> dict[str, Any]:
    """Petitions of the cycle grouped by shared terms, each group with count, communes, summary."""
    return await services.group_petitions(
        ctx.require_user(),
        settings=ctx.settings,
        cycle_id=ctx.body.cycle_id,
        council_code=ctx.body.council_code,
    )


@api(
    "GET",
    "/api/v1/assistant/usage",
    perm=ops.USAGE,
    response=schemas.UsageOut,
    tags=["assistant"],
    query={
        "page": "page number (50 entries a page)",
        "action": "filter by action",
        "user_id": "filter by user",
    },
    summary="The assistant's usage log",
)
async def usage_list(ctx: Ctx) -> dict[str, Any]:
    """Every use of the assistant, newest first (administrators only)."""
    result = await services.usage_log(
        ctx.require_user(),
        page=int_param(ctx.query, "page", 1, minimum=1),
        action=ctx.query.get("action"),
        user_id=int_param(ctx.query, "user_id", minimum=1),
    )
    return {
        "items": [services.entry_out(e) for e in result.entries],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
    }


# --- pages ----------------------------------------------------------------------------------


async def _form_text(ctx: Ctx, name: str) -> str:
    value = (await ctx.form()).get(name)
    return value.strip() if isinstance(value, str) else ""


@page("/assistant/sessions/{session_id:int}", perm=ops.ASK, methods=("GET", "POST"))
async def session_page(ctx: Ctx) -> Response:
    """The tablet's assistant: ask about the session's documents, summarize each of them."""
    user = ctx.require_user()
    session_id = ctx.params["session_id"]
    info = await services.session_overview(user, session_id, ctx.settings)
    answer = None
    question = ""
    if ctx.request.method == "POST":
        question = await _form_text(ctx, "question")
        answer = await services.ask(
            user, session_id, _checked_question(question), settings=ctx.settings
        )
    return render(
        ctx.request,
        "assistant/session.html",
        {**info, "answer": answer, "question": question},
        fragment="assistant/_answer.html",
    )


def _checked_question(question: str) -> str:

    question = normalize(question).strip()
    if not 3 <= len(question) <= schemas.QUESTION_MAX:
        raise Invalid(fields={"question": str(N_("Ask a question of 3 to 1,000 characters."))})
    return question


@page("/assistant/documents/{document_id:int}", perm=ops.SUMMARIZE, methods=("GET", "POST"))
async def document_page(ctx: Ctx) -> Response:
    """A document's summary: streamed with JavaScript, or posted as a plain form without it."""
    user = ctx.require_user()
    document_id = ctx.params["document_id"]
    info = await services.document_overview(user, document_id, ctx.settings)
    summary = None
    if ctx.request.method == "POST":
        summary = await services.summarize(user, document_id, settings=ctx.settings)
    return render(
        ctx.request,
        "assistant/document.html",
        {**info, "summary": summary},
        fragment="assistant/_summary.html",
    )


@page("/assistant/petitions", perm=ops.GROUP, methods=("GET", "POST"))
async def petitions_page(ctx: Ctx) -> Response:
    """The secretariat's grouping of a cycle's petitions, ready for the summary report."""
    user = ctx.require_user()
    result = None
    cycle_id: int | None = None
    council_code = ""
    if ctx.request.method == "POST":
        cycle_id = int_param(await ctx.form(), "cycle_id", minimum=1)
        council_code = (await _form_text(ctx, "council_code"))[:32]
        result = await services.group_petitions(
            user, settings=ctx.settings, cycle_id=cycle_id, council_code=council_code or None
        )

    return render(
        ctx.request,
        "assistant/petitions.html",
        {
            "result": result,
            "cycle_id": cycle_id,
            "council_code": council_code,
            "cycles": await council_cycles(user, council_code or None),
        },
        fragment="assistant/_groups.html",
    )


@page("/assistant/usage", perm=ops.USAGE)
async def usage_page(ctx: Ctx) -> Response:
    """The usage log for administrators."""
    result = await services.usage_log(
        ctx.require_user(),
        page=int_param(ctx.query, "page", 1, minimum=1),
        action=ctx.query.get("action") or None,
    )
    lines = await services.describe_usage(ctx.require_user(), result.entries)
    return render(
        ctx.request,
        "assistant/usage.html",
        {"log": result, "lines": lines, "action": ctx.query.get("action") or ""},
        fragment="assistant/_usage_table.html",
    )


routes = [
    summary_create,
    summary_stream,
    question_ask,
    petition_groups,
    usage_list,
    session_page,
    document_page,
    petitions_page,
    usage_page,
]
