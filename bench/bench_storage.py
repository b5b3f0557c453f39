"""Storage benchmark: write and read rates of `SqlPatentStore` on SQLite and PostgreSQL.

Real records (J-PlatPat exports: Japanese titles and abstracts; PatentsView: English abstracts) from
``../shared/data`` are replicated under new keys up to N records, then for each backend:

- ``insert``: fresh upserts of N records, in batches;
- ``unchanged``: the same batches again (every record unchanged, nothing written);
- ``merge``: the same documents from a higher-ranked source with one changed field (every record merged);
- ``scan``: `iter_all` over the whole store;
- ``find``: `find` by a publication number, one call per lookup.

Prints a table and writes ``bench/results/storage.json`` with the ratio PostgreSQL / SQLite of each
rate (both measured in the same run). PostgreSQL runs in a fresh schema of ``TSUNAGU_TEST_PG_URL``
(default ``postgresql://postgres@127.0.0.1:5432/test``), dropped afterwards; it is left out, with a
note, when no server answers.

Usage: ``python bench/bench_storage.py [--n 20000] [--batch 1000]``
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import json
import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy.engine import make_url

from tsunagu.domain.codes import split_fi
from tsunagu.domain.patent import Patent
from tsunagu.storage import SqlPatentStore, UpsertStats

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data" / "formats").resolve()
RESULTS = ROOT / "bench" / "results" / "storage.json"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _importer_records(source: Any, pattern: str) -> Iterator[Patent]:
    for path in sorted(DATA.glob(pattern)):
        with gzip.open(path, "rb") as stream:
            for item in source.read(stream, path.name):
                if isinstance(item, Patent):
                    yield item


def _jplatpat_fallback() -> Iterator[Patent]:
    """Minimal J-PlatPat reading, used only when the project's importer is not available."""
    for path in sorted(DATA.glob("jplatpat_csv/*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                yield Patent(
                    key=f"JP-{row['文献番号']}",
                    publication_number=row["文献番号"],
                    original_numbers=(row["文献番号"],),
                    country="JP",
                    title=row["発明の名称"],
                    abstract=row["要約"],
                    language="ja",
                    applicants=tuple(a for a in row["出願人/権利者"].split(",") if a),
                    fi_codes=tuple(split_fi(row["FI"])),
                    application_number=row["出願番号"],
                    filing_date=row["出願日"].replace("/", "-"),
                    publication_date=row["公知日"].replace("/", "-"),
                    url=row["文献URL"],
                ).with_source("jplatpat_csv")


def load_base_records() -> tuple[list[Patent], str]:
    """Distinct real records and a note on how they were read."""
    try:
        from tsunagu.sources.jplatpat import JplatpatCsvSource
        from tsunagu.sources.patentsview import PatentsviewCsvSource
    except ImportError:
        records = list(_jplatpat_fallback())
        how = "J-PlatPat CSV (minimal reader in this script)"
    else:
        records = [
            *_importer_records(JplatpatCsvSource(), "jplatpat_csv/*.csv.gz"),
            *_importer_records(PatentsviewCsvSource(), "patentsview_csv/*.csv.gz"),
        ]
        how = "J-PlatPat CSV + PatentsView CSV (project importers)"
    distinct = list({p.key: p for p in records}.values())
    return distinct, how


def replicate(base: list[Patent], n: int) -> list[Patent]:
    """``n`` records: the base records, then copies under new keys and numbers."""
    out: list[Patent] = []
    copy = 0
    while len(out) < n:
        for p in base:
            if len(out) == n:
                break
            if copy == 0:
                out.append(p)
                continue
            suffix = f"R{copy}"
            out.append(
                dataclasses.replace(
                    p,
                    key=f"{p.key}-{suffix}",
                    publication_number=f"{p.publication_number}{suffix}",
                    original_numbers=tuple(f"{x}{suffix}" for x in p.original_numbers),
                )
            )
        copy += 1
    return out


def upgraded(records: list[Patent]) -> list[Patent]:
    """The same documents as an official source would give them, with a changed title."""
    return [dataclasses.replace(p, title=p.title + " (revised)").with_source("uspto_xml") for p in records]


def measure(n: int, fn: Callable[[], Any]) -> tuple[dict[str, float], Any]:
    """Run ``fn`` once: wall seconds, rate over ``n`` items, and this process's CPU seconds.

    On a busy machine the wall rate drops with the load; ``client_cpu_s`` does not (for SQLite it
    is nearly all the work; for PostgreSQL the server's share is not in it).
    """
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"seconds": wall, "records_per_s": n / wall, "client_cpu_s": cpu}, value


