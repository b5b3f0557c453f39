"""The traceable core of discovery: query items → neighbours → evidence per field → scored fields.

Steps (every intermediate result is kept, so each card can say where it came from):

1. `query_items`: the whole input, each passage and each function / effect phrase become query items.
2. `search_items`: each item is searched in the lexical (BM25) and vector channels over the corpus
   documents that carry IPC codes.
3. `aggregate`: a document's evidence weight is the sum over items of the item's weight times its
   rescaled score in each channel; the item that contributed most is remembered.
4. `score_fields`: documents vote their weight for each IPC main group they carry. The section with
   most evidence is the home section; subclasses holding a large share are the home fields. Each
   candidate field gets relevance (its share of the evidence), novelty (how far it sits outside the
   fields most co-classified with the home fields in this corpus), momentum (filings in the last
   years of data against the years before, relative to the whole corpus) and evidence strength.
   The ranking score is relevance × (1 + w × novelty) with ``w = boldness / (1 - boldness)``.
5. `select_cards`: fields in score order, with an optional per-subclass diversity penalty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tsunagu.domain.codes import main_group
from tsunagu.retrieval.phrases import PhraseAnalysis
from tsunagu.retrieval.ranking import top_k
from tsunagu.services.discovery.model import DiscoveryConfig
from tsunagu.services.discovery.stats import FieldStats

__all__ = [
    "Aggregate",
    "FieldScore",
    "FieldScoring",
    "ItemHits",
    "QueryItem",
    "RowGroups",
    "aggregate",
    "home_from_codes",
    "query_items",
    "score_fields",
    "select_cards",
]


@dataclass(frozen=True)
class QueryItem:
    """One searched piece of the input.

    Attributes:
        kind: ``"whole"`` (title + text), ``"passage"`` or ``"phrase"``.
        text: the searched text.
        passage: index of the passage (for passages and phrases), else None.
        phrase: index of the phrase in `PhraseAnalysis.phrases` (phrases only), else None.
    """

    kind: str
    text: str
    passage: int | None = None
    phrase: int | None = None


def query_items(
    analysis: PhraseAnalysis, config: DiscoveryConfig, extra_texts: Sequence[str] = ()
) -> list[QueryItem]:
    """The items searched for an input: whole text, passages (longest first when capped), phrases.

    Args:
        analysis: the input's analysis.
        config: caps on passages and phrases.
        extra_texts: further whole-text items (for example the abstracts of input patents).
    """
    items = [QueryItem("whole", analysis.text)]
    items += [QueryItem("whole", t) for t in extra_texts if t.strip()]
    passages = [p for p in analysis.passages if p.text.strip()]
    if len(passages) > 1:
        if len(passages) > config.max_passages:
            keep = sorted(passages, key=lambda p: -len(p.text))[: config.max_passages]
            passages = sorted(keep, key=lambda p: p.index)
        items += [QueryItem("passage", p.text, passage=p.index) for p in passages]
    if config.phrase_weight > 0 or config.max_phrases > 0:
        phrases = [
            (i, ph) for i, ph in enumerate(analysis.phrases) if ph.kind in ("function", "effect", "problem")
        ][: config.max_phrases]
        items += [QueryItem("phrase", ph.text, passage=ph.passage, phrase=i) for i, ph in phrases]
    return items


@dataclass
class ItemHits:
    """Top rows of one query item in each channel (raw scores; rescaling happens in `aggregate`).

    Attributes:
        lex_rows: rows by BM25, best first (only rows with a positive score).
        lex_scores: their BM25 scores.
        vec_rows: rows by cosine, best first.
        vec_scores: their cosine similarities.
        lex_bound: the item's BM25 bound (sum over its tokens of the token's best score in any
            document): an absolute scale for its BM25 scores (0 when unknown).
    """

    lex_rows: np.ndarray
    lex_scores: np.ndarray
    vec_rows: np.ndarray
    vec_scores: np.ndarray
    lex_bound: float = 0.0


def empty_hits() -> ItemHits:
    """Hits of an item that found nothing."""
    e_i, e_f = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return ItemHits(e_i, e_f, e_i, e_f)


def channel_top(
    scores: np.ndarray, allowed: np.ndarray | None, k: int, positive: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` rows of a full score array, restricted to ``allowed`` rows (a boolean mask)."""
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf).astype(np.float32)
    ids, vals = top_k(scores, k)
    keep = vals > 0 if positive else np.isfinite(vals)
    return ids[keep], vals[keep]


