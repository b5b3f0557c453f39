"""Tune the hybrid search on a validation split and report each step's effect on a separate test split.

Protocol (see `tsunagu.services.evaluation.retrieval` for the metric definitions):

* corpus: every record of ``../shared/data/formats`` (J-PlatPat, USPTO, PatentsView, Google Patents,
  Lens, PATENTSCOPE, NASA), read by the importers; minus the held-out query documents of the split;
* queries: J-PlatPat documents held out by ``sha1(文献番号) % 10`` — bucket 2 for **validation**
  (every parameter is chosen there), bucket 3 for the **test** report. Bucket 1 (the reference
  baselines' split) is never used here;
* relevance: Jaccard overlap of full IPC symbol sets; nDCG@10, P@10, MRR over the top 100;
* cross-language check: the same queries against the corpus without any J-PlatPat document, where
  every relevant document is in another language than the query (no query of the main splits has
  most of its relevance there, so this is the only place the cross-language case shows).

Each step tunes one idea on top of the best configuration so far and is kept when it raises validation
nDCG@10. The last step (vector weight and depths) picks the highest validation nDCG@10 among the
configurations whose validation cross-language nDCG@10 is at least the vector channel's own: the
default search must not lose what the vector channel finds across languages. Only validation data
is used to choose; the final configuration is `SearchConfig`'s default.

Usage: python bench/tune_retrieval.py [--quick]
Writes bench/results/retrieval_tuning.json and bench/results/retrieval_tuning.md.

``--reference-split`` instead runs the production path (SQLite store, `Indexer`, the evaluation
service behind ``tsunagu eval retrieval``) on the reference baselines' own split — J-PlatPat only,
bucket 1 held out — to check agreement with shared/tools/reference_baselines.py (bm25 nDCG@10
0.3272, vector 0.2884); vectors come from the cache through `Indexer.import_vectors`.
Writes bench/results/retrieval_reference_split.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import time
from collections.abc import Iterable
from typing import Any

from retrieval_common import (
    RESULTS,
    SHARED,
    Prepared,
    SelfQueries,
    TokenCache,
    VectorCache,
    load_records,
    log,
    make_split,
    method_rankers,
    prepare,
    score_rankings,
    self_at_1,
    self_queries,
)

from tsunagu.retrieval.searcher import SearchConfig
from tsunagu.retrieval.text import TextAnalyzer, query_text

VALIDATION, TEST = 2, 3

# The plain fusion of the issue, before any tuning.
PLAIN_RRF = SearchConfig(
    fusion="rrf",
    rrf_k=60,
    lexical_weight=1,
    vector_weight=1,
    code_weight=0,
    lexical_depth=100,
    vector_depth=100,
    all_terms_first=False,
)


@dataclasses.dataclass
class Bench:
    """The four prepared splits: main and cross-language, validation and test."""

    val: Prepared
    val_xl: Prepared
    test: Prepared
    test_xl: Prepared
    known_items: SelfQueries
    floor: float = 0.0  # cross-language nDCG@10 of the vector channel on validation


def evaluate(prep: Prepared, config: SearchConfig | None, method: str = "hybrid") -> dict[str, float]:
    return score_rankings(prep, method_rankers(prep, config)[method])


def choose(
    b: Bench, configs: Iterable[SearchConfig], constrained: bool
) -> tuple[SearchConfig, dict[str, float], int, bool]:
    """Best validation nDCG@10, among the configurations meeting the cross-language floor when
    ``constrained`` (and any does)."""
    scored = []
    for cfg in configs:
        m = evaluate(b.val, cfg)
        xl = evaluate(b.val_xl, cfg)["ndcg@10"]
        scored.append((xl >= b.floor, m["ndcg@10"], cfg, m))
    ok = [x for x in scored if x[0]] if constrained else scored
    ok = ok or scored
    best = max(ok, key=lambda x: x[1])
    return best[2], best[3], len(scored), best[0]


STEPS: list[tuple[str, str]] = [
    ("rrf_weights", "RRF with tuned rank offset k and vector-channel weight"),
    ("score_fusion", "weighted sum of min-max rescaled scores (BM25 / its best; cosine over its top list)"),
    ("calibrated_fusion", "BM25 / the query's best possible BM25 (sum of its tokens' idf) + w × raw cosine"),
    (
        "code_feedback",
        "pseudo-relevance feedback in IPC space: candidates gain the weighted mean Jaccard overlap of "
        "their IPC sets with the top fused documents'",
    ),
    ("all_terms_first", "documents holding every query token rank first (AND before OR)"),
    ("refit", "vector weight and channel depths re-tuned with code feedback on"),
]


def step_configs(name: str, base: SearchConfig, quick: bool) -> list[SearchConfig]:
    """Candidate configurations of one step, given the best configuration so far."""
    weights = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0] if not quick else [0.2, 0.5]
    r = dataclasses.replace
    if name == "rrf_weights":
        ks = [10, 30, 60, 100] if not quick else [60]
        return [r(PLAIN_RRF, rrf_k=k, vector_weight=w) for k, w in itertools.product(ks, weights)]
    if name == "score_fusion":
        return [r(PLAIN_RRF, fusion="score", vector_weight=w) for w in [0.0, *weights]]
    if name == "calibrated_fusion":
        return [r(PLAIN_RRF, fusion="calibrated", vector_weight=w) for w in weights]
    if name == "code_feedback":
        grid = itertools.product(
            [0.5, 1, 2, 4, 8] if not quick else [2, 4],
            [10, 20, 40] if not quick else [20],
            [5, 10, 30] if not quick else [10],
        )
        return [r(base, code_weight=c, feedback_depth=d, feedback_k=k) for c, d, k in grid]
    if name == "all_terms_first":
        return [r(base, all_terms_first=True)]
    if name == "refit":
        depths = [100, 200] if not quick else [100]
        grid = itertools.product(weights, depths, depths)
        return [r(base, vector_weight=w, lexical_depth=a, vector_depth=v) for w, a, v in grid]
    raise ValueError(name)


def run(quick: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    records = load_records()
    tokens, vectors = TokenCache(TextAnalyzer()), VectorCache()

    def prepared(bucket: int, name: str, cross: bool) -> Prepared:
        split = make_split(records, bucket, name)
        if cross:
            corpus = [p for p in split.corpus if "jplatpat_csv" not in p.sources]
            split = dataclasses.replace(split, corpus=corpus)
        return prepare(split, tokens, vectors)

    val = prepared(VALIDATION, "validation", False)
    b = Bench(
        val=val,
        val_xl=prepared(VALIDATION, "validation-cross", True),
        test=prepared(TEST, "test", False),
        test_xl=prepared(TEST, "test-cross", True),
        known_items=self_queries(val, vectors),
    )
    b.floor = evaluate(b.val_xl, None, "vector")["ndcg@10"]
    log(f"prepared in {time.perf_counter() - t0:.0f} s; cross-language floor {b.floor:.4f}")
    table: list[dict[str, Any]] = []

    def record(
        name: str,
        description: str,
        cfg: SearchConfig | None,
        method: str = "hybrid",
        tried: int = 1,
        meets_floor: bool | None = None,
    ) -> None:
        row: dict[str, Any] = {"step": name, "description": description, "configs_tried": tried}
        for label, prep in (
            ("validation", b.val),
            ("validation_cross", b.val_xl),
            ("test", b.test),
            ("test_cross", b.test_xl),
        ):
            row[label] = evaluate(prep, cfg, method)
        row["known_item_at_1"] = self_at_1(b.val, b.known_items, cfg, method)
        row["meets_cross_floor"] = meets_floor
        row["config"] = dataclasses.asdict(cfg) if cfg is not None else None
        table.append(row)
        log(
            f"{name:28s} val {row['validation']['ndcg@10']:.4f} xl {row['validation_cross']['ndcg@10']:.4f}"
            f"  test {row['test']['ndcg@10']:.4f} xl {row['test_cross']['ndcg@10']:.4f}"
        )

    record("bm25", "BM25 alone (Sudachi tokens; the baseline)", None, "bm25")
    record("vector", "USE cosine alone", None, "vector")
    record("plain_rrf", "RRF k=60, equal weights (the untuned fusion)", PLAIN_RRF)
    best, best_m = PLAIN_RRF, evaluate(b.val, PLAIN_RRF)
    for name, description in STEPS:
        last = name == STEPS[-1][0]
        cfg, m, tried, ok = choose(b, step_configs(name, best, quick), constrained=last)
        kept = m["ndcg@10"] > best_m["ndcg@10"] or (last and ok)
        if kept:
            best, best_m = cfg, m
        record(name + ("" if kept else " (not kept)"), description, cfg, tried=tried, meets_floor=ok)
    record("final", "the chosen default configuration", best)
    r = dataclasses.replace
    record(
        "ablation: no vector channel",
        "the final configuration with the vector channel off",
        r(best, vector_depth=0),
    )
    record(
        "ablation: no code feedback", "the final configuration without code feedback", r(best, code_weight=0)
    )
    return {
        "protocol": {
            "corpus": "all of ../shared/data/formats minus the held-out queries",
            "cross_corpus": "the same without any J-PlatPat document",
            "validation_bucket": VALIDATION,
            "test_bucket": TEST,
            "corpus_docs": {
                "validation": len(b.val.searcher),
                "test": len(b.test.searcher),
                "cross": len(b.test_xl.searcher),
            },
            "queries": {
                "validation": len(b.val.gains),
                "test": len(b.test.gains),
                "validation_cross": len(b.val_xl.gains),
                "test_cross": len(b.test_xl.gains),
            },
            "cross_language_floor": b.floor,
        },
        "steps": table,
        "final_config": dataclasses.asdict(best),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def markdown(result: dict[str, Any]) -> str:
    p = result["protocol"]
    q = p["queries"]
    lines = [
        "### Retrieval tuning (bench/tune_retrieval.py)",
        "",
        f"Corpus: every record of `shared/data/formats` ({p['corpus_docs']['test']:,} searchable documents) "
        "minus the held-out queries. Queries: held-out J-PlatPat documents (title + 【課題】) — validation "
        f"bucket {p['validation_bucket']} ({q['validation']} queries; every parameter is chosen there), "
        f"test bucket {p['test_bucket']} ({q['test']} queries, reported only). Relevance: Jaccard overlap "
        "of full IPC symbol sets, ideal over the whole corpus. *Cross-language*: the same queries against "
        f"the corpus without J-PlatPat ({p['corpus_docs']['cross']:,} documents, all relevance in English; "
        f"{q['test_cross']} test queries). Each step is kept when it raises validation nDCG@10; the last "
        "step picks the best validation nDCG@10 among configurations whose validation cross-language "
        f"nDCG@10 is at least the vector channel's ({p['cross_language_floor']:.4f}). *Known-item @1*: "
        "share of 400 corpus documents (200 Japanese searched by title + 【課題】, 200 English by title) "
        "found first when searched by their own text (validation corpus).",
        "",
        "| step | what | val nDCG@10 | val x-lang | known-item @1 | test nDCG@10 | test P@10 | test MRR "
        "| test x-lang nDCG@10 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["steps"]:
        t, v, vx, tx = row["test"], row["validation"], row["validation_cross"], row["test_cross"]
        lines.append(
            f"| {row['step']} | {row['description']} | {v['ndcg@10']:.4f} | {vx['ndcg@10']:.4f} | "
            f"{row['known_item_at_1']:.3f} | {t['ndcg@10']:.4f} | {t['p@10']:.4f} | {t['mrr']:.4f} | "
            f"{tx['ndcg@10']:.4f} |"
        )
    rows = {r["step"]: r for r in result["steps"]}
    final = rows["final"]["test"]["ndcg@10"]
    bm25 = rows["bm25"]["test"]["ndcg@10"]
    lines += [
        "",
        f"Final hybrid / BM25 on the test split: **{final / bm25:.2f}×** nDCG@10.",
    ]
    no_vec, no_codes = rows.get("ablation: no vector channel"), rows.get("ablation: no code feedback")
    if no_vec and no_codes:
        f, v, c = rows["final"], no_vec, no_codes
        lines += [
            "",
            "What each part contributes (test split): code feedback "
            f"{f['test']['ndcg@10'] - c['test']['ndcg@10']:+.4f} nDCG@10 (the final configuration without it: "
            f"{c['test']['ndcg@10']:.4f}). The vector channel adds {f['test']['ndcg@10'] - v['test']['ndcg@10']:+.4f} "
            "when query and relevant documents share a language, but it is the only channel that reaches "
            f"documents in another language: cross-language nDCG@10 {f['test_cross']['ndcg@10']:.4f} with it, "
            f"{v['test_cross']['ndcg@10']:.4f} without (the vector channel alone: "
            f"{rows['vector']['test_cross']['ndcg@10']:.4f}; absolute values are small because the English "
            "exports cover other topics, so few of their documents share codes with these queries) — its "
            "candidates are the seeds whose IPC codes code feedback then reads. Code feedback alone would bury a document searched by its own title "
            f"(known-item @1 {rows['code_feedback']['known_item_at_1']:.3f}); ranking the documents that hold "
            f"every query token first restores it ({f['known_item_at_1']:.3f}, BM25: "
            f"{rows['bm25']['known_item_at_1']:.3f}) and raises nDCG@10 too.",
        ]
    lines += [
        "",
        f"Final configuration: `{json.dumps(result['final_config'])}`",
    ]
    return "\n".join(lines) + "\n"


def reference_split() -> dict[str, Any]:
    """The evaluation service on the reference split (J-PlatPat only, bucket 1 held out)."""
    import tempfile
    from pathlib import Path

    import numpy as np

    from tsunagu.retrieval.indexer import Indexer, text_hash
    from tsunagu.services.evaluation.retrieval import RetrievalEvaluationService
    from tsunagu.services.evaluation.splits import REFERENCE_BUCKET, holdout_bucket
    from tsunagu.services.ingestion import IngestionService, read_patents
    from tsunagu.storage.sql import SqlPatentStore

    records = read_patents(IngestionService(store=None), [SHARED / "formats" / "jplatpat_csv"])  # type: ignore[arg-type]
    corpus = [p for p in records if holdout_bucket(p) != REFERENCE_BUCKET]
    queries = [p for p in records if holdout_bucket(p) == REFERENCE_BUCKET]
    vectors = VectorCache()
    with tempfile.TemporaryDirectory() as tmp:
        store = SqlPatentStore(f"sqlite:///{Path(tmp) / 'db.sqlite'}")
        store.upsert_many(corpus)
        indexer = Indexer(store, Path(tmp) / "index", embedder=vectors.embedder)
        docs = [p for p in corpus if p.text().strip()]
        texts = [p.text() for p in docs]
        pool = Path(tmp) / "vectors.npz"
        np.savez_compressed(
            pool,
            keys=np.asarray([p.key for p in docs]),
            hashes=np.asarray([text_hash(t) for t in texts], dtype=np.uint64),
            vectors=vectors.vectors(texts).astype(np.float16),
            embedder=np.asarray("use"),
        )
        indexer.import_vectors(pool)
        report = indexer.update()
        searcher = indexer.load_searcher()
        vectors.vectors([query_text(q.title, q.abstract) for q in queries])  # warm the cache
        t0 = time.perf_counter()
        out = RetrievalEvaluationService(store, searcher).evaluate(queries)
        out["seconds"] = round(time.perf_counter() - t0, 1)
        out["embedded_during_indexing"] = report.embedded
        store.close()
    out["reference"] = {"bm25": 0.3272, "vector": 0.2884, "rrf60": 0.3140, "n": 548}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a small grid (for a smoke run)")
    ap.add_argument("--reference-split", action="store_true", help="check agreement with the reference")
    ap.add_argument("--markdown-only", action="store_true", help="rewrite the .md from the last JSON")
    args = ap.parse_args()
    if args.markdown_only:
        result = json.loads((RESULTS / "retrieval_tuning.json").read_text())
        (RESULTS / "retrieval_tuning.md").write_text(markdown(result))
        print(markdown(result))
        return
    if args.reference_split:
        out = reference_split()
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "retrieval_reference_split.json").write_text(json.dumps(out, indent=1) + "\n")
        print(json.dumps(out, indent=1))
        return
    result = run(args.quick)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "retrieval_tuning.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    md = markdown(result)
    (RESULTS / "retrieval_tuning.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
