"""assistant.group: a cycle's petitions grouped by topic, each group summarized for the report."""

from __future__ import annotations

import asyncio
from typing import Any

from assistant import prompts
from assistant.chunking import chunk_budget
from assistant.grouping import Group, cluster
from assistant.providers import ProviderError, Source
from assistant.services.common import (
    Meter,
    config_for,
    consume_rate,
    gateway_for,
    label,
    provider_failure,
)
from assistant.tokens import estimate_messages, estimate_tokens
from council.errors import Forbidden
from council.i18n import N_
from council.models import User
from petitions.services import category_label, cycle_petitions_for_staff

ACTION = "assistant.group"
# Groups summarized by the model, largest first; smaller ones are listed by title only.
MAX_SUMMARIZED = 30
CONCURRENCY = 3
PETITION_CHARS = 1200
GROUPING_ROLES = frozenset({"secretariat", "admin"})


def _sources(group: Group, budget: int) -> list[Source]:
    """The group's most representative petitions that fit one call."""
    sources: list[Source] = []
    used = 0
    for p in group.members:
        text = f"{p.title.strip()}. {(p.body or '').strip()}"[:PETITION_CHARS]
        source = Source(text, prompts.petition_label(p.code), confidentiality="internal")
        cost = estimate_tokens(f"[{source.label}]\n{text}\n\n")
        if sources and used + cost > budget:
            break
        sources.append(source)
        used += cost
    return sources


def report_text(groups: list[Group], singles: list[Group]) -> str:
    """The groups as plain text, ready to paste into the summary report (Vietnamese)."""
    lines: list[str] = []
    for number, group in enumerate(groups, 1):
        communes = ", ".join(group.communes)
        head = f"{number}. Về {group.topic} ({group.count} kiến nghị"
        lines.append(f"{head}; {communes})" if communes else f"{head})")
        lines.append(group.summary)
        lines.append("")
    if singles:
        total = sum(g.count for g in singles)
        lines.append(f"{len(groups) + 1}. Các kiến nghị khác ({total} kiến nghị)")
        for group in singles:
            communes = ", ".join(group.communes)
            if group.count > 1:
                lines.append(f"- Về {group.topic} ({group.count} kiến nghị; {communes})")
            else:
                lines.append(f"- {group.titles[0]}" + (f" ({communes})" if communes else ""))
    return "\n".join(lines).strip()


def group_out(group: Group) -> dict[str, Any]:
    """One group as JSON."""

    return {
        "category": group.category,
        "category_label": category_label(group.category),
        "topic": group.topic,
        "count": group.count,
        "communes": group.communes,
        "codes": group.codes,
        "summary": group.summary,
    }


async def group_petitions(
    user: User, *, settings: Any, cycle_id: int | None = None, council_code: str | None = None
) -> dict[str, Any]:
    """Group the cycle's petitions ``user`` may see (staff only) and summarize each group."""
    if user.role not in GROUPING_ROLES:
        raise Forbidden(N_("Only the secretariat can group petitions."))

    petitions = await cycle_petitions_for_staff(user, cycle_id=cycle_id, council_code=council_code)
    await consume_rate(user, settings)
    groups = await asyncio.to_thread(cluster, petitions)
    multi = [g for g in groups if g.count > 1]
    to_summarize = multi[:MAX_SUMMARIZED]
    listed_only = multi[MAX_SUMMARIZED:] + [g for g in groups if g.count == 1]

    gateway = gateway_for(settings)
    config = config_for(settings)
    client, _downgraded = gateway.client_for("internal")
    overhead = estimate_messages([prompts.GROUP_SYSTEM, prompts.group("x" * 80, []).intro]) + 16
    budget = chunk_budget(client.context_tokens, config.max_output_tokens, overhead)
    meter = Meter(user, ACTION, user.council_id)
    meter.detail = {
        "cycle_id": cycle_id,
        "council_code": council_code,
        "petitions": len(petitions),
        "groups": len(groups),
    }
    meter.usage.provider, meter.usage.model = client.name, client.model
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def summarize(group: Group) -> None:
        async with semaphore:
            prompt = prompts.group(group.topic, _sources(group, budget))
            group.summary = await gateway.complete(
                prompt, usage=meter.usage, max_tokens=config.max_output_tokens
            )

    try:
        async with asyncio.TaskGroup() as tasks:
            for group in to_summarize:
                tasks.create_task(summarize(group))
    except* ProviderError as caught:
        exc = caught.exceptions[0]
        assert isinstance(exc, ProviderError)
        meter.outcome = exc.code
        await meter.write()
        raise provider_failure(exc) from None
    await meter.write()
    return {
        "petitions": len(petitions),
        "groups": [group_out(g) for g in to_summarize],
        "others": [group_out(g) for g in listed_only],
        "report": report_text(to_summarize, listed_only),
        "provider": client.name,
        "model": client.model,
        "machine_written": True,
        "label": label(client.name, client.model),
    }
