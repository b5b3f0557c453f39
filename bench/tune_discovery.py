"""Tune and ablate 用途探索 (discovery) honestly, on documents held out of the corpus by hash.

Corpus = every record of ``../shared/data/formats`` read by the importers (as ``tsunagu import`` would
store them), minus the held-out J-PlatPat documents of one bucket (sha1 of the 文献番号 % 10, see
`tsunagu.services.evaluation.splits`). Queries = those held-out documents, scored by protocol A
exactly as ``tsunagu eval discovery`` does (`DiscoveryEvaluationService`).

    python bench/tune_discovery.py --buckets 2              # validation: choose parameters here
    python bench/tune_discovery.py --buckets 3              # report: never tuned on
    python bench/tune_discovery.py --buckets 2 --no-vector  # lexical channel only (no embeddings)
    python bench/tune_discovery.py --buckets 1 --jplatpat-only --baselines-only
                                                             # agreement with reference_baselines.py
    python bench/tune_discovery.py --source-queries uspto_xml  # off-topic English queries (USPTO grants)

Every configuration of ``--grid`` (default: the ablations below) runs on the same queries; the JSON
goes to ``bench/results/tune_discovery_bucket<N>.json`` and a table to stderr. Item searches are
cached in memory, so a sweep costs little more than one run. Vectors and tokens come from the caches
of ``bench/retrieval_common.py`` (``$TSUNAGU_BENCH_CACHE``); missing vectors are embedded into this
script's own cache file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from retrieval_common import CACHE, RESULTS, TokenCache, VectorCache, load_records, log  # noqa: E402

from tsunagu.domain.patent import Patent  # noqa: E402
from tsunagu.retrieval.code_feedback import CodeMatrix  # noqa: E402
from tsunagu.retrieval.lexical.bm25s_index import Bm25sLexicalIndex  # noqa: E402
from tsunagu.retrieval.searcher import HybridSearcher  # noqa: E402
from tsunagu.retrieval.text import TextAnalyzer  # noqa: E402
from tsunagu.retrieval.vector.numpy_index import NumpyVectorIndex  # noqa: E402
from tsunagu.services.discovery.engine import ItemHits, QueryItem, channel_top, empty_hits  # noqa: E402
from tsunagu.services.discovery.model import DiscoveryConfig  # noqa: E402
from tsunagu.services.discovery.service import DiscoveryService, Retrieval  # noqa: E402
from tsunagu.services.discovery.stats import FieldStats, StatsRow  # noqa: E402
from tsunagu.services.evaluation.discovery import DiscoveryEvaluationService  # noqa: E402
from tsunagu.services.evaluation.splits import holdout_bucket  # noqa: E402

DEPTH = 100


class ListStore:
    """The few `PatentStore` reads the evaluation makes, over an in-memory record list."""

    def __init__(self, records: Sequence[Patent]) -> None:
        self.records = {p.key: p for p in records}

    def keys(self) -> list[str]:
        return list(self.records)

    def count(self) -> int:
        return len(self.records)

    def get_many(self, keys: Sequence[str]) -> list[Patent]:
        return [self.records[k] for k in keys if k in self.records]

    def iter_rows(self, columns: Sequence[str]) -> list[dict[str, object]]:
        return [{"key": p.key, "year": p.year} for p in self.records.values()]


class SweepRetrieval(Retrieval):
    """`Retrieval` whose item searches are computed once at depth 100 in both channels and reused."""

    def __init__(self, searcher: HybridSearcher, stats: FieldStats) -> None:
        super().__init__(searcher, stats)
        self.memo: dict[str, ItemHits] = {}
        self.vec_memo: dict[str, np.ndarray] = {}

    def search(
        self, items: Sequence[QueryItem], config: DiscoveryConfig, depth: int | None = None
    ) -> list[ItemHits]:
        s = self.searcher
        todo = [it.text for it in items if it.text not in self.memo]
        todo = list(dict.fromkeys(todo))
        vecs = self.embed(todo) if todo and s.vector is not None else None
        for n, text in enumerate(todo):
            hits = empty_hits()
            tokens = s.analyzer.tokens(text)
            scores = s.lexical.scores(tokens)
            hits.lex_rows, hits.lex_scores = channel_top(scores, self.row_groups.coded, DEPTH, positive=True)
            hits.lex_bound = self.lexical_bound(tokens)
            if vecs is not None and np.any(vecs[n]):
                assert s.vector is not None
                vs = np.asarray(s.vector.scores(vecs[n]), dtype=np.float32)
                hits.vec_rows, hits.vec_scores = channel_top(vs, self.row_groups.coded, DEPTH, positive=False)
            self.memo[text] = hits
        return [self.memo[it.text] for it in items]


def build(records: Sequence[Patent], with_vectors: bool) -> tuple[HybridSearcher, FieldStats]:
    """In-memory indexes over ``records`` (like the indexer: rows = records with text)."""
    analyzer = TextAnalyzer()
    docs = [p for p in records if p.text().strip()]
    texts = [p.text() for p in docs]
    tokens = TokenCache(analyzer)
    lexical = Bm25sLexicalIndex.build(tokens.tokens(texts))
    vector = embedder = None
    if with_vectors:
        cache = VectorCache()
        cache.path = CACHE / "vectors-use-discovery.npz"
        shared = CACHE / "vectors-use.npz"
        if shared.exists():
            with np.load(shared) as z:
                cache.store.update(zip(z["hashes"].tolist(), z["vectors"], strict=True))
        if cache.path.exists():
            with np.load(cache.path) as z:
                cache.store.update(zip(z["hashes"].tolist(), z["vectors"], strict=True))
        vector = NumpyVectorIndex.build(cache.vectors(texts), dtype="float32")
        embedder = cache.embedder
    codes = CodeMatrix.build(p.ipc_codes for p in docs)
    searcher = HybridSearcher([p.key for p in docs], analyzer, embedder, lexical, vector, codes)
    stats = FieldStats.build(StatsRow(p.key, p.ipc_codes, p.year, p.applicants) for p in records)
    return searcher, stats


#: Ablations: each changes the default in one respect (named by what it removes or changes).
def grid(base: DiscoveryConfig) -> dict[str, DiscoveryConfig]:
    r = dataclasses.replace
    return {
        "default": base,
        "no_novelty(boldness=0)": r(base, boldness=0.0),
        "boldness=0.5": r(base, boldness=0.5),
        "boldness=0.9": r(base, boldness=0.9),
        "no_passages": r(base, passage_weight=0.0),
        "no_phrases": r(base, phrase_weight=0.0),
        "vector=0.25": r(base, vector_weight=0.25),
        "no_vector": r(base, vector_weight=0.0),
        "vector=0.5": r(base, vector_weight=0.5),
        "vector=1.0": r(base, vector_weight=1.0),
        "no_lexical": r(base, lexical_weight=0.0, vector_weight=max(base.vector_weight, 1.0)),
        "lexical_norm=top,vector_norm=top": r(base, lexical_norm="top", vector_norm="top"),
        "novelty_ramp": r(base, novelty_shape="ramp"),
        "novelty_rank=10": r(base, novelty_rank=10),
        "novelty_rank=40": r(base, novelty_rank=40),
        "prior_exponent=0.3": r(base, prior_exponent=0.3),
        "home_exclusion=none": r(base, home_exclusion="none"),
        "home_exclusion=section": r(base, home_exclusion="section"),
        "home_exclusion=core": r(base, home_exclusion="core"),
        "home_exclusion=home": r(base, home_exclusion="home"),
        "ideas=5": r(base, ideas=5),
        "ideas=8": r(base, ideas=8),
        "ideas=10": r(base, ideas=10),
        "diversity=0.7": r(base, diversity=0.7),
        "doc_depth=30": r(base, doc_depth=30),
        "doc_depth=50": r(base, doc_depth=50),
        "momentum=0.5": r(base, momentum_weight=0.5),
    }


def merge(parts: Sequence[dict[str, dict[str, object]]]) -> dict[str, dict[str, object]]:
    """Micro-average protocol-A summaries of several buckets (weighted by n and n_novel)."""
    out: dict[str, dict[str, object]] = {}
    for name in parts[0]:
        rows = [p[name] for p in parts if name in p]
        n = sum(int(r["n"]) for r in rows)  # type: ignore[call-overload]
        nn = sum(int(r["n_novel"]) for r in rows)  # type: ignore[call-overload]

        def avg(key: str, weight: str, rows: list[dict[str, object]] = rows) -> float | None:
            w = sum(int(r[weight]) for r in rows if r[key] is not None)  # type: ignore[call-overload]
            if not w:
                return None
            total = sum(float(r[key]) * int(r[weight]) for r in rows if r[key] is not None)  # type: ignore[arg-type, call-overload]
            return round(total / w, 4)

        out[name] = {
            "recall@10": avg("recall@10", "n"),
            "novel_recall@10": avg("novel_recall@10", "n_novel"),
            "mrr": avg("mrr", "n"),
            "n": n,
            "n_novel": nn,
        }
    return out


def run_bucket(
    records: Sequence[Patent], bucket: int, args: argparse.Namespace, base: DiscoveryConfig
) -> dict[str, object]:
    """Protocol A on one held-out bucket."""
    t0 = time.perf_counter()
    if args.source_queries:
        # off-topic check: every record of one source with an abstract is held out as a query
        held = [p for p in records if args.source_queries in p.sources and p.abstract.strip()]
    else:
        held = [p for p in records if "jplatpat_csv" in p.sources and holdout_bucket(p) == bucket]
    held_keys = {p.key for p in held}
    corpus = [p for p in records if p.key not in held_keys]
    log(f"bucket {bucket}: corpus {len(corpus):,} records, {len(held):,} held out")
    searcher, stats = build(corpus, with_vectors=not args.no_vector)
    log(f"indexes built in {time.perf_counter() - t0:.0f} s")
    retrieval = SweepRetrieval(searcher, stats)
    store = ListStore(corpus)
    configs = {} if args.baselines_only else grid(base)
    if args.grid:
        configs = {name: dataclasses.replace(base, **over) for name, over in json.loads(args.grid).items()}
    if args.only:
        configs = {k: v for k, v in configs.items() if k in args.only}
    if args.no_vector:
        configs = {k: v for k, v in configs.items() if "vector" not in k and k != "no_lexical"}
    system = None if args.baselines_only else DiscoveryService(store, lambda: retrieval, config=base)  # type: ignore[arg-type]
    ev = DiscoveryEvaluationService(store, searcher, stats, system, ablations=configs)  # type: ignore[arg-type]
    chosen, skipped = ev.select_queries(held)
    if args.limit:
        chosen = chosen[: args.limit]
    t1 = time.perf_counter()
    out = ev.protocol_a(chosen)
    log(f"protocol A on {len(chosen)} queries in {time.perf_counter() - t1:.0f} s")
    return {"bucket": bucket, "corpus": len(corpus), "queries": len(chosen), "skipped": dict(skipped), **out}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--buckets", default="2", help="held-out buckets (sha1 %% 10), comma-separated")
    ap.add_argument("--no-vector", action="store_true", help="lexical channel only (no embeddings)")
    ap.add_argument("--jplatpat-only", action="store_true", help="corpus = J-PlatPat records only")
    ap.add_argument("--baselines-only", action="store_true", help="only cooc, bm25_knn, vector_knn")
    ap.add_argument("--only", nargs="*", default=None, help="grid entries to run (default: all)")
    ap.add_argument("--grid", default="", help='JSON {"name": {overrides}} replacing the ablation grid')
    ap.add_argument("--config", default="{}", help="JSON overrides of the default DiscoveryConfig")
    ap.add_argument(
        "--source-queries",
        default="",
        help="hold out every record of this source that has an abstract (e.g. uspto_xml) instead of a bucket",
    )
    ap.add_argument("--limit", type=int, default=0, help="use only the first N queries of each bucket")
    ap.add_argument("--out", default="", help="output JSON path")
    args = ap.parse_args(argv)
    buckets = [int(b) for b in args.buckets.split(",")] if not args.source_queries else [-1]
    records = load_records()
    if args.jplatpat_only:
        records = [p for p in records if "jplatpat_csv" in p.sources]
    base = dataclasses.replace(DiscoveryConfig(), **json.loads(args.config))
    if args.no_vector:
        base = dataclasses.replace(base, vector_weight=0.0)
    parts = [run_bucket(records, b, args, base) for b in buckets]
    methods = merge([p["methods"] for p in parts])  # type: ignore[misc]
    ablations = merge([p["ablations"] for p in parts]) if parts[0]["ablations"] else {}  # type: ignore[misc]
    doc = {
        "buckets": buckets,
        "jplatpat_only": args.jplatpat_only,
        "vectors": not args.no_vector,
        "queries": sum(int(p["queries"]) for p in parts),  # type: ignore[call-overload]
        "default_config": dataclasses.asdict(base),
        "methods": methods,
        "ablations": ablations,
        "per_bucket": parts,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = ("_jplatpat" if args.jplatpat_only else "") + ("_novec" if args.no_vector else "")
    name = args.source_queries or "-".join(str(b) for b in buckets)
    path = Path(args.out) if args.out else RESULTS / f"tune_discovery_bucket{name}{suffix}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    rows = {**methods, **{f"  {k}": v for k, v in ablations.items()}}
    log(f"{'method':32s} {'recall@10':>9s} {'novel@10':>9s} {'mrr':>7s} {'n':>5s} {'n_novel':>7s}")
    for label, m in rows.items():
        log(
            f"{label:32s} {m['recall@10']!s:>9s} {m['novel_recall@10']!s:>9s} {m['mrr']!s:>7s} "
            f"{m['n']:>5d} {m['n_novel']:>7d}"
        )
    log(f"written {path}")
    if os.environ.get("TSUNAGU_BENCH_PRINT"):
        print(json.dumps(doc, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
