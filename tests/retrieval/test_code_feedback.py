"""Tests of `CodeMatrix`: Jaccard overlaps and code feedback on hand-computed cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tsunagu.errors import StorageError
from tsunagu.retrieval.code_feedback import CodeMatrix

CODES = [
    ("B60W40/08", "A61B5/18"),  # 0
    ("B60W40/08",),  # 1
    ("G08G1/16", "A61B5/18", "B60W40/08"),  # 2
    (),  # 3: no codes
    ("A21D13/00",),  # 4
]


def test_jaccard_matrix() -> None:
    m = CodeMatrix.build(CODES)
    j = m.jaccard(np.array([0, 3]), np.array([0, 1, 2, 3, 4]))
    assert j[0].tolist() == pytest.approx([1.0, 0.5, 2 / 3, 0.0, 0.0])
    assert j[1].tolist() == [0.0] * 5
    assert set(m.codes(2)) == set(CODES[2])


def test_jaccard_matches_set_definition_on_random_rows() -> None:
    """The vectorised overlap equals |A ∩ B| / |A ∪ B| of the code sets, repeated and empty rows included."""
    rng = np.random.default_rng(3)
    vocab = [f"C{i:02d}" for i in range(30)]
    rows = [tuple(rng.choice(vocab, size=rng.integers(0, 6), replace=False)) for _ in range(60)]
    m = CodeMatrix.build(rows)
    a = rng.integers(0, 60, size=12)
    b = np.concatenate([rng.integers(0, 60, size=40), a[:3]])
    got = m.jaccard(a, b)
    for i, ra in enumerate(a.tolist()):
        for j, rb in enumerate(b.tolist()):
            sa, sb = set(rows[ra]), set(rows[rb])
            want = len(sa & sb) / len(sa | sb) if sa | sb else 0.0
            assert got[i, j] == pytest.approx(want), (ra, rb)
    assert m.jaccard(np.array([], dtype=int), b).shape == (0, len(b))


def test_expected_overlap_weights_and_uncoded_seeds() -> None:
    m = CodeMatrix.build(CODES)
    cands = np.array([1, 2, 4])
    # seeds 0 (weight 3) and 1 (weight 1); the uncoded seed 3 is ignored
    got = m.expected_overlap(np.array([0, 1, 3]), np.array([3.0, 1.0, 5.0]), cands)
    j0 = np.array([0.5, 2 / 3, 0.0])
    j1 = np.array([1.0, 1 / 3, 0.0])
    assert got.tolist() == pytest.approx((0.75 * j0 + 0.25 * j1).tolist())
    assert not m.expected_overlap(np.array([3]), np.array([1.0]), cands).any()
    assert m.expected_overlap(np.array([], dtype=int), np.array([]), cands).tolist() == [0.0] * 3


def test_save_load(tmp_path: Path) -> None:
    m = CodeMatrix.build(CODES)
    m.save(tmp_path)
    back = CodeMatrix.load(tmp_path)
    assert len(back) == 5
    assert [set(back.codes(i)) for i in range(5)] == [set(c) for c in CODES]
    with pytest.raises(StorageError):
        CodeMatrix.load(tmp_path / "none")


def test_coverage() -> None:
    m = CodeMatrix.build(CODES)
    assert m.coverage(np.array([0, 3]), np.array([3.0, 1.0])) == pytest.approx(0.75)
    assert m.coverage(np.array([3]), np.array([1.0])) == 0.0
    assert m.coverage(np.array([], dtype=int), np.array([])) == 0.0
