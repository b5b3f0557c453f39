"""Team selection over a fit matrix: maximise coverage for a team size, under constraints.

``F`` is an ``n × K`` matrix of fits in [0, 1] (companies × capabilities). The coverage of a team
``T`` is ``mean_k max_{c ∈ T} F[c, k]``. Three solvers share one `TeamConstraints`:

- `ip_team`: an integer program (PuLP with its bundled CBC solver)::

      max  (1/K) Σ_k Σ_c F[c,k] · y[c,k]  +  ε Σ_c s_c · x_c
      s.t. Σ_c y[c,k] ≤ 1 (each capability is credited to one member),  y[c,k] ≤ x[c],
           Σ_c x[c] = size,  x[c] = 1 for required members,  Σ_{c ∈ G} x[c] ≥ m_G for each group

- `exact_team`: depth-first branch and bound; the bound adds to the team's value the ``r`` largest
  marginal gains of the remaining candidates (valid because coverage is submodular). With no node
  limit hit it is a proof of optimality, used for small instances and to check the IP.
- `greedy_team`: adds the largest marginal gain each step (the baseline the benchmark compares).

``s_c`` is the company's mean fit and ``ε`` tiny: among teams of equal coverage the solvers prefer
broader members, so the answer does not depend on the order of the candidates. Candidates dominated
by ``size`` or more others (no better on any capability) are removed first; that keeps the optimum.
"""

from __future__ import annotations

import importlib.util
import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tsunagu.errors import MissingDependencyError, ValidationError

__all__ = [
    "TeamConstraints",
    "TeamSelection",
    "choose_team",
    "coverage",
    "exact_team",
    "greedy_team",
    "ip_available",
    "ip_team",
    "substitutes",
    "top_mean_team",
]

_TIE = 1e-6  # weight of the breadth tie-breaker (far below any coverage difference that matters)
_EPS = 1e-12


@dataclass(frozen=True)
class TeamConstraints:
    """What a team must satisfy.

    Attributes:
        size: number of members (fewer when fewer candidates are allowed).
        required: candidate rows that must be in the team.
        forbidden: candidate rows that may not be in the team (excluded, or outside the region).
        at_least: ``(rows, m)`` pairs: at least ``m`` members from ``rows``.
    """

    size: int
    required: frozenset[int] = frozenset()
    forbidden: frozenset[int] = frozenset()
    at_least: tuple[tuple[frozenset[int], int], ...] = ()

    def check(self, n: int) -> None:
        """Raise `ValidationError` when the constraints contradict each other or the matrix."""
        if self.size < 1:
            raise ValidationError("size: チームは1社以上 / the team needs at least one member")
        bad = [r for r in self.required | self.forbidden if not 0 <= r < n]
        if bad:
            raise ValidationError(f"constraints name unknown candidate rows {sorted(bad)}")
        both = self.required & self.forbidden
        if both:
            raise ValidationError(f"candidate rows {sorted(both)} are both required and excluded")
        if len(self.required) > self.size:
            raise ValidationError(
                f"size: 必須メンバー {len(self.required)} 社がチーム規模 {self.size} を超えています / "
                "more required members than the team size"
            )
        for rows, m in self.at_least:
            if len(rows - self.forbidden) < m:
                raise ValidationError(
                    f"at least {m} members are required from a group with only "
                    f"{len(rows - self.forbidden)} allowed candidates"
                )
            if m > self.size:
                raise ValidationError(f"at least {m} members from a group exceeds the team size {self.size}")


@dataclass(frozen=True)
class TeamSelection:
    """A chosen team.

    Attributes:
        members: candidate rows, in order of contribution (largest marginal gain first).
        coverage: the team's coverage.
        method: ``"ip"``, ``"exact"``, ``"greedy"`` or ``"top_mean"``.
        optimal: True when the method proved the team optimal.
        seconds: wall time of the solve.
        detail: solver counters (nodes explored, variables, pruned candidates).
    """

    members: tuple[int, ...]
    coverage: float
    method: str
    optimal: bool
    seconds: float
    detail: dict[str, float] = field(default_factory=dict)


def coverage(fits: np.ndarray, team: Sequence[int]) -> float:
    """Mean over capabilities of the best fit among ``team``'s rows (0 for an empty team)."""
    if len(team) == 0 or fits.shape[1] == 0:
        return 0.0
    return float(fits[list(team)].max(axis=0).mean())


