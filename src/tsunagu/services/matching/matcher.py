"""Two-way matching: offers for a company, companies for an offer, each score explained.

The components and their weights are defined in `tsunagu.services.matching.scoring`; field proximity in
`tsunagu.services.matching.fields`. A company's profile is its register entry (capabilities, equipment,
products, needs) plus its own patents; a company with no classified patent gets home fields inferred
from its text (and the match says so). A corpus applicant that is not registered can be matched too
(``--company`` resolves it), from its patents alone.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np

from tsunagu.domain.codes import main_group
from tsunagu.domain.matching import Company, Need, Offer, licensor_view, normalise_name
from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.retrieval.text import TextAnalyzer
from tsunagu.services.companies import CompanyService, PatentLookup, ResolvedCompany
from tsunagu.services.matching.explain import MatchFacts, build_reasons
from tsunagu.services.matching.fields import FieldGraph, OfferFieldMatrix, Proximity
from tsunagu.services.matching.inference import FieldInferrer
from tsunagu.services.matching.results import (
    NOT_REQUESTED,
    UNAVAILABLE,
    CompanyProfile,
    LicenseMatch,
    MatchList,
    ProposedBusiness,
)
from tsunagu.services.matching.scoring import DEFAULT_WEIGHTS, MatchWeights, combine
from tsunagu.services.matching.shortlist import shortlist
from tsunagu.services.matching.text import TfidfChannel, VectorChannel
from tsunagu.services.matching.vectors import Embed, OfferVectorCache, ProgressFn
from tsunagu.storage.registry import SqlRegistryStore

__all__ = ["BusinessProposer", "MatchingService", "VectorLookup"]

#: ``vectors(keys)`` → unit vectors of corpus records (zero rows for records without one).
VectorLookup = Callable[[Sequence[str]], np.ndarray]

_MAX_PROFILE_PATENTS = 200


class BusinessProposer(Protocol):
    """Proposes what an offer could become for a company (`tsunagu.services.matching.proposals`)."""

    def propose(
        self, profile: CompanyProfile, offer: Offer, closeness: Callable[[str], float]
    ) -> ProposedBusiness:
        """``closeness(group)`` is how close a main group is to the company (1 for its own groups)."""
        ...


@dataclass
class _Side:
    """Text representations of one company (or one need)."""

    tokens: list[str]
    vector: np.ndarray | None


@dataclass
class _OfferIndex:
    stamp: tuple[object, ...]
    offers: list[Offer]
    licensors: dict[int, str]
    tfidf: TfidfChannel
    vectors: VectorChannel | None
    fields: OfferFieldMatrix
    graph: FieldGraph


class MatchingService:
    """Ranks offers for a company and companies for an offer, with explanations.

    Args:
        registry: the register store.
        companies: the company service (lookup, own patents).
        patents: the patent store.
        analyzer: tokeniser for the TF-IDF channel.
        field_graph: returns the current corpus `FieldGraph`.
        embed: embeds texts into unit vectors (None: the vector channel is off).
        patent_vectors: vectors of corpus records from the search index (None: embedded on demand).
        offer_vectors: the offer vector cache (needed with ``embed``).
        inferrer: infers home fields of companies without classified patents.
        proposer: proposes businesses (None: the match says discovery is not available).
        weights: component weights.
        shortlist_size: companies kept by the first pass of `companies_for_offer` (see
            `tsunagu.services.matching.shortlist`).
    """

    def __init__(
        self,
        registry: SqlRegistryStore,
        companies: CompanyService,
        patents: PatentLookup,
        analyzer: TextAnalyzer,
        *,
        field_graph: Callable[[], FieldGraph],
        embed: Embed | None = None,
        patent_vectors: VectorLookup | None = None,
        offer_vectors: OfferVectorCache | None = None,
        inferrer: FieldInferrer | None = None,
        proposer: BusinessProposer | None = None,
        weights: MatchWeights = DEFAULT_WEIGHTS,
        shortlist_size: int = 150,
    ) -> None:
        self.registry = registry
        self.companies = companies
        self.patents = patents
        self.analyzer = analyzer
        self.field_graph = field_graph
        self.embed = embed
        self.patent_vectors = patent_vectors
        self.offer_vectors = offer_vectors
        self.inferrer = inferrer
        self.proposer = proposer
        self.weights = weights
        self.shortlist_size = shortlist_size
        self._lock = threading.Lock()
        self._index: _OfferIndex | None = None

    # -- offer index -----------------------------------------------------------------------------

    def _offer_index(self, progress: ProgressFn | None = None) -> _OfferIndex:
        offers = self.registry.list_offers(status="open")
        graph = self.field_graph()
        stamp = (
            len(offers),
            max((o.updated_at for o in offers), default=""),
            sum(o.id for o in offers),
            id(graph),
        )
        with self._lock:
            if self._index is not None and self._index.stamp == stamp:
                return self._index
            tokens = [self.analyzer.tokens(o.text()) for o in offers]
            vectors = None
            if self.embed is not None and self.offer_vectors is not None and offers:
                vectors = VectorChannel(self.offer_vectors.vectors(offers, progress))
            groups = [sorted({main_group(c) for c in o.ipc_codes if "/" in c}) for o in offers]
            licensors = {lic.id: lic.name for lic in self.registry.list_licensors()}
            self._index = _OfferIndex(
                stamp,
                offers,
                licensors,
                TfidfChannel(tokens),
                vectors,
                OfferFieldMatrix(graph, groups),
                graph,
            )
            return self._index

    def prepare(self, progress: ProgressFn | None = None) -> int:
        """Embed every open offer now (so the first `match` is fast); returns the number of offers."""
        return len(self._offer_index(progress).offers)

    # -- profiles --------------------------------------------------------------------------------

    def profile(self, company: str | int | Company | ResolvedCompany) -> CompanyProfile:
        """The matching profile of a company (register id, name, applicant name or record)."""
        if isinstance(company, ResolvedCompany):
            resolved = company
        elif isinstance(company, Company):
            resolved = self.companies.resolved(company)
        else:
            resolved = self.companies.resolve(str(company))
        keys = (
            resolved.patent_keys[:_MAX_PROFILE_PATENTS] if resolved.company is None else resolved.patent_keys
        )
        patents = self.patents.get_many(list(keys)) if keys else []
        groups = sorted({main_group(c) for p in patents for c in p.ipc_codes if "/" in c})
        text = resolved.company.text() if resolved.company else ""
        inferred = False
        if not groups and self.inferrer is not None:
            # Home fields come from what the company does (its description and any unclassified
            # patents), never from its needs: a need names what it lacks.
            basis = " ".join(t for t in (text, *(p.text() for p in patents[:20])) if t)
            if basis:
                groups = list(self.inferrer.infer(basis).codes)
                inferred = bool(groups)
        needs: tuple[Need, ...] = ()
        if resolved.company is not None:
            needs = tuple(self.registry.list_needs(company_id=resolved.company.id, status="open"))
        ref = f"company:{resolved.company.id}" if resolved.company else f"applicant:{resolved.name}"
        return CompanyProfile(
            ref,
            resolved.name,
            resolved.company,
            text,
            tuple(p.key for p in patents),
            {p.key: p.title for p in patents},
            tuple(groups),
            inferred,
            needs,
        )

    def _side(self, profile: CompanyProfile) -> _Side:
        records = self.patents.get_many(list(profile.patent_keys[:_MAX_PROFILE_PATENTS]))
        tokens = self.analyzer.tokens(profile.text) if profile.text else []
        for p in records:
            tokens += self.analyzer.tokens(p.text())
        vectors: list[np.ndarray] = []
        if self.embed is not None:
            vectors = self._patent_vectors(records)
            if profile.text:
                vectors.append(np.asarray(self.embed([profile.text])[0], dtype=np.float32))
        return _Side(tokens, _mean_unit(vectors))

    def _patent_vectors(self, records: Sequence[Patent]) -> list[np.ndarray]:
        if not records:
            return []
        if self.patent_vectors is not None:
            found = np.asarray(self.patent_vectors([p.key for p in records]), dtype=np.float32)
            present = np.linalg.norm(found, axis=1) > 0
        else:
            found = np.zeros((len(records), 0), dtype=np.float32)
            present = np.zeros(len(records), dtype=bool)
        out = [found[i] for i in range(len(records)) if present[i]]
        missing = [p.text() for i, p in enumerate(records) if not present[i] and p.text()][:50]
        if missing and self.embed is not None:
            out.extend(np.asarray(self.embed(missing), dtype=np.float32))
        return out

    def _need_sides(self, profile: CompanyProfile) -> list[_Side]:
        sides = []
        for need in profile.needs:
            vec = None
            if self.embed is not None and need.text():
                vec = np.asarray(self.embed([need.text()])[0], dtype=np.float32)
            sides.append(_Side(self.analyzer.tokens(need.text()), vec))
        return sides

    # -- scoring ---------------------------------------------------------------------------------

    def _text_scores(self, index: _OfferIndex, side: _Side) -> np.ndarray:
        channels = [np.clip(index.tfidf.scores(side.tokens), 0.0, 1.0)]
        if index.vectors is not None and side.vector is not None:
            channels.append(index.vectors.scores(side.vector))
        return np.asarray(np.mean(channels, axis=0), dtype=np.float64)

    def _score_all(
        self, index: _OfferIndex, profile: CompanyProfile, side: _Side
    ) -> tuple[np.ndarray, dict[str, np.ndarray | None], Proximity, np.ndarray, np.ndarray]:
        capability = self._text_scores(index, side)
        need_scores = [self._text_scores(index, s) for s in self._need_sides(profile)]
        need_matrix = np.stack(need_scores) if need_scores else None
        need = need_matrix.max(axis=0) if need_matrix is not None else None
        best_need = need_matrix.argmax(axis=0) if need_matrix is not None else np.zeros(0, dtype=np.int64)
        proximity = index.graph.proximity(profile.groups)
        field, known = index.fields.scores(proximity)
        components: dict[str, np.ndarray | None] = {
            "capability_fit": capability,
            "need_fit": need,
            "field_proximity": field,
        }
        return combine(components, self.weights), components, proximity, known, best_need

    def _own_offer(self, profile: CompanyProfile, index: _OfferIndex) -> np.ndarray:
        """Offers the company itself holds (its name is the licensor's) are not proposed to it."""
        names = set(profile.company.name_keys()) if profile.company else {normalise_name(profile.name)}
        return np.array(
            [normalise_name(index.licensors.get(o.licensor_id, "")) in names for o in index.offers],
            dtype=bool,
        )

    def offers_for_company(
        self,
        company: str | int,
        *,
        limit: int = 10,
        programme_id: int | None = None,
        propose: int = 3,
        lang: str = "ja",
        progress: ProgressFn | None = None,
    ) -> MatchList:
        """The best open offers for a company.

        Args:
            company: register id, name, alias or corpus applicant name.
            limit: matches returned.
            programme_id: only offers published in this programme.
            propose: proposed businesses are worked out for this many top matches (discovery is slow).
            lang: language of the reasons.
            progress: progress callback (embedding offers the first time).
        """
        profile = self.profile(company)
        index = self._offer_index(progress)
        notes: list[str] = []
        if not index.offers:
            raise NotFoundError(
                "公開中のオファーがありません。`tsunagu offers import` で登録してください / "
                "no open offers: import some with `tsunagu offers import`"
            )
        side = self._side(profile)
        score, components, proximity, known, best_need = self._score_all(index, profile, side)
        allowed = ~self._own_offer(profile, index)
        if programme_id is not None:
            allowed &= np.array([o.programme_id == programme_id for o in index.offers], dtype=bool)
        notes += _profile_notes(profile)
        order = [int(i) for i in np.lexsort((np.arange(len(score)), -score)) if allowed[i]][:limit]
        matches = []
        for rank, i in enumerate(order):
            matches.append(
                self._match(
                    index,
                    profile,
                    i,
                    score,
                    components,
                    proximity,
                    known,
                    best_need,
                    propose=rank < propose,
                    lang=lang,
                )
            )
        subject = profile.to_dict()
        return MatchList("offers_for_company", subject, tuple(matches), int(allowed.sum()), tuple(notes))

    def companies_for_offer(
        self,
        offer_id: int,
        *,
        limit: int = 10,
        programme_id: int | None = None,
        as_licensor: bool = False,
        propose: int = 3,
        lang: str = "ja",
        progress: ProgressFn | None = None,
    ) -> MatchList:
        """The registered companies that best fit an offer.

        Args:
            offer_id: the offer.
            limit: matches returned.
            programme_id: only companies that are members of this programme.
            as_licensor: show only what the licensor may see (private profiles left out, identities hidden
                until both sides agree in a deal).
            propose: proposed businesses for this many top matches.
            lang: language of the reasons.
            progress: progress callback.
        """
        offer = self.registry.get_offer(offer_id)
        index = self._offer_index(progress)
        try:
            row = next(i for i, o in enumerate(index.offers) if o.id == offer_id)
        except StopIteration:
            raise ValidationError(
                f"オファー {offer_id} は公開中ではありません / offer {offer_id} is closed"
            ) from None
        candidates = self.registry.list_companies(status="active", programme_id=programme_id)
        views: dict[int, dict[str, object]] = {}
        if as_licensor:
            for company in candidates:
                view = licensor_view(company, needs=tuple(self.registry.list_needs(company_id=company.id)))
                if view is not None:
                    views[company.id] = view
            candidates = [c for c in candidates if c.id in views]
        with_needs = {n.company_id for n in self.registry.list_needs(status="open")}
        short = shortlist(
            offer,
            candidates,
            keep=max(self.shortlist_size, 5 * limit),
            graph=index.graph,
            applicants=self.companies.applicants,
            patents=self.patents,
            analyzer=self.analyzer,
            weights=self.weights,
            with_needs=with_needs,
        )
        scored: list[tuple[float, int, CompanyProfile, tuple[Any, ...]]] = []
        for n, company in enumerate(short, start=1):
            if progress is not None:
                progress(n, len(short), "企業の評価 / scoring companies")
            profile = self.profile(company)
            if self._own_offer(profile, index)[row]:
                continue
            parts = self._score_all(index, profile, self._side(profile))
            scored.append((float(parts[0][row]), company.id, profile, parts))
        scored.sort(key=lambda t: (-t[0], t[1]))
        top = scored[:limit]
        final = []
        for rank, (_, _, profile, parts) in enumerate(top):
            match = self._match(index, profile, row, *parts, propose=False, lang=lang)
            if rank < propose and self.proposer is not None:
                match = _with_proposal(match, self._propose(index, profile, offer))
            final.append(match)
        subject = {
            "offer_id": offer.id,
            "title": offer.title,
            "licensor": index.licensors.get(offer.licensor_id, ""),
            "fields": list(offer.ipc_codes[:8]),
            "fields_inferred": offer.fields_inferred,
        }
        notes = (
            [
                "ライセンサー表示: 非公開企業は除外、社名は双方合意まで伏せています / licensor view: private "
                "profiles left out, names hidden until both sides agree"
            ]
            if as_licensor
            else []
        )
        return MatchList(
            "companies_for_offer",
            subject,
            tuple(final),
            len(candidates),
            tuple(notes),
            tuple(views.get(m.company.id or 0) for m in final) if as_licensor else (),
        )

    def explain(self, company: str | int, offer_id: int, *, lang: str = "ja") -> LicenseMatch:
        """The explained match of one company with one open offer (used when a deal is created)."""
        profile = self.profile(company)
        index = self._offer_index()
        try:
            row = next(i for i, o in enumerate(index.offers) if o.id == offer_id)
        except StopIteration:
            self.registry.get_offer(offer_id)  # NotFoundError for an unknown id
            raise ValidationError(
                f"オファー {offer_id} は公開中ではありません / offer {offer_id} is closed"
            ) from None
        score, components, proximity, known, best_need = self._score_all(index, profile, self._side(profile))
        return self._match(
            index, profile, row, score, components, proximity, known, best_need, propose=True, lang=lang
        )

    # -- one match -------------------------------------------------------------------------------

    def _match(
        self,
        index: _OfferIndex,
        profile: CompanyProfile,
        row: int,
        score: np.ndarray,
        components: dict[str, np.ndarray | None],
        proximity: Proximity,
        known: np.ndarray,
        best_need: np.ndarray,
        *,
        propose: bool,
        lang: str,
    ) -> LicenseMatch:
        offer = index.offers[row]
        values = {k: None if v is None else float(v[row]) for k, v in components.items()}
        groups = sorted({main_group(c) for c in offer.ipc_codes if "/" in c})
        home = set(profile.groups)
        links = [index.graph.link(proximity, g) for g in groups if g not in home]
        new_fields = tuple(sorted((lk for lk in links if lk is not None), key=lambda lk: -lk.value))
        known_fields = tuple(g for g in groups if g in home)
        need = profile.needs[int(best_need[row])] if profile.needs and best_need.size else None
        facts = MatchFacts(
            values,
            self.weights.to_dict(),
            self._closest_patent(profile, offer),
            need,
            new_fields,
            known_fields,
            today=date.today().isoformat(),
        )
        reasons = build_reasons(facts, profile, offer)
        proposal = UNAVAILABLE if self.proposer is None else NOT_REQUESTED
        if propose and self.proposer is not None:
            proposal = self._propose(index, profile, offer, proximity)
        return LicenseMatch(
            offer,
            index.licensors.get(offer.licensor_id, ""),
            profile,
            float(score[row]),
            values,
            self.weights.to_dict(),
            new_fields,
            known_fields,
            tuple(reasons),
            proposal,
        )

    def _propose(
        self, index: _OfferIndex, profile: CompanyProfile, offer: Offer, proximity: Proximity | None = None
    ) -> ProposedBusiness:
        assert self.proposer is not None
        prox = proximity or index.graph.proximity(profile.groups)
        home = set(profile.groups)

        def closeness(group: str) -> float:
            if group in home:
                return 1.0
            g = index.graph.index.get(group)
            return 0.0 if g is None else float(0.5 * (prox.p_doc[g] + prox.p_app[g]))

        try:
            return self.proposer.propose(profile, offer, closeness)
        except Exception as exc:  # a failing proposal must not lose the match
            return ProposedBusiness(
                False, note=f"事業案を作れませんでした / no proposal: {type(exc).__name__}: {exc}"
            )

    def _closest_patent(self, profile: CompanyProfile, offer: Offer) -> tuple[str, str, float] | None:
        keys = list(profile.patent_keys[:_MAX_PROFILE_PATENTS])
        if not keys:
            return None
        records = self.patents.get_many(keys)
        channel = TfidfChannel([self.analyzer.tokens(p.text()) for p in records])
        sims = channel.scores(self.analyzer.tokens(offer.text()))
        if self.embed is not None and self.offer_vectors is not None:
            vecs = self._patent_vectors(records)
            if len(vecs) == len(records):
                ov = self.offer_vectors.vectors([offer])[0]
                sims = 0.5 * (sims + np.clip(np.stack(vecs) @ ov, 0.0, 1.0))
        best = int(np.argmax(sims))
        return records[best].key, records[best].title, float(sims[best])


def _mean_unit(vectors: Sequence[np.ndarray]) -> np.ndarray | None:
    usable = [v for v in vectors if v.size and np.any(v)]
    if not usable:
        return None
    mean = np.mean(np.stack(usable), axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else None


def _with_proposal(match: LicenseMatch, proposal: ProposedBusiness) -> LicenseMatch:
    return dataclasses.replace(match, proposed_business=proposal)


def _profile_notes(profile: CompanyProfile) -> list[str]:
    notes = []
    if profile.company is None:
        notes.append(
            "登録企業ではなく、コーパスの出願人として特許から照合しました / matched as a corpus applicant "
            "from its patents (not a registered company)"
        )
    if not profile.patent_keys:
        notes.append(
            "保有特許がないため、登録された説明文から照合しました / no patents: matched from the "
            "registered description"
        )
    if profile.groups_inferred:
        notes.append(f"御社の分野（推定）/ inferred fields: {', '.join(profile.groups)}")
    if not profile.groups and not profile.text:
        notes.append(
            "分野も説明文もないため、照合の根拠がほとんどありません / no fields and no description: "
            "little to match on"
        )
    return notes
