"""Retrieval speed: index build time, query latency (lexical, vector, hybrid), recall of the ANN index,
peak memory — at the demo size (every record of ../shared/data/formats, ~50k documents) and at
1,000,000 documents.

The 1M corpus replicates the real documents under new row ids until it holds 1,000,000 rows: the
lexical side repeats each document's tokens (so posting lists grow 20×, as in a real corpus of
similar documents), the code side repeats its IPC codes, and the vector side repeats its vector
plus Gaussian noise (σ = 0.005 per dimension, then re-normalised; cosine to the original ≈ 0.994) so
that copies are near neighbours but not exact duplicates. Recall of the approximate index is
measured against exact search, a hit on any copy of the same source document counting as that
document.

Query texts: held-out J-PlatPat documents (title + 【課題】, bucket 3) and English titles. Latencies
include analysing and embedding the query. Run alone on the machine when possible; the JSON records
the load average seen during the run.

Usage: python bench/bench_retrieval.py [--rows 1000000] [--queries 200] [--skip-1m]
Writes bench/results/retrieval.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from retrieval_common import RESULTS, VectorCache, load_records, log, make_split

from tsunagu.retrieval.code_feedback import CodeMatrix
from tsunagu.retrieval.embedders.use import UseEmbedder
from tsunagu.retrieval.lexical.bm25s_index import Bm25sLexicalIndex
from tsunagu.retrieval.searcher import HybridSearcher
from tsunagu.retrieval.text import TextAnalyzer, query_text
from tsunagu.retrieval.vector.numpy_index import NumpyVectorIndex

NOISE_SIGMA = 0.005


def distinct(sources: np.ndarray) -> list[int]:
    """Source documents in rank order, each once (copies of one document count as that document)."""
    return list(dict.fromkeys(sources.tolist()))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    a = np.asarray(samples) * 1000
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p95_ms": round(float(np.percentile(a, 95)), 2),
        "mean_ms": round(float(a.mean()), 2),
    }


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def latency(searcher: HybridSearcher, queries: Sequence[str]) -> dict[str, dict[str, float]]:
    """p50/p95 of the lexical channel, the vector channel and the full hybrid search (cold queries)."""
    for q in queries[:5]:  # warm-up: dictionary, model, page cache
        searcher.search(q, k=10)
    lex, vec, hyb = [], [], []
    cfg = searcher.config
    for q in queries:
        t0 = time.perf_counter()
        searcher.lexical_channel(searcher.analyzer.tokens(q), cfg.lexical_depth)
        lex.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        v = searcher.embed_query(q)
        assert v is not None
        searcher.vector_channel(v, cfg.vector_depth)
        vec.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        searcher.search(q, k=10)
        hyb.append(time.perf_counter() - t0)
    return {"lexical": percentiles(lex), "vector": percentiles(vec), "hybrid": percentiles(hyb)}


def demo_size(
    records: list, queries: list[str], vectors_cache: VectorCache
) -> tuple[dict[str, Any], dict[str, Any]]:
    docs = [p for p in records if p.text().strip()]
    texts = [p.text() for p in docs]
    analyzer = TextAnalyzer()
    out: dict[str, Any] = {"documents": len(docs)}
    tokens, secs = timed(lambda: [analyzer.tokens(t) for t in texts])
    out["tokenise_s"] = round(secs, 1)
    out["tokenise_docs_per_s"] = round(len(texts) / secs)
    ja = [t for p, t in zip(docs, texts, strict=True) if p.language == "ja" and p.abstract]
    _, secs = timed(lambda: [analyzer.tokens(t) for t in ja])
    out["tokenise_japanese_abstracts_per_s"] = round(len(ja) / secs)
    lexical, secs = timed(lambda: Bm25sLexicalIndex.build(tokens))
    out["bm25_build_s"] = round(secs, 2)
    # embedding rate on a sample (the whole corpus comes from the cache: embedding it takes minutes)
    sample = texts[:: max(1, len(texts) // 400)][:400]
    embedder = UseEmbedder(threads=int(os.environ.get("TSUNAGU_BENCH_THREADS", "1")))
    embedder.embed(sample[:4])
    _, secs = timed(lambda: embedder.embed(sample))
    out["embed_docs_per_s"] = round(len(sample) / secs, 1)
    out["embed_all_estimated_s"] = round(len(texts) / (len(sample) / secs))
    _, secs = timed(lambda: embedder.embed(ja[:200]))
    out["embed_japanese_abstracts_per_s"] = round(min(200, len(ja)) / secs, 1)
    matrix = vectors_cache.vectors(texts)
    vector = NumpyVectorIndex.build(matrix)  # float16, float32 copy made on the first search
    codes, secs = timed(lambda: CodeMatrix.build(p.ipc_codes for p in docs))
    out["code_matrix_build_s"] = round(secs, 2)
    searcher = HybridSearcher([p.key for p in docs], analyzer, embedder, lexical, vector, codes)
    out["latency"] = latency(searcher, queries)
    out["peak_rss_mib"] = round(peak_rss_mib())
    state = {"docs": docs, "tokens": tokens, "matrix": matrix, "embedder": embedder, "analyzer": analyzer}
    return out, state


def million(state: dict[str, Any], rows: int, queries: list[str]) -> dict[str, Any]:
    docs, tokens, matrix = state["docs"], state["tokens"], state["matrix"]
    n = len(docs)
    src = np.arange(rows) % n  # source document of each row
    out: dict[str, Any] = {
        "documents": rows,
        "copies_per_document": round(rows / n, 2),
        "vector_noise_sigma": NOISE_SIGMA,
    }
    # lexical: flat token ids, repeated
    vocab: dict[str, int] = {}
    ids = [
        np.fromiter((vocab.setdefault(t, len(vocab)) for t in toks), np.int32, len(toks)) for toks in tokens
    ]
    lengths = np.array([len(t) for t in ids], dtype=np.int64)
    flat = np.concatenate(ids)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    rep_len = lengths[src]
    ptr = np.concatenate([[0], np.cumsum(rep_len)]).astype(np.int64)
    gather = np.repeat(starts[src] - ptr[:-1], rep_len) + np.arange(ptr[-1])
    rep_tokens = flat[gather]
    del gather
    t0 = time.perf_counter()
    lexical = Bm25sLexicalIndex.build_from_ids(ptr, rep_tokens, list(vocab))
    out["bm25_build_s"] = round(time.perf_counter() - t0, 1)
    del rep_tokens
    # vectors: repeated with noise
    rng = np.random.default_rng(0)
    vec = np.empty((rows, matrix.shape[1]), dtype=np.float16)
    for s in range(0, rows, 65536):
        block = matrix[src[s : s + 65536]] + rng.normal(
            0, NOISE_SIGMA, (len(src[s : s + 65536]), matrix.shape[1])
        )
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        vec[s : s + 65536] = block
    codes = CodeMatrix.build(docs[i].ipc_codes for i in src.tolist())
    keys = [f"{docs[i].key}#{r}" for r, i in enumerate(src.tolist())]
    analyzer, embedder = state["analyzer"], state["embedder"]
    exact = NumpyVectorIndex(vec, max_float32_bytes=3 << 30)
    _, secs = timed(lambda: exact.scores(vec[0]))  # the float32 copy is made here
    out["numpy_float32_copy_s"] = round(secs, 1)
    searcher = HybridSearcher(keys, analyzer, embedder, lexical, exact, codes)
    out["exact_numpy"] = {"latency": latency(searcher, queries), "peak_rss_mib": round(peak_rss_mib())}
    qvecs = embedder.embed(queries)
    depth = searcher.config.vector_depth
    out["vector_depth"] = depth
    exact_hits = [exact.search(q, depth)[0] for q in qvecs]
    try:
        from tsunagu.retrieval.vector.usearch_index import UsearchVectorIndex
    except ImportError:  # pragma: no cover - optional
        out["usearch"] = "not installed"
        return out
    exact._f32 = None  # free the float32 copy before building the graph
    for dtype in ("i8",):
        ann, secs = timed(
            lambda dtype=dtype: UsearchVectorIndex.build(vec, dtype=dtype, threads=os.cpu_count() or 1)
        )
        res: dict[str, Any] = {"build_s": round(secs, 1)}
        for ef in (200, 256, 400):
            ann.index.expansion_search = ef
            recall, in_list = [], []
            for q, truth in zip(qvecs, exact_hits, strict=True):
                got = distinct(src[ann.search(q, depth)[0]])
                want = distinct(src[truth])[:10]
                recall.append(len(set(want) & set(got[:10])) / len(want))
                in_list.append(len(set(want) & set(got)) / len(want))
            res[f"recall@10_ef{ef}"] = round(float(np.mean(recall)), 4)
            res[f"candidate_recall_ef{ef}"] = round(float(np.mean(in_list)), 4)
        ann.index.expansion_search = 256
        searcher = HybridSearcher(keys, analyzer, embedder, lexical, ann, codes)
        res["latency"] = latency(searcher, queries)
        res["peak_rss_mib"] = round(peak_rss_mib())
        out[f"usearch_hnsw_{dtype}"] = res
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--skip-1m", action="store_true")
    args = ap.parse_args()
    records = load_records()
    split = make_split(records, 3)
    ja = [query_text(p.title, p.abstract) for p in split.queries if p.ipc_codes][: args.queries * 3 // 4]
    en = [p.title for p in records if p.language == "en" and p.title][::97][: args.queries - len(ja)]
    queries = ja + en
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_start": os.getloadavg(),
        },
        "queries": {"japanese": len(ja), "english": len(en)},
    }
    demo, state = demo_size(split.corpus, queries, VectorCache())
    result["demo"] = demo
    log(json.dumps(demo, indent=1))
    if not args.skip_1m:
        result["million"] = million(state, args.rows, queries)
        log(json.dumps(result["million"], indent=1))
    elif (RESULTS / "retrieval.json").exists():  # keep the last 1M figures
        previous = json.loads((RESULTS / "retrieval.json").read_text())
        if "million" in previous:
            result["million"] = previous["million"]
    result["machine"]["load_average_end"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "retrieval.json").write_text(json.dumps(result, indent=1) + "\n")
    md = markdown(result)
    (RESULTS / "retrieval.md").write_text(md)
    print(md)


def markdown(result: dict[str, Any]) -> str:
    d = result["demo"]
    lines = [
        "### Retrieval speed (bench/bench_retrieval.py)",
        "",
        f"{result['machine']['cpus']} CPUs (shared; load average {result['machine']['load_average_start'][0]:.1f} "
        f"at the start, {result['machine']['load_average_end'][0]:.1f} at the end), one BLAS thread. "
        f"{result['queries']['japanese']} Japanese (title + 【課題】) and {result['queries']['english']} "
        "English (title) queries; latencies include analysing and embedding the query.",
        "",
        f"Demo size, {d['documents']:,} documents (two thirds are title-only records): tokenising "
        f"{d['tokenise_s']} s ({d['tokenise_docs_per_s']:,} docs/s; Japanese title + abstract "
        f"{d.get('tokenise_japanese_abstracts_per_s', 0):,}/s), BM25 build {d['bm25_build_s']} s, code "
        f"matrix {d['code_matrix_build_s']} s, USE embedding {d['embed_docs_per_s']} docs/s (Japanese "
        f"title + abstract {d.get('embed_japanese_abstracts_per_s', 0)}/s; ≈ {d['embed_all_estimated_s']:,} s "
        "for the whole corpus — the demo ships its vectors).",
        "",
        table(result),
    ]
    m = result.get("million")
    if m:
        lines += [
            "",
            f"{m['documents']:,} documents: the real documents replicated {m['copies_per_document']}× "
            "(vectors with Gaussian "
            f"noise σ = {m['vector_noise_sigma']}); BM25 build {m['bm25_build_s']} s.",
        ]
        depth = m.get("vector_depth", 200)
        for key, val in m.items():
            if key.startswith("usearch_") and isinstance(val, dict):
                recalls = ", ".join(
                    f"{k.split('_')[1]} {v:.3f} (in the {depth}-row list: {val['candidate_recall_' + k.split('_')[1]]:.3f})"
                    for k, v in val.items()
                    if k.startswith("recall")
                )
                lines.append(
                    f"{key}: build {val['build_s']} s; recall@10 of the 10 nearest source documents of "
                    f"exact search (copies of a document count as that document), by HNSW search "
                    f"breadth (usearch searches at least {depth} wide for {depth} hits): {recalls}."
                )
    return "\n".join(lines) + "\n"


def table(result: dict[str, Any]) -> str:
    lines = [
        "| corpus | vector index | lexical p50/p95 ms | vector p50/p95 ms | hybrid p50/p95 ms | peak RSS MiB |",
        "|---|---|---|---|---|---|",
    ]

    def row(name: str, index: str, lat: dict[str, dict[str, float]], rss: float) -> None:
        cells = [f"{lat[c]['p50_ms']:.1f} / {lat[c]['p95_ms']:.1f}" for c in ("lexical", "vector", "hybrid")]
        lines.append(f"| {name} | {index} | " + " | ".join(cells) + f" | {rss:.0f} |")

    d = result["demo"]
    row(f"demo ({d['documents']:,})", "numpy exact (float16 → float32)", d["latency"], d["peak_rss_mib"])
    m = result.get("million")
    if m:
        row(
            f"{m['documents']:,}",
            "numpy exact (float32 in RAM)",
            m["exact_numpy"]["latency"],
            m["exact_numpy"]["peak_rss_mib"],
        )
        for key, val in m.items():
            if key.startswith("usearch_") and isinstance(val, dict):
                row(f"{m['documents']:,}", f"{key} (ef=256)", val["latency"], val["peak_rss_mib"])
    return "\n".join(lines)


if __name__ == "__main__":
    main()
