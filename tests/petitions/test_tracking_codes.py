"""Tracking codes and tokens."""

from __future__ import annotations

import re

from petitions.codes import (
    ALPHABET,
    hash_token,
    new_token,
    new_tracking_code,
    normalize_code,
    token_matches,
)


def test_code_shape_and_round_trip() -> None:
    for _ in range(200):
        code = new_tracking_code(2026)
        assert re.fullmatch(r"KN-2026-[0-9A-HJKMNP-TV-Z]{7}", code)
        assert normalize_code(code) == code
        assert normalize_code(code.lower().replace("-", " ")) == code


def test_confusable_letters_are_read_as_digits() -> None:
    code = "KN-2026-" + "01" * 3
    body = code[-6:]
    valid = [normalize_code(f"{code}{c}") for c in ALPHABET]
    good = next(v for v in valid if v)
    check = good[-1]
    assert normalize_code(f"kn2026{body.replace('0', 'o').replace('1', 'l')}{check}") == good


def test_every_single_substitution_is_detected() -> None:
    code = new_tracking_code(2026)
    tail = code[-7:]
    for i in range(7):
        for ch in ALPHABET:
            if ch == tail[i]:
                continue
            typo = tail[:i] + ch + tail[i + 1 :]
            assert normalize_code(code[:-7] + typo) is None


def test_garbage_codes() -> None:
    for bad in [
        "",
        "KN",
        "KN-26-ABCDEFG",
        "XX-2026-ABCDEFG",
        "KN-2026-ABC",
        "KN-2026-ABCDEFGH",
        "💥",
    ]:
        assert normalize_code(bad) is None


def test_token() -> None:
    token = new_token()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", token)
    stored = hash_token(token)
    assert token_matches(token, stored)
    assert token_matches(token.lower().replace("-", ""), stored)
    assert not token_matches(new_token(), stored)
    assert not token_matches("", stored)
    assert new_token() != new_token()
