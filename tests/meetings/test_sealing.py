"""meetings.voting.sealing: every choice a poll allows seals to the same length, opens only with
the poll's private key, and the private key only under the key it was sealed with."""

from __future__ import annotations

import itertools

import pytest
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from council import keys
from meetings.voting import sealing
from meetings.voting.tally import normalise_choice


def _lengths(kind: str, options: list[int], max_choices: int, choices: list[object]) -> set[int]:
    public, _ = sealing.new_keys(b"k" * 32)
    width = sealing.slot(kind, options, max_choices)
    return {
        len(
            sealing.seal(
                public,
                [sealing.encode(normalise_choice(kind, c, options, max_choices))],
                width,
            )
        )
        for c in choices
    }


def test_every_choice_of_a_poll_seals_to_one_length() -> None:
    assert len(_lengths("motion", [], 1, ["yes", "no", "abstain"])) == 1
    options = [7, 1234, 98765, 1000000]
    ballots: list[object] = [[]]
    for n in (1, 2, 3):
        ballots += [list(c) for c in itertools.combinations(options, n)]
    assert len(_lengths("election", options, 3, ballots)) == 1
    levels = ("high", "medium", "low")
    ratings = [
        {str(o): level for o, level in zip(options, combo, strict=True)}
        for combo in itertools.product(levels, repeat=len(options))
    ]
    assert len(_lengths("confidence", options, 1, ratings)) == 1


def test_a_box_of_several_choices_opens_to_them_with_the_poll_key_only() -> None:
    wrap = keys.derive("meetings.poll-key", "41") if keys._secret else b"w" * 32
    public, sealed_private = sealing.new_keys(wrap)
    choices = [sealing.encode(c) for c in ("yes", "no", "abstain", "yes")]
    box = sealing.seal(public, choices, sealing.slot("motion", [], 1))
    assert len(box) == 48 + 1 + 4 * sealing.slot("motion", [], 1)
    private = sealing.open_key(public, sealed_private, wrap)
    assert sealing.unseal(private, [box]) == ["yes", "no", "abstain", "yes"]
    # The same choices sealed again give another box: nothing repeats from one box to the next.
    assert sealing.seal(public, choices, sealing.slot("motion", [], 1)) != box
    with pytest.raises(CryptoError):
        SealedBox(PrivateKey.generate()).decrypt(box)
    with pytest.raises(sealing.KeyUnavailable):
        sealing.open_key(public, sealed_private, b"x" * 32)
    other_public, _ = sealing.new_keys(wrap)
    with pytest.raises(sealing.KeyUnavailable):  # a sealed key moved onto another poll
        sealing.open_key(other_public, sealed_private, wrap)


def test_a_choice_longer_than_the_poll_allows_is_refused() -> None:
    public, _ = sealing.new_keys(b"k" * 32)
    with pytest.raises(ValueError):
        sealing.seal(public, [sealing.encode("abstain and more")], sealing.slot("motion", [], 1))


def test_keys_are_derived_per_purpose_and_context() -> None:
    saved = keys._secret
    try:
        keys.configure("one secret")
        a = keys.derive("meetings.poll-key", "1")
        assert a == keys.derive("meetings.poll-key", "1") and len(a) == 32
        assert a != keys.derive("meetings.poll-key", "2")
        assert a != keys.derive("other.purpose", "1")
        keys.configure("another secret")
        assert a != keys.derive("meetings.poll-key", "1")
    finally:
        keys._secret = saved
