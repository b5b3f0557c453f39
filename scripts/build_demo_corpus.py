"""Build the committed demo corpus from ../shared/data, following the data README's licence column.

Usage: python scripts/build_demo_corpus.py [--shared ../shared/data] [--out src/tsunagu/data/demo]

What is kept (see docs/demo-corpus.md for the composition and attributions):
- US full-text sets (USPTO XML, PatentsView, Google Patents US records with their abstracts, NASA):
  all fields except claims (left out to keep the package small).
- Bibliographic sets (Lens, PATENTSCOPE, Google Patents non-US records): bibliographic fields only;
  any abstract supplied by these sources is dropped.
- J-PlatPat: bibliographic fields and titles; the 要約 (abstract) text is the applicant's copyright and
  is never written to the demo corpus.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

from tsunagu.domain.patent import Patent, merge_patents
from tsunagu.services.ingestion import ImportReport, IngestionService
from tsunagu.sources.jsonl import dump_jsonl

ROOT = Path(__file__).resolve().parents[1]

# Sources whose abstracts may be redistributed in the project.
ABSTRACT_OK = {"uspto_xml", "patentsview_csv", "nasa_t2_csv"}


class _NoStore:
    """The demo builder only reads; nothing is stored."""

    def upsert_many(self, patents):  # pragma: no cover - never called
        raise AssertionError("read only")


def licence_filter(p: Patent) -> Patent:
    """Drop the fields the data README does not allow us to redistribute."""
    fs = dict(p.field_sources)
    changes: dict[str, object] = {"claims": ""}
    fs.pop("claims", None)
    src = fs.get("abstract", "")
    keep_abstract = src in ABSTRACT_OK or (src.startswith("google_patents") and p.country == "US")
    if p.abstract and not keep_abstract:
        changes["abstract"] = ""
        fs.pop("abstract", None)
    return dataclasses.replace(p, field_sources=fs, **changes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(ROOT / "src" / "tsunagu" / "data" / "demo"))
    args = ap.parse_args(argv)
    formats = Path(args.shared) / "formats"
    service = IngestionService(store=_NoStore())  # type: ignore[arg-type]
    report = ImportReport()
    merged: dict[str, Patent] = {}
    for rec in service.iter_records([formats], report=report):
        old = merged.get(rec.key)
        merged[rec.key] = rec if old is None else merge_patents(old, rec)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    records = [licence_filter(p) for p in sorted(merged.values(), key=lambda p: p.key)]
    by_source: Counter[str] = Counter()
    with_abstract: Counter[str] = Counter()
    for p in records:
        for s in p.sources:
            by_source[s] += 1
        if p.abstract:
            with_abstract[p.field_sources.get("abstract", "")] += 1
    with gzip.open(out / "patents.jsonl.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        dump_jsonl(records, f)
    manifest = {
        "records": len(records),
        "records_by_source": dict(sorted(by_source.items())),
        "abstracts_by_source": dict(sorted(with_abstract.items())),
        "skipped_files": [
            {
                "path": str(Path(p).relative_to(formats.resolve()))
                if p.startswith(str(formats.resolve()))
                else p,
                "reason": r,
            }
            for p, r in report.skipped_files
        ],
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    json.dump(manifest, sys.stdout, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
