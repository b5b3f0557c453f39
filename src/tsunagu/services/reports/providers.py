"""Adapters from other capabilities to the report's providers: the company register's lookup
(`RegisterDirectory`), 用途探索 (`DiscoveryIdeas`) and licensable-offer matching
(`MatchingOffers`). They are duck-typed on the services' public methods, so the report works with
whichever capabilities the app has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tsunagu.domain.patent import Patent
from tsunagu.services.landscape.fields import applicant_key
from tsunagu.services.reports.company import CompanyProfile, IdeaEvidence, IdeaSummary, OfferSummary

__all__ = ["COMPANY_PROFILE_FIELDS", "DiscoveryIdeas", "MatchingOffers", "RegisterDirectory"]

#: Register fields copied into a profile.
COMPANY_PROFILE_FIELDS: tuple[str, ...] = (
    "region",
    "industry",
    "size",
    "employees",
    "capabilities",
    "equipment",
    "products",
    "note",
)


class RegisterDirectory:
    """Company lookup through the register (`tsunagu.services.companies.CompanyService`).

    ``resolve`` follows the register's rule: register id or name, then a corpus applicant, else a
    `NotFoundError` listing near names.

    Args:
        companies: the register service (``resolve``, optionally ``list_needs``).
    """

    def __init__(self, companies: Any) -> None:
        self.companies = companies

    def resolve(self, name: str) -> CompanyProfile:
        """The profile of the company or applicant called ``name``."""
        found = self.companies.resolve(name)
        company = getattr(found, "company", None)
        fields: dict[str, str] = {}
        needs: list[str] = []
        if company is not None:
            for key in COMPANY_PROFILE_FIELDS:
                value = getattr(company, key, None)
                if value not in (None, "", ()):
                    fields[key] = ", ".join(value) if isinstance(value, tuple) else str(value)
            list_needs = getattr(self.companies, "list_needs", None)
            if list_needs is not None:
                for need in list_needs(company.id):
                    text = need.title + (f": {need.problem}" if getattr(need, "problem", "") else "")
                    needs.append(text)
        return CompanyProfile(
            name=found.name,
            kind=found.kind,
            register_id=getattr(company, "id", None),
            fields=fields,
            applicant_names=tuple(found.applicant_names),
            patent_keys=tuple(found.patent_keys),
            needs=tuple(needs),
        )


def _label(name: Any, lang: str) -> str:
    if isinstance(name, dict):
        return str((name.get("title_ja") if lang == "ja" else "") or name.get("title_en") or "")
    return str(name or "")


class DiscoveryIdeas:
    """Other-field ideas from 用途探索 (`tsunagu.services.discovery.DiscoveryService.discover`).

    The company's most recent records (at most ``max_patents``) and its know-how text are the input.

    Args:
        discover: the discovery call (request → result).
        max_patents: input records passed to discovery.
    """

    def __init__(self, discover: Callable[[Any], Any], *, max_patents: int = 50) -> None:
        self.discover = discover
        self.max_patents = max_patents

    def ideas(
        self, profile: CompanyProfile, patents: Sequence[Patent], know_how: str, k: int
    ) -> list[IdeaSummary]:
        """Up to ``k`` idea cards as report rows (none when there is neither text nor patents)."""
        from tsunagu.services.discovery.model import DiscoveryRequest

        keys = tuple(p.key for p in patents[: self.max_patents])
        text = know_how or profile.fields.get("capabilities", "")
        if not keys and not text.strip():
            return []
        result = self.discover(DiscoveryRequest(text=text, patents=keys, ideas=k, label=profile.name))
        own = {applicant_key(n) for n in (*profile.applicant_names, profile.name)}
        out = []
        for card in result.cards[:k]:
            # Evidence from other applicants shows where else the technology lives; the company's
            # own records (beyond those given as input) are left out.
            others = [e for e in card.evidence if not any(applicant_key(a) in own for a in e.applicants)]
            evidence = tuple(
                IdeaEvidence(e.number, e.title, e.applicants[0] if e.applicants else "", e.year)
                for e in (others or list(card.evidence))[:3]
            )
            scores = {
                name: float(getattr(card, name).value)
                for name in ("relevance", "novelty", "momentum", "evidence_strength")
                if getattr(card, name, None) is not None
            }
            out.append(
                IdeaSummary(
                    field=card.field,
                    field_name=_label(card.field_name, "ja") or _label(card.subclass_name, "ja"),
                    field_name_en=_label(card.field_name, "en") or _label(card.subclass_name, "en"),
                    function=card.function,
                    rationale=card.rationale.text if getattr(card, "rationale", None) else "",
                    evidence=evidence,
                    scores=scores,
                    offers=tuple(f"{o.title} ({o.holder})" if o.holder else o.title for o in card.offers),
                )
            )
        return out


class MatchingOffers:
    """Licensable offers ranked for the company by the matching capability
    (`tsunagu.services.matching.matcher.MatchingService.offers_for_company`).

    Args:
        offers_for_company: the matcher's call (company, limit=…, propose=…) → match list.
        lang: language of the reasons.
    """

    def __init__(self, offers_for_company: Callable[..., Any], *, lang: str = "ja") -> None:
        self.offers_for_company = offers_for_company
        self.lang = lang

    def offers_for(self, profile: CompanyProfile, k: int) -> list[OfferSummary]:
        """The ``k`` best open offers.

        Raises:
            NotFoundError: the register holds no open offer (the message says how to import some).
        """
        ref: str | int = profile.register_id if profile.register_id is not None else profile.name
        # An empty register raises NotFoundError; the report shows its message instead of offers.
        result = self.offers_for_company(ref, limit=k, propose=0, lang=self.lang)
        out = []
        for m in result.matches:
            reason = m.reasons[0].text(self.lang) if m.reasons else ""
            out.append(
                OfferSummary(
                    id=str(m.offer.id),
                    title=m.offer.title,
                    holder=m.licensor,
                    availability=str(getattr(m.offer, "availability", "")),
                    score=float(m.score),
                    reason=reason,
                )
            )
        return out
