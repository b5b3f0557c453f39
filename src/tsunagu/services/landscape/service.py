"""`LandscapeService`: resolve a scope (query, IPC prefix, applicant, documents) to records and
run every landscape analysis on them.
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.landscape.corpus import ROW_COLUMNS, FieldStatistics
from tsunagu.services.landscape.docmap import document_map
from tsunagu.services.landscape.fields import (
    FieldNamer,
    applicant_key,
    distinct_applicants,
    fields_of,
    no_names,
)
from tsunagu.services.landscape.model import Landscape, LandscapeScope, ScopeKind
from tsunagu.services.landscape.stats import (
    YearBasis,
    applicant_field_matrix,
    applicant_ranking,
    co_classification,
    field_shares,
    filings_per_year,
)
from tsunagu.services.landscape.terms import Tokenizer
from tsunagu.services.landscape.whitespace import white_space

__all__ = ["LandscapeService", "LandscapeStore", "SearchFn", "VectorFn", "sample_keys"]

#: ``(query, k) -> keys`` of the best hits, best first.
SearchFn = Callable[[str, int], list[str]]
#: ``keys -> (len(keys), dim)`` unit vectors (zero rows for keys without one), or None when unavailable.
VectorFn = Callable[[Sequence[str]], "np.ndarray | None"]


class LandscapeStore(Protocol):
    """What the landscape needs of the patent store (`tsunagu.storage.sql.SqlPatentStore` has it)."""

    def get_many(self, keys: Sequence[str]) -> list[Patent]: ...

    def keys_matching(
        self, keys: Iterable[str] | None = None, *, ipc_prefix: str = "", applicant: str = ""
    ) -> set[str]: ...

    def iter_rows(self, columns: Sequence[str], batch_size: int = 5000) -> Iterator[dict[str, Any]]: ...

    def revision(self) -> int: ...


def sample_keys(keys: Sequence[str], n: int) -> list[str]:
    """A reproducible sample of ``n`` keys: those with the smallest SHA-1 of the key."""
    if len(keys) <= n:
        return list(keys)
    return sorted(keys, key=lambda k: hashlib.sha1(k.encode("utf-8")).hexdigest())[:n]


class LandscapeService:
    """Landscape analytics over the corpus.

    Args:
        store: the patent store.
        search: hybrid search hook for query scopes (None: query scopes are refused).
        vectors: embedding lookup for the document map (None: TF-IDF vectors are used).
        vector_name: name of the embedding, for method notes.
        tokenizer: Japanese label-term tokenizer (default: nouns by Sudachi).
        namer: ``lang -> FieldNamer`` giving field names in that language.
        max_documents: most records analysed per scope (a reproducible sample beyond it).
    """

    def __init__(
        self,
        store: LandscapeStore,
        *,
        search: SearchFn | None = None,
        vectors: VectorFn | None = None,
        vector_name: str = "",
        tokenizer: Tokenizer | None = None,
        namer: Callable[[str], FieldNamer] | None = None,
        max_documents: int = 20000,
    ) -> None:
        self.store = store
        self.search = search
        self.vectors = vectors
        self.vector_name = vector_name
        if tokenizer is None:
            from tsunagu.services.landscape.japanese import JapaneseNounTokenizer

            tokenizer = JapaneseNounTokenizer()
        self.tokenizer = tokenizer
        self.namer = namer or (lambda lang: no_names)
        self.max_documents = max_documents
        self._lock = threading.Lock()
        self._stats: tuple[int, FieldStatistics] | None = None

    # -- corpus ----------------------------------------------------------------------------------

    def corpus_statistics(self) -> FieldStatistics:
        """Subclass statistics of the whole corpus (rebuilt when the store's revision changes)."""
        with self._lock:
            revision = self.store.revision()
            if self._stats is None or self._stats[0] != revision:
                self._stats = (revision, FieldStatistics.from_rows(self.store.iter_rows(ROW_COLUMNS)))
            return self._stats[1]

    # -- scopes ----------------------------------------------------------------------------------

    def applicant_patents(self, name: str) -> list[Patent]:
        """Records whose applicants include ``name`` (equal after NFKC, case folding, no spaces)."""
        want = applicant_key(name)
        if not want:
            raise ValidationError("applicant: 出願人名が必要です / an applicant name is required")
        # The store matches substrings with spaces collapsed, not removed: prefilter on the longest
        # space-free part of the name, then compare whole keys.
        probe = max(unicodedata.normalize("NFKC", name).split(), key=len)
        keys = sorted(self.store.keys_matching(applicant=probe))
        patents = self.store.get_many(keys)
        return [p for p in patents if any(applicant_key(a) == want for a in p.applicants)]

    def patents_for(self, scope: LandscapeScope, limit: int | None = None) -> list[Patent]:
        """The records of ``scope`` (at most ``limit``, default ``max_documents``; sampled reproducibly).

        Raises:
            ValidationError: an empty scope value, or a query scope without a search hook.
            NotFoundError: the applicant has no record.
        """
        limit = limit or self.max_documents
        value = scope.value.strip()
        if scope.kind != "patents" and not value:
            raise ValidationError(f"{scope.kind}: 値が必要です / a value is required")
        if scope.kind == "query":
            if self.search is None:
                raise ValidationError("query landscapes need the search index (run tsunagu import first)")
            keys = self.search(value, limit)
        elif scope.kind == "ipc":
            keys = sample_keys(sorted(self.store.keys_matching(ipc_prefix=value)), limit)
        elif scope.kind == "applicant":
            found = self.applicant_patents(value)
            if not found:
                raise NotFoundError(f"出願人が見つかりません / no records of applicant {value!r}")
            keep = set(sample_keys([p.key for p in found], limit))
            return [p for p in found if p.key in keep]
        else:
            raise ValidationError("a 'patents' scope is analysed with analyse_patents()")
        return self.store.get_many(keys)

    def field_context(
        self, patents: Sequence[Patent], top_fields: int = 3, limit: int = 5000
    ) -> list[Patent]:
        """Corpus records in the main subclasses of ``patents`` (for a company's competitive position)."""
        counts: dict[str, int] = {}
        for p in patents:
            for f in fields_of(p):
                counts[f] = counts.get(f, 0) + 1
        main = [f for f, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top_fields]]
        keys: set[str] = set()
        for f in main:
            keys |= self.store.keys_matching(ipc_prefix=f)
        return self.store.get_many(sample_keys(sorted(keys), limit))

    # -- analysis --------------------------------------------------------------------------------

    def analyse(
        self,
        scope: LandscapeScope,
        *,
        company: str = "",
        lang: str = "ja",
        basis: YearBasis = "filing",
        with_map: bool = True,
        map_limit: int = 2000,
        top: int = 15,
        limit: int | None = None,
    ) -> Landscape:
        """Resolve ``scope`` and analyse its records (see `analyse_patents`).

        For an applicant scope the applicant is the company by default, and the ranking and matrix
        cover the corpus records in its main fields (its competitors there). The white space of a
        company is computed from all its corpus records, whatever the scope.
        """
        patents = self.patents_for(scope, limit)
        context: list[Patent] | None = None
        company_patents: list[Patent] | None = None
        if scope.kind == "applicant":
            company = company or scope.value
            context = self.field_context(patents)
            company_patents = patents
        elif company.strip():
            # White space is about the company's whole portfolio, not only its records in the scope.
            company_patents = self.applicant_patents(company) or None
        return self.analyse_patents(
            patents,
            scope=scope,
            company=company,
            company_patents=company_patents,
            lang=lang,
            basis=basis,
            with_map=with_map,
            map_limit=map_limit,
            top=top,
            context=context,
        )

    def analyse_patents(
        self,
        patents: Sequence[Patent],
        *,
        scope: LandscapeScope | None = None,
        company: str = "",
        company_patents: Sequence[Patent] | None = None,
        lang: str = "ja",
        basis: YearBasis = "filing",
        with_map: bool = True,
        map_limit: int = 2000,
        top: int = 15,
        context: Sequence[Patent] | None = None,
    ) -> Landscape:
        """Every analysis of a list of records.

        Args:
            patents: the records.
            scope: what they are (for titles); default: a ``"patents"`` scope.
            company: a company to highlight and compute white space for (``""`` for none).
            company_patents: its records (default: those of ``patents`` it is an applicant of).
            lang: label language (``"ja"`` or ``"en"``).
            basis: year basis of the filings chart.
            with_map: compute the document map.
            map_limit: most documents on the map (a reproducible sample beyond it).
            top: rows of the ranking and matrix.
            context: records the ranking and matrix are computed on instead of ``patents``.
        """
        scope = scope or LandscapeScope("patents", "")
        namer = self.namer(lang)
        notes: list[str] = []
        ranked_on = list(context) if context is not None else list(patents)
        shares, unclassified = field_shares(patents, top=top, namer=namer)
        landscape = Landscape(
            scope=scope,
            documents=len(patents),
            ranking=applicant_ranking(ranked_on, top=top),
            ranking_basis="company_fields" if context is not None else "scope",
            yearly=filings_per_year(patents, basis),
            shares=shares,
            unclassified=unclassified,
            matrix=applicant_field_matrix(
                ranked_on, top_applicants=top, namer=namer, ensure_applicant=company
            ),
            network=co_classification(patents, namer=namer),
            company=company,
            language=lang,
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            notes=notes,
        )
        if context is not None:
            notes.append(
                f"ranking/matrix: {len(ranked_on)} corpus records in the main fields of {company}"
                if lang != "ja"
                else f"ランキングと出願人×分野: {company} の主要分野のコーパス {len(ranked_on)} 件で集計"
            )
        if with_map and patents:
            mapped = sample_keys([p.key for p in patents], map_limit)
            keep = set(mapped)
            on_map = [p for p in patents if p.key in keep]
            vecs = self.vectors([p.key for p in on_map]) if self.vectors is not None else None
            if vecs is not None and not np.any(np.linalg.norm(vecs, axis=1) > 0):
                vecs = None
            landscape.map = document_map(
                on_map, vecs, tokenizer=self.tokenizer, namer=namer, vector_name=self.vector_name
            )
            if len(on_map) < len(patents):
                notes.append(
                    f"map: sample of {len(on_map)} of {len(patents)} records (smallest SHA-1 of key)"
                )
        if company:
            want = applicant_key(company)
            mine = (
                list(company_patents)
                if company_patents is not None
                else [
                    p
                    for p in patents
                    if any(applicant_key(a) == want for a in distinct_applicants(p.applicants))
                ]
            )
            landscape.white_space = white_space(mine, self.corpus_statistics(), namer=namer)
        return landscape

    @staticmethod
    def scope(kind: ScopeKind, value: str) -> LandscapeScope:
        """Shorthand for `LandscapeScope`."""
        return LandscapeScope(kind, value)