@dataclass
class Aggregate:
    """Evidence weight per document, with the trace of where it came from.

    Attributes:
        rows: document rows with positive weight.
        weight: their evidence weight.
        best_item: index of the query item that contributed most to each row.
        lexical: best rescaled BM25 score over items (0 when never ranked lexically).
        vector: best cosine over items (nan when never ranked by vector).
        item_support: per item, the rows it ranked and its contribution to each.
    """

    rows: np.ndarray
    weight: np.ndarray
    best_item: np.ndarray
    lexical: np.ndarray
    vector: np.ndarray
    item_support: list[dict[int, float]] = field(default_factory=list)


def aggregate(items: Sequence[QueryItem], hits: Sequence[ItemHits], config: DiscoveryConfig) -> Aggregate:
    """Sum each item's rescaled channel scores into document evidence weights (see the module doc)."""
    weight: dict[int, float] = {}
    best: dict[int, tuple[float, int]] = {}
    lexical: dict[int, float] = {}
    vector: dict[int, float] = {}
    support: list[dict[int, float]] = []
    for n, (item, h) in enumerate(zip(items, hits, strict=True)):
        if item.kind == "whole":
            w_item, depth = 1.0, config.doc_depth
        elif item.kind == "passage":
            w_item, depth = config.passage_weight, config.passage_depth
        else:
            w_item, depth = config.phrase_weight, config.passage_depth
        contrib: dict[int, float] = {}
        if config.lexical_weight > 0 and h.lex_rows.size:
            top = float(h.lex_scores[0]) or 1.0
            if config.lexical_norm == "bound" and h.lex_bound > 0:
                top = h.lex_bound
            for r, s in zip(h.lex_rows[:depth].tolist(), h.lex_scores[:depth].tolist(), strict=True):
                x = s / top
                contrib[r] = contrib.get(r, 0.0) + config.lexical_weight * x
                if x > lexical.get(r, 0.0):
                    lexical[r] = x
        if config.vector_weight > 0 and h.vec_rows.size:
            floor = config.vector_floor
            span = (1.0 if config.vector_norm == "absolute" else float(h.vec_scores[0])) - floor
            if span > 0:
                for r, s in zip(h.vec_rows[:depth].tolist(), h.vec_scores[:depth].tolist(), strict=True):
                    x = max(0.0, (s - floor) / span)
                    if x > 0:
                        contrib[r] = contrib.get(r, 0.0) + config.vector_weight * x
                    if s > vector.get(r, -1.0):
                        vector[r] = s
        support.append(contrib)
        if w_item <= 0:
            continue
        for r, c in contrib.items():
            v = w_item * c
            weight[r] = weight.get(r, 0.0) + v
            if v > best.get(r, (0.0, -1))[0]:
                best[r] = (v, n)
    rows = np.fromiter(weight.keys(), dtype=np.int64, count=len(weight))
    return Aggregate(
        rows=rows,
        weight=np.fromiter(weight.values(), dtype=np.float64, count=len(weight)),
        best_item=np.asarray([best[r][1] for r in rows.tolist()], dtype=np.int64),
        lexical=np.asarray([lexical.get(r, 0.0) for r in rows.tolist()], dtype=np.float64),
        vector=np.asarray([vector.get(r, math.nan) for r in rows.tolist()], dtype=np.float64),
        item_support=support,
    )


