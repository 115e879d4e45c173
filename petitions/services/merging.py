"""Merged petitions: the petition one was finally merged into, and those merged into one."""

from __future__ import annotations

from petitions.models import Petition

MAX_DEPTH = 5  # merges chain only through open petitions; this bounds a corrupt loop


async def survivor_of(p: Petition) -> Petition:
    """The petition ``p`` was merged into, following later merges of that one; ``p`` itself when
    it was never merged."""
    for _ in range(MAX_DEPTH):
        if not p.merged_into_id:
            break
        p = await Petition.get(id=p.merged_into_id)
    return p


async def merged_here(p: Petition, depth: int = 0) -> list[Petition]:
    """Every petition merged into ``p``, directly or through another merged one."""
    if depth > MAX_DEPTH:
        return []
    children = await Petition.filter(merged_into_id=p.id)
    found = list(children)
    for child in children:
        found.extend(await merged_here(child, depth + 1))
    return found
