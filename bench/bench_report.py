"""Report benchmark: time to produce a 知財ビジネス評価書 (HTML and PDF) for large applicants.

Goal (issue 5): under 20 s on 2 cores for an applicant with 500 patents.

Corpus: ``--db URL`` if given, else the committed demo corpus imported into a temporary SQLite
database (import time is not measured). Subjects, all real records of the corpus:

- ``500-patent applicant``: the 500 most recently filed records of the applicant with the most
  classified records (a company profile holding exactly those 500 records);
- the three applicants with the most classified records, with all their records.

For each subject: ``build`` (company lookup, corpus statistics, every section and chart),
``html`` (build + render + write) and ``pdf`` (build + WeasyPrint layout + write), each in wall
and CPU seconds, plus pages. The first report of the process also pays the one-off corpus scan and
font loading; it is reported separately as ``cold``. ``md`` (build + Markdown, no layout) is the
baseline measured in the same run. The load average is recorded because the machine is shared.

Prints a table and writes JSON (``bench/results/report.json`` unless ``--out``).

Usage: ``python bench/bench_report.py [--db sqlite:///PATH] [--out PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from tsunagu.domain.fields import field_name
from tsunagu.services.ingestion import IngestionService
from tsunagu.services.landscape import LandscapeService
from tsunagu.services.landscape.fields import applicant_key
from tsunagu.services.reports import ApplicantDirectory, CompanyProfile, ReportService
from tsunagu.storage.sql import SqlPatentStore

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "report.json"
DEMO = ROOT / "src" / "tsunagu" / "data" / "demo" / "patents.jsonl.gz"
AS_OF = date(2026, 1, 1)


def _namer(lang: str) -> Callable[[str], str]:
    return lambda code: field_name(code).label(lang)


class FixedDirectory:
    """The corpus directory, plus one named profile with a fixed set of records."""

    def __init__(self, store: SqlPatentStore, fixed: dict[str, CompanyProfile]) -> None:
        self.applicants = ApplicantDirectory(store)
        self.fixed = fixed

    def resolve(self, name: str) -> CompanyProfile:
        return self.fixed.get(name) or self.applicants.resolve(name)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _largest(store: SqlPatentStore, n: int) -> list[tuple[str, list[str]]]:
    """The ``n`` applicants with most classified records: (name, keys most recently filed first)."""
    by_key: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for row in store.iter_rows(["applicants", "ipc_codes", "fi_codes", "cpc_codes", "filing_date"]):
        if not (row["ipc_codes"] or row["fi_codes"] or row["cpc_codes"]):
            continue
        for a in dict.fromkeys(row["applicants"]):
            k = applicant_key(a)
            by_key.setdefault(k, []).append((row["filing_date"] or "", row["key"]))
            names.setdefault(k, a)
    ranked = sorted(by_key.items(), key=lambda kv: -len(kv[1]))[:n]
    return [(names[k], [key for _, key in sorted(v, reverse=True)]) for k, v in ranked]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="", help="database URL (default: demo corpus in a temporary SQLite file)")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args(argv)
    tmp = tempfile.TemporaryDirectory(prefix="tsunagu-bench-report-")
    folder = Path(tmp.name)
    if args.db:
        store = SqlPatentStore(args.db)
    else:
        store = SqlPatentStore(f"sqlite:///{folder / 'demo.db'}")
        print(f"importing {DEMO.name} into a temporary database (not timed)…", file=sys.stderr)
        IngestionService(store).import_paths([DEMO], update_index=False)
    largest = _largest(store, 3)
    top_name, top_keys = largest[0]
    subject_500 = f"{top_name} (500 most recent records)"
    profile = CompanyProfile(
        subject_500, "applicant", applicant_names=(top_name,), patent_keys=tuple(top_keys[:500])
    )
    landscape = LandscapeService(store, namer=_namer)
    service = ReportService(
        store, FixedDirectory(store, {subject_500: profile}), landscape.corpus_statistics, namer=_namer
    )
    subjects = [(subject_500, 500)] + [(name, len(keys)) for name, keys in largest]
    rows: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    _, cold_wall, cold_cpu = _timed(lambda: service.build("evaluation", subject_500, as_of=AS_OF))
    for name, n in subjects:
        row: dict[str, Any] = {"subject": name, "records": n}
        _, row["build_s"], row["build_cpu_s"] = _timed(
            partial(service.build, "evaluation", name, as_of=AS_OF)
        )
        for fmt in ("md", "html", "pdf"):
            out = folder / f"report-{len(rows)}.{fmt}"
            _, row[f"{fmt}_s"], row[f"{fmt}_cpu_s"] = _timed(
                partial(service.write, "evaluation", name, out, as_of=AS_OF)
            )
            row[f"{fmt}_bytes"] = out.stat().st_size
        from pypdf import PdfReader

        row["pdf_pages"] = len(PdfReader(str(folder / f"report-{len(rows)}.pdf")).pages)
        row["html_and_pdf_s"] = row["html_s"] + row["pdf_s"]
        rows.append(row)
        print(f"{name}: html {row['html_s']:.1f} s, pdf {row['pdf_s']:.1f} s", file=sys.stderr)
    result = {
        "goal": "HTML and PDF for an applicant with 500 patents in under 20 s on 2 cores",
        "corpus_records": store.count(),
        "cold_first_build_s": round(cold_wall, 2),
        "cold_first_build_cpu_s": round(cold_cpu, 2),
        "subjects": [{k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()} for r in rows],
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
    }
    print(
        f"corpus: {result['corpus_records']:,} records; cold first build {cold_wall:.1f} s "
        f"({cold_cpu:.1f} CPU s); load {load_before[0]:.1f}"
    )
    header = (
        f"{'subject':48} {'records':>7} {'build':>6} {'md':>6} {'html':>6} {'pdf':>6} {'pages':>5} "
        f"{'html+pdf':>8} {'(cpu)':>6}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['subject'][:48]:48} {r['records']:>7} {r['build_s']:>6.1f} {r['md_s']:>6.1f} {r['html_s']:>6.1f} "
            f"{r['pdf_s']:>6.1f} {r['pdf_pages']:>5} {r['html_and_pdf_s']:>8.1f} "
            f"{r['html_cpu_s'] + r['pdf_cpu_s']:>6.1f}"
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    store.close()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
