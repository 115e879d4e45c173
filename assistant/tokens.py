"""Conservative token estimates, so that a chunk sized here always fits the real model.

We do not ship each model's tokenizer. Byte-level BPE tokenizers spend at most one token per
UTF-8 byte and in practice far fewer; Vietnamese letters with diacritics take two or three
bytes, and current multilingual tokenizers spend one or two tokens per syllable (about seven
bytes with its space). One token per three bytes over-estimates that by a comfortable margin
while still letting a 8,192-token context take a dozen pages per call.
"""

from __future__ import annotations

BYTES_PER_TOKEN = 3
# Role markers and separators a chat template wraps around each message.
MESSAGE_OVERHEAD = 8


def estimate_tokens(text: str) -> int:
    """An upper estimate of the tokens ``text`` costs a model."""
    return -(-len(text.encode("utf-8")) // BYTES_PER_TOKEN) + 1


def estimate_messages(contents: list[str]) -> int:
    """Estimate the tokens of a chat request made of these message contents."""
    return sum(estimate_tokens(c) + MESSAGE_OVERHEAD for c in contents)
