"""assistant.group: a cycle's petitions grouped by topic, each group summarized for the report.

Petitions are grouped within their field (category) by the terms they share: accent-folded
syllables and syllable pairs, TF-IDF weighted, the title counting double (citizens often type
without accents, so folding matters here), by the core's clusterer (``council.clusters.nearest``:
a single deterministic pass, each petition joining the group whose centroid it is most similar
to, or starting a new one). A group is named by the phrase its titles share
(``council.topics.topic_name``).
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant import prompts
from assistant.chunking import chunk_budget
from assistant.providers import ProviderError, Source
from assistant.services.common import (
    Meter,
    config_for,
    consume_rate,
    gateway_for,
    label,
    provider_failure,
)
from assistant.textrank import Vectors, terms
from assistant.tokens import estimate_messages, estimate_tokens
from council import clusters
from council.errors import Forbidden
from council.i18n import N_
from council.models import User
from council.topics import topic_name
from petitions.services import category_label, cycle_petitions_for_staff

# Cosine with a group's centroid above which a petition joins it.
JOIN_SIMILARITY = 0.15


class PetitionLike(Protocol):
    """The fields of petitions' ``PetitionBrief`` the grouping reads."""

    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def commune_name(self) -> str: ...


@dataclass
class Group:
    """Petitions about one topic."""

    category: str
    topic: str
    codes: list[str]
    communes: list[str]
    titles: list[str]
    summary: str = ""
    # Most representative petition first.
    members: list[PetitionLike] = field(default_factory=list, repr=False)

    @property
    def count(self) -> int:
        """How many petitions the group holds."""
        return len(self.codes)


def _petition_terms(p: PetitionLike) -> Counter[str]:
    counts = terms(p.body or "", folded=True)
    for term, n in terms(p.title or "", folded=True).items():
        counts[term] += 2 * n
    return counts


def cluster(petitions: Sequence[PetitionLike]) -> list[Group]:
    """Group ``petitions`` by category and shared terms; largest groups first."""
    ordered = sorted(petitions, key=lambda p: (p.category or "", p.code))
    vectors = Vectors([_petition_terms(p) for p in ordered], max_df=0.3)
    found = clusters.nearest([p.category for p in ordered], vectors.rows, JOIN_SIMILARITY)
    result = []
    for members in found:
        centroid: dict[str, float] = {}  # as the clusterer summed it, in the same order
        for i in members:
            for term, w in vectors.rows[i].items():
                centroid[term] = centroid.get(term, 0.0) + w
        norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0

        def closeness(i: int, centroid: dict[str, float] = centroid, norm: float = norm) -> float:
            return sum(w * centroid.get(t, 0.0) for t, w in vectors.rows[i].items()) / norm

        # Most representative first: these are the ones a summary reads when a group is large.
        items = [ordered[i] for i in sorted(members, key=lambda i: (-closeness(i), i))]
        communes = Counter(p.commune_name for p in items if p.commune_name)
        result.append(
            Group(
                category=ordered[members[0]].category,
                # The phrase most titles share, cut between words (council.topics); else the
                # most representative petition's own title.
                topic=(topic_name([p.title for p in items]) if len(items) > 1 else "")
                or items[0].title,
                codes=sorted(p.code for p in items),
                communes=[c for c, _n in sorted(communes.items(), key=lambda kv: (-kv[1], kv[0]))],
                titles=[p.title for p in items],
                members=items,
            )
        )
    result.sort(key=lambda g: (-g.count, g.category, g.codes[0]))
    return result


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
