"""What a match says: `LicenseMatch` with its score breakdown, reasons and proposed business."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tsunagu.domain.fields import field_name
from tsunagu.domain.matching import Company, Need, Offer, label
from tsunagu.services.matching.fields import FieldLink

__all__ = ["CompanyProfile", "LicenseMatch", "MatchList", "ProposedBusiness", "Reason", "field_label"]


def field_label(code: str, lang: str = "ja") -> str:
    """``"B60W40/00 車両の運転制御…"``: a main group with its plain-language name."""
    if not code:
        return ""
    name = field_name(code).label(lang)
    return f"{code} {name}".strip()


@dataclass(frozen=True)
class CompanyProfile:
    """A company as the matcher sees it.

    Attributes:
        ref: ``"company:<id>"`` for a registered company, ``"applicant:<name>"`` for a corpus applicant.
        name: display name.
        company: the register record (None for an applicant).
        text: its own description (capabilities, equipment, products); ``""`` for an applicant.
        patent_keys: its corpus records.
        patent_titles: title of each record (for explanations).
        groups: its home IPC main groups.
        groups_inferred: True when ``groups`` were inferred from ``text`` (no classified patent).
        needs: its open needs.
    """

    ref: str
    name: str
    company: Company | None
    text: str
    patent_keys: tuple[str, ...]
    patent_titles: dict[str, str]
    groups: tuple[str, ...]
    groups_inferred: bool
    needs: tuple[Need, ...] = ()

    @property
    def id(self) -> int | None:
        return self.company.id if self.company else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "id": self.id,
            "name": self.name,
            "kind": "registered" if self.company else "applicant",
            "patents": len(self.patent_keys),
            "fields": list(self.groups),
            "fields_inferred": self.groups_inferred,
            "needs": [n.id for n in self.needs],
        }


@dataclass(frozen=True)
class ProposedBusiness:
    """What the offer could become for this company, from 用途探索 (discovery) when available.

    Attributes:
        available: False when discovery is not available (``note`` says so) or found nothing.
        field: the target IPC main group of the idea.
        function: the technology's function that transfers.
        relation: how the field relates to the company (``"home"``: one of its fields, ``"adjacent"``).
        rationale: discovery's rationale (machine-assembled from the evidence).
        evidence: supporting patents (``number``, ``title``, ``applicant``, ``year``).
        note: a plain statement when nothing is proposed.
    """

    available: bool
    field: str = ""
    function: str = ""
    relation: str = ""
    rationale: str = ""
    evidence: tuple[dict[str, Any], ...] = ()
    note: str = ""

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {
            "available": self.available,
            "field": self.field,
            "field_name": field_label(self.field, lang) if self.field else "",
            "function": self.function,
            "relation": self.relation,
            "rationale": self.rationale,
            "evidence": list(self.evidence),
            "note": self.note,
        }


UNAVAILABLE = ProposedBusiness(
    False,
    note="用途探索（discovery）が使えないため事業案は提示していません / "
    "application discovery is not available, so no business is proposed",
)


NOT_REQUESTED = ProposedBusiness(
    False,
    note="事業案は上位の候補についてのみ作成します（--propose で件数を変更） / "
    "proposals are worked out for the top matches only (--propose N)",
)


@dataclass(frozen=True)
class Reason:
    """One sentence of a match's explanation, tied to a component.

    Attributes:
        component: ``capability_fit``, ``need_fit``, ``field_proximity`` or ``note``.
        ja, en: the sentence in Japanese and English.
        evidence: the facts behind it (codes, keys, need id, similarity…).
    """

    component: str
    ja: str
    en: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "ja") -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class LicenseMatch:
    """One offer–company pair with its explained score.

    Attributes:
        offer: the offer.
        licensor: the licensor's name.
        company: the company profile.
        score: weighted mean of the present components (0–1).
        components: each component's value; ``None`` when absent (for example no needs registered).
        weights: the weights used.
        new_fields: offer fields new to the company, with their strongest links to its own fields.
        known_fields: offer fields the company already works in.
        reasons: the explanation, strongest component first.
        proposed_business: what the offer could become for the company.
    """

    offer: Offer
    licensor: str
    company: CompanyProfile
    score: float
    components: dict[str, float | None]
    weights: dict[str, float]
    new_fields: tuple[FieldLink, ...]
    known_fields: tuple[str, ...]
    reasons: tuple[Reason, ...]
    proposed_business: ProposedBusiness = UNAVAILABLE

    def to_dict(self, lang: str = "ja", *, company_view: dict[str, Any] | None = None) -> dict[str, Any]:
        """JSON-ready form; ``company_view`` replaces the company block (what a licensor may see)."""
        o = self.offer
        return {
            "score": round(self.score, 4),
            "components": {k: None if v is None else round(v, 4) for k, v in self.components.items()},
            "weights": self.weights,
            "offer": {
                "id": o.id,
                "title": o.title,
                "licensor": self.licensor,
                "availability": o.availability,
                "availability_label": label("availability", o.availability, lang),
                "tech_stage": o.tech_stage,
                "patent_numbers": list(o.patent_numbers),
                "fields": list(o.ipc_codes[:8]),
                "fields_source": o.ipc_source,
                "fields_inferred": o.fields_inferred,
            },
            "company": company_view if company_view is not None else self.company.to_dict(),
            "new_fields": [
                {
                    "field": link.group,
                    "field_name": field_label(link.group, lang),
                    "proximity": round(link.value, 4),
                    "cooccurrence": {"from": link.home_doc, "p": round(link.p_doc, 4)},
                    "coactivity": {"from": link.home_app, "p": round(link.p_app, 4)},
                }
                for link in self.new_fields
            ],
            "known_fields": list(self.known_fields),
            "reasons": [
                {"component": r.component, "text": r.text(lang), "evidence": r.evidence} for r in self.reasons
            ],
            "proposed_business": self.proposed_business.to_dict(lang),
        }


@dataclass(frozen=True)
class MatchList:
    """The answer of a ranking: who asked (company or offer), the matches, and notes."""

    direction: str
    subject: dict[str, Any]
    matches: tuple[LicenseMatch, ...]
    considered: int
    notes: tuple[str, ...] = ()
    views: tuple[dict[str, Any] | None, ...] = ()

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        views = self.views or (None,) * len(self.matches)
        return {
            "direction": self.direction,
            "subject": self.subject,
            "considered": self.considered,
            "notes": list(self.notes),
            "matches": [
                {"rank": i, **m.to_dict(lang, company_view=v)}
                for i, (m, v) in enumerate(zip(self.matches, views, strict=True), start=1)
            ],
        }
