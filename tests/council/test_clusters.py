"""council.clusters: the one clusterer petitions, questioning and the assistant group with."""

from __future__ import annotations

import pytest

from council import clusters


def test_terms_fold_accents_and_keep_neighbouring_pairs() -> None:
    stop = clusters.filler("đề nghị")
    assert clusters.terms("Đề nghị sửa đường liên xã", stop) == clusters.terms(
        "de nghi sua duong lien xa"
    ) - {"de", "nghi", "de_nghi", "nghi_sua"}
    assert "duong_lien" in clusters.terms("Đường liên xã")


def test_jaccard_and_cosine() -> None:
    assert clusters.jaccard(frozenset(), frozenset({"a"})) == 0.0
    assert clusters.jaccard(frozenset({"a", "b"}), frozenset({"b", "c"})) == pytest.approx(1 / 3)
    assert clusters.cosine({"a": 0.6, "b": 0.8}, {"b": 1.0}) == pytest.approx(0.8)


def test_single_link_within_a_key_only() -> None:
    a, b, c = frozenset({"x", "y"}), frozenset({"y", "z"}), frozenset({"z", "w"})
    # a ~ b and b ~ c (1/3 each), a and c share nothing: one group by single link.
    assert clusters.link(["k", "k", "k"], [a, b, c], 0.3, clusters.jaccard) == [[0, 1, 2]]
    # Above their similarity, each stands alone, in the order of the items.
    assert clusters.link(["k", "k", "k"], [a, b, c], 0.4, clusters.jaccard) == [[0], [1], [2]]
    # The same terms under another key are never compared.
    assert clusters.link(["k", "j", "k"], [a, a, a], 0.1, clusters.jaccard) == [[0, 2], [1]]
    with pytest.raises(ValueError):
        clusters.link(["k"], [a, b], 0.1, clusters.jaccard)


def test_the_groups_do_not_depend_on_the_order_of_the_items() -> None:
    texts = [
        "Sửa chữa đường liên xã thôn Đông",
        "Lắp đèn tín hiệu giao thông",
        "Duong lien xa xuong cap",
        "Đèn tín hiệu ngã tư chợ",
        "Nâng cấp đường liên xã",
    ]
    vectors = [clusters.terms(t) for t in texts]
    forward = clusters.link([0] * 5, vectors, 0.2, clusters.jaccard)
    backward = clusters.link([0] * 5, vectors[::-1], 0.2, clusters.jaccard)
    as_sets = {frozenset(texts[i] for i in g) for g in forward}
    assert as_sets == {frozenset(texts[::-1][i] for i in g) for g in backward}
    assert frozenset({texts[0], texts[2], texts[4]}) in as_sets


def test_nearest_joins_the_closest_centroid_and_does_not_chain() -> None:
    a = {"x": 1.0}
    ab = {"x": 0.6, "y": 0.8}
    b = {"y": 1.0}
    # Single link chains a ~ ab ~ b into one group...
    assert clusters.link([0, 0, 0], [a, ab, b], 0.55, clusters.cosine) == [[0, 1, 2]]
    # ...joining a centroid does not: b is too far from the centroid of a and ab.
    assert clusters.nearest([0, 0, 0], [a, ab, b], 0.55) == [[0, 1], [2]]
    assert clusters.nearest([0, 1], [a, a], 0.1) == [[0], [1]]