class RowGroups:
    """IPC main groups of each index row, as ids into a `FieldStats` vocabulary (CSR).

    Args:
        code_lists: IPC codes of each row (for example from the index's `CodeMatrix`).
        stats: the statistics whose group ids are used; groups unknown to them are dropped.
    """

    def __init__(self, code_lists: Sequence[Sequence[str]], stats: FieldStats) -> None:
        indptr = [0]
        ids: list[int] = []
        for codes in code_lists:
            row = sorted(
                {g for g in (stats.group_id(main_group(c)) for c in codes if c and "/" in c) if g is not None}
            )
            ids.extend(row)
            indptr.append(len(ids))
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.ids = np.asarray(ids, dtype=np.int32)
        self.coded = np.diff(self.indptr) > 0

    def __len__(self) -> int:
        return int(self.indptr.shape[0] - 1)

    def of(self, row: int) -> np.ndarray:
        """Group ids of ``row``."""
        return self.ids[self.indptr[row] : self.indptr[row + 1]]


@dataclass
class FieldScore:
    """The scores of one candidate target field (IPC main group)."""

    group: str
    score: float
    relevance: float
    share: float
    novelty: float
    cooc_rank: int
    cooc_with_home: int
    home_docs: int
    distance: float
    momentum: float
    recent: int
    prior: int
    strength: float
    supporting: int
    best_weight: float
    rows: list[int]
    in_home_section: bool
    excluded: bool = False
    home_field: bool = False


@dataclass
class FieldScoring:
    """Everything `score_fields` found: home estimate and scored candidate fields (score order)."""

    home_section: str
    home_groups: dict[str, float]
    home_subclasses: dict[str, float]
    home_source: str
    fields: list[FieldScore]
    total_weight: float


def home_from_codes(code_lists: Sequence[Sequence[str]]) -> tuple[str, dict[str, float], dict[str, float]]:
    """Home section, groups and subclasses of input patents, by the evaluation's rule.

    The home section holds the most distinct main groups (ties: the section of the first code); home
    groups are its main groups; subclass confidence is the share of input patents carrying it.
    """
    groups: list[str] = []
    firsts: list[str] = []
    for codes in code_lists:
        for c in codes:
            if c and "/" in c:
                firsts.append(c[0])
                g = main_group(c)
                if g not in groups:
                    groups.append(g)
    if not groups:
        return "", {}, {}
    per: dict[str, int] = {}
    for g in groups:
        per[g[0]] = per.get(g[0], 0) + 1
    top = max(per.values())
    section = next(s for s in firsts if per.get(s) == top)
    home_groups = {g: 1.0 for g in groups if g[0] == section}
    n = max(1, sum(1 for codes in code_lists if any(c and "/" in c for c in codes)))
    subs: dict[str, float] = {}
    for codes in code_lists:
        for sub in {c[:4] for c in codes if c and "/" in c}:
            subs[sub] = subs.get(sub, 0.0) + 1.0 / n
    return section, home_groups, subs


