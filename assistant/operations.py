"""Every assistant operation, declared once: name, roles, input schema and the service it calls.
Routes and pages point at these (``perm=ops.ASK``); see ``council.registry``. Each use is kept in
the assistant's usage log under its operation's name. Who may read which document or session is
decided inside the services by meetings' reader rules: the roles here are the first gate."""

from __future__ import annotations

from assistant import schemas, services
from council.registry import operation

READERS = ("admin", "chair", "delegate", "secretariat")

SUMMARIZE = operation(
    "assistant.summarize", *READERS, body=schemas.SummaryIn, service=services.summarize,
    summary="Summarize a session document the caller may read (plain or streamed)",
)  # fmt: skip
ASK = operation(
    "assistant.ask", *READERS, body=schemas.QuestionIn, service=services.ask,
    summary="Ask about a session's documents: the answer cites document and page",
)  # fmt: skip
GROUP = operation(
    "assistant.group", "admin", "secretariat", body=schemas.GroupIn,
    service=services.group_petitions, summary="Group a cycle's petitions by topic",
)  # fmt: skip
USAGE = operation(
    "assistant.usage", "admin", service=services.usage_log, summary="The assistant's usage log"
)
