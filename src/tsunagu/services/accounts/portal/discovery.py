"""用途探索 for the web: free text, patent numbers or a company, with the evidence of every card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import SME, Principal
from tsunagu.services.accounts.portal.base import PortalBase

__all__ = ["DiscoveryPortal", "field_links"]

MAX_TEXT = 10_000
MAX_PATENTS = 50


def field_links(result: dict[str, Any]) -> dict[str, Any]:
    """The home field → target field view: nodes on two sides and one link per card."""
    homes = [
        {"code": h["code"], "name": _name(h.get("name")), "confidence": h.get("confidence", 0.0)}
        for h in result.get("home_fields", [])
    ]
    targets = []
    links = []
    for card in result.get("cards", []):
        targets.append({"code": card["field"], "rank": card["rank"], "name": _name(card.get("field_name"))})
        novelty = (card.get("scores") or {}).get("novelty", {}).get("value", 0.0)
        for h in homes:
            links.append(
                {
                    "home": h["code"],
                    "target": card["field"],
                    "weight": round(h["confidence"], 3),
                    "novelty": novelty,
                }
            )
    return {"homes": homes, "targets": targets, "links": links}


def _name(name: Any) -> dict[str, str]:
    """Japanese and English names of a field (`FieldName.to_dict`), each falling back to the other."""
    name = name or {}
    ja = str(name.get("title_ja") or "")
    en = str(name.get("title_en") or "")
    return {"ja": ja or en, "en": en or ja}


class DiscoveryPortal(PortalBase):
    """Application discovery (用途探索)."""

    def _patent_keys(self, numbers: Sequence[str]) -> list[str]:
        keys: list[str] = []
        unknown: list[str] = []
        for raw in numbers:
            number = raw.strip()
            if not number:
                continue
            found = self.app.find_patents(number)
            if found:
                keys.append(found[0].key)
            else:
                unknown.append(number)
        if unknown:
            raise ValidationError(
                "patents: コーパスにない番号です / not in the corpus: " + ", ".join(unknown[:10])
            )
        return list(dict.fromkeys(keys))

    def _company_input(self, p: Principal, company_id: int) -> tuple[str, list[str], str]:
        """(know-how text, patent keys, label) of a registered company the person may see in full."""
        reg = self._registry()
        if reg is None:
            raise NotFoundError("企業が見つかりません / no such company")
        try:
            company = reg.get_company(company_id)
        except NotFoundError:
            raise NotFoundError("企業が見つかりません / no such company") from None
        if not self.rules.sees_company_fully(p, company):
            raise NotFoundError("企業が見つかりません / no such company")
        keys: list[str] = []
        for name in ("companies", "consortium_companies"):
            if self.has(name):
                service = getattr(self.app, name)
                keys = [pt.key for pt in service.patents_of(service.resolved(company))]
                break
        return company.text(), keys[:MAX_PATENTS], company.name

    def discover(
        self,
        p: Principal,
        *,
        text: str = "",
        patents: Sequence[str] = (),
        company_id: int | None = None,
        applicant: str = "",
        ideas: int = 8,
        boldness: float | None = None,
        exclude: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Run 用途探索 and return the result with a field-link view (``field_map``)."""
        self.require(p, "discover")
        service = self.service("discovery")
        from tsunagu.services.discovery.model import DiscoveryRequest

        text = (text or "").strip()
        if len(text) > MAX_TEXT:
            raise ValidationError(f"text: {MAX_TEXT} 文字以内にしてください / at most {MAX_TEXT} characters")
        if len(patents) > MAX_PATENTS:
            raise ValidationError(f"patents: {MAX_PATENTS} 件まで / at most {MAX_PATENTS} numbers")
        if not 1 <= ideas <= 20:
            raise ValidationError("ideas: 1〜20")
        if boldness is not None and not 0.0 <= boldness <= 1.0:
            raise ValidationError("boldness: 0〜1 の値 / between 0 and 1")
        keys = self._patent_keys(patents)
        label = ""
        if company_id is not None:
            if p.role == SME and company_id != p.company_id:
                raise NotFoundError("企業が見つかりません / no such company")
            know_how, company_keys, label = self._company_input(p, company_id)
            text = " ".join(t for t in (text, know_how) if t)
            keys = list(dict.fromkeys([*keys, *company_keys]))
        elif applicant.strip():
            found = sorted(self.app.store.keys_matching(None, applicant=applicant.strip()))
            if not found:
                raise ValidationError(
                    "applicant: 該当する出願人の特許がありません / no patents of that applicant"
                )
            keys = list(dict.fromkeys([*keys, *found[:MAX_PATENTS]]))
            label = applicant.strip()
        if not text and not keys:
            raise ValidationError(
                "text: 技術の説明文・特許番号・企業のいずれかを入力してください / "
                "describe the technology, or give patent numbers or a company"
            )
        request = DiscoveryRequest(
            text=text,
            patents=tuple(keys),
            ideas=ideas,
            boldness=boldness,
            exclude=tuple(e.strip() for e in exclude if e.strip()),
            label=label or ("自由記述 / free text" if text else "特許 / patents"),
        )
        key = ("discover", request, self.index_generation())

        def run() -> dict[str, Any]:
            found: dict[str, Any] = service.discover(request).to_dict()
            found["field_map"] = field_links(found)
            return found

        result: dict[str, Any] = self.cache.get_or_compute(key, lambda: self.cpu.run(run))
        return result
