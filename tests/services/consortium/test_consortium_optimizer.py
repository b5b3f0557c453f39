"""Team selection: the IP and the exact search find the brute-force optimum; greedy can be beaten."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tsunagu.errors import ValidationError
from tsunagu.services.consortium.optimizer import (
    TeamConstraints,
    choose_team,
    coverage,
    exact_team,
    greedy_team,
    ip_available,
    ip_team,
    substitutes,
    top_mean_team,
)

needs_pulp = pytest.mark.skipif(not ip_available(), reason="PuLP is not installed (pip install pulp)")


def brute_force(F: np.ndarray, cons: TeamConstraints) -> float:
    n = F.shape[0]
    size = min(cons.size, n - len(cons.forbidden))
    best = -1.0
    for team in itertools.combinations(range(n), size):
        s = set(team)
        if not cons.required <= s or s & cons.forbidden:
            continue
        if any(len(rows & s) < m for rows, m in cons.at_least):
            continue
        best = max(best, coverage(F, team))
    return best


def random_instance(seed: int, n: int = 12, k: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # sparse, specialised fits like real companies: most zero, a few strong
    F = rng.random((n, k)) * (rng.random((n, k)) < 0.35)
    return np.round(F, 3)


def test_greedy_is_not_optimal_on_a_classic_instance() -> None:
    # A generalist looks best first, but two specialists together cover everything.
    F = np.array(
        [
            [0.6, 0.6, 0.6, 0.6],
            [1.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 1.0],
        ]
    )
    cons = TeamConstraints(size=2)
    assert greedy_team(F, cons).coverage == pytest.approx(0.8)
    exact = exact_team(F, cons)
    assert exact.optimal and exact.coverage == pytest.approx(1.0)
    assert set(exact.members) == {1, 2}


@pytest.mark.parametrize("seed", range(12))
def test_exact_matches_brute_force(seed: int) -> None:
    F = random_instance(seed)
    for size in (2, 3, 4):
        cons = TeamConstraints(size=size)
        sel = exact_team(F, cons)
        assert sel.optimal
        assert sel.coverage == pytest.approx(brute_force(F, cons), abs=1e-9)
        assert greedy_team(F, cons).coverage <= sel.coverage + 1e-9
        assert top_mean_team(F, cons).coverage <= sel.coverage + 1e-9


@needs_pulp
@pytest.mark.parametrize("seed", range(6))
def test_ip_matches_brute_force_with_constraints(seed: int) -> None:
    F = random_instance(100 + seed, n=11, k=5)
    cons = TeamConstraints(
        size=3,
        required=frozenset({seed % 11}),
        forbidden=frozenset({(seed + 3) % 11}),
        at_least=((frozenset({5, 6, 7, 8}), 1),),
    )
    expected = brute_force(F, cons)
    ip = ip_team(F, cons)
    ex = exact_team(F, cons)
    assert ip.optimal and ex.optimal
    assert ip.coverage == pytest.approx(expected, abs=1e-9)
    assert ex.coverage == pytest.approx(expected, abs=1e-9)
    for sel in (ip, ex):
        members = set(sel.members)
        assert seed % 11 in members
        assert (seed + 3) % 11 not in members
        assert members & {5, 6, 7, 8}


def test_constraints_are_respected_by_greedy_too() -> None:
    F = random_instance(7)
    cons = TeamConstraints(
        size=3, required=frozenset({0}), forbidden=frozenset({1, 2}), at_least=((frozenset({10, 11}), 1),)
    )
    sel = greedy_team(F, cons)
    assert 0 in sel.members and not {1, 2} & set(sel.members) and {10, 11} & set(sel.members)


def test_team_smaller_than_size_when_few_candidates() -> None:
    F = np.array([[0.5, 0.0], [0.0, 0.4], [0.1, 0.1]])
    sel = exact_team(F, TeamConstraints(size=5, forbidden=frozenset({2})))
    assert sorted(sel.members) == [0, 1]
    assert sel.coverage == pytest.approx(0.45)


def test_invalid_constraints_are_refused() -> None:
    F = random_instance(1)
    with pytest.raises(ValidationError, match="required and excluded"):
        exact_team(F, TeamConstraints(size=2, required=frozenset({1}), forbidden=frozenset({1})))
    with pytest.raises(ValidationError, match="team size"):
        exact_team(F, TeamConstraints(size=1, required=frozenset({1, 2})))
    with pytest.raises(ValidationError, match="in \\[0, 1\\]"):
        exact_team([[1.5]], TeamConstraints(size=1))


def test_ties_do_not_depend_on_candidate_order() -> None:
    # {0, 1} and {1, 2} both cover everything; row 2 is broader, so the solvers pick it in any order.
    F = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.5, 0.0]])
    cons = TeamConstraints(size=2)
    for perm in ([0, 1, 2], [2, 1, 0], [1, 0, 2]):
        P = F[perm]
        names = {perm[i] for i in exact_team(P, cons).members}
        assert names == {1, 2}
        if ip_available():
            assert {perm[i] for i in ip_team(P, cons).members} == {1, 2}


@needs_pulp
def test_choose_team_uses_ip_for_large_instances_and_agrees_with_exact() -> None:
    rng = np.random.default_rng(42)
    F = np.round(rng.random((300, 8)) * (rng.random((300, 8)) < 0.15), 3)
    cons = TeamConstraints(size=4)
    chosen = choose_team(F, cons)
    ex = exact_team(F, cons)
    assert chosen.method in ("ip", "exact")
    assert chosen.optimal and ex.optimal
    assert chosen.coverage == pytest.approx(ex.coverage, abs=1e-9)


def test_substitutes_rank_replacements() -> None:
    F = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.0], [0.0, 0.5], [0.2, 0.2]])
    subs = substitutes(F, [0, 1], TeamConstraints(size=2, required=frozenset({1})), per_member=2)
    assert [(m, c) for m, c, _ in subs] == [(0, 2), (0, 4)]
    assert subs[0][2] == pytest.approx(0.95)
