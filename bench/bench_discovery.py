"""CPU cost of one discovery (``tsunagu discover`` with default settings) on a real tsunagu home.

    python bench/bench_discovery.py [--home PATH] [--repeat 5]
    python bench/bench_discovery.py --build-home /tmp/discovery-home   # first build a full-corpus home

``--build-home`` stores every record of ``../shared/data/formats`` (the same records ``tsunagu import``
stores, read through ``bench/retrieval_common.py``'s cache) in a new home and indexes it with the USE
vectors cached by the retrieval benchmarks (no re-embedding of cached texts), like the demo corpus.

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

#: Hand-written by the tsunagu project (not patent text): topics the corpus covers only in the other
#: language, with the subclasses a person would expect among the home fields or the ideas.
CROSS_LINGUAL = [
    ("ピザ生地を均一な厚さに延ばす成形装置", ("A21C",)),
    ("ジェットエンジンのファンブレードを軽量な複合材で製造する", ("F01D", "F02K", "F04D")),
    ("ドローンで農薬を散布する", ("B64C", "B64D", "B64U", "A01M")),
    ("ジンクフィンガーヌクレアーゼで遺伝子を改変する", ("C12N", "C07K")),
    ("ニューラルネットワークを学習させて画像を分類する", ("G06N", "G06K", "G06T", "G06V")),
    ("冷凍ピザを電子レンジで加熱するための包装容器", ("B65D", "A21D", "H05B")),
    ("detect driver drowsiness from heart rate and brain waves", ("B60W", "A61B", "G08G", "B60K")),
    ("warn the driver when the gaze leaves the road ahead", ("B60W", "G08G", "B60K", "G06V", "G06T")),
]

QUERIES = [
    # an abstract-shaped input (written for this benchmark): title, 【課題】 and 【解決手段】 passages
    "【課題】運転者の眠気を精度よく検出することができる眠気検出装置を提供する。【解決手段】心拍センサにより"
    "運転者の心拍を計測し、心拍変動から眠気度を算出して、眠気度が閾値を超えると警報を出力する。"
    "あわせて車線の逸脱を検知して操舵を補助し、燃費の向上と排出ガスの低減を図る。",
    "心拍や脳波から人の眠気や疲労を推定するセンシング技術",
    "運転者の顔画像から視線を検出し、脇見を警告する装置",
    "ピザ生地を均一な厚さに延ばす成形装置",
    "detect driver drowsiness from heart rate variability",
    "a neural network that predicts equipment failure from vibration sensor data",
    "lightweight composite fan blade for a jet engine",
]


def build_home(folder: Path) -> None:
    """A home holding every shared record, indexed with cached USE vectors."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "bench"))
    from retrieval_common import CACHE, VectorCache, load_records  # type: ignore[import-not-found]

    from tsunagu.app import App
    from tsunagu.retrieval.indexer import _save_vectors, text_hash
    from tsunagu.settings import Settings

    records = load_records()
    app = App.from_settings(Settings.from_env(home=folder))
    t0 = time.perf_counter()
    for start in range(0, len(records), 2000):
        app.store.upsert_many(records[start : start + 2000])
    print(f"stored {len(records):,} records in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    cache = VectorCache(app.embedder)  # type: ignore[arg-type]
    for name in ("vectors-use.npz", "vectors-use-discovery.npz"):
        if (CACHE / name).exists():
            with np.load(CACHE / name) as z:
                cache.store.update(zip(z["hashes"].tolist(), z["vectors"], strict=True))
    cache.path = CACHE / "vectors-use-discovery.npz"
    docs = [p for p in records if p.text().strip()]
    vectors = cache.vectors([p.text() for p in docs])
    pool = folder / "vectors-pool.npz"
    _save_vectors(
        pool,
        [p.key for p in docs],
        np.asarray([text_hash(p.text()) for p in docs], np.uint64),
        vectors.astype(np.float16),
        app.embedder.name,
    )
    app.indexer.import_vectors(pool)
    t0 = time.perf_counter()
    app.update_indexes()
    print(f"indexed in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    app.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=os.environ.get("TSUNAGU_HOME", str(Path.home() / ".tsunagu")))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--build-home", default="", help="first build a full-corpus home in this folder")
    ap.add_argument("--config", default="{}", help="JSON overrides of the default DiscoveryConfig")
    args = ap.parse_args(argv)
    if args.build_home:
        build_home(Path(args.build_home))
        args.home = args.build_home

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
    overrides = json.loads(args.config)
    if overrides:
        import dataclasses

        service = service.with_config(dataclasses.replace(service.config, **overrides))
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
    sanity = []
    for q, expected in CROSS_LINGUAL:
        r = service.discover(DiscoveryRequest(text=q))
        homes = [h.code for h in r.home_fields]
        ideas = [f[:4] for f in r.ranked_fields()[:10]]
        sanity.append(
            {
                "query": q,
                "expected": list(expected),
                "home_fields": homes,
                "top10_subclasses": ideas,
                "in_home": any(e in homes for e in expected),
                "in_top10": any(e in ideas for e in expected),
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
        "cross_lingual_sanity": sanity,
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
    for x in sanity:
        print(
            f"{x['query'][:40]:40s} expected {'/'.join(x['expected']):20s} home {x['in_home']!s:5s} "
            f"top10 {x['in_top10']!s:5s} home fields {x['home_fields']}",
            file=sys.stderr,
        )
    print(
        f"median CPU per discovery {doc['cpu_s_median_overall']} s (goal ≤ 0.5); written {out}",
        file=sys.stderr,
    )
    app.close()


if __name__ == "__main__":
    main()