def _momentum(
    stats: FieldStats, group_ids: np.ndarray, years: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Momentum of groups: filings in the last ``years`` of data against the ``years`` before.

    ``rel = ((recent + 1) / (prior + 1)) / ((corpus recent + 1) / (corpus prior + 1))`` (growth relative to
    the whole corpus over the same windows) and momentum ``rel / (1 + rel)``: 0.5 = grows like the corpus.

    Returns:
        (momentum, recent filings, prior filings) per group id.
    """
    end = stats.data_end_year

    def window(first: int, last: int) -> tuple[int, int]:
        lo = max(0, first - stats.year_min)
        hi = max(lo, min(stats.group_years.shape[1], last - stats.year_min + 1))
        return lo, hi

    r_lo, r_hi = window(end - years + 1, end)
    p_lo, p_hi = window(end - 2 * years + 1, end - years)
    recent = stats.group_years[group_ids, r_lo:r_hi].sum(axis=1).astype(np.float64)
    prior = stats.group_years[group_ids, p_lo:p_hi].sum(axis=1).astype(np.float64)
    c_recent = stats.corpus_filings(end - years + 1, end)
    c_prior = stats.corpus_filings(end - 2 * years + 1, end - years)
    rel = ((recent + 1) / (prior + 1)) / ((c_recent + 1) / (c_prior + 1))
    return rel / (1.0 + rel), recent.astype(np.int64), prior.astype(np.int64)


def score_fields(
    agg: Aggregate,
    row_groups: RowGroups,
    stats: FieldStats,
    config: DiscoveryConfig,
    boldness: float | None = None,
    home: tuple[str, dict[str, float], dict[str, float]] | None = None,
    exclude: Sequence[str] = (),
) -> FieldScoring:
    """Score every main group the evidence touches (see the module docstring).

    Args:
        agg: document evidence weights.
        row_groups: main groups of each row.
        stats: corpus field statistics.
        config: parameters.
        boldness: 0..1 (None: the configured default).
        home: a known home (from input patents: `home_from_codes`), else it is inferred.
        exclude: IPC prefixes never proposed.
    """
    g_count = stats.n_groups
    votes = np.zeros(g_count, dtype=np.float64)
    rows_of: dict[int, list[int]] = {}
    total = 0.0
    order = np.argsort(-agg.weight, kind="stable")
    for j in order.tolist():
        r = int(agg.rows[j])
        gs = row_groups.of(r)
        if gs.size == 0:
            continue
        w = float(agg.weight[j])
        total += w
        votes[gs] += w
        for g in gs.tolist():
            rows_of.setdefault(g, []).append(j)
    if total <= 0:
        return FieldScoring("", {}, {}, "none", [], 0.0)
    share = votes / total
    touched = np.flatnonzero(votes > 0)
    names = stats.groups
    if home is not None and home[1]:
        home_section, home_groups, home_subclasses = home
        home_source = "patents"
    else:
        sec_mass: dict[str, float] = {}
        sub_mass: dict[str, float] = {}
        for g in touched.tolist():
            sec_mass[names[g][0]] = sec_mass.get(names[g][0], 0.0) + share[g]
        # subclass share = evidence weight of documents carrying the subclass / total
        for j in order.tolist():
            gs = row_groups.of(int(agg.rows[j]))
            if gs.size:
                for sub in {names[g][:4] for g in gs.tolist()}:
                    sub_mass[sub] = sub_mass.get(sub, 0.0) + float(agg.weight[j]) / total
        home_section = max(sorted(sec_mass), key=lambda s: sec_mass[s])
        home_groups = {names[g]: float(share[g]) for g in touched.tolist() if names[g][0] == home_section}
        home_subclasses = {s: v for s, v in sub_mass.items() if v >= config.home_share}
        if not home_subclasses and sub_mass:
            top_sub = max(sorted(sub_mass), key=lambda s: sub_mass[s])
            home_subclasses = {top_sub: sub_mass[top_sub]}
        home_source = "evidence"
    # estimated co-classification with the home groups, over every corpus group
    hsum = sum(home_groups.values()) or 1.0
    cooc_vec = np.zeros(g_count, dtype=np.float64)
    raw_cooc = np.zeros(g_count, dtype=np.float64)
    home_docs = 0
    for h, wgt in home_groups.items():
        n_h = stats.docs(h)
        row = stats.cooc_row(h)
        cooc_vec += (wgt / hsum) * (row + 1.0) / (n_h + g_count)
        raw_cooc += row
        home_docs += n_h
    outside = np.asarray([n[0] != home_section for n in names], dtype=bool)
    rank_of = np.full(g_count, g_count, dtype=np.int64)
    out_ids = np.flatnonzero(outside)
    if out_ids.size:
        # rank by estimated co-classification (ties by code, like the evaluation's cooc order)
        ordered = out_ids[np.lexsort((out_ids, -cooc_vec[out_ids]))]
        rank_of[ordered] = np.arange(ordered.size)
    core = {s for s in home_subclasses if s[0] == home_section}
    weight_nov = config.novelty_weight(boldness)
    n_docs = max(1, stats.n_docs)
    fields: list[FieldScore] = []
    best_overall = float(agg.weight.max()) if agg.weight.size else 1.0
    momenta, recents, priors = _momentum(stats, touched, config.momentum_years)
    weights_all = agg.weight
    for n_g, g in enumerate(touched.tolist()):
        name = names[g]
        in_home = name[0] == home_section
        excluded = any(name.startswith(p) for p in exclude)
        home_field = (
            (config.home_exclusion == "section" and in_home)
            or (config.home_exclusion == "core" and name[:4] in core)
            or (config.home_exclusion == "home" and name[:4] in home_subclasses)
        )
        if in_home or name in home_groups:
            rarity = 0.0
        else:
            r_rank = float(rank_of[g]) / max(1, config.novelty_rank)
            rarity = (1.0 if r_rank >= 1.0 else 0.0) if config.novelty_shape == "step" else min(1.0, r_rank)
        distance = _distance(name, home_groups, home_subclasses, home_section)
        novelty = rarity
        prior = stats.group_docs[g] / n_docs
        relevance = float(share[g]) / (prior**config.prior_exponent if config.prior_exponent else 1.0)
        mom, recent, prior_n = float(momenta[n_g]), int(recents[n_g]), int(priors[n_g])
        js = rows_of.get(g, [])
        weights = weights_all[js[:3]].tolist() if js else []
        supporting = len(js)
        closeness = (sum(weights) / len(weights) / best_overall) if weights else 0.0
        strength = min(1.0, supporting / max(1, config.evidence_per_card)) * closeness
        if math.isinf(weight_nov):
            score = novelty + 1e-6 * relevance
        else:
            score = relevance * (1.0 + weight_nov * novelty)
        if config.momentum_weight:
            score *= 1.0 + config.momentum_weight * (mom - 0.5)
        fields.append(
            FieldScore(
                group=name,
                score=score,
                relevance=relevance,
                share=float(share[g]),
                novelty=novelty,
                cooc_rank=int(rank_of[g]) if not in_home else -1,
                cooc_with_home=int(raw_cooc[g]),
                home_docs=home_docs,
                distance=distance,
                momentum=mom,
                recent=recent,
                prior=prior_n,
                strength=strength,
                supporting=supporting,
                best_weight=weights[0] / best_overall if weights else 0.0,
                rows=agg.rows[js].tolist() if js else [],
                in_home_section=in_home,
                excluded=excluded,
                home_field=home_field,
            )
        )
    fields.sort(key=lambda f: (-f.score, f.group))
    return FieldScoring(home_section, home_groups, home_subclasses, home_source, fields, total)


def _distance(
    group: str, home_groups: dict[str, float], home_subclasses: dict[str, float], section: str
) -> float:
    """IPC-hierarchy distance to the nearest home code: 0 same subclass, 1/3 class, 2/3 section, 1 other."""
    subs = set(home_subclasses) | {h[:4] for h in home_groups}
    if group[:4] in subs:
        return 0.0
    if group[:3] in {s[:3] for s in subs}:
        return 1 / 3
    if group[0] == section or group[0] in {s[0] for s in subs}:
        return 2 / 3
    return 1.0


def select_cards(scoring: FieldScoring, config: DiscoveryConfig, n: int) -> list[FieldScore]:
    """Up to ``n`` card fields: score order without excluded and home fields, per-subclass diversity."""
    pool = [f for f in scoring.fields if not f.excluded and not f.home_field]
    if config.diversity >= 1.0:
        return pool[:n]
    chosen: list[FieldScore] = []
    per_sub: dict[str, int] = {}
    remaining = list(pool)
    while remaining and len(chosen) < n:
        best = max(
            remaining,
            key=lambda f: (f.score * config.diversity ** per_sub.get(f.group[:4], 0), -remaining.index(f)),
        )
        chosen.append(best)
        per_sub[best.group[:4]] = per_sub.get(best.group[:4], 0) + 1
        remaining.remove(best)
    return chosen
