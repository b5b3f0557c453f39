"""A deal's discussion documents (NDA checklist, term-sheet draft) and each side's consent to reveal
its identity, for the people who may see the deal.

Documents are the ones ``tsunagu deals document`` writes (`tsunagu.services.matching.documents`), in
Markdown or HTML; each download is noted in the deal's history (`DealService.record_document`, as the
command does when it writes a file) and in the audit log. A licensor's copy leaves out the company's
needs that the company does not show to licensors.

Identity reveal (`DealService.consent`): the SME records its own side, the licensor user the
licensor's side, and the deal's coordinators (or an administrator) either side on a party's behalf.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from tsunagu.domain.matching import Deal, licensor_needs
from tsunagu.errors import ValidationError
from tsunagu.services.accounts.model import LICENSOR, SME, PermissionDeniedError, Principal
from tsunagu.services.accounts.portal.matching import MatchingPortal
from tsunagu.services.matching.documents import DOCUMENT_KINDS, render_document

__all__ = ["DOCUMENT_FORMATS", "DealDocumentPortal"]

#: format → media type of a downloaded document.
DOCUMENT_FORMATS: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
SIDES = ("company", "licensor")


class DealDocumentPortal(MatchingPortal):
    """Deal documents and identity-reveal consent behind the access rules."""

    def deal_documents(self, lang: str = "ja") -> list[dict[str, str]]:
        """The document kinds with their titles in ``lang``."""
        return [{"kind": k, "title": ja if lang == "ja" else en} for k, (ja, en) in DOCUMENT_KINDS.items()]

    def deal_document(
        self, p: Principal, deal_id: int, kind: str, *, fmt: str = "md", lang: str = "ja", ip: str = ""
    ) -> dict[str, Any]:
        """One document of a deal ``p`` may see: ``{"filename", "media_type", "title", "content"}``.

        Raises:
            NotFoundError: a deal ``p`` may not see.
            ValidationError: an unknown kind or format (named).
        """
        self.require(p, "deals.read")
        deal = self._visible_deal(p, deal_id)
        if kind not in DOCUMENT_KINDS:
            raise ValidationError(
                f"kind: {kind!r} は不明です / unknown document; 使える値 / accepted: "
                + ", ".join(DOCUMENT_KINDS)
            )
        if fmt not in DOCUMENT_FORMATS:
            raise ValidationError("format: md か html / must be md or html")
        if lang not in ("ja", "en"):
            raise ValidationError("lang: ja か en / must be ja or en")
        deals = self.service("deals")
        view = deals.show(deal.id)
        if p.role == LICENSOR:
            needs = licensor_needs(view.company, view.needs, revealed=deal.identities_revealed)
            view = dataclasses.replace(view, needs=needs)
        doc = render_document(view, kind, lang=lang)
        filename = f"deal-{deal.id}-{kind}.{fmt}"
        deals.record_document(deal.id, f"{doc.title} ({fmt}) → {filename}", actor=p.username)
        self.audit(p, "deal.document", "deal", deal.id, {"kind": kind, "format": fmt}, ip)
        return {
            "filename": filename,
            "media_type": DOCUMENT_FORMATS[fmt],
            "title": doc.title,
            "content": doc.html if fmt == "html" else doc.markdown,
        }

    # -- identity reveal ---------------------------------------------------------------------------

    def _reveal_sides(self, p: Principal, deal: Deal) -> list[str]:
        """The sides whose consent ``p`` may record on this deal."""
        if self.rules.deal_editable(p, deal):
            return list(SIDES)
        if p.role == SME and p.company_id is not None and deal.company_id == p.company_id:
            return ["company"]
        if p.role == LICENSOR and p.licensor_id is not None:
            offer = self.registry().get_offer(deal.offer_id)
            if offer.licensor_id == p.licensor_id:
                return ["licensor"]
        return []

    def reveal_options(self, p: Principal, deal_id: int) -> dict[str, Any]:
        """For the deal page: each side's consent so far and whether ``p`` may record it."""
        self.require(p, "deals.read")
        deal = self._visible_deal(p, deal_id)
        mine = self._reveal_sides(p, deal)
        return {
            "company": {"given": deal.company_reveal, "may": "company" in mine},
            "licensor": {"given": deal.licensor_reveal, "may": "licensor" in mine},
            "revealed": deal.identities_revealed,
        }

    def consent_reveal(
        self, p: Principal, deal_id: int, side: str = "", *, lang: str = "ja", ip: str = ""
    ) -> dict[str, Any]:
        """Record one side's agreement to reveal its identity (identities show once both agreed).

        ``side`` may be left empty by an SME or licensor user (their own side). Recording a side that
        already agreed changes nothing.

        Raises:
            NotFoundError: a deal ``p`` may not see.
            PermissionDeniedError: a side ``p`` may not speak for.
            ValidationError: an unknown side.
        """
        self.require(p, "deals.read")
        deal = self._visible_deal(p, deal_id)
        mine = self._reveal_sides(p, deal)
        side = re.sub(r"\s+", "", side or "").lower()
        if not side and len(mine) == 1:
            side = mine[0]
        if side not in SIDES:
            raise ValidationError("side: company または licensor / must be company or licensor")
        if side not in mine:
            raise PermissionDeniedError(
                "この側の同意は記録できません / you may not record this side's consent"
            )
        given = deal.company_reveal if side == "company" else deal.licensor_reveal
        if not given:
            self.service("deals").consent(deal.id, side, actor=p.username)
            self.audit(p, "deal.reveal_consent", "deal", deal.id, {"side": side}, ip)
        return self.deal(p, deal.id, lang)
