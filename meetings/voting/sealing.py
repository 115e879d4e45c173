"""Secret ballots sealed to a per-poll key (libsodium through PyNaCl).

At ``poll.open`` a secret poll gets an X25519 key pair. The public key is stored on the poll: any
node can seal a ballot with it. The private key is stored only sealed (XSalsa20-Poly1305) under a
key derived from ``SECRET_KEY`` for that poll, so the database alone cannot open a ballot.

A group commit seals its casts' choices together in one sealed box (``SealedBox``: an ephemeral
key per box, so two boxes of the same choices differ): the JSON list of the choices in random
order, padded with spaces to ``1 + n * slot`` bytes, where ``slot`` fits the longest choice the
poll allows. A lone "yes" and a lone "abstain", or any two election lists, have the same length.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from meetings.voting.tally import CONFIDENCE_LEVELS, MOTION_CHOICES, PollKind


class KeyUnavailable(Exception):
    """The poll's private key cannot be opened: another ``SECRET_KEY``, or a damaged key."""


def new_keys(wrap_key: bytes) -> tuple[bytes, bytes]:
    """A fresh key pair: (public key, private key sealed under ``wrap_key``)."""
    private = PrivateKey.generate()
    return bytes(private.public_key), bytes(SecretBox(wrap_key).encrypt(bytes(private)))


def open_key(public: bytes, sealed: bytes, wrap_key: bytes) -> PrivateKey:
    """The private key of ``public``, unsealed; KeyUnavailable if it cannot be, or does not match."""
    try:
        private = PrivateKey(SecretBox(wrap_key).decrypt(sealed))
    except (CryptoError, ValueError, TypeError) as exc:
        raise KeyUnavailable(str(exc)) from None
    if bytes(private.public_key) != public:
        raise KeyUnavailable("the sealed key is not the poll's")
    return private


def encode(choice: Any) -> bytes:
    """A normalised choice as compact JSON."""
    return json.dumps(choice, separators=(",", ":"), ensure_ascii=True).encode()


def slot(kind: str, option_ids: Sequence[int], max_choices: int) -> int:
    """One more byte than the longest choice ``kind`` allows with these options."""
    if kind == PollKind.MOTION:
        longest: Any = max(MOTION_CHOICES, key=len)
    elif kind == PollKind.ELECTION:
        longest = sorted(option_ids, key=lambda o: -len(str(o)))[: max(max_choices, 1)]
    else:
        level = max(CONFIDENCE_LEVELS, key=len)
        longest = {str(o): level for o in option_ids}
    return len(encode(longest)) + 1


def seal(public: bytes, encoded: Sequence[bytes], width: int) -> bytes:
    """The ``encoded`` choices (already in random order) in one padded sealed box."""
    text = b"[" + b",".join(encoded) + b"]"
    size = 1 + len(encoded) * width
    if len(text) > size or any(len(e) >= width for e in encoded):
        raise ValueError("a choice longer than the poll allows")
    return bytes(SealedBox(PublicKey(public)).encrypt(text.ljust(size)))


def unseal(private: PrivateKey, boxes: Iterable[bytes]) -> list[Any]:
    """Every choice in ``boxes``, in no meaningful order. ValueError for a box that does not open
    or does not hold a list."""
    box = SealedBox(private)
    out: list[Any] = []
    for sealed in boxes:
        try:
            choices = json.loads(box.decrypt(bytes(sealed)))
        except (CryptoError, ValueError) as exc:
            raise ValueError(f"a sealed ballot does not open: {exc}") from None
        if not isinstance(choices, list):
            raise ValueError("a sealed ballot does not hold a list of choices")
        out += choices
    return out
