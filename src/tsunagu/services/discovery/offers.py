"""Licensable offers in a target field: a pluggable provider (none by default).

Discovery asks its `OfferProvider` for the open offers whose fields include a card's main group (or,
failing that, its subclass). `NoOffers` is the default. `CatalogueOfferProvider` serves any list of
offers that carry IPC codes — for example the open offers of the matching register, where offers
without codes (such as the NASA catalogue) have fields inferred from their text and say so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

from tsunagu.domain.codes import main_group
from tsunagu.errors import TsunaguError
from tsunagu.services.discovery.model import OfferRef

__all__ = ["CatalogueOfferProvider", "NoOffers", "OfferProvider", "offer_ref"]


@runtime_checkable
class OfferProvider(Protocol):
    """Finds licensable offers in a field."""

    def offers_in_field(self, group: str, limit: int = 3) -> list[OfferRef]:
        """Open offers classified in the main group ``group`` (else in its subclass), best first."""
        ...


class NoOffers:
    """The default provider: there is no offer catalogue."""

    def offers_in_field(self, group: str, limit: int = 3) -> list[OfferRef]:
        return []


def offer_ref(offer: Any) -> OfferRef:
    """An `OfferRef` from a register offer (`tsunagu.domain.matching.Offer` or anything shaped like it)."""
    source = str(getattr(offer, "ipc_source", "") or "")
    return OfferRef(
        id=str(getattr(offer, "id", "")),
        title=str(getattr(offer, "title", "")),
        holder=str(getattr(offer, "holder", "") or getattr(offer, "licensor_name", "") or ""),
        number=next(iter(getattr(offer, "patent_numbers", ()) or ()), ""),
        codes=tuple(getattr(offer, "ipc_codes", ()) or ()),
        codes_inferred=source == "inferred",
        url=str(getattr(offer, "url", "") or ""),
    )


class CatalogueOfferProvider:
    """Offers from a catalogue, indexed by main group and subclass; reloaded when the stamp changes.

    Args:
        load: returns the current open offers (objects with ``id``, ``title``, ``ipc_codes``,
            ``ipc_source``, ``patent_numbers`` …) — for example ``OfferService.list_offers``.
        stamp: returns a value that changes whenever the catalogue changes (default: reload each call).
        to_ref: turns an offer into an `OfferRef` (default `offer_ref`).
    """

    def __init__(
        self,
        load: Callable[[], Iterable[Any]],
        stamp: Callable[[], object] | None = None,
        to_ref: Callable[[Any], OfferRef] = offer_ref,
    ) -> None:
        self._load = load
        self._stamp = stamp
        self._to_ref = to_ref
        self._lock = threading.Lock()
        self._seen: object = object()
        self._by_group: dict[str, list[OfferRef]] = {}
        self._by_subclass: dict[str, list[OfferRef]] = {}

    @classmethod
    def for_register(
        cls,
        list_offers: Callable[[], Iterable[Any]],
        licensor_name: Callable[[int], str],
        stamp: Callable[[], object] | None = None,
    ) -> CatalogueOfferProvider:
        """Open offers of the matching register (``OfferService.list_offers``), holders by licensor id."""

        def to_ref(offer: Any) -> OfferRef:
            ref = offer_ref(offer)
            lid = getattr(offer, "licensor_id", None)
            if not ref.holder and lid:
                with contextlib.suppress(TsunaguError):  # an unknown licensor leaves the holder empty
                    ref = dataclasses.replace(ref, holder=licensor_name(int(lid)))
            return ref

        return cls(list_offers, stamp=stamp, to_ref=to_ref)

    def _index(self) -> None:
        stamp = self._stamp() if self._stamp is not None else object()
        with self._lock:
            if self._stamp is not None and stamp == self._seen:
                return
            by_group: dict[str, list[OfferRef]] = {}
            by_sub: dict[str, list[OfferRef]] = {}
            for offer in self._load():
                ref = self._to_ref(offer)
                for g in dict.fromkeys(main_group(c) for c in ref.codes if c):
                    by_group.setdefault(g, []).append(ref)
                for s in dict.fromkeys(c[:4] for c in ref.codes if len(c) >= 4):
                    by_sub.setdefault(s, []).append(ref)
            self._by_group, self._by_subclass, self._seen = by_group, by_sub, stamp

    def offers_in_field(self, group: str, limit: int = 3) -> list[OfferRef]:
        self._index()
        found = list(self._by_group.get(group, []))
        if len(found) < limit:
            seen = {o.id for o in found}
            found += [o for o in self._by_subclass.get(group[:4], []) if o.id not in seen]
        return found[:limit]