def upsert_all(store: SqlPatentStore, records: list[Patent], batch: int) -> UpsertStats:
    stats = UpsertStats()
    for i in range(0, len(records), batch):
        stats.add(store.upsert_many(records[i : i + batch]))
    return stats


def run_backend(url: str, records: list[Patent], batch: int) -> dict[str, Any]:
    n = len(records)
    store = SqlPatentStore(url)
    try:
        result: dict[str, Any] = {}
        result["insert"], stats = measure(n, lambda: upsert_all(store, records, batch))
        assert stats.new == n, stats
        result["unchanged"], stats = measure(n, lambda: upsert_all(store, records, batch))
        assert stats.unchanged == n, stats
        changed = upgraded(records)
        result["merge"], stats = measure(n, lambda: upsert_all(store, changed, batch))
        assert stats.merged == n, stats
        result["scan"], count = measure(n, lambda: sum(1 for _ in store.iter_all()))
        assert count == n
        lookups = [p.publication_number for p in records[:: max(1, n // 500)]]
        result["find"], found = measure(
            len(lookups), lambda: sum(len(store.find(number)) > 0 for number in lookups)
        )
        assert found == len(lookups)
        return result
    finally:
        store.close()


def postgres_schema_url() -> tuple[str, Callable[[], None]] | str:
    """A URL on a fresh schema and its cleanup, or the reason PostgreSQL is left out."""
    try:
        import psycopg
    except ImportError:
        return "psycopg not installed (pip install 'tsunagu[postgres]')"
    base = make_url(os.environ.get("TSUNAGU_TEST_PG_URL", DEFAULT_PG_URL))
    libpq = base.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"tsunagu_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(libpq, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable: {str(exc).strip().splitlines()[0]}"

    def drop() -> None:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="records per run (default 20000)")
    parser.add_argument("--batch", type=int, default=1_000, help="records per upsert_many (default 1000)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON result file")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"real data folder {DATA} is absent", file=sys.stderr)
        return 2

    load_at_start = round(os.getloadavg()[0], 2)
    base, how = load_base_records()
    records = replicate(base, args.n)
    print(f"{len(records)} records ({len(base)} distinct real ones, from {how}), batches of {args.batch}")

    results: dict[str, Any] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run_backend(f"sqlite:///{tmp}/bench.db", records, args.batch)
        results["sqlite"]["file_mb"] = round(Path(tmp, "bench.db").stat().st_size / 1e6, 1)
    pg = postgres_schema_url()
    if isinstance(pg, str):
        notes.append(pg)
    else:
        url, drop = pg
        try:
            results["postgresql"] = run_backend(url, records, args.batch)
        finally:
            drop()

    operations = ("insert", "unchanged", "merge", "scan", "find")
    ratio: dict[str, float] = {}
    if "postgresql" in results:
        for op in operations:
            ratio[op] = results["postgresql"][op]["records_per_s"] / results["sqlite"][op]["records_per_s"]

    header = f"{'operation':<10}" + "".join(f"{b + ' /s':>16}" for b in results) + f"{'pg/sqlite':>11}"
    print(header)
    print("-" * len(header))
    for op in operations:
        line = f"{op:<10}" + "".join(f"{results[b][op]['records_per_s']:>16,.0f}" for b in results)
        line += f"{ratio[op]:>11.2f}" if op in ratio else f"{'-':>11}"
        print(line)
    sqlite_cpu = results["sqlite"]["insert"]["client_cpu_s"]
    print(f"sqlite insert, per CPU second of this process: {len(records) / sqlite_cpu:,.0f} records")
    print(f"load average (1 min): {load_at_start} at start, {os.getloadavg()[0]:.2f} at end")
    for note in notes:
        print(f"note: {note}")

    report = {
        "benchmark": "storage",
        "n_records": len(records),
        "distinct_real_records": len(base),
        "records_from": how,
        "batch_size": args.batch,
        "results": results,
        "ratio_postgresql_over_sqlite": ratio,
        "notes": notes,
        "environment": {
            "python": platform.python_version(),
            "sqlalchemy": sqlalchemy.__version__,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            # Other work on the machine slows every rate; compare ratios from the same run.
            "load_average_1min_at_start": load_at_start,
            "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
