"""Corpus statistics of technology fields, precomputed for 用途探索 (application discovery).

`FieldStats` counts, over every stored record that carries IPC codes (codes = `Patent.ipc_codes`:
IPC/IPCR fields plus FI mapped to IPC, never CPC):

- documents per IPC main group ``n(g)`` and per subclass;
- co-classification: documents carrying both main groups ``n(g, h)`` (a sparse symmetric matrix);
- filings per main group and year (year = filing, else priority, else publication date), for momentum;
- the most frequent applicants per main group.

It is built from the store in one light scan (`build`), saved as a few files under the index folder
and stamped with the store revision it reflects (`FieldStats.load_or_build` rebuilds when the store
has changed). About two seconds for 50,000 records.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tsunagu.domain.codes import main_group
from tsunagu.domain.matching import normalise_name
from tsunagu.errors import StorageError
from tsunagu.storage.base import PatentStore

__all__ = ["STATS_FORMAT", "FieldStats", "StatsRow", "rows_from_store"]

#: Bumped when the saved layout or the counting rules change.
STATS_FORMAT = 1
_TOP_APPLICANTS = 8
ProgressFn = Callable[[int, int, str], None]


@dataclass(frozen=True)
class StatsRow:
    """What `FieldStats.build` needs of one record."""

    key: str
    ipc_codes: tuple[str, ...]
    year: int | None
    applicants: tuple[str, ...] = ()


def rows_from_store(store: PatentStore) -> Iterator[StatsRow]:
    """A light scan of the store (``iter_rows`` when the store has it, else full records)."""
    iter_rows = getattr(store, "iter_rows", None)
    if iter_rows is not None:
        for row in iter_rows(["ipc_codes", "year", "applicants"]):
            yield StatsRow(
                row["key"], tuple(row["ipc_codes"] or ()), row["year"], tuple(row["applicants"] or ())
            )
    else:
        for p in store.iter_all():
            yield StatsRow(p.key, p.ipc_codes, p.year, p.applicants)


@dataclass
class FieldStats:
    """Field (IPC main group) statistics of a corpus. Build with `FieldStats.build`.

    Attributes:
        revision: the store revision these statistics reflect.
        n_docs: number of records with at least one IPC code.
        groups: main-group symbols; a group's id is its position.
        group_docs: documents per group (``n(g)``).
        cooc_indptr: CSR row offsets of the co-classification matrix (group × group, no diagonal).
        cooc_indices: CSR column ids.
        cooc_counts: documents carrying both groups.
        year_min: first year of the year histogram.
        group_years: ``G × Y`` filings per group and year (``year_min + column``).
        corpus_years: filings per year over all coded records.
        applicants: top applicants per group id as ``(name, documents)``.
        subclass_docs: documents per subclass.
    """

    revision: int
    n_docs: int
    groups: list[str]
    group_docs: np.ndarray
    cooc_indptr: np.ndarray
    cooc_indices: np.ndarray
    cooc_counts: np.ndarray
    year_min: int
    group_years: np.ndarray
    corpus_years: np.ndarray
    applicants: list[list[tuple[str, int]]]
    subclass_docs: dict[str, int]
    _ids: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._ids = {g: i for i, g in enumerate(self.groups)}

    # -- lookups ----------------------------------------------------------------------------------

    @property
    def n_groups(self) -> int:
        """``G``: the number of distinct main groups in the corpus."""
        return len(self.groups)

    @property
    def year_max(self) -> int:
        """Last year with filings (``year_min - 1`` when no record has a year)."""
        nz = np.flatnonzero(self.corpus_years)
        return int(self.year_min + nz[-1]) if nz.size else self.year_min - 1

    @property
    def data_end_year(self) -> int:
        """The last year of data: the latest year with at least 10% of the peak year's filings.

        Stray records dated years after the bulk of the corpus (and the publication lag of the last
        months) would otherwise make every field look like it is collapsing.
        """
        if not self.corpus_years.size or self.corpus_years.max() <= 0:
            return self.year_min - 1
        ok = np.flatnonzero(self.corpus_years >= 0.1 * self.corpus_years.max())
        return int(self.year_min + ok[-1])

    def group_id(self, group: str) -> int | None:
        """Id of a main group, or None when the corpus has no record in it."""
        return self._ids.get(group)

    def docs(self, group: str) -> int:
        """``n(g)``: records carrying the main group."""
        i = self._ids.get(group)
        return int(self.group_docs[i]) if i is not None else 0

    def cooc_row(self, group: str) -> np.ndarray:
        """Dense vector of ``n(group, h)`` over every group id (zeros when the group is unknown)."""
        out = np.zeros(self.n_groups, dtype=np.float64)
        i = self._ids.get(group)
        if i is not None:
            lo, hi = self.cooc_indptr[i], self.cooc_indptr[i + 1]
            out[self.cooc_indices[lo:hi]] = self.cooc_counts[lo:hi]
        return out

    def cooc(self, a: str, b: str) -> int:
        """``n(a, b)``: records carrying both main groups."""
        i, j = self._ids.get(a), self._ids.get(b)
        if i is None or j is None:
            return 0
        lo, hi = int(self.cooc_indptr[i]), int(self.cooc_indptr[i + 1])
        pos = lo + int(np.searchsorted(self.cooc_indices[lo:hi], j))
        return int(self.cooc_counts[pos]) if pos < hi and self.cooc_indices[pos] == j else 0

    def years(self, group: str) -> dict[int, int]:
        """Filings per year of a main group (years with none left out)."""
        i = self._ids.get(group)
        if i is None:
            return {}
        row = self.group_years[i]
        return {int(self.year_min + y): int(row[y]) for y in np.flatnonzero(row)}

    def filings(self, group: str, first: int, last: int) -> int:
        """Filings of a main group with a year in ``[first, last]``."""
        i = self._ids.get(group)
        if i is None:
            return 0
        lo = max(0, first - self.year_min)
        hi = min(self.group_years.shape[1], last - self.year_min + 1)
        return int(self.group_years[i, lo:hi].sum()) if hi > lo else 0

    def corpus_filings(self, first: int, last: int) -> int:
        """Filings of all coded records with a year in ``[first, last]``."""
        lo = max(0, first - self.year_min)
        hi = min(self.corpus_years.shape[0], last - self.year_min + 1)
        return int(self.corpus_years[lo:hi].sum()) if hi > lo else 0

    def top_applicants(self, group: str, n: int = 5) -> list[tuple[str, int]]:
        """The group's most frequent applicants as ``(name, records)``."""
        i = self._ids.get(group)
        return list(self.applicants[i][:n]) if i is not None else []

    # -- build ------------------------------------------------------------------------------------

    @classmethod
    def build(
        cls, rows: Iterable[StatsRow], revision: int = 0, progress: ProgressFn | None = None
    ) -> FieldStats:
        """Count groups, co-classifications, years and applicants over ``rows``.

        Args:
            rows: the corpus records (see `rows_from_store`).
            revision: the store revision the rows reflect.
            progress: ``progress(done, 0, stage)`` every 10,000 records.
        """
        ids: dict[str, int] = {}
        doc_groups: list[np.ndarray] = []
        doc_years: list[int] = []
        doc_applicants: list[tuple[str, ...]] = []
        subclasses: Counter[str] = Counter()
        for n, row in enumerate(rows, start=1):
            groups = sorted({main_group(c) for c in row.ipc_codes if c and "/" in c})
            if not groups:
                continue
            doc_groups.append(np.asarray([ids.setdefault(g, len(ids)) for g in groups], dtype=np.int32))
            doc_years.append(row.year if row.year is not None else -1)
            doc_applicants.append(tuple(dict.fromkeys(a.strip() for a in row.applicants if a.strip())))
            subclasses.update({g[:4] for g in groups})
            if progress and n % 10000 == 0:
                progress(n, 0, "分野統計 / field statistics")
        names = [""] * len(ids)
        for g, i in ids.items():
            names[i] = g
        order = np.argsort(np.asarray(names, dtype=object)) if names else np.zeros(0, dtype=np.int64)
        remap = np.empty(len(names), dtype=np.int32)
        remap[order] = np.arange(len(names), dtype=np.int32)
        groups_sorted = [names[i] for i in order]
        g_count = len(groups_sorted)
        group_docs = np.zeros(g_count, dtype=np.int64)
        pairs: Counter[tuple[int, int]] = Counter()
        valid_years = [y for y in doc_years if y >= 0]
        year_min = min(valid_years) if valid_years else 0
        span = (max(valid_years) - year_min + 1) if valid_years else 1
        group_years = np.zeros((g_count, span), dtype=np.int32)
        corpus_years = np.zeros(span, dtype=np.int64)
        applicant_counts: list[Counter[str]] = [Counter() for _ in range(g_count)]
        for gs, year, apps in zip(doc_groups, doc_years, doc_applicants, strict=True):
            gs = np.sort(remap[gs])
            group_docs[gs] += 1
            lst = gs.tolist()
            for a_i, a in enumerate(lst):
                for b in lst[a_i + 1 :]:
                    pairs[a, b] += 1
            if year >= 0:
                group_years[gs, year - year_min] += 1
                corpus_years[year - year_min] += 1
            if apps:
                for g in lst:
                    applicant_counts[g].update(apps)
        indptr, indices, counts = _symmetric_csr(pairs, g_count)
        applicants = [_top_applicants(c) for c in applicant_counts]
        return cls(
            revision=revision,
            n_docs=len(doc_groups),
            groups=groups_sorted,
            group_docs=group_docs,
            cooc_indptr=indptr,
            cooc_indices=indices,
            cooc_counts=counts,
            year_min=year_min,
            group_years=group_years,
            corpus_years=corpus_years,
            applicants=applicants,
            subclass_docs=dict(sorted(subclasses.items())),
        )

    @classmethod
    def build_from_store(cls, store: PatentStore, progress: ProgressFn | None = None) -> FieldStats:
        """`build` over every record of ``store``, stamped with its current revision."""
        return cls.build(rows_from_store(store), store.revision(), progress)

    # -- persistence ------------------------------------------------------------------------------

    def save(self, folder: str | Path) -> None:
        """Write ``field_stats.npz`` and ``field_stats.json`` into ``folder`` (atomically replaced)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        tmp_npz = folder / f".field_stats.{os.getpid()}.npz"
        np.savez_compressed(
            tmp_npz,
            group_docs=self.group_docs,
            cooc_indptr=self.cooc_indptr,
            cooc_indices=self.cooc_indices,
            cooc_counts=self.cooc_counts,
            group_years=self.group_years,
            corpus_years=self.corpus_years,
        )
        meta = {
            "format": STATS_FORMAT,
            "revision": self.revision,
            "n_docs": self.n_docs,
            "year_min": self.year_min,
            "groups": self.groups,
            "applicants": self.applicants,
            "subclass_docs": self.subclass_docs,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        tmp_json = folder / f".field_stats.{os.getpid()}.json"
        tmp_json.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp_npz, folder / "field_stats.npz")
        os.replace(tmp_json, folder / "field_stats.json")

    @classmethod
    def load(cls, folder: str | Path) -> FieldStats:
        """Read statistics saved by `save`.

        Raises:
            StorageError: the files are missing, unreadable or of another format.
        """
        folder = Path(folder)
        try:
            meta: dict[str, Any] = json.loads((folder / "field_stats.json").read_text("utf-8"))
            if meta.get("format") != STATS_FORMAT:
                raise StorageError(f"{folder}: field statistics of another format; rebuild them")
            with np.load(folder / "field_stats.npz") as z:
                arrays = {name: z[name] for name in z.files}
        except (OSError, ValueError, KeyError) as exc:
            raise StorageError(f"cannot read field statistics in {folder}: {exc}") from exc
        return cls(
            revision=int(meta["revision"]),
            n_docs=int(meta["n_docs"]),
            groups=list(meta["groups"]),
            group_docs=arrays["group_docs"],
            cooc_indptr=arrays["cooc_indptr"],
            cooc_indices=arrays["cooc_indices"],
            cooc_counts=arrays["cooc_counts"],
            year_min=int(meta["year_min"]),
            group_years=arrays["group_years"],
            corpus_years=arrays["corpus_years"],
            applicants=[[(str(a), int(c)) for a, c in lst] for lst in meta["applicants"]],
            subclass_docs={str(k): int(v) for k, v in meta["subclass_docs"].items()},
        )

    @classmethod
    def load_or_build(
        cls, store: PatentStore, folder: str | Path, progress: ProgressFn | None = None
    ) -> FieldStats:
        """The saved statistics when they reflect the store's current revision, else rebuilt and saved."""
        revision = store.revision()
        try:
            stats = cls.load(folder)
            if stats.revision == revision:
                return stats
        except StorageError:
            pass
        stats = cls.build(rows_from_store(store), revision, progress)
        stats.save(folder)  # a concurrent writer may have changed the store meanwhile: the stamp says when
        return stats

    @staticmethod
    def saved_revision(folder: str | Path) -> int | None:
        """Revision stamped on the saved statistics in ``folder``, or None when there are none."""
        try:
            meta = json.loads((Path(folder) / "field_stats.json").read_text("utf-8"))
            return int(meta["revision"]) if meta.get("format") == STATS_FORMAT else None
        except (OSError, ValueError, KeyError):
            return None

    def describe(self) -> Mapping[str, Any]:
        """Counts for status output."""
        return {
            "revision": self.revision,
            "documents": self.n_docs,
            "main_groups": self.n_groups,
            "pairs": int(self.cooc_counts.shape[0] // 2),
            "years": [self.year_min, self.year_max],
        }


def _top_applicants(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most frequent applicants, spellings that differ only by case, width or spaces merged."""
    merged: dict[str, Counter[str]] = {}
    for name, n in counts.items():
        merged.setdefault(normalise_name(name), Counter())[name] += n
    totals = [(spellings.most_common(1)[0][0], sum(spellings.values())) for spellings in merged.values()]
    return sorted(totals, key=lambda kv: (-kv[1], kv[0]))[:_TOP_APPLICANTS]


def _symmetric_csr(pairs: Mapping[tuple[int, int], int], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays of a symmetric count matrix given its upper-triangle ``(a < b) → count``."""
    if not pairs:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    a = np.fromiter((p[0] for p in pairs), dtype=np.int32, count=len(pairs))
    b = np.fromiter((p[1] for p in pairs), dtype=np.int32, count=len(pairs))
    c = np.fromiter(pairs.values(), dtype=np.int32, count=len(pairs))
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    vals = np.concatenate([c, c])
    order = np.lexsort((cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, cols.astype(np.int32), vals.astype(np.int32)


def groups_of(codes: Sequence[str]) -> list[str]:
    """Distinct IPC main groups of a code list, in first-seen order."""
    return list(dict.fromkeys(main_group(c) for c in codes if c and "/" in c))
