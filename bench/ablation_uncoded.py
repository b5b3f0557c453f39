"""Ablation: the code-feedback estimate for candidates without classification codes.

A quarter of the demo corpus (mostly older US grants, some CN/KR records) carries no IPC code. Code
feedback adds up to ``code_weight`` to candidates whose codes overlap the top documents' codes; a
candidate without codes used to get nothing, so a record that both text channels put first could
fall below dozens of coded records. `SearchConfig.uncoded_neighbours` gives it instead the median code
part of the coded candidates nearest to it in text order.

The evaluation's relevance (IPC overlap) can never credit a record without codes, so on the real
corpus the figures can only show the cost. The benefit is measured in two ways:

* hidden codes: the codes of a random ``--hide`` share of the coded records are hidden from the
  searcher (as if the export had none) while relevance still uses their true codes, so the metrics
  see whether such records are ranked as their relevance deserves;
* known items: ``--known`` uncoded English records, each searched by its title (the query a person
  would type); the rank of the record itself (MRR and hit@10).

Protocol and splits as in ``bench/tune_retrieval.py`` (validation bucket 2, test bucket 3, and the
cross-language variants); the searcher's default configuration with only ``uncoded_neighbours``
changed.

Usage: python bench/ablation_uncoded.py [--values 0 3 6 12] [--known 300]
Writes bench/results/ablation_uncoded.json and prints a table.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from typing import Any

import numpy as np
from retrieval_common import (
    RESULTS,
    Prepared,
    TokenCache,
    VectorCache,
    load_records,
    log,
    make_split,
    method_rankers,
    prepare,
    score_rankings,
)

from tsunagu.retrieval.code_feedback import CodeMatrix
from tsunagu.retrieval.searcher import SearchConfig
from tsunagu.retrieval.text import TextAnalyzer

VALIDATION, TEST = 2, 3


def hide_codes(prep: Prepared, share: float, seed: int = 1) -> Prepared:
    """The same split with the codes of ``share`` of the coded rows hidden from the searcher only."""
    s = prep.searcher
    assert s.codes is not None
    rng = np.random.default_rng(seed)
    hidden = (s.codes.sizes > 0) & (rng.random(len(s.codes)) < share)
    codes = CodeMatrix.build(() if hidden[i] else s.codes.codes(i) for i in range(len(s.codes)))
    searcher = s.with_config()
    searcher.codes = codes
    return dataclasses.replace(prep, searcher=searcher)


def known_items(prep: Prepared, n: int, seed: int = 0) -> list[tuple[int, str]]:
    """(searcher row, title) of ``n`` uncoded English records with a title of at least three words."""
    by_key = {p.key: p for p in prep.split.corpus}
    s = prep.searcher
    assert s.codes is not None
    rows = [
        i
        for i, k in enumerate(s.keys)
        if s.codes.sizes[i] == 0 and by_key[k].language == "en" and len(by_key[k].title.split()) >= 3
    ]
    rng = np.random.default_rng(seed)
    chosen = sorted(int(i) for i in rng.choice(rows, min(n, len(rows)), replace=False))
    return [(r, by_key[s.keys[r]].title) for r in chosen]


def known_item_scores(
    prep: Prepared, items: list[tuple[int, str]], vectors: np.ndarray, cfg: SearchConfig
) -> dict[str, float]:
    s = prep.searcher.with_config(**cfg.__dict__)
    rr, hit10 = [], []
    for (row, title), vec in zip(items, vectors, strict=True):
        ranked = [c.row for c in s.rank(title, vector=vec)[:100]]
        rank = ranked.index(row) + 1 if row in ranked else None
        rr.append(1.0 / rank if rank else 0.0)
        hit10.append(1.0 if rank and rank <= 10 else 0.0)
    return {"mrr": round(float(np.mean(rr)), 4), "hit@10": round(float(np.mean(hit10)), 4), "n": len(items)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--values", type=int, nargs="+", default=[0, 3, 6, 12])
    ap.add_argument("--known", type=int, default=300)
    ap.add_argument("--hide", type=float, default=0.25, help="share of coded records whose codes are hidden")
    args = ap.parse_args()
    t0 = time.perf_counter()
    records = load_records()
    tokens, vectors = TokenCache(TextAnalyzer()), VectorCache()

    def prepared(bucket: int, name: str, cross: bool) -> Prepared:
        split = make_split(records, bucket, name)
        if cross:
            split = dataclasses.replace(
                split, corpus=[p for p in split.corpus if "jplatpat_csv" not in p.sources]
            )
        return prepare(split, tokens, vectors)

    splits = {
        "validation": prepared(VALIDATION, "validation", False),
        "validation_cross": prepared(VALIDATION, "validation-cross", True),
        "test": prepared(TEST, "test", False),
        "test_cross": prepared(TEST, "test-cross", True),
    }
    for name in list(splits):
        splits[name + "_hidden"] = hide_codes(splits[name], args.hide)
    items = known_items(splits["validation"], args.known)
    item_vectors = vectors.vectors([t for _, t in items])
    vectors.save()
    log(f"prepared in {time.perf_counter() - t0:.0f} s; {len(items)} uncoded known items")
    rows: list[dict[str, Any]] = []
    for n in args.values:
        cfg = dataclasses.replace(SearchConfig(), uncoded_neighbours=n)
        row: dict[str, Any] = {"uncoded_neighbours": n}
        for name, prep in splits.items():
            row[name] = score_rankings(prep, method_rankers(prep, cfg)["hybrid"])
        row["uncoded_known_items"] = known_item_scores(splits["validation"], items, item_vectors, cfg)
        rows.append(row)
        log(
            f"n={n:2d}  val {row['validation']['ndcg@10']:.4f}  val-xl {row['validation_cross']['ndcg@10']:.4f}"
            f"  test {row['test']['ndcg@10']:.4f}  test-xl {row['test_cross']['ndcg@10']:.4f}"
            f"  hidden: val {row['validation_hidden']['ndcg@10']:.4f}"
            f" val-xl {row['validation_cross_hidden']['ndcg@10']:.4f}"
            f" test {row['test_hidden']['ndcg@10']:.4f} test-xl {row['test_cross_hidden']['ndcg@10']:.4f}"
            f"  uncoded known items MRR {row['uncoded_known_items']['mrr']:.4f}"
            f" hit@10 {row['uncoded_known_items']['hit@10']:.4f}"
        )
    names = list(splits)
    print("| uncoded_neighbours | " + " | ".join(names) + " | uncoded known items MRR / hit@10 |")
    print("|---" * (len(names) + 2) + "|")
    for r in rows:
        cells = " | ".join(f"{r[n]['ndcg@10']:.4f}" for n in names)
        k = r["uncoded_known_items"]
        print(f"| {r['uncoded_neighbours']} | {cells} | {k['mrr']:.4f} / {k['hit@10']:.4f} |")
    out = RESULTS / "ablation_uncoded.json"
    out.write_text(json.dumps({"rows": rows, "seconds": round(time.perf_counter() - t0, 1)}, indent=2) + "\n")
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
