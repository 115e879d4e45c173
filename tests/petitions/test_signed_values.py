"""Values signed for one browser (the filing receipt, the support confirmation)."""

from __future__ import annotations

from petitions.signed import seal, unseal

KEY = "k" * 32


def test_a_sealed_value_opens_for_its_purpose_until_it_expires() -> None:
    value = seal({"r": [["KN-2026-7F3K9QX", "7F3K9-QX2M4"]]}, KEY, "receipt", 60, now=1000.0)
    assert "7F3K9" not in value.split(".")[1]
    assert unseal(value, KEY, "receipt", now=1059.0) == {"r": [["KN-2026-7F3K9QX", "7F3K9-QX2M4"]]}
    assert unseal(value, KEY, "receipt", now=1061.0) is None  # expired
    assert unseal(value, KEY, "support", now=1000.0) is None  # another purpose
    assert unseal(value, "x" * 32, "receipt", now=1000.0) is None  # another key


def test_altered_or_malformed_values_are_refused() -> None:
    value = seal({"code": "KN-2026-7F3K9QX"}, KEY, "receipt", 60, now=1000.0)
    body, mac = value.split(".")
    other = seal({"code": "KN-2026-0000000"}, KEY, "receipt", 60, now=1000.0).split(".")[0]
    for bad in (f"{other}.{mac}", f"{body}.{mac[:-2]}", body, "", None, "a.b.c", "!!.??"):
        assert unseal(bad, KEY, "receipt", now=1000.0) is None


def test_a_signed_value_of_another_shape_is_refused() -> None:
    """Signed with the right key and purpose (itsdangerous), but not what ``seal`` writes."""
    from petitions.signed import _serializer

    signer = _serializer(KEY, "receipt")
    for shape in ([1], {"p": [1], "exp": 2000}, {"p": {}, "exp": "2000"}, {"p": {}}):
        assert unseal(signer.dumps(shape), KEY, "receipt", now=1000.0) is None
    assert unseal(signer.dumps({"p": {"a": 1}, "exp": 2000}), KEY, "receipt", now=1000.0) == {
        "a": 1
    }
    assert unseal("x" * 4001, KEY, "receipt", now=1000.0) is None
