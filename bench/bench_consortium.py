"""Consortium benchmark: coverage and time of the optimisers against a greedy baseline and the optimum.

On the companies of ``$TSUNAGU_HOME`` (after ``tsunagu demo``: companies derived from corpus applicants
with at most 20 patents, plus any registered ones), for each concept of `CONCEPTS` the real fit matrix
is computed once (`ConsortiumService.plan`), then teams are chosen by:

- ``ip``: the integer program (PuLP/CBC) — what ``tsunagu consortium`` uses on large instances;
- ``exact``: branch and bound (a proof of optimality when it finishes);
- ``greedy``: largest marginal gain first (the baseline);
- ``top_mean``: the companies with the highest mean fit (a plain sort, for reference).

Full instances: every candidate, sizes 2–5; the optimum is the exact search's (the IP must match it).
Small instances: ``--small-n`` candidates drawn at random (seeded) from those with any fit, sizes 2–4,
where brute-force enumeration of every team gives the optimum independently of both solvers.

Reported per method: mean coverage, mean and max optimality gap ``(opt − cov) / opt``, share of
instances solved optimally, and mean / max solve time. Prints a table and writes JSON
(``bench/results/consortium.json`` unless ``--out``).

Usage: ``TSUNAGU_HOME=... python bench/bench_consortium.py [--small-n 14] [--draws 5] [--out PATH]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from tsunagu.app import App
from tsunagu.services.consortium import ConsortiumRequest
from tsunagu.services.consortium.optimizer import (
    TeamConstraints,
    TeamSelection,
    coverage,
    exact_team,
    greedy_team,
    ip_available,
    ip_team,
    top_mean_team,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "consortium.json"

#: Concepts within the demo corpus's topics (driver state and assistance, sensing, aviation, space).
CONCEPTS: tuple[str, ...] = (
    "運転者の心拍を座席で検出し、眠気を推定して、振動で警告するシート",
    "車載カメラで運転者の視線を検出し、脇見を判定して、音声で注意を促す装置",
    "路面の状態を推定し、車両の走行を制御して、危険を表示する運転支援システム",
    "ハンドルの把持を検出し、運転者の意識低下を判定して、車両を安全に停止させる装置",
    "呼気のアルコール濃度を測定し、エンジンの始動を制限する装置",
    "歩行者を検知し、ブレーキを自動で制御する衝突回避システム",
    "A wearable sensor that measures brain waves, detects fatigue and alerts the operator",
    "A drone that inspects aircraft engines with cameras and detects cracks by image processing",
    "運転者の表情を画像で認識し、感情を推定して、車内の照明と音楽を調整するシステム",
    "車両の周囲を監視し、死角の障害物を検知して、ミラーに表示する装置",
)

SIZES_FULL = (2, 3, 4, 5)
SIZES_SMALL = (2, 3, 4)


def brute_force(F: np.ndarray, size: int) -> tuple[float, float]:
    """Optimum coverage by enumerating every team, and the seconds it took."""
    start = time.perf_counter()
    best = 0.0
    for team in itertools.combinations(range(F.shape[0]), min(size, F.shape[0])):
        best = max(best, float(F[list(team)].max(axis=0).mean()))
    return best, time.perf_counter() - start


def _run(method: str, F: np.ndarray, cons: TeamConstraints) -> TeamSelection:
    if method == "ip":
        return ip_team(F, cons, time_limit=120)
    if method == "exact":
        return exact_team(F, cons, time_limit=30)
    if method == "greedy":
        return greedy_team(F, cons)
    return top_mean_team(F, cons)


def _summary(rows: list[dict[str, Any]], methods: list[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for m in methods:
        covs = [r[m]["coverage"] for r in rows]
        gaps = [r[m]["gap"] for r in rows]
        secs = [r[m]["seconds"] for r in rows]
        out[m] = {
            "coverage_mean": round(statistics.fmean(covs), 4),
            "gap_mean": round(statistics.fmean(gaps), 4),
            "gap_max": round(max(gaps), 4),
            "optimal_share": round(sum(g <= 1e-9 for g in gaps) / len(gaps), 3),
            "seconds_mean": round(statistics.fmean(secs), 4),
            "seconds_max": round(max(secs), 4),
            "n": len(rows),
        }
    return out


def _instance(F: np.ndarray, size: int, methods: list[str], optimum: float | None) -> dict[str, Any]:
    cons = TeamConstraints(size=size)
    row: dict[str, Any] = {"size": size, "candidates": int(F.shape[0])}
    results = {m: _run(m, F, cons) for m in methods}
    opt = optimum if optimum is not None else max(r.coverage for r in results.values() if r.optimal)
    row["optimum"] = round(opt, 6)
    for m, r in results.items():
        gap = 0.0 if opt <= 0 else max(0.0, (opt - r.coverage) / opt)
        row[m] = {
            "coverage": round(r.coverage, 6),
            "gap": round(gap, 6),
            "seconds": round(r.seconds, 4),
            "proved_optimal": r.optimal,
        }
        assert abs(coverage(F, r.members) - r.coverage) < 1e-9
    return row


def _print_table(title: str, summary: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(
        f"{'method':<10} {'n':>4} {'coverage':>9} {'gap mean':>9} {'gap max':>8} {'optimal':>8} "
        f"{'s mean':>8} {'s max':>8}"
    )
    for m, s in summary.items():
        print(
            f"{m:<10} {s['n']:>4} {s['coverage_mean']:>9.4f} {s['gap_mean']:>9.4f} {s['gap_max']:>8.4f} "
            f"{s['optimal_share']:>8.3f} {s['seconds_mean']:>8.4f} {s['seconds_max']:>8.4f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-n", type=int, default=14, help="candidates per small instance")
    parser.add_argument("--draws", type=int, default=5, help="small instances drawn per concept and size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not ip_available():
        print("PuLP is not installed: pip install pulp", file=sys.stderr)
        return 2
    app = App.from_settings()
    rng = np.random.default_rng(args.seed)
    methods = ["ip", "exact", "greedy", "top_mean"]
    full_rows: list[dict[str, Any]] = []
    small_rows: list[dict[str, Any]] = []
    concepts_out: list[dict[str, Any]] = []
    for concept in CONCEPTS:
        t0 = time.perf_counter()
        plan, matrix = app.consortium.plan(ConsortiumRequest(concept, size=3))
        fit_seconds = time.perf_counter() - t0
        F = matrix.values
        concepts_out.append(
            {
                "concept": concept,
                "capabilities": len(matrix.capabilities),
                "candidates": int(F.shape[0]),
                "plan_seconds": round(fit_seconds, 3),
                "coverage_size3": round(plan.coverage, 4),
            }
        )
        print(
            f"{concept[:40]:<40} K={F.shape[1]} n={F.shape[0]} plan {fit_seconds:.2f}s "
            f"coverage(3)={plan.coverage:.3f}",
            file=sys.stderr,
        )
        for size in SIZES_FULL:
            row = _instance(F, size, methods, None)
            row["concept"] = concept
            full_rows.append(row)
        useful = np.flatnonzero(F.max(axis=1) > 0)
        if len(useful) < args.small_n:
            continue
        for size in SIZES_SMALL:
            for _ in range(args.draws):
                pick = np.sort(rng.choice(useful, size=args.small_n, replace=False))
                sub = F[pick]
                opt, brute_s = brute_force(sub, size)
                row = _instance(sub, size, methods, opt)
                row["concept"] = concept
                row["brute_force_seconds"] = round(brute_s, 4)
                small_rows.append(row)
    full = _summary(full_rows, methods)
    small = _summary(small_rows, methods)
    _print_table(f"Full instances (all candidates, sizes {SIZES_FULL}; optimum = exact search)", full)
    _print_table(
        f"Small instances ({args.small_n} candidates, sizes {SIZES_SMALL}; optimum = brute force)", small
    )
    greedy_worse = sum(r["greedy"]["gap"] > 1e-9 for r in full_rows + small_rows)
    print(f"\ngreedy below the optimum on {greedy_worse} of {len(full_rows) + len(small_rows)} instances")
    doc = {
        "home": str(app.settings.home),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "concepts": concepts_out,
        "full": {"summary": full, "instances": full_rows},
        "small": {"summary": small, "instances": small_rows, "candidates": args.small_n, "draws": args.draws},
        "greedy_suboptimal_instances": greedy_worse,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
