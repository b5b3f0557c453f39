"""Import benchmark: records/s per export format, store rate, index build time and peak memory.

For each format folder of ``../shared/data/formats`` the importer reads every file (``read``: parsing
only) and the ingestion service stores the records into a fresh SQLite home (``store``). Then the
indexes are built for the whole store (``index``: Sudachi/word tokens + BM25 + embeddings with the
default embedder), optionally over the first ``--index-limit`` records only. Peak RSS is read from the
kernel after each phase (ru_maxrss: the process's high-water mark so far).

Prints a table and writes ``bench/results/import.json``. The machine is shared (2 cores); the load
average is recorded with the figures.

Usage: ``python bench/bench_import.py [--index-limit N]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from tsunagu.app import App
from tsunagu.services.ingestion import ImportReport
from tsunagu.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FORMATS = (ROOT / ".." / "shared" / "data" / "formats").resolve()
RESULTS = ROOT / "bench" / "results" / "import.json"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index-limit", type=int, default=0, help="index only the first N records (0: all)")
    args = ap.parse_args(argv)
    if not FORMATS.is_dir():
        print(f"no data at {FORMATS}", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        app = App.from_settings(Settings.from_env(home=tmp))
        for folder in sorted(p for p in FORMATS.iterdir() if p.is_dir()):
            report = ImportReport()
            t0, c0 = time.perf_counter(), time.process_time()
            records = list(app.ingestion.iter_records([folder], report=report))
            read_s, read_cpu = time.perf_counter() - t0, time.process_time() - c0
            t0 = time.perf_counter()
            stats = app.store.upsert_many(records) if records else None
            store_s = time.perf_counter() - t0
            rows.append(
                {
                    "format": folder.name,
                    "records": len(records),
                    "read_s": round(read_s, 3),
                    "read_per_s": round(len(records) / read_s) if read_s else None,
                    "read_per_cpu_s": round(len(records) / read_cpu) if read_cpu else None,
                    "store_per_s": round(len(records) / store_s) if records and store_s else None,
                    "new": stats.new if stats else 0,
                    "peak_rss_mib": round(peak_rss_mib()),
                }
            )
            print(f"{folder.name}: {len(records)} records", file=sys.stderr)
        if args.index_limit:
            # Index a prefix of the store: copy the first N records into a second home.
            sub = App.from_settings(Settings.from_env(home=Path(tmp) / "sub"))
            batch = []
            for p in app.store.iter_all():
                batch.append(p)
                if len(batch) >= args.index_limit:
                    break
            sub.store.upsert_many(batch)
            target = sub
        else:
            target = app
        n = target.store.count()
        t0, c0 = time.perf_counter(), time.process_time()
        target.update_indexes()
        index_s, index_cpu = time.perf_counter() - t0, time.process_time() - c0
        index = {
            "documents": n,
            "build_s": round(index_s, 1),
            "build_cpu_s": round(index_cpu, 1),
            "docs_per_s": round(n / index_s, 1),
            "peak_rss_mib": round(peak_rss_mib()),
        }
    doc = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg": os.getloadavg()},
        "formats": rows,
        "index": index,
    }
    header = f"{'format':<34}{'records':>9}{'read/s':>9}{'read/cpu-s':>11}{'store/s':>9}{'RSS MiB':>9}"
    print(header)
    for r in rows:
        print(
            f"{r['format']:<34}{r['records']:>9}{r['read_per_s'] or '':>9}{r['read_per_cpu_s'] or '':>11}"
            f"{r['store_per_s'] or '':>9}{r['peak_rss_mib']:>9}"
        )
    print(
        f"index build: {index['documents']} documents in {index['build_s']} s "
        f"({index['docs_per_s']} docs/s, {index['build_cpu_s']} CPU-s), peak RSS {index['peak_rss_mib']} MiB"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
