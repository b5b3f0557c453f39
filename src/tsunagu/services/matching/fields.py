"""How close a field new to a company is to the fields it already works in (field proximity).

`FieldGraph` counts, over a set of patent records, how IPC main groups go together in two ways:

- **co-classification** (``doc``): records classified in both ``h`` and ``g``;
  ``P_doc(g | h) = records(h, g) / records(h)``;
- **co-activity** (``app``): applicants with records in both ``h`` and ``g``;
  ``P_app(g | h) = applicants(h, g) / applicants(h)``. Applicants active in more than
  ``max_applicant_groups`` groups (large conglomerates) are counted in ``applicants(h)`` but add no pairs,
  so a few giants do not decide every link.

For a company whose home groups are ``H``, the proximity of a group ``g`` is ``max_h P(g | h)`` for each
kind. An offer's field proximity combines its groups new to the company (not in ``H``) as a noisy-or,
``1 - Π (1 - p_g)``, once per kind, and takes the mean of the two kinds. Groups the company already has
contribute nothing: the measure is about entering a new, adjacent field, which is what a licence makes
possible.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tsunagu.domain.codes import main_group
from tsunagu.domain.matching import normalise_name

__all__ = ["CorpusFieldGraph", "FieldGraph", "FieldLink", "OfferFieldMatrix", "Proximity"]

_CAP = 0.999  # a single link never makes a group certain


@dataclass(frozen=True)
class FieldLink:
    """Why a new group is close: the company's home group with the strongest link, per kind."""

    group: str
    home_doc: str
    p_doc: float
    home_app: str
    p_app: float

    @property
    def value(self) -> float:
        return 0.5 * (self.p_doc + self.p_app)


@dataclass(frozen=True)
class Proximity:
    """Proximity of every group of a `FieldGraph` to one company's home groups.

    Attributes:
        home: the company's home group ids.
        p_doc, p_app: per group id, the strongest link of each kind (0 for home groups).
        arg_doc, arg_app: per group id, the home group id giving it (-1 when none).
    """

    home: frozenset[int]
    p_doc: np.ndarray
    p_app: np.ndarray
    arg_doc: np.ndarray
    arg_app: np.ndarray


class FieldGraph:
    """Co-classification and co-activity counts between IPC main groups (see the module docstring).

    Build with `fit`; use `proximity` for a company, then `OfferFieldMatrix.scores` for many offers.
    """

    def __init__(
        self,
        groups: Sequence[str],
        doc_count: np.ndarray,
        app_count: np.ndarray,
        co_doc: list[dict[int, float]],
        co_app: list[dict[int, float]],
        *,
        documents: int = 0,
    ) -> None:
        self.groups = list(groups)
        self.index = {g: i for i, g in enumerate(self.groups)}
        self.doc_count = doc_count
        self.app_count = app_count
        self.co_doc = co_doc
        self.co_app = co_app
        self.documents = documents

    def __len__(self) -> int:
        return len(self.groups)

    @classmethod
    def fit(
        cls, records: Iterable[tuple[Sequence[str], Sequence[str]]], *, max_applicant_groups: int = 300
    ) -> FieldGraph:
        """Count a corpus given as ``(main groups, applicant keys)`` per record."""
        index: dict[str, int] = {}
        doc_pairs: list[dict[int, float]] = []
        doc_count: list[float] = []
        app_groups: dict[str, set[int]] = {}
        documents = 0
        for groups, applicants in records:
            ids = sorted({index.setdefault(g, len(index)) for g in groups})
            while len(doc_count) < len(index):
                doc_count.append(0.0)
                doc_pairs.append({})
            if not ids:
                continue
            documents += 1
            for a in ids:
                doc_count[a] += 1
                row = doc_pairs[a]
                for b in ids:
                    if b != a:
                        row[b] = row.get(b, 0.0) + 1.0
            for applicant in applicants:
                app_groups.setdefault(applicant, set()).update(ids)
        n = len(index)
        app_count = np.zeros(n, dtype=np.float64)
        app_pairs: list[dict[int, float]] = [{} for _ in range(n)]
        for active in app_groups.values():
            for a in active:
                app_count[a] += 1
            if len(active) > max_applicant_groups:
                continue
            for a in active:
                row = app_pairs[a]
                for b in active:
                    if b != a:
                        row[b] = row.get(b, 0.0) + 1.0
        groups = sorted(index, key=index.__getitem__)
        return cls(
            groups,
            np.asarray(doc_count, dtype=np.float64),
            app_count,
            doc_pairs,
            app_pairs,
            documents=documents,
        )

    def proximity(self, home: Iterable[str]) -> Proximity:
        """Strongest links from ``home`` groups to every group (unknown home groups are ignored)."""
        ids = frozenset(self.index[g] for g in home if g in self.index)
        n = len(self.groups)
        out = []
        for pairs, counts in ((self.co_doc, self.doc_count), (self.co_app, self.app_count)):
            best = np.zeros(n, dtype=np.float64)
            arg = np.full(n, -1, dtype=np.int64)
            for h in ids:
                total = counts[h]
                if total <= 0:
                    continue
                for g, c in pairs[h].items():
                    value = c / total
                    if value > best[g]:
                        best[g] = value
                        arg[g] = h
            for h in ids:
                best[h] = 0.0
                arg[h] = -1
            out.append((best, arg))
        return Proximity(ids, out[0][0], out[1][0], out[0][1], out[1][1])

    def link(self, proximity: Proximity, group: str) -> FieldLink | None:
        """The explanation of one group's proximity (None for unknown or home groups)."""
        g = self.index.get(group)
        if g is None or g in proximity.home:
            return None
        hd, ha = int(proximity.arg_doc[g]), int(proximity.arg_app[g])
        return FieldLink(
            group,
            self.groups[hd] if hd >= 0 else "",
            float(proximity.p_doc[g]),
            self.groups[ha] if ha >= 0 else "",
            float(proximity.p_app[g]),
        )


