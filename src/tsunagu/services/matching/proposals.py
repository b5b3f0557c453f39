"""Proposed business for a match, from 用途探索 (application discovery).

Discovery is run on the offer (its text and linked patents) and returns idea cards, each an IPC main
group where the technology could be used, with evidence patents. For a given company the card whose
field is closest to the company is chosen: one of its own fields first ("home": the technology becomes
a product in a field it already serves), then the most strongly linked adjacent field ("adjacent"),
else the best card overall ("other"). Results are cached per offer (discovery takes a second or two).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from tsunagu.domain.matching import Offer
from tsunagu.services.matching.results import CompanyProfile, ProposedBusiness

__all__ = ["DiscoveryProposer"]

_CACHE = 256


class DiscoveryProposer:
    """A `tsunagu.services.matching.matcher.BusinessProposer` over a discovery function.

    Args:
        discover: ``discover(request)`` → a result with ``cards`` (discovery's `DiscoveryService.discover`).
        make_request: builds the request from keyword arguments (discovery's ``DiscoveryRequest``).
        ideas: idea cards asked for per offer.
    """

    def __init__(
        self, discover: Callable[[Any], Any], make_request: Callable[..., Any], *, ideas: int = 8
    ) -> None:
        self.discover = discover
        self.make_request = make_request
        self.ideas = ideas
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[int, str], Any] = OrderedDict()

    def _result(self, offer: Offer) -> Any:
        key = (offer.id, offer.updated_at)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        request = self.make_request(
            text=offer.text(),
            title=offer.title,
            patents=tuple(offer.patent_keys),
            ideas=self.ideas,
            label=offer.title,
        )
        result = self.discover(request)
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > _CACHE:
                self._cache.popitem(last=False)
        return result

    def propose(
        self, profile: CompanyProfile, offer: Offer, closeness: Callable[[str], float]
    ) -> ProposedBusiness:
        """The idea card of the offer closest to the company (see the module docstring)."""
        cards = list(getattr(self._result(offer), "cards", ()) or ())
        if not cards:
            return ProposedBusiness(
                False,
                note="用途探索で根拠のある用途が見つかりませんでした / "
                "discovery found no grounded application",
            )
        scored = [(closeness(str(c.field)), -i, c) for i, c in enumerate(cards)]
        best_close, _, card = max(scored, key=lambda t: (t[0], t[1]))
        relation = "home" if best_close >= 1.0 else "adjacent" if best_close > 0 else "other"
        evidence = tuple(
            {
                "number": e.number,
                "title": e.title,
                "applicant": e.applicants[0] if e.applicants else "",
                "year": e.year,
            }
            for e in list(card.evidence)[:3]
        )
        rationale = getattr(card.rationale, "text", "") if getattr(card, "rationale", None) else ""
        return ProposedBusiness(
            True, str(card.field), str(card.function or ""), relation, rationale, evidence
        )
