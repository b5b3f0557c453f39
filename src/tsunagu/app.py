"""The composition root: `App.from_settings()` picks the backends and wires the services.

Everything heavy (database engine, Sudachi dictionary, embedder, index files) is created on first use,
so a command pays only for what it touches. Services never read settings; this module does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tsunagu.domain.patent import Patent
from tsunagu.retrieval.base import Embedder, SearchFilters, SearchHit
from tsunagu.settings import Settings

if TYPE_CHECKING:
    import numpy as np

    from tsunagu.retrieval.indexer import Indexer
    from tsunagu.retrieval.searcher import HybridSearcher
    from tsunagu.retrieval.text import TextAnalyzer
    from tsunagu.services.accounts import AccountService
    from tsunagu.services.companies import CompanyService
    from tsunagu.services.consortium import ConsortiumService
    from tsunagu.services.handson import HandsOnService
    from tsunagu.services.ingestion import IngestionService
    from tsunagu.services.landscape import LandscapeService
    from tsunagu.services.matching.deals import DealService
    from tsunagu.services.matching.inference import FieldInferrer
    from tsunagu.services.matching.kpi import KpiService
    from tsunagu.services.matching.matcher import MatchingService
    from tsunagu.services.matching.offers import OfferService
    from tsunagu.services.matching.programmes import ProgrammeService
    from tsunagu.services.reports import ReportService
    from tsunagu.storage.handson import SqlCaseStore
    from tsunagu.storage.registry import SqlRegistryStore
    from tsunagu.storage.sql import SqlPatentStore

__all__ = ["App", "ProgressFn"]

from tsunagu.services.ingestion import ProgressFn


class App:
    """One tsunagu instance over one data folder and one database.

    Args:
        settings: resolved settings (see `tsunagu.settings.Settings`).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._searcher_lock = threading.Lock()
        self._searcher: HybridSearcher | None = None
        self._searcher_stamp: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> App:
        """Build the app; creates the data folder (the only side effect before first use)."""
        settings = settings or Settings.from_env()
        settings.home.mkdir(parents=True, exist_ok=True)
        return cls(settings)

    # -- backends ----------------------------------------------------------------------------

    @cached_property
    def store(self) -> SqlPatentStore:
        from tsunagu.storage.sql import SqlPatentStore

        return SqlPatentStore(self.settings.database_url)

    @cached_property
    def analyzer(self) -> TextAnalyzer:
        from tsunagu.retrieval.text import TextAnalyzer

        return TextAnalyzer()

    @cached_property
    def embedder(self) -> Embedder:
        from tsunagu.retrieval.embedders import make_embedder

        return make_embedder(self.settings.embedder)

    @cached_property
    def indexer(self) -> Indexer:
        from tsunagu.retrieval.indexer import Indexer

        return Indexer(self.store, self.settings.index_dir, analyzer=self.analyzer, embedder=self.embedder)

    # -- services ----------------------------------------------------------------------------

    @cached_property
    def ingestion(self) -> IngestionService:
        from tsunagu.services.ingestion import IngestionService

        return IngestionService(self.store, indexer=self.indexer)

    @cached_property
    def case_store(self) -> SqlCaseStore:
        from tsunagu.storage.handson import SqlCaseStore

        return SqlCaseStore(self.store.engine)

    @cached_property
    def handson(self) -> HandsOnService:
        """Hands-on support cases, with the company register (patents, regions) and its open offers."""
        from tsunagu.services.handson import HandsOnService
        from tsunagu.services.handson.service import offers_in_subclasses

        companies = self.consortium_companies
        return HandsOnService(
            self.case_store, companies=companies, offers_in_fields=offers_in_subclasses(companies.registry)
        )

    @cached_property
    def consortium_companies(self) -> CompanyService:
        """The company register used by hands-on cases and consortia (the app's ``companies`` if any)."""
        companies = getattr(self, "companies", None)
        if companies is not None:
            return companies
        from tsunagu.services.companies import CompanyService
        from tsunagu.storage.registry import SqlRegistryStore

        return CompanyService(SqlRegistryStore(self.store.engine), self.store)

    @cached_property
    def consortium(self) -> ConsortiumService:
        """The consortium builder over the register's companies, the search index and open offers."""
        from tsunagu.services.consortium import ConceptDecomposer, ConsortiumService
        from tsunagu.services.consortium.candidates import CandidateLoader
        from tsunagu.services.consortium.corpus import SearchCorpus, register_offers

        companies = self.consortium_companies
        corpus = SearchCorpus(lambda: self.searcher, self.store)
        return ConsortiumService(
            decomposer=ConceptDecomposer(corpus.search, background=corpus.group_shares, prefetch=corpus.embed),
            candidates=CandidateLoader(companies, self.store),
            embed=corpus.embed,
            patent_cosines=corpus.patent_cosines,
            offers=lambda: register_offers(companies.registry),
        )

    @cached_property
    def accounts(self) -> AccountService:
        """Users, logins, sessions and the audit log of the web server (and ``tsunagu users``)."""
        from tsunagu.services.accounts import AccountService
        from tsunagu.storage.accounts import SqlAccountStore

        registry = getattr(self, "registry", None)
        return AccountService(SqlAccountStore(self.store.engine), registry=registry)

    # -- matching (知財ビジネスマッチング) and the company register ---------------------------------

    @cached_property
    def registry(self) -> SqlRegistryStore:
        """Programmes, licensors, offers, companies, needs, consents and deals (same database)."""
        from tsunagu.storage.registry import SqlRegistryStore

        return SqlRegistryStore(self.store.engine)

    @cached_property
    def companies(self) -> CompanyService:
        """The company register and the company lookup behind every ``--company`` option."""
        from tsunagu.services.companies import CompanyService

        return CompanyService(self.registry, self.store)

    @cached_property
    def programmes(self) -> ProgrammeService:
        from tsunagu.services.matching.programmes import ProgrammeService

        return ProgrammeService(self.registry)

    def _neighbour_records(self, text: str, k: int) -> list[tuple[Patent, float]]:
        """Nearest corpus records of a text by the default search (none for an empty corpus)."""
        if self.store.count() == 0:
            return []
        return [(p, hit.score) for hit, p in self.search(text, k=k)]

    @cached_property
    def field_inferrer(self) -> FieldInferrer:
        """Infers IPC main groups of a text from its nearest corpus records (labelled as inferred)."""
        from tsunagu.services.matching.inference import FieldInferrer

        return FieldInferrer(self._neighbour_records)

    @cached_property
    def offers(self) -> OfferService:
        from tsunagu.services.matching.offers import OfferService

        return OfferService(self.registry, self.store, inferrer=self.field_inferrer)

    def index_vectors(self, keys: Sequence[str]) -> np.ndarray:
        """Search-index vectors of corpus records (zero rows for records without one)."""
        import numpy as np

        searcher = self.searcher
        matrix = getattr(searcher.vector, "vectors", None)  # the numpy index keeps its matrix
        out = np.zeros((len(keys), self.embedder.dim), dtype=np.float32)
        if matrix is None:
            return out
        for i, key in enumerate(keys):
            row = searcher.row_of(key)
            if row is not None:
                out[i] = np.asarray(matrix[row], dtype=np.float32)
        return out

    @cached_property
    def matching(self) -> MatchingService:
        """Two-way matching with explained scores; proposed businesses from 用途探索 when present."""
        from tsunagu.services.discovery.model import DiscoveryRequest
        from tsunagu.services.matching.fields import CorpusFieldGraph
        from tsunagu.services.matching.matcher import MatchingService
        from tsunagu.services.matching.proposals import DiscoveryProposer
        from tsunagu.services.matching.vectors import OfferVectorCache

        # 用途探索 proposes the business of a match; built lazily, so it costs nothing until a proposal.
        proposer = DiscoveryProposer(
            lambda request: self._report_discovery().discover(request), DiscoveryRequest
        )
        embedder = self.embedder
        return MatchingService(
            self.registry,
            self.companies,
            self.store,
            self.analyzer,
            field_graph=CorpusFieldGraph(self.store),
            embed=embedder.embed,
            patent_vectors=self.index_vectors,
            offer_vectors=OfferVectorCache(
                self.settings.home / "matching" / "offer_vectors.npz", embedder.embed, embedder.name
            ),
            inferrer=self.field_inferrer,
            proposer=proposer,
        )

    @cached_property
    def deals(self) -> DealService:
        from tsunagu.services.matching.deals import DealService

        return DealService(self.registry, self.companies, self.programmes, matcher=self.matching)

    @cached_property
    def kpi(self) -> KpiService:
        from tsunagu.services.matching.kpi import KpiService

        return KpiService(self.registry)

    @cached_property
    def discovery_index(self) -> Any:
        """Field statistics of 用途探索 (co-classification, momentum), refreshed with the store revision."""
        from tsunagu.services.discovery.index import DiscoveryIndex

        return DiscoveryIndex(self.store, lambda: self.searcher, self.settings.index_dir / "discovery")

    @cached_property
    def discovery(self) -> Any:
        """The 用途探索 service used by the CLI, reports, matching and the web."""
        from tsunagu.services.discovery.service import DiscoveryService

        return DiscoveryService(self.store, self.discovery_index)

    # -- search ------------------------------------------------------------------------------

    def indexes_current(self) -> bool:
        """True when the index files reflect the store's latest revision."""
        return self.indexer.is_current()

    def update_indexes(self, progress: ProgressFn | None = None) -> None:
        self.indexer.update(progress)

    @property
    def searcher(self) -> HybridSearcher:
        """The hybrid searcher over the current index files (reloaded when another process re-indexed)."""
        with self._searcher_lock:
            stamp = self.indexer.stamp()
            if self._searcher is None or stamp != self._searcher_stamp:
                if not self.indexer.is_current():
                    self.indexer.update()
                    stamp = self.indexer.stamp()
                self._searcher = self.indexer.load_searcher()
                self._searcher_stamp = stamp
            return self._searcher

    def search(
        self, query: str, k: int = 10, filters: SearchFilters | None = None
    ) -> list[tuple[SearchHit, Patent]]:
        """The default search: hybrid hits with their records, best first."""
        hits = self.searcher.search(query, k=k, filters=filters or SearchFilters())
        records = {p.key: p for p in self.store.get_many([h.key for h in hits])}
        return [(h, records[h.key]) for h in hits if h.key in records]

    def find_patents(self, number: str) -> list[Patent]:
        """Records matching a number in any accepted form (see `tsunagu.domain.numbers`)."""
        found = self.store.find(number)
        if not found:
            try:
                from tsunagu.domain.numbers import normalise_number

                parsed = normalise_number(number)
                p = self.store.get(parsed.key)
                found = [p] if p else []
            except ValueError:
                found = []
        return found

    # -- landscape and reports (知財ビジネス評価書) -----------------------------------------

    def field_namer(self, lang: str) -> Callable[[str], str]:
        """Plain-language field names in ``lang`` (IPC titles; the project's Japanese names)."""
        from tsunagu.domain.fields import field_name

        return lambda code: field_name(code).label(lang)

    def _vectors_for(self, keys: Sequence[str]) -> np.ndarray | None:
        """Index vectors of ``keys`` (zero rows for keys not in the index), or None without vectors.

        Never builds the index: without a current index the landscape falls back to TF-IDF vectors.
        """
        import numpy as np

        if not self.indexes_current():
            return None
        searcher = self.searcher
        matrix = getattr(searcher.vector, "vectors", None)  # the numpy index keeps its matrix
        if matrix is None:
            return None
        rows = [searcher.row_of(k) for k in keys]
        out = np.zeros((len(keys), matrix.shape[1]), dtype=np.float32)
        have = [i for i, r in enumerate(rows) if r is not None]
        if have:
            out[have] = np.asarray(matrix[[rows[i] for i in have]], dtype=np.float32)
        return out

    def _search_keys(self, query: str, k: int) -> list[str]:
        deep = self.searcher.with_config(lexical_depth=max(k, 100), vector_depth=max(k, 100))
        return [h.key for h in deep.search(query, k=k)]

    @cached_property
    def landscape(self) -> LandscapeService:
        """IP landscape analytics (scopes by query, IPC prefix or applicant)."""
        from tsunagu.services.landscape import LandscapeService

        return LandscapeService(
            self.store,
            search=self._search_keys,
            vectors=self._vectors_for,
            vector_name=self.settings.embedder,
            namer=self.field_namer,
        )

    def _report_discovery(self) -> Any:
        """The app's 用途探索 service, or one wired from the store and searcher as `tsunagu discover` does."""
        service = self.__dict__.get("_discovery_for_reports")
        if service is None:
            service = getattr(self, "discovery", None)
            if service is None:
                from tsunagu.services.discovery.index import DiscoveryIndex
                from tsunagu.services.discovery.service import DiscoveryService

                index = DiscoveryIndex(self.store, lambda: self.searcher, self.settings.index_dir / "discovery")
                service = DiscoveryService(self.store, index)
            self.__dict__["_discovery_for_reports"] = service
        return service

    def _with_index(self, call: Callable[..., Any]) -> Callable[..., Any]:
        """``call`` guarded by a current search index (raises `ConfigurationError` otherwise)."""

        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not self.indexes_current():
                from tsunagu.errors import ConfigurationError

                raise ConfigurationError(
                    "検索索引が最新ではないため省略しました (tsunagu demo または tsunagu import で作成) / "
                    "skipped: the search index is missing or stale (build it with tsunagu demo or tsunagu import)"
                )
            return call(*args, **kwargs)

        return guarded

    @cached_property
    def reports(self) -> ReportService:
        """知財ビジネス評価書 / 提案書 over the register (or corpus applicants) and 用途探索 when present."""
        from tsunagu.services.reports import ApplicantDirectory, EmbeddingSimilarity, ReportService
        from tsunagu.services.reports.providers import DiscoveryIdeas, MatchingOffers, RegisterDirectory

        companies = getattr(self, "companies", None)
        if companies is None:
            try:
                from tsunagu.services.companies import CompanyService
                from tsunagu.storage.registry import SqlRegistryStore

                companies = CompanyService(SqlRegistryStore(self.store.engine), self.store)
            except ImportError:
                companies = None
        directory = RegisterDirectory(companies) if companies is not None else ApplicantDirectory(self.store)
        # 用途探索 and offer matching read the search index: they are called only when it is current
        # (a report never starts a full re-index); otherwise the report says why they are missing.
        ideas = DiscoveryIdeas(self._with_index(lambda req: self._report_discovery().discover(req)))
        offers = MatchingOffers(self._with_index(lambda *a, **k: self.matching.offers_for_company(*a, **k)))
        return ReportService(
            self.store,
            directory,
            self.landscape.corpus_statistics,
            namer=self.field_namer,
            # the embedder is built (and its model loaded) only when a suggestion is computed
            similarity=EmbeddingSimilarity(
                lambda texts: self.embedder.embed(texts), self.settings.embedder, vectors=self._vectors_for
            ),
            ideas=ideas,
            offers=offers,
        )

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
