"""Requests, settings and results of 用途探索 (application discovery)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tsunagu.errors import ValidationError

__all__ = [
    "CandidateField",
    "DiscoveryConfig",
    "DiscoveryRequest",
    "DiscoveryResult",
    "Evidence",
    "HomeField",
    "IdeaCard",
    "OfferRef",
    "Rationale",
    "ScoreBreakdown",
]


@dataclass(frozen=True)
class DiscoveryConfig:
    """Parameters of discovery. Defaults are the configuration chosen on validation data by
    ``bench/tune_discovery.py`` (see ``docs/discovery.md``); the evaluation measures exactly these.

    Retrieval (each query item = the whole input, one passage, or one function/effect phrase):

    Attributes:
        doc_depth: neighbours taken for the whole input, per channel.
        passage_depth: neighbours taken for each passage and each phrase, per channel.
        passage_weight: weight of each passage's neighbours relative to the whole input's.
        phrase_weight: weight of each phrase's neighbours relative to the whole input's.
        lexical_weight: weight of the BM25 channel (scores divided by the item's best score).
        vector_weight: weight of the vector channel (cosine rescaled from ``vector_floor`` to the best).
        vector_floor: cosine treated as no similarity.
        lexical_norm: BM25 scores are divided by the item's best score (``"top"``) or by its bound,
            the sum of its tokens' best scores in any document (``"bound"``: an absolute scale, so a
            query that matches nothing well gets little lexical evidence).
        vector_norm: cosine is rescaled from the floor to the item's best (``"top"``) or to 1
            (``"absolute"``).
        max_passages: passages searched (the longest ones when the input has more).
        max_phrases: phrases searched (function and effect phrases, in input order).

    Fields:
        home_share: a subclass holding at least this share of the evidence is a home field.
        novelty_rank: a target outside the ``novelty_rank`` fields most co-classified with the home
            fields counts as rarely co-classified (novelty 1).
        novelty_shape: inside those fields novelty is 0 (``"step"``) or rises linearly with the
            co-classification rank (``"ramp"``).
        prior_exponent: relevance is divided by ``P(field) ** prior_exponent`` (0 = raw evidence share).
        boldness: default boldness; the weight of novelty is ``boldness / (1 - boldness)``.
        diversity: score factor per card already chosen in the same subclass (1 = no penalty).
        momentum_weight: weight of momentum in the ranking score (0 = reported only).
        home_exclusion: which fields do not become cards (they stay among the further candidates,
            in score order): ``"section"`` (the home section), ``"core"`` (home-field subclasses of the
            home section), ``"home"`` (every home-field subclass) or ``"none"``.

    Cards:
        ideas: default number of idea cards (a request may ask for another number).
        evidence_per_card: evidence patents shown per card (at most).
        little_evidence: a card with fewer supporting patents than this says the corpus holds little
            evidence.
        momentum_years: length of the two windows compared by momentum.
    """

    doc_depth: int = 100
    passage_depth: int = 20
    passage_weight: float = 0.2
    phrase_weight: float = 0.2
    lexical_weight: float = 1.0
    vector_weight: float = 0.5
    vector_floor: float = 0.3
    lexical_norm: str = "bound"
    vector_norm: str = "absolute"
    max_passages: int = 12
    max_phrases: int = 8
    home_share: float = 0.3
    novelty_rank: int = 20
    novelty_shape: str = "step"
    prior_exponent: float = 0.0
    boldness: float = 0.7
    diversity: float = 1.0
    momentum_weight: float = 0.0
    home_exclusion: str = "core"
    ideas: int = 6
    evidence_per_card: int = 5
    little_evidence: int = 3
    momentum_years: int = 5

    def __post_init__(self) -> None:
        if not 0.0 <= self.boldness <= 1.0:
            raise ValidationError(f"boldness must be between 0 and 1, not {self.boldness}")
        if self.home_exclusion not in ("section", "core", "home", "none"):
            raise ValidationError(
                f"home_exclusion must be section, core, home or none, not {self.home_exclusion!r}"
            )
        if self.lexical_norm not in ("top", "bound") or self.vector_norm not in ("top", "absolute"):
            raise ValidationError("lexical_norm must be top or bound; vector_norm top or absolute")
        if self.novelty_shape not in ("step", "ramp"):
            raise ValidationError(f"novelty_shape must be step or ramp, not {self.novelty_shape!r}")
        if self.doc_depth < 1 or self.passage_depth < 0:
            raise ValidationError("discovery depths must be positive")

    def novelty_weight(self, boldness: float | None = None) -> float:
        """``boldness / (1 - boldness)``: 0 at boldness 0, 1 at 0.5, infinite at 1."""
        b = self.boldness if boldness is None else boldness
        return float("inf") if b >= 1.0 else b / (1.0 - b)


@dataclass(frozen=True)
class DiscoveryRequest:
    """What to discover applications for.

    Attributes:
        text: free text describing the technology (Japanese or English), may be empty when
            ``patents`` are given.
        title: optional title (its phrases count; it is its own passage).
        patents: dedupe keys of input patents (their title + abstract join the text, their IPC codes
            fix the home fields, and they are never shown as evidence).
        ideas: number of idea cards (None: the configured default).
        boldness: 0..1, None for the configured default.
        exclude: IPC prefixes never proposed (``"A61B"``, ``"G06F3/00"``).
        candidates: at least this many further candidate fields are returned after the cards.
        explain: build matched passages and rationales (False only ranks; the ranking is identical).
        label: how the input is named in output (``"free text"``, a company name, …).
    """

    text: str = ""
    title: str = ""
    patents: tuple[str, ...] = ()
    ideas: int | None = None
    boldness: float | None = None
    exclude: tuple[str, ...] = ()
    candidates: int = 30
    explain: bool = True
    label: str = ""

    def __post_init__(self) -> None:
        if not (self.text.strip() or self.title.strip() or self.patents):
            raise ValidationError("discover: 技術の説明文か特許番号が必要です / give a text or patents")
        if self.boldness is not None and not 0.0 <= self.boldness <= 1.0:
            raise ValidationError(f"boldness must be between 0 and 1, not {self.boldness}")
        if self.ideas is not None and self.ideas < 1:
            raise ValidationError("ideas must be at least 1")


@dataclass(frozen=True)
class HomeField:
    """A subclass where the technology already lives.

    Attributes:
        code: IPC subclass.
        confidence: share of the evidence (or of the input patents) carrying it, 0..1.
        source: ``"evidence"`` (inferred from the nearest patents) or ``"patents"`` (input codes).
        name: `tsunagu.domain.fields.FieldName` as a dict.
        wipo: WIPO field as a dict, or None.
    """

    code: str
    confidence: float
    source: str
    name: dict[str, Any]
    wipo: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "confidence": round(self.confidence, 4),
            "source": self.source,
            "name": self.name,
            "wipo": self.wipo,
        }


@dataclass(frozen=True)
class Evidence:
    """A corpus patent supporting an idea card.

    Attributes:
        key: dedupe key.
        number: publication number as shown.
        title: title.
        applicants: applicants.
        year: filing (else priority, else publication) year.
        similarity: the document's evidence weight (sum over query items), as ranked.
        lexical: best BM25 share over the query items (score / the item's best), or None.
        vector: best cosine over the query items, or None.
        input_passage: the input passage (or phrase) whose search found it best.
        matched_passage: the sentence of this patent closest to that input passage.
        match_method: how the matched passage was chosen (``"lexical"`` overlap or ``"vector"``).
        codes: its IPC main groups in the target field.
    """

    key: str
    number: str
    title: str
    applicants: tuple[str, ...]
    year: int | None
    similarity: float
    lexical: float | None
    vector: float | None
    input_passage: str
    matched_passage: str
    match_method: str
    codes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "number": self.number,
            "title": self.title,
            "applicants": list(self.applicants),
            "year": self.year,
            "similarity": round(self.similarity, 4),
            "lexical": None if self.lexical is None else round(self.lexical, 4),
            "vector": None if self.vector is None else round(self.vector, 4),
            "input_passage": self.input_passage,
            "matched_passage": self.matched_passage,
            "match_method": self.match_method,
            "codes": list(self.codes),
        }


@dataclass(frozen=True)
class ScoreBreakdown:
    """One score of a card, 0..1, with the figures it was computed from."""

    value: float
    parts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"value": round(self.value, 4), **self.parts}


@dataclass(frozen=True)
class OfferRef:
    """A licensable offer in a target field (from an `OfferProvider`).

    Attributes:
        id: the offer's id in its provider.
        title: plain-language title.
        holder: licensor.
        number: patent number, when the offer is a patent.
        codes: the offer's IPC codes.
        codes_inferred: True when the codes were inferred from the offer's text (no codes given).
        url: where to read more.
    """

    id: str
    title: str
    holder: str = ""
    number: str = ""
    codes: tuple[str, ...] = ()
    codes_inferred: bool = False
    url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "holder": self.holder,
            "number": self.number,
            "codes": list(self.codes),
            "codes_inferred": self.codes_inferred,
            "url": self.url,
        }


@dataclass(frozen=True)
class Rationale:
    """Why a card is proposed.

    Attributes:
        text: the rationale assembled from the card's facts (always present).
        phrased: a language model's phrasing of ``text`` when one was configured, else ``""``.
        machine_phrased: True when ``phrased`` is set (it is machine-written; the facts are ``text``).
        model: the model that phrased it.
    """

    text: str
    phrased: str = ""
    machine_phrased: bool = False
    model: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "phrased": self.phrased,
            "machine_phrased": self.machine_phrased,
            "model": self.model,
        }


@dataclass(frozen=True)
class IdeaCard:
    """One proposed application in another field.

    Attributes:
        rank: 1-based position.
        field: target IPC main group.
        subclass: its subclass.
        field_name: name of the main group (dict of `FieldName`).
        subclass_name: name of the subclass.
        wipo: WIPO field (dict) or None.
        function: the input's function / effect phrase that transfers (its own search found the
            evidence), or ``""`` when no phrase was found.
        function_kind: ``"function"``, ``"effect"``, ``"problem"`` or ``""``.
        score: the ranking score (relevance boosted by novelty per boldness).
        relevance: how closely the evidence matches the input.
        novelty: distance from the home fields.
        momentum: growth of filings in the field.
        evidence_strength: how many supporting patents, how close.
        evidence: the supporting patents (3–5 when the corpus has them).
        applicants: companies active in the field as ``(name, records)``.
        offers: licensable offers in the field.
        little_evidence: True when the corpus holds little evidence for this field.
        notes: plain statements about the card (little evidence, inferred names, …).
        rationale: the rationale.
    """

    rank: int
    field: str
    subclass: str
    field_name: dict[str, Any]
    subclass_name: dict[str, Any]
    wipo: dict[str, Any] | None
    function: str
    function_kind: str
    score: float
    relevance: ScoreBreakdown
    novelty: ScoreBreakdown
    momentum: ScoreBreakdown
    evidence_strength: ScoreBreakdown
    evidence: tuple[Evidence, ...]
    applicants: tuple[tuple[str, int], ...]
    offers: tuple[OfferRef, ...]
    little_evidence: bool
    notes: tuple[str, ...]
    rationale: Rationale

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "field": self.field,
            "subclass": self.subclass,
            "field_name": self.field_name,
            "subclass_name": self.subclass_name,
            "wipo": self.wipo,
            "function": self.function,
            "function_kind": self.function_kind,
            "score": round(self.score, 6),
            "scores": {
                "relevance": self.relevance.to_dict(),
                "novelty": self.novelty.to_dict(),
                "momentum": self.momentum.to_dict(),
                "evidence": self.evidence_strength.to_dict(),
            },
            "evidence": [e.to_dict() for e in self.evidence],
            "applicants": [{"name": n, "patents": c} for n, c in self.applicants],
            "offers": [o.to_dict() for o in self.offers],
            "little_evidence": self.little_evidence,
            "notes": list(self.notes),
            "rationale": self.rationale.to_dict(),
        }


@dataclass(frozen=True)
class CandidateField:
    """A scored target field beyond the cards (in score order)."""

    field: str
    score: float
    relevance: float
    novelty: float
    supporting: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "score": round(self.score, 6),
            "relevance": round(self.relevance, 4),
            "novelty": round(self.novelty, 4),
            "supporting": self.supporting,
        }


@dataclass(frozen=True)
class DiscoveryResult:
    """The answer of `DiscoveryService.discover`.

    Attributes:
        request: the request (its label, ideas, boldness, exclusions).
        boldness: the boldness used.
        analysis: the input's passages and function / effect / problem phrases (dict).
        home_section: the section holding most of the evidence (or of the input patents' codes).
        home_fields: home subclasses with confidence.
        cards: idea cards, best first.
        candidates: further target fields in score order (after the cards).
        corpus: corpus figures (documents with codes, main groups, store revision, data years).
        timings: seconds per stage.
        notes: plain statements about the whole result (for example an input with no evidence).
    """

    request: DiscoveryRequest
    boldness: float
    analysis: dict[str, Any]
    home_section: str
    home_fields: tuple[HomeField, ...]
    cards: tuple[IdeaCard, ...]
    candidates: tuple[CandidateField, ...]
    corpus: dict[str, Any]
    timings: dict[str, float]
    notes: tuple[str, ...] = ()

    def ranked_fields(self) -> list[str]:
        """Target main groups: the cards' in card order, then the further candidates in score order."""
        out = [c.field for c in self.cards]
        seen = set(out)
        out += [c.field for c in self.candidates if c.field not in seen]
        return out

    def to_dict(self) -> dict[str, Any]:
        r = self.request
        return {
            "input": {
                "label": r.label,
                "title": r.title,
                "text": r.text,
                "patents": list(r.patents),
                "ideas": r.ideas,
                "boldness": self.boldness,
                "exclude": list(r.exclude),
            },
            "analysis": self.analysis,
            "home_section": self.home_section,
            "home_fields": [h.to_dict() for h in self.home_fields],
            "cards": [c.to_dict() for c in self.cards],
            "candidates": [c.to_dict() for c in self.candidates],
            "corpus": self.corpus,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "notes": list(self.notes),
        }
