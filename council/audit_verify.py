"""``council verify-audit``: walking every audit chain (``council.audit``) and checking it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from council.audit import GENESIS, compute_hash
from council.models import AuditEntry


@dataclass
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    head: str = GENESIS  # hash of the last verified entry: record it elsewhere to detect truncation
    broken_chain: int | None = None
    # Each chain's last entry, (seq, hash): what to keep outside the database as its anchor.
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)


Anchor = tuple[int, int, str]  # (chain, seq, hash)


def anchor_text(chain: int, seq: int, digest: str) -> str:
    """An entry as ``council verify-audit --anchor`` takes it: ``SEQ:HASH`` in the deployment's
    chain, ``COUNCIL:SEQ:HASH`` in a council's."""
    return f"{chain}:{seq}:{digest}" if chain else f"{seq}:{digest}"


async def verify(batch: int = 5000, anchors: Sequence[Anchor] = ()) -> VerifyResult:
    """Walk every chain in order; report the first entry that was edited, removed or moved.

    ``anchors``: ``(chain, seq, hash)`` recorded outside the database (printed by an earlier run,
    or in a session's minutes). A chain is also broken when an anchored entry is gone (the
    newest entries were cut off, which the chain alone cannot show) or has another hash (the chain
    was rewritten from there on).

    Entries are read in the order they were written (``id``); within a chain that is the order of
    ``seq``, since its appends are serialised to the commit. An entry sits in its council's chain,
    or in chain 0 (entries of no council, and all those written before chains were per council).
    """
    expected = {(chain, seq): digest for chain, seq, digest in anchors}
    heads: dict[int, tuple[int, str]] = {}  # chain -> (seq, hash) of its last verified entry
    count, last_id, head = 0, 0, GENESIS
    while True:
        rows = await AuditEntry.filter(id__gt=last_id).order_by("id").limit(batch)
        if not rows:
            missing = sorted(
                (seq, chain) for chain, seq in expected if seq > heads.get(chain, (0, GENESIS))[0]
            )
            if missing:
                seq, chain = missing[0]
                return VerifyResult(
                    False,
                    count,
                    seq,
                    None,
                    "anchored entry missing: the chain was cut",
                    broken_chain=chain,
                )
            return VerifyResult(True, count, head=head, heads=heads)
        for entry in rows:
            chain = entry.chain
            seq, prev_hash = heads.get(chain, (0, GENESIS))
            reason = ""
            if chain not in (0, entry.council_id):
                reason = "not in its council's chain"
            elif entry.seq != seq + 1:
                reason = "missing entry before it" if entry.seq > seq + 1 else "out of order"
            elif entry.prev_hash != prev_hash:
                reason = "does not follow the previous entry"
            elif compute_hash(entry) != entry.hash:
                reason = "content was changed"
            elif expected.get((chain, entry.seq), entry.hash) != entry.hash:
                reason = "does not match its recorded anchor"
            if reason:
                return VerifyResult(False, count, entry.seq, entry.id, reason, broken_chain=chain)
            heads[chain] = (entry.seq, entry.hash)
            head, count, last_id = entry.hash, count + 1, entry.id
