"""CPU cost of one discovery (``tsunagu discover`` with default settings) on a real tsunagu home.

    python bench/bench_discovery.py [--home PATH] [--repeat 5]

Uses the home's store, search index and field statistics exactly as the CLI does (``App`` +
`DiscoveryIndex`), warms up once per query (model load, statistics, row groups), then measures
process CPU seconds and wall seconds of full discoveries (cards with evidence passages and
rationales) for Japanese and English queries. The goal is at most 0.5 CPU-seconds per discovery on
the demo corpus. Prints a table to stderr and writes ``bench/results/bench_discovery.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

QUERIES = [
    "心拍や脳波から人の眠気や疲労を推定するセンシング技術",
    "運転者の顔画像から視線を検出し、脇見を警告する装置",
    "ピザ生地を均一な厚さに延ばす成形装置",
    "detect driver drowsiness from heart rate variability",
    "a neural network that predicts equipment failure from vibration sensor data",
    "lightweight composite fan blade for a jet engine",
]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=os.environ.get("TSUNAGU_HOME", str(Path.home() / ".tsunagu")))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)

    from tsunagu.app import App
    from tsunagu.services.discovery.index import DiscoveryIndex
    from tsunagu.services.discovery.model import DiscoveryRequest
    from tsunagu.services.discovery.service import DiscoveryService
    from tsunagu.settings import Settings

    app = App.from_settings(Settings.from_env(home=args.home))
    service = getattr(app, "discovery", None)
    if service is None:
        index = DiscoveryIndex(app.store, lambda: app.searcher, app.settings.index_dir / "discovery")
        service = DiscoveryService(app.store, index)
    t0 = time.perf_counter()
    c0 = time.process_time()
    retrieval = service._retrieval()
    setup = {"wall_s": round(time.perf_counter() - t0, 3), "cpu_s": round(time.process_time() - c0, 3)}
    rows = []
    for q in QUERIES:
        service.discover(DiscoveryRequest(text=q))  # warm-up
        cpu, wall, stages = [], [], []
        for _ in range(args.repeat):
            c, w = time.process_time(), time.perf_counter()
            r = service.discover(DiscoveryRequest(text=q))
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
            stages.append(r.timings)
        rows.append(
            {
                "query": q,
                "cards": len(r.cards),
                "cpu_s_median": round(statistics.median(cpu), 4),
                "cpu_s_max": round(max(cpu), 4),
                "wall_s_median": round(statistics.median(wall), 4),
                "stages_s": {k: round(statistics.median(s[k] for s in stages), 4) for k in stages[0]},
            }
        )
    doc = {
        "home": args.home,
        "documents": app.store.count(),
        "indexed_rows": len(retrieval.searcher),
        "documents_with_codes": retrieval.stats.n_docs,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "setup": setup,
        "queries": rows,
        "cpu_s_median_overall": round(statistics.median(r["cpu_s_median"] for r in rows), 4),
        "cpu_s_max_overall": round(max(r["cpu_s_max"] for r in rows), 4),
        "goal_cpu_s": 0.5,
    }
    out = ROOT / "bench" / "results" / "bench_discovery.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{'query':60s} {'cards':>5s} {'cpu med':>8s} {'cpu max':>8s} {'wall med':>8s}", file=sys.stderr)
    for r in rows:
        print(
            f"{r['query'][:60]:60s} {r['cards']:>5d} {r['cpu_s_median']:>8.3f} {r['cpu_s_max']:>8.3f} "
            f"{r['wall_s_median']:>8.3f}",
            file=sys.stderr,
        )
    print(f"median CPU per discovery {doc['cpu_s_median_overall']} s (goal ≤ 0.5); written {out}", file=sys.stderr)
    app.close()


if __name__ == "__main__":
    main()