class OfferFieldMatrix:
    """The main groups of many offers, as flat arrays over a `FieldGraph`'s group ids.

    Args:
        graph: the field graph.
        offer_groups: the main groups of each offer (groups unknown to the graph are kept apart: they are
            new to every company but have no known link).
    """

    def __init__(self, graph: FieldGraph, offer_groups: Sequence[Sequence[str]]) -> None:
        self.graph = graph
        self.n = len(offer_groups)
        owners: list[int] = []
        ids: list[int] = []
        for row, groups in enumerate(offer_groups):
            for g in dict.fromkeys(groups):
                owners.append(row)
                ids.append(graph.index.get(g, -1))
        self._owner = np.asarray(owners, dtype=np.int64)
        self._ids = np.asarray(ids, dtype=np.int64)
        self._sizes = np.bincount(self._owner, minlength=self.n).astype(np.float64)

    def scores(self, proximity: Proximity) -> tuple[np.ndarray, np.ndarray]:
        """Field proximity of every offer, and the share of each offer's groups the company already has.

        Returns:
            ``(field_proximity, known_share)``, both of length ``n`` in [0, 1].
        """
        known = np.isin(self._ids, np.fromiter(proximity.home, dtype=np.int64, count=len(proximity.home)))
        valid = self._ids >= 0
        out = np.zeros(self.n, dtype=np.float64)
        for p in (proximity.p_doc, proximity.p_app):
            values = np.zeros(self._ids.shape[0], dtype=np.float64)
            values[valid] = np.minimum(p[self._ids[valid]], _CAP)
            values[known] = 0.0
            log_miss = np.bincount(self._owner, weights=np.log1p(-values), minlength=self.n)
            out += 0.5 * (1.0 - np.exp(log_miss))
        share = np.bincount(self._owner, weights=known.astype(np.float64), minlength=self.n)
        known_share = np.divide(share, self._sizes, out=np.zeros(self.n), where=self._sizes > 0)
        return out, known_share


class CorpusFieldGraph:
    """The `FieldGraph` of a whole patent store, rebuilt only when the store's revision changes.

    Args:
        store: anything with ``revision()`` and ``iter_rows(columns)`` (the patent store).
    """

    def __init__(self, store: Any) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._revision = -1
        self._graph: FieldGraph | None = None

    def __call__(self) -> FieldGraph:
        with self._lock:
            revision = int(self.store.revision())
            if self._graph is None or revision != self._revision:
                rows = self.store.iter_rows(("ipc_codes", "applicants"))
                self._graph = FieldGraph.fit(
                    (
                        sorted({main_group(c) for c in row["ipc_codes"] if "/" in c}),
                        [k for k in (normalise_name(a) for a in row["applicants"]) if k],
                    )
                    for row in rows
                )
                self._revision = revision
            return self._graph
