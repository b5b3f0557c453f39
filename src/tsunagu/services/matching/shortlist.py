"""A cheap first pass over every registered company for one offer (`MatchingService.companies_for_offer`).

The register can hold thousands of companies (the demo derives several thousand from corpus
applicants); building each full profile (own patents, vectors, inferred fields) takes tens of
milliseconds. So candidates are first scored in one batch with the same two measured components,
computed cheaply: capability fit as the TF-IDF cosine of the offer against each company's description
and own patent titles, and field proximity from the groups of its own classified patents (no inference).
The best ``keep`` companies — plus every company with an open need, which the first pass cannot see —
go on to the full scoring. The full score decides the order; the shortlist only bounds the work.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tsunagu.domain.codes import main_group
from tsunagu.domain.matching import Company, Offer
from tsunagu.retrieval.text import TextAnalyzer
from tsunagu.services.companies import ApplicantIndex, PatentLookup
from tsunagu.services.matching.fields import FieldGraph
from tsunagu.services.matching.scoring import MatchWeights, combine
from tsunagu.services.matching.text import TfidfChannel

__all__ = ["shortlist"]

_CAP = 0.999
_MAX_PATENTS = 200


def _offer_columns(
    graph: FieldGraph, groups: Sequence[str]
) -> list[tuple[str, dict[int, float], dict[int, float]]]:
    """For each offer group ``g``: ``P_doc(g | h)`` and ``P_app(g | h)`` for every group ``h`` linked to it."""
    out = []
    for g in groups:
        gid = graph.index.get(g)
        doc: dict[int, float] = {}
        app: dict[int, float] = {}
        if gid is not None:
            for h, row in enumerate(graph.co_doc):
                if gid in row and graph.doc_count[h] > 0:
                    doc[h] = row[gid] / graph.doc_count[h]
            for h, row in enumerate(graph.co_app):
                if gid in row and graph.app_count[h] > 0:
                    app[h] = row[gid] / graph.app_count[h]
        out.append((g, doc, app))
    return out


def shortlist(
    offer: Offer,
    companies: Sequence[Company],
    *,
    keep: int,
    graph: FieldGraph,
    applicants: ApplicantIndex,
    patents: PatentLookup,
    analyzer: TextAnalyzer,
    weights: MatchWeights,
    with_needs: set[int],
) -> list[Company]:
    """The companies worth full scoring for ``offer`` (all of them when there are at most ``keep``)."""
    if len(companies) <= keep:
        return list(companies)
    keys: list[list[str]] = []
    for c in companies:
        own: list[str] = []
        for name in c.names():
            hit = applicants.lookup(name)
            if hit is not None:
                own.extend(hit[1])
        keys.append(list(dict.fromkeys(own))[:_MAX_PATENTS])
    needed = {k for ks in keys for k in ks}
    rows: dict[str, tuple[str, tuple[str, ...]]] = {}
    if needed:
        for row in patents.iter_rows(["title", "ipc_codes"]):
            if row["key"] in needed:
                rows[row["key"]] = (row["title"] or "", tuple(row["ipc_codes"]))
    token_lists = []
    homes: list[set[int]] = []
    for c, ks in zip(companies, keys, strict=True):
        tokens = analyzer.tokens(c.text()) if c.text() else []
        home: set[int] = set()
        for k in ks:
            title, codes = rows.get(k, ("", ()))
            tokens += analyzer.tokens(title)
            home.update(
                graph.index[g] for g in {main_group(x) for x in codes if "/" in x} if g in graph.index
            )
        token_lists.append(tokens)
        homes.append(home)
    capability = np.clip(TfidfChannel(token_lists).scores(analyzer.tokens(offer.text())), 0.0, 1.0)
    columns = _offer_columns(graph, sorted({main_group(c) for c in offer.ipc_codes if "/" in c}))
    field = np.zeros(len(companies), dtype=np.float64)
    for i, home in enumerate(homes):
        miss_doc = miss_app = 1.0
        for g, doc, app in columns:
            if graph.index.get(g) in home:
                continue
            miss_doc *= 1.0 - min(max((doc.get(h, 0.0) for h in home), default=0.0), _CAP)
            miss_app *= 1.0 - min(max((app.get(h, 0.0) for h in home), default=0.0), _CAP)
        field[i] = 0.5 * (1.0 - miss_doc) + 0.5 * (1.0 - miss_app)
    score = combine({"capability_fit": capability, "field_proximity": field}, weights)
    order = np.lexsort((np.arange(len(companies)), -score))
    chosen = {int(i) for i in order[:keep]}
    chosen |= {i for i, c in enumerate(companies) if c.id in with_needs}
    return [companies[i] for i in sorted(chosen)]
