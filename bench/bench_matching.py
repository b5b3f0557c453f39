"""Matching benchmark: the `tsunagu eval matching` proxy, the weight sweep behind the defaults, ablations.

On the corpus of ``$TSUNAGU_HOME`` (the reference run: a fresh home after
``tsunagu import ../shared/data/formats``):

1. tuning split (``--tune-year``, default T = 2010): MAP for capability-fit weights in `SWEEP` (field
   proximity weight 1), which is how the default weight was chosen;
2. reported split (``--year``, default T = 2015): the system with the default weights, the two baselines
   of the same run, and two ablations — ``field_only`` (capability weight 0) and ``text_only`` (field
   proximity weight 0);
3. wall time of each run.

The search index's vectors are used for the capability fit when the index is current (as in
``tsunagu match``); ``--no-vectors`` uses the TF-IDF channel alone. Prints tables and writes JSON
(``bench/results/matching.json`` unless ``--out``).

Usage: ``TSUNAGU_HOME=... python bench/bench_matching.py [--year 2015] [--tune-year 2010] [--no-vectors]``
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

from tsunagu.app import App
from tsunagu.services.evaluation.matching import MatchingEvalConfig, MatchingEvaluationService
from tsunagu.services.matching.scoring import DEFAULT_WEIGHTS, MatchWeights

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "matching.json"
SWEEP: tuple[float, ...] = (0.0, 0.05, 0.15, 0.3, 0.6, 1.0)


def _run(app: App, vectors: Any, weights: MatchWeights, year: int) -> tuple[dict[str, Any], float]:
    start = time.perf_counter()
    doc = MatchingEvaluationService(app.store, app.analyzer, vectors=vectors, weights=weights).evaluate(
        MatchingEvalConfig(year=year)
    )
    return doc, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2015)
    parser.add_argument("--tune-year", type=int, default=2010)
    parser.add_argument("--no-vectors", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    app = App.from_settings()
    vectors = None if args.no_vectors or not app.indexes_current() else app.index_vectors
    out: dict[str, Any] = {
        "corpus": app.store.count(),
        "machine": platform.platform(),
        "text_channels": ["tfidf", "vector"] if vectors else ["tfidf"],
        "default_weights": DEFAULT_WEIGHTS.to_dict(),
        "sweep": {"year": args.tune_year, "capability_weight": {}},
    }
    print(f"tuning split T={args.tune_year}: capability weight → system MAP (field proximity weight 1)")
    for w in SWEEP:
        doc, secs = _run(app, vectors, MatchWeights(capability_fit=w), args.tune_year)
        out["sweep"]["capability_weight"][str(w)] = {**doc["methods"]["system"], "seconds": round(secs, 1)}
        print(
            f"  {w:<5} MAP {doc['methods']['system']['map']:.4f}  recall@10 {doc['methods']['system']['recall@10']:.4f}"
            f"  n {doc['methods']['system']['n']}  ({secs:.0f} s)"
        )

    report, secs = _run(app, vectors, DEFAULT_WEIGHTS, args.year)
    methods = dict(report["methods"])
    field_only, _ = _run(app, vectors, MatchWeights(capability_fit=0.0), args.year)
    text_only, _ = _run(app, vectors, MatchWeights(field_proximity=0.0), args.year)
    methods["field_only"] = field_only["methods"]["system"]
    methods["text_only"] = text_only["methods"]["system"]
    out["report"] = {k: v for k, v in report.items() if k != "methods"} | {
        "methods": methods,
        "seconds": round(secs, 1),
    }
    print(
        f"\nreported split T={args.year} ({report['companies']:,} companies, "
        f"{report['companies_without_relevant_offer']:,} without a relevant offer; {report['offers']:,} offers)"
    )
    print(f"  {'method':<12} {'MAP':>7} {'recall@10':>10} {'n':>5}")
    for name, m in methods.items():
        print(f"  {name:<12} {m['map']:>7.4f} {m['recall@10']:>10.4f} {m['n']:>5}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
