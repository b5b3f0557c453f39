"""開放特許マッチング: offers, companies, matches and deals, as each role may see them.

Reads go to the company register through the access rules. Deal changes go to the matching issue's
deal service when the app has one (``app.deals``); otherwise they are applied here with the domain's
stage rules (`tsunagu.domain.matching.check_transition`) and the register's atomic, stage-conditional
update, so a deal board works as soon as the register exists.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from tsunagu.domain.matching import (
    CLOSED_LOST,
    STAGES,
    Company,
    Deal,
    DealEvent,
    Offer,
    allowed_transitions,
    check_transition,
    label,
    licensor_view,
)
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import COORDINATOR, LICENSOR, SME, Principal, UnavailableError
from tsunagu.services.accounts.portal.base import UNAVAILABLE, PortalBase, page_of

__all__ = ["MatchingPortal"]

_NOT_FOUND = "見つかりません / not found"


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _today() -> str:
    return date.today().isoformat()


def _check_date(value: str, name: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise ValidationError(f"{name}: 日付は YYYY-MM-DD で入力してください / use YYYY-MM-DD") from exc


class MatchingPortal(PortalBase):
    """Offers, companies, matches and deals behind the access rules."""

    # -- register ------------------------------------------------------------------------------------

    def registry(self) -> Any:
        reg = self._registry()
        if reg is None:
            raise UnavailableError(UNAVAILABLE)
        return reg

    def _licensor_names(self) -> dict[int, str]:
        return {lic.id: lic.name for lic in self.registry().list_licensors()}

    def programmes(self, p: Principal) -> list[dict[str, Any]]:
        """Programmes the person works in (administrators: all)."""
        self.require(p, "programmes.read")
        items = self.registry().list_programmes()
        if not p.is_admin:
            items = [g for g in items if g.id in p.programmes]
        return [
            {
                "id": g.id,
                "code": g.code,
                "name": g.name,
                "organiser": g.organiser,
                "region": g.region,
                "status": g.status,
                "my_role": "admin" if p.is_admin else p.programmes.get(g.id, ""),
            }
            for g in items
        ]

    # -- offers --------------------------------------------------------------------------------------

    def offer_dict(
        self, offer: Offer, lang: str = "ja", names: dict[int, str] | None = None
    ) -> dict[str, Any]:
        names = names if names is not None else self._licensor_names()
        d = dataclasses.asdict(offer)
        for key in ("uses", "patent_numbers", "patent_keys", "ipc_codes"):
            d[key] = list(d[key])
        d["licensor"] = names.get(offer.licensor_id, "")
        d["availability_label"] = label("availability", offer.availability, lang)
        d["tech_stage_label"] = label("tech_stage", offer.tech_stage, lang)
        d["fields_inferred"] = offer.fields_inferred
        return d

    def offers(
        self,
        p: Principal,
        *,
        q: str = "",
        status: str = "open",
        page: int = 1,
        per_page: int = 20,
        lang: str = "ja",
    ) -> dict[str, Any]:
        """Offers the person may see, newest first, optionally filtered by words in title or summary."""
        self.require(p, "offers.read")
        reg = self.registry()
        if p.role == LICENSOR:
            items = reg.list_offers(licensor_id=p.licensor_id if p.licensor_id is not None else -1)
            if status:
                items = [o for o in items if o.status == status]
        else:
            items = reg.list_offers(status=status) if status else reg.list_offers()
        items = [o for o in items if self.rules.sees_offer(p, o)]
        words = [w.casefold() for w in q.split() if w]
        if words:
            items = [
                o for o in items if all(w in o.text().casefold() or w in o.category.casefold() for w in words)
            ]
        items.sort(key=lambda o: o.id, reverse=True)
        paged = page_of(items, page, per_page)
        names = self._licensor_names()
        paged["items"] = [self.offer_dict(o, lang, names) for o in paged["items"]]
        return paged

    def _visible_offer(self, p: Principal, offer_id: int) -> Offer:
        try:
            offer: Offer = self.registry().get_offer(offer_id)
        except NotFoundError:
            raise NotFoundError(_NOT_FOUND) from None
        if not self.rules.sees_offer(p, offer):
            raise NotFoundError(_NOT_FOUND)
        return offer

    def offer(self, p: Principal, offer_id: int, lang: str = "ja") -> dict[str, Any]:
        self.require(p, "offers.read")
        return self.offer_dict(self._visible_offer(p, offer_id), lang)

    def create_offer(self, p: Principal, data: dict[str, Any], *, ip: str = "") -> dict[str, Any]:
        """Publish an offer: a licensor for itself; coordinators and admins name the licensor."""
        self.require(p, "offers.write")
        reg = self.registry()
        licensor_id = p.licensor_id if p.role == LICENSOR else data.get("licensor_id")
        if licensor_id is None:
            raise ValidationError("licensor_id: ライセンサーを指定してください / give the licensor")
        reg.get_licensor(int(licensor_id))
        programme_id = data.get("programme_id")
        if p.role == COORDINATOR and (programme_id is None or not p.coordinates(int(programme_id))):
            raise ValidationError(
                "programme_id: 担当プログラムを指定してください / give one of your programmes"
            )
        title = str(data.get("title") or "").strip()
        if not title:
            raise ValidationError("title: 名称が必要です / a title is required")
        values = {
            k: data[k]
            for k in (
                "summary",
                "problem",
                "advantage",
                "terms_note",
                "contact_role",
                "valid_until",
                "category",
            )
            if data.get(k)
        }
        values["uses"] = tuple(data.get("uses") or ())
        values["patent_numbers"] = tuple(data.get("patent_numbers") or ())
        values["availability"] = str(data.get("availability") or "licence")
        values["tech_stage"] = str(data.get("tech_stage") or "")
        if self.has("offers"):
            offer = self.app.offers.add(int(licensor_id), title, programme_id=programme_id, **values)
        else:
            from tsunagu.domain.matching import parse_code

            values["availability"] = parse_code("availability", values["availability"], allow_empty=False)
            values["tech_stage"] = parse_code("tech_stage", values["tech_stage"])
            now = _now()
            offer = reg.add_offer(
                Offer(
                    0,
                    int(licensor_id),
                    title,
                    programme_id=programme_id,
                    source="web",
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            )
        self.audit(p, "offer.create", "offer", offer.id, {"title": title}, ip)
        return self.offer_dict(offer)

    # -- companies -----------------------------------------------------------------------------------

    def _needs(self, company_id: int) -> tuple[Any, ...]:
        return tuple(self.registry().list_needs(company_id=company_id))

    def company_view(
        self, p: Principal, company: Company, lang: str = "ja", revealed: bool = False
    ) -> dict[str, Any] | None:
        """The company as ``p`` may see it: in full, as a licensor sees it, or None."""
        if self.rules.sees_company_fully(p, company):
            d = dataclasses.asdict(company)
            for key in ("aliases", "patent_numbers", "applicant_names"):
                d[key] = list(d[key])
            d["visibility"] = {
                "level": company.visibility.level,
                "level_label": label("visibility", company.visibility.level, lang),
                "fields": sorted(company.visibility.fields),
            }
            d["size_label"] = label("size", company.size, lang)
            d["origin_label"] = label("origin", company.origin, lang)
            d["needs"] = [dataclasses.asdict(n) for n in self._needs(company.id)]
            d["view"] = "full"
            return d
        if self.rules.sees_company_as_licensor(p, company) or (revealed and p.role == LICENSOR):
            view = licensor_view(company, revealed=revealed, needs=self._needs(company.id))
            if view is not None:
                view["view"] = "licensor"
            return view
        return None

    def companies(
        self, p: Principal, *, q: str = "", page: int = 1, per_page: int = 20, lang: str = "ja"
    ) -> dict[str, Any]:
        self.require(p, "companies.read")
        reg = self.registry()
        if p.role == SME:
            items = [reg.get_company(p.company_id)] if p.company_id is not None else []
        else:
            items = reg.list_companies(status="active")
        views = []
        words = [w.casefold() for w in q.split() if w]
        for company in items:
            view = self.company_view(p, company, lang)
            if view is None:
                continue
            if words:
                text = " ".join(
                    str(view.get(k, "")) for k in ("name", "capabilities", "products", "industry", "region")
                ).casefold()
                if not all(w in text for w in words):
                    continue
            views.append(view)
        return page_of(views, page, per_page)

    def company(self, p: Principal, company_id: int, lang: str = "ja") -> dict[str, Any]:
        self.require(p, "companies.read")
        try:
            company = self.registry().get_company(company_id)
        except NotFoundError:
            raise NotFoundError(_NOT_FOUND) from None
        view = self.company_view(p, company, lang)
        if view is None:
            raise NotFoundError(_NOT_FOUND)
        return view

    def visible_company_ids(self, p: Principal) -> set[int] | None:
        """Companies ``p`` sees in full (None = all, for admins)."""
        if p.is_admin:
            return None
        reg = self.registry()
        if p.role == SME:
            return {p.company_id} if p.company_id is not None else set()
        return {c.id for c in reg.list_companies() if self.rules.sees_company_fully(p, c)}

    # -- matches -------------------------------------------------------------------------------------

    def matches(
        self,
        p: Principal,
        *,
        company_id: int | None = None,
        offer_id: int | None = None,
        limit: int = 10,
        lang: str = "ja",
    ) -> dict[str, Any]:
        """Ranked matches with their reasons, for a company (offers) or for an offer (companies)."""
        self.require(p, "matches")
        if (company_id is None) == (offer_id is None):
            raise ValidationError(
                "company_id か offer_id のどちらかを指定してください / give company_id or offer_id"
            )
        matcher = self._matcher()
        reg = self.registry()
        if company_id is not None:
            try:
                company = reg.get_company(company_id)
            except NotFoundError:
                raise NotFoundError(_NOT_FOUND) from None
            if not self.rules.sees_company_fully(p, company):
                raise NotFoundError(_NOT_FOUND)
            found = matcher.offers_for_company(company.id, limit=limit, lang=lang).to_dict(lang)
            names = self._licensor_names()
            items = []
            for m in found["matches"]:
                offer = reg.get_offer(int(m["offer"]["id"]))
                if not self.rules.sees_offer(p, offer):
                    continue
                m["offer"] = self.offer_dict(offer, lang, names)
                items.append(m)
            return {
                "company_id": company.id,
                "subject": found["subject"],
                "notes": found["notes"],
                "considered": found["considered"],
                "items": items,
            }
        offer = self._visible_offer(p, int(offer_id or 0))
        if p.role == SME:
            raise NotFoundError(_NOT_FOUND)
        as_licensor = p.role == LICENSOR
        found = matcher.companies_for_offer(
            offer.id, limit=limit * 3, as_licensor=as_licensor, lang=lang
        ).to_dict(lang)
        items = []
        for m in found["matches"]:
            if not as_licensor:
                company = reg.get_company(int(m["company"]["id"]))
                view = self.company_view(p, company, lang)
                if view is None:
                    continue
                m["company"] = view
            else:
                m["company"]["view"] = "licensor"
            items.append(m)
            if len(items) >= limit:
                break
        return {
            "offer_id": offer.id,
            "subject": found["subject"],
            "notes": found["notes"],
            "considered": found["considered"],
            "items": items,
        }

    def _matcher(self) -> Any:
        for name in ("matching",):
            if self.has(name):
                return getattr(self.app, name)
        raise UnavailableError(UNAVAILABLE)

    # -- deals ---------------------------------------------------------------------------------------

    def _deal_dict(
        self,
        p: Principal,
        deal: Deal,
        lang: str,
        *,
        names: dict[int, str] | None = None,
        offers: dict[int, Offer] | None = None,
        today: str = "",
    ) -> dict[str, Any]:
        reg = self.registry()
        offer = (offers or {}).get(deal.offer_id) or reg.get_offer(deal.offer_id)
        names = names if names is not None else self._licensor_names()
        company = reg.get_company(deal.company_id)
        if p.role == LICENSOR:
            view = licensor_view(company, revealed=deal.identities_revealed)
            company_name = view["name"] if view else f"企業 #{company.id}"
        else:
            company_name = company.name
        d = dataclasses.asdict(deal)
        d.update(
            stage_label=label("stage", deal.stage, lang),
            lost_reason_label=label("reason", deal.lost_reason, lang),
            offer_title=offer.title,
            licensor=names.get(offer.licensor_id, ""),
            company_name=company_name,
            due=deal.is_due(today or _today()),
            identities_revealed=deal.identities_revealed,
            allowed=[{"code": s, "label": label("stage", s, lang)} for s in allowed_transitions(deal.stage)]
            if self.rules.deal_editable(p, deal)
            else [],
            editable=self.rules.deal_editable(p, deal),
        )
        return d

    def _deals_for(self, p: Principal) -> list[Deal]:
        reg = self.registry()
        if p.is_admin:
            return list(reg.list_deals())
        if p.role == COORDINATOR:
            return list(reg.list_deals(programme_ids=sorted(p.coordinated_programmes)))
        if p.role == SME:
            return list(reg.list_deals(company_id=p.company_id)) if p.company_id is not None else []
        if p.role == LICENSOR and p.licensor_id is not None:
            mine = {o.id for o in reg.list_offers(licensor_id=p.licensor_id)}
            return [d for d in reg.list_deals() if d.offer_id in mine]
        return []

    def deals(
        self,
        p: Principal,
        *,
        stage: str = "",
        due_only: bool = False,
        page: int = 1,
        per_page: int = 50,
        lang: str = "ja",
    ) -> dict[str, Any]:
        self.require(p, "deals.read")
        today = _today()
        items = self._deals_for(p)
        if stage:
            items = [d for d in items if d.stage == stage]
        if due_only:
            items = [d for d in items if d.is_due(today)]
        names = self._licensor_names()
        offers = {o.id: o for o in self.registry().list_offers()}
        paged = page_of(items, page, per_page)
        paged["items"] = [
            self._deal_dict(p, d, lang, names=names, offers=offers, today=today) for d in paged["items"]
        ]
        return paged

    def board(self, p: Principal, lang: str = "ja") -> dict[str, Any]:
        """Deals by stage (the board) and the deals whose next action is due."""
        self.require(p, "deals.read")
        today = _today()
        names = self._licensor_names()
        offers = {o.id: o for o in self.registry().list_offers()}
        all_deals = [
            self._deal_dict(p, d, lang, names=names, offers=offers, today=today) for d in self._deals_for(p)
        ]
        columns = [
            {"code": s, "label": label("stage", s, lang), "deals": [d for d in all_deals if d["stage"] == s]}
            for s in (*STAGES, CLOSED_LOST)
        ]
        due = sorted((d for d in all_deals if d["due"]), key=lambda d: d["next_action_date"])
        return {"columns": columns, "due": due, "today": today, "total": len(all_deals)}

    def _visible_deal(self, p: Principal, deal_id: int) -> Deal:
        reg = self.registry()
        try:
            deal: Deal = reg.get_deal(deal_id)
            offer = reg.get_offer(deal.offer_id)
        except NotFoundError:
            raise NotFoundError(_NOT_FOUND) from None
        if not self.rules.sees_deal(p, deal, offer):
            raise NotFoundError(_NOT_FOUND)
        return deal

    def deal(self, p: Principal, deal_id: int, lang: str = "ja") -> dict[str, Any]:
        self.require(p, "deals.read")
        deal = self._visible_deal(p, deal_id)
        d = self._deal_dict(p, deal, lang)
        events = self.registry().events(deal.id)
        d["events"] = [
            dict(
                dataclasses.asdict(e),
                from_label=label("stage", e.from_stage, lang),
                to_label=label("stage", e.to_stage, lang),
                reason_label=label("reason", e.reason, lang),
            )
            for e in events
        ]
        if p.role in (SME, LICENSOR):  # match internals and notes stay with the coordinators
            d["events"] = [e for e in d["events"] if e["kind"] in ("created", "stage")]
            d["match_detail"] = {}
        else:
            d["match_detail"] = self.registry().match_detail(deal.id)
        return d

    def create_deal(
        self,
        p: Principal,
        *,
        programme_id: int,
        offer_id: int,
        company_id: int,
        next_action: str = "",
        next_action_date: str = "",
        ip: str = "",
    ) -> dict[str, Any]:
        """Open a deal (候補提示) in one of the person's programmes."""
        self.require(p, "deals.write")
        if not p.coordinates(programme_id):
            raise ValidationError("programme_id: 担当プログラムではありません / not one of your programmes")
        reg = self.registry()
        reg.get_programme(programme_id)
        offer = reg.get_offer(offer_id)
        company = reg.get_company(company_id)
        if not self.rules.sees_company_fully(p, company):
            raise NotFoundError(_NOT_FOUND)
        due = _check_date(next_action_date, "next_action_date")
        if self.has("deals"):
            deal = self.app.deals.create(
                offer.id,
                company.id,
                actor=p.username,
                programme=programme_id,
                next_action=next_action.strip(),
                next_action_date=due,
            )
        else:
            now = _now()
            deal = reg.add_deal(
                Deal(
                    0,
                    programme_id,
                    offer.id,
                    company.id,
                    coordinator=p.username,
                    next_action=next_action.strip(),
                    next_action_date=due,
                    created_by=p.username,
                    created_at=now,
                    updated_at=now,
                ),
                DealEvent(0, 0, now, p.username, "created", to_stage="proposed"),
            )
        self.audit(
            p,
            "deal.create",
            "deal",
            deal.id,
            {"programme_id": programme_id, "offer_id": offer.id, "company_id": company.id},
            ip,
        )
        return self.deal(p, deal.id)

    def advance_deal(
        self,
        p: Principal,
        deal_id: int,
        *,
        stage: str,
        reason: str = "",
        note: str = "",
        next_action: str | None = None,
        next_action_date: str | None = None,
        ip: str = "",
    ) -> dict[str, Any]:
        """Move a deal to its next stage (or close it as 見送り with a reason)."""
        self.require(p, "deals.write")
        deal = self._visible_deal(p, deal_id)
        if not self.rules.deal_editable(p, deal):
            raise NotFoundError(_NOT_FOUND)
        check_transition(deal.stage, stage, reason)  # refuses illegal moves, naming the allowed ones
        due = _check_date(next_action_date, "next_action_date") if next_action_date is not None else None
        if self.has("deals"):
            self.app.deals.advance(
                deal.id,
                stage,
                actor=p.username,
                reason=reason,
                note=note,
                next_action=None if next_action is None else next_action.strip(),
                next_action_date=due,
            )
        else:
            now = _now()
            changed = dataclasses.replace(
                deal,
                stage=stage,
                lost_reason=reason if stage == CLOSED_LOST else deal.lost_reason,
                next_action=deal.next_action if next_action is None else next_action.strip(),
                next_action_date=deal.next_action_date if due is None else due,
                updated_at=now,
            )
            self.registry().update_deal(
                changed,
                DealEvent(
                    0,
                    deal.id,
                    now,
                    p.username,
                    "stage",
                    from_stage=deal.stage,
                    to_stage=stage,
                    reason=reason,
                    text=note.strip(),
                ),
                expected_stage=deal.stage,
            )
        self.audit(
            p, "deal.advance", "deal", deal.id, {"from": deal.stage, "to": stage, "reason": reason}, ip
        )
        return self.deal(p, deal.id)

    def note_deal(self, p: Principal, deal_id: int, text: str, *, ip: str = "") -> dict[str, Any]:
        self.require(p, "deals.write")
        deal = self._visible_deal(p, deal_id)
        if not self.rules.deal_editable(p, deal):
            raise NotFoundError(_NOT_FOUND)
        text = (text or "").strip()
        if not text:
            raise ValidationError("text: メモを入力してください / write a note")
        if len(text) > 5000:
            raise ValidationError("text: 5000 文字以内 / at most 5000 characters")
        if self.has("deals"):
            self.app.deals.note(deal.id, text, actor=p.username)
        else:
            now = _now()
            self.registry().update_deal(
                dataclasses.replace(deal, updated_at=now),
                DealEvent(0, deal.id, now, p.username, "note", text=text),
                expected_stage=deal.stage,
            )
        self.audit(p, "deal.note", "deal", deal.id, {}, ip)
        return self.deal(p, deal.id)