def _as_matrix(fits: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    matrix = np.asarray(fits, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValidationError("fits must be a 2-D matrix (companies × capabilities)")
    if matrix.size and (np.isnan(matrix).any() or matrix.min() < 0 or matrix.max() > 1):
        raise ValidationError("fits must lie in [0, 1]")
    return matrix


def _order(fits: np.ndarray, members: Sequence[int]) -> tuple[int, ...]:
    """Members sorted by contribution: repeatedly the one with the largest marginal gain."""
    left = list(members)
    out: list[int] = []
    best = np.zeros(fits.shape[1])
    while left:
        gains = [float(np.maximum(fits[c] - best, 0).sum()) for c in left]
        i = max(range(len(left)), key=lambda j: (gains[j], -left[j]))
        c = left.pop(i)
        out.append(c)
        best = np.maximum(best, fits[c])
    return tuple(out)


def _effective_size(cons: TeamConstraints, n: int) -> int:
    return min(cons.size, n - len(cons.forbidden))


def _prune_dominated(fits: np.ndarray, cons: TeamConstraints, pool: list[int]) -> list[int]:
    """Drop free candidates weakly dominated by at least ``size`` kept candidates of the pool.

    A team holding such a candidate can swap it for an unused dominator (no worse on any capability,
    no narrower) without losing coverage, so some optimal team avoids it. Candidates are visited from
    the broadest down and compared with those already kept, so equal rows keep the first one; rows of
    zeros go at once when ``size`` non-zero candidates exist. Candidates of an ``at_least`` group are
    kept (dropping one could leave the group short); they still count as dominators, since swapping
    to one of them only adds to its group.
    """
    if not pool:
        return []
    protected = set(cons.required)
    for rows, _m in cons.at_least:
        protected |= rows
    sub = fits[pool]
    breadth = sub.mean(axis=1)
    nonzero = sub.max(axis=1) > 0
    zeros_go = int(nonzero.sum()) >= cons.size
    order = sorted(range(len(pool)), key=lambda i: (-breadth[i], pool[i]))
    kept_rows = np.empty((len(pool), fits.shape[1]), dtype=fits.dtype)
    n_kept = 0
    keep: list[int] = []
    for i in order:
        c = pool[i]
        if c not in protected:
            if not nonzero[i] and zeros_go:
                continue
            if n_kept >= cons.size:
                dominators = int((kept_rows[:n_kept] >= sub[i] - _EPS).all(axis=1).sum())
                if dominators >= cons.size:
                    continue
        keep.append(c)
        kept_rows[n_kept] = sub[i]
        n_kept += 1
    return sorted(keep)


def greedy_team(fits: np.ndarray | Sequence[Sequence[float]], cons: TeamConstraints) -> TeamSelection:
    """The greedy baseline: required members first, then the largest marginal gain each step.

    When the slots left equal the members still owed to ``at_least`` groups, only members of those
    groups are eligible.
    """
    start = time.perf_counter()
    F = _as_matrix(fits)
    n = F.shape[0]
    cons.check(n)
    size = _effective_size(cons, n)
    team = sorted(cons.required)
    best = F[team].max(axis=0) if team else np.zeros(F.shape[1])
    allowed = np.ones(n, dtype=bool)
    allowed[list(cons.forbidden)] = False
    allowed[team] = False
    breadth = F.mean(axis=1)
    while len(team) < size and allowed.any():
        owed = [(rows, m - len(rows.intersection(team))) for rows, m in cons.at_least]
        owed = [(rows, k) for rows, k in owed if k > 0]
        eligible = allowed.copy()
        if owed and sum(k for _, k in owed) >= size - len(team):
            mask = np.zeros(n, dtype=bool)
            for rows, _k in owed:
                mask[list(rows)] = True
            eligible &= mask
            if not eligible.any():
                eligible = allowed.copy()
        gains = np.maximum(F - best, 0).mean(axis=1) + _TIE * breadth
        gains[~eligible] = -np.inf
        c = int(np.argmax(gains))
        team.append(c)
        allowed[c] = False
        best = np.maximum(best, F[c])
    members = _order(F, team)
    return TeamSelection(members, coverage(F, members), "greedy", False, time.perf_counter() - start)


def top_mean_team(fits: np.ndarray | Sequence[Sequence[float]], cons: TeamConstraints) -> TeamSelection:
    """A naive sort (for comparison only): required members, then the highest mean fit."""
    start = time.perf_counter()
    F = _as_matrix(fits)
    n = F.shape[0]
    cons.check(n)
    size = _effective_size(cons, n)
    team = sorted(cons.required)
    order = np.argsort(-F.mean(axis=1), kind="stable")
    for c in order:
        if len(team) >= size:
            break
        if int(c) not in cons.forbidden and int(c) not in team:
            team.append(int(c))
    members = _order(F, team)
    return TeamSelection(members, coverage(F, members), "top_mean", False, time.perf_counter() - start)


def exact_team(
    fits: np.ndarray | Sequence[Sequence[float]],
    cons: TeamConstraints,
    *,
    node_limit: int = 2_000_000,
    time_limit: float | None = None,
) -> TeamSelection:
    """Exact branch and bound (optimal unless a limit stops it; then ``optimal`` is False).

    Args:
        fits: the fit matrix.
        cons: constraints.
        node_limit: maximum search nodes.
        time_limit: maximum seconds (``None``: no limit).
    """
    start = time.perf_counter()
    F = _as_matrix(fits)
    n, K = F.shape
    cons.check(n)
    size = _effective_size(cons, n)
    required = sorted(cons.required)
    pool_all = [c for c in range(n) if c not in cons.forbidden and c not in cons.required]
    pool = _prune_dominated(F, cons, pool_all)
    breadth = F.mean(axis=1) * _TIE
    base = F[required].max(axis=0) if required else np.zeros(K)

    def value(best: np.ndarray, members: Sequence[int]) -> float:
        return float(best.mean()) + float(breadth[list(members)].sum()) if members else float(best.mean())

    # Order: largest singleton gain first, so good teams are met early.
    gains0 = np.maximum(F[pool] - base, 0).mean(axis=1) + breadth[pool] if pool else np.zeros(0)
    order = [pool[i] for i in np.argsort(-gains0, kind="stable")]
    P = F[order] if order else np.zeros((0, K))
    pb = breadth[order] if order else np.zeros(0)
    groups = [(np.array([c in rows for c in order], dtype=bool), rows, m) for rows, m in cons.at_least]
    # suffix[i] = the best fit on each capability among candidates i.. (a second, per-capability bound)
    suffix = np.zeros((len(order) + 1, K))
    for i in range(len(order) - 1, -1, -1):
        suffix[i] = np.maximum(suffix[i + 1], P[i])
    top_tie = float(np.sort(pb)[::-1][: max(1, size)].sum()) if len(pb) else 0.0

    def capped(i: int, best: np.ndarray, val: float) -> float:
        """No team extending ``best`` with candidates i.. can exceed this (per-capability maxima)."""
        return float(np.maximum(best, suffix[i]).mean()) + (val - float(best.mean())) + top_tie

    incumbent = _swap_improve(F, list(greedy_team(F, cons).members), pool, cons, breadth)
    best_val = value(F[list(incumbent)].max(axis=0), incumbent)
    best_team: tuple[int, ...] = tuple(incumbent)
    feasible_incumbent = _satisfies(incumbent, cons)
    if not feasible_incumbent:
        best_val = -math.inf
    nodes = 0
    stopped = False
    slots = size - len(required)

    def owed(chosen: list[int]) -> list[int]:
        members = set(required) | {order[i] for i in chosen}
        return [max(0, m - len(rows & members)) for _, rows, m in groups]

    def dfs(i: int, chosen: list[int], best: np.ndarray, val: float) -> None:
        nonlocal nodes, best_val, best_team, stopped
        if stopped:
            return
        nodes += 1
        if nodes > node_limit or (
            time_limit is not None and nodes % 1024 == 0 and time.perf_counter() - start > time_limit
        ):
            stopped = True
            return
        r = slots - len(chosen)
        if r == 0:
            need = owed(chosen)
            if any(need):
                return
            if val > best_val + _EPS:
                best_val = val
                best_team = tuple(required + [order[j] for j in chosen])
            return
        if i >= len(order) or len(order) - i < r:
            return
        need = owed(chosen)
        for (mask, _rows, _m), k in zip(groups, need, strict=True):
            if k > r or int(mask[i:].sum()) < k:
                return
        if capped(i, best, val) <= best_val + _EPS:
            return
        rest = np.maximum(P[i:] - best, 0).mean(axis=1) + pb[i:]
        top = np.sum(np.sort(rest)[-r:]) if len(rest) > r else float(rest.sum())
        if val + top <= best_val + _EPS:
            return
        # Branch on candidates in order of their current gain (best-first), each then fixed.
        for j in range(i, len(order)):
            if len(order) - j < r:
                break
            new_best = np.maximum(best, P[j])
            dfs(j + 1, [*chosen, j], new_best, float(new_best.mean()) + (val - float(best.mean())) + pb[j])
            if stopped:
                return
            # Bounds for the remaining branches (candidates after j only).
            if capped(j + 1, best, val) <= best_val + _EPS:
                break
            rest_j = rest[j + 1 - i :]
            if len(rest_j) < r:
                break
            top_j = float(np.sum(np.sort(rest_j)[-r:]))
            if val + top_j <= best_val + _EPS:
                break

    start_val = value(base, required) if required else 0.0
    dfs(0, [], base, start_val)
    if best_val == -math.inf:
        raise ValidationError("no team satisfies the constraints")
    members = _order(F, best_team)
    return TeamSelection(
        members,
        coverage(F, members),
        "exact",
        not stopped,
        time.perf_counter() - start,
        {"nodes": float(nodes), "pool": float(len(pool_all)), "pruned": float(len(pool_all) - len(pool))},
    )


def _swap_improve(
    F: np.ndarray, team: list[int], pool: Sequence[int], cons: TeamConstraints, tie: np.ndarray
) -> list[int]:
    """Local search from ``team``: apply the best improving single swap until none improves.

    Gives the branch and bound a strong first incumbent (its bound then prunes far more).
    """

    def score(members: Sequence[int]) -> float:
        return float(F[list(members)].max(axis=0).mean() + tie[list(members)].sum())

    current = list(team)
    value = score(current)
    outside = [c for c in pool if c not in current]
    for _ in range(50):
        best_move: tuple[float, int, int] | None = None
        for pos, m in enumerate(current):
            if m in cons.required:
                continue
            rest = current[:pos] + current[pos + 1 :]
            base = F[rest].max(axis=0) if rest else np.zeros(F.shape[1])
            if not outside:
                break
            cand = np.asarray(outside)
            vals = np.maximum(F[cand], base).mean(axis=1) + tie[cand] + (tie[rest].sum() if rest else 0.0)
            j = int(np.argmax(vals))
            if vals[j] > value + _EPS and (best_move is None or vals[j] > best_move[0]):
                trial = [*rest, int(cand[j])]
                if _satisfies(trial, cons):
                    best_move = (float(vals[j]), pos, int(cand[j]))
        if best_move is None:
            break
        value, pos, c = best_move
        outside.remove(c)
        outside.append(current[pos])
        current[pos] = c
    return current


def _satisfies(members: Sequence[int], cons: TeamConstraints) -> bool:
    chosen = set(members)
    if not cons.required <= chosen or chosen & cons.forbidden:
        return False
    return all(len(rows & chosen) >= m for rows, m in cons.at_least)


def ip_available() -> bool:
    """True when PuLP (with its bundled CBC solver) is installed."""
    return importlib.util.find_spec("pulp") is not None


def ip_team(
    fits: np.ndarray | Sequence[Sequence[float]],
    cons: TeamConstraints,
    *,
    time_limit: float | None = 60.0,
) -> TeamSelection:
    """Solve the integer program with PuLP/CBC (see the module docstring).

    Raises:
        MissingDependencyError: PuLP is not installed.
        ValidationError: the constraints cannot be met.
    """
    if not ip_available():
        raise MissingDependencyError("the integer-program solver needs PuLP: pip install pulp")
    import pulp

    start = time.perf_counter()
    F = _as_matrix(fits)
    n, K = F.shape
    cons.check(n)
    size = _effective_size(cons, n)
    pool_all = [c for c in range(n) if c not in cons.forbidden]
    free = [c for c in pool_all if c not in cons.required]
    pool = sorted(set(_prune_dominated(F, cons, free)) | cons.required)
    breadth = F.mean(axis=1)
    prob = pulp.LpProblem("consortium", pulp.LpMaximize)
    new_var = _variable_factory(pulp, prob)
    x = {c: new_var(f"x_{c}", 0, 1, "Binary") for c in pool}
    y = {(c, k): new_var(f"y_{c}_{k}", 0, 1, "Continuous") for c in pool for k in range(K) if F[c, k] > 0}
    # y may stay continuous: with x integral, each capability's best member takes y = 1 at an optimum.
    # Scaled by 1000·K (fits in thousandths) so the tie-breaker stays above CBC's tolerances.
    scale = 1000.0
    prob += pulp.lpSum(scale * F[c, k] * v for (c, k), v in y.items()) + pulp.lpSum(
        scale * K * _TIE * breadth[c] * x[c] for c in pool
    )
    for k in range(K):
        terms = [y[(c, k)] for c in pool if (c, k) in y]
        if terms:
            prob += pulp.lpSum(terms) <= 1
    for (c, _k), v in y.items():
        prob += v <= x[c]
    prob += pulp.lpSum(x.values()) == size
    for c in cons.required:
        prob += x[c] == 1
    for rows, m in cons.at_least:
        prob += pulp.lpSum(x[c] for c in rows if c in x) >= m
    status = prob.solve(_cbc_solver(pulp, time_limit))
    state = pulp.LpStatus[status]
    if state == "Infeasible":
        raise ValidationError("no team satisfies the constraints")
    chosen = [c for c in pool if (x[c].value() or 0) > 0.5]
    if len(chosen) != size or not _satisfies(chosen, cons):
        # No integer solution within the time limit: say so and hand back the greedy team.
        fallback = greedy_team(F, cons)
        detail = {"ip_status": float(status)}
        return TeamSelection(
            fallback.members, fallback.coverage, "greedy", False, time.perf_counter() - start, detail
        )
    optimal = state == "Optimal" and getattr(prob, "sol_status", 1) == 1
    members = _order(F, chosen)
    return TeamSelection(
        members,
        coverage(F, members),
        "ip",
        optimal,
        time.perf_counter() - start,
        {
            "variables": float(len(x) + len(y)),
            "pool": float(len(free)),
            "pruned": float(len(free) - len(pool) + len(cons.required)),
        },
    )


def _variable_factory(pulp: Any, prob: Any) -> Any:
    """``prob.add_variable`` (PuLP ≥ 3.3; plain `LpVariable` is deprecated there), else `LpVariable`."""
    if hasattr(prob, "add_variable"):
        return lambda name, lo, hi, cat: prob.add_variable(name, lo, hi, cat=cat)
    return lambda name, lo, hi, cat: pulp.LpVariable(name, lowBound=lo, upBound=hi, cat=cat)


def _cbc_solver(pulp: Any, time_limit: float | None) -> Any:
    """CBC as an installed ``cbc`` program when present, else the copy bundled with PuLP 2–3."""
    coin = pulp.COIN_CMD(msg=False, timeLimit=time_limit)
    if coin.available():
        return coin
    with warnings.catch_warnings():
        # PuLP 3.3 warns that the bundled CBC goes away in PuLP 4 (the dependency is pinned below 4).
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)


def choose_team(
    fits: np.ndarray | Sequence[Sequence[float]],
    cons: TeamConstraints,
    *,
    method: str = "auto",
    time_limit: float | None = 60.0,
) -> TeamSelection:
    """Choose the team by optimisation (never greedy).

    ``"auto"``: exact search when the instance is small (few combinations left after pruning), else
    the integer program when PuLP is installed, else exact search under ``time_limit``.

    Args:
        fits: the fit matrix.
        cons: constraints.
        method: ``"auto"``, ``"ip"`` or ``"exact"``.
        time_limit: seconds allowed to the solver.
    """
    if method == "ip":
        return ip_team(fits, cons, time_limit=time_limit)
    if method == "exact":
        return exact_team(fits, cons, time_limit=time_limit)
    if method != "auto":
        raise ValidationError(f"method: unknown solver {method!r}; use auto, ip or exact")
    F = _as_matrix(fits)
    cons.check(F.shape[0])
    free = [c for c in range(F.shape[0]) if c not in cons.forbidden and c not in cons.required]
    pool = _prune_dominated(F, cons, free)
    slots = max(0, _effective_size(cons, F.shape[0]) - len(cons.required))
    if math.comb(len(pool), min(slots, len(pool))) <= 20_000 or not ip_available():
        return exact_team(F, cons, time_limit=time_limit)
    return ip_team(F, cons, time_limit=time_limit)


def substitutes(
    fits: np.ndarray | Sequence[Sequence[float]],
    team: Sequence[int],
    cons: TeamConstraints,
    *,
    per_member: int = 2,
) -> list[tuple[int, int, float]]:
    """For each replaceable member, the best outsiders to take its place.

    Required members are not replaced; swaps that would break an ``at_least`` group are skipped.

    Returns:
        ``(member, substitute, coverage after the swap)`` rows, per member best first.
    """
    F = _as_matrix(fits)
    n = F.shape[0]
    inside = set(team)
    outside = [c for c in range(n) if c not in inside and c not in cons.forbidden]
    rows: list[tuple[int, int, float]] = []
    if not outside:
        return rows
    for m in team:
        if m in cons.required:
            continue
        rest = [c for c in team if c != m]
        base = F[rest].max(axis=0) if rest else np.zeros(F.shape[1])
        scores = np.maximum(F[outside], base).mean(axis=1)
        ranked = np.argsort(-scores, kind="stable")
        picked = 0
        for idx in ranked:
            c = outside[int(idx)]
            if not _satisfies([*rest, c], cons):
                continue
            rows.append((m, c, float(scores[idx])))
            picked += 1
            if picked >= per_member:
                break
    return rows
