"""Demo users for every role, and the records that make their pages show something.

`tsunagu demo` creates, next to the demo administrator (`tsunagu.services.accounts.demo`):

- ``demo-coordinator``: coordinator of the demo programme (`tsunagu.services.matching.demo`);
- ``demo-sme``: an SME user of one demo company derived from the corpus, chosen as the best-matching
  company (top offer score in the demo programme) among a small deterministic sample, and made a member
  of the demo programme so its coordinators see its reports and cases;
- ``demo-licensor``: a licensor user of the NASA licensor whose offer that company matches best (so it
  sees the sample deal), or of the licensor with the most open offers when there is no deal;
- ``demo-bank``: a bank viewer of 「デモ信用金庫」, which the demo company consented to share its
  evaluation reports with (recorded in the register);
- one sample deal (候補提示) between the demo company and its best-matching offer, and one hands-on case
  for the company; both say they are demo data.

Everything is idempotent: `DemoRoles.plan` lists what is missing without changing anything (empty when
all is present) and `DemoRoles.ensure` makes it so, repairing deactivated or changed demo users. All
demo users share the demo administrator's password.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tsunagu.domain.matching import Company, Deal, Programme, normalise_name
from tsunagu.errors import NotFoundError, TsunaguError
from tsunagu.services.accounts.model import BANK, COORDINATOR, LICENSOR, SME
from tsunagu.services.accounts.passwords import verify_password
from tsunagu.services.accounts.service import AccountService
from tsunagu.services.companies import CompanyService
from tsunagu.services.consortium.candidates import DERIVED_ORIGIN
from tsunagu.services.handson import HandsOnService
from tsunagu.services.matching.deals import DealService
from tsunagu.services.matching.demo import DEMO_PROGRAMME
from tsunagu.services.matching.matcher import MatchingService
from tsunagu.services.matching.programmes import ProgrammeService
from tsunagu.services.matching.results import LicenseMatch
from tsunagu.storage.accounts import UserRecord
from tsunagu.storage.registry import SqlRegistryStore

__all__ = [
    "DEMO_ACTOR",
    "DEMO_BANK",
    "DEMO_COORDINATOR",
    "DEMO_INSTITUTION",
    "DEMO_LICENSOR",
    "DEMO_MARK",
    "DEMO_SME",
    "ROLE_USERS",
    "DemoDataMissingError",
    "DemoRoles",
]

DEMO_COORDINATOR = "demo-coordinator"
DEMO_LICENSOR = "demo-licensor"
DEMO_SME = "demo-sme"
DEMO_BANK = "demo-bank"
ROLE_USERS: tuple[str, ...] = (DEMO_COORDINATOR, DEMO_LICENSOR, DEMO_SME, DEMO_BANK)
DEMO_INSTITUTION = "デモ信用金庫"
DEMO_ACTOR = "tsunagu demo"
#: Every record made here says this (display names, notes, the case title).
DEMO_MARK = "デモデータ"
#: Derived companies scored against the offers to choose the demo SME (a few ms each once loaded).
SAMPLE_SIZE = 12
#: Patents held by a typical SME applicant in the corpus (the derived companies hold at most 20, and
#: the largest of them are often large firms with a few patents in the demo's fields).
SME_PATENTS = (2, 8)

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_CASE_TITLE = "（デモデータ）NASA開放特許の活用検討 / (demo data) using a NASA licensable patent"


class DemoDataMissingError(TsunaguError):
    """Something the demo users need (programme, offers, companies) is not there."""


@dataclass(frozen=True)
class _Snapshot:
    """The match already computed while choosing the company, handed to `DealService` as its snapshot
    (so creating the deal does not run matching and 用途探索 again)."""

    match: LicenseMatch

    def explain(self, company: str | int, offer_id: int) -> LicenseMatch:
        return self.match


@dataclass
class DemoRoles:
    """Create (``ensure``) or check (``plan``) the demo users and their records.

    Args:
        accounts: users and the audit log.
        registry: the register store.
        companies: the company register.
        programmes: programmes.
        handson: hands-on cases.
        matching: returns the matching service (called only when a company or deal must be chosen).
        password: the shared demo password.
        sample_size: derived companies scored when choosing the demo SME.
        today: the day (deal's next-action date is a week later).
    """

    accounts: AccountService
    registry: SqlRegistryStore
    companies: CompanyService
    programmes: ProgrammeService
    handson: HandsOnService
    matching: Callable[[], MatchingService]
    password: str
    sample_size: int = SAMPLE_SIZE
    today: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _apply: bool = field(default=False, init=False)
    _changes: list[str] = field(default_factory=list, init=False)
    _missing: list[str] = field(default_factory=list, init=False)
    _match: LicenseMatch | None = field(default=None, init=False)

    # -- entry points ----------------------------------------------------------------------------------

    def plan(self) -> list[str]:
        """What `ensure` would change (empty when every demo user and record is present); cheap."""
        self._run(apply=False)
        return list(self._changes + self._missing)

    def ensure(self) -> list[str]:
        """Create or repair everything; returns what changed.

        Raises:
            DemoDataMissingError: the demo programme, its offers or any company is missing (what could be
                made is made; the message says what is missing and what was done).
        """
        self._run(apply=True)
        if self._missing:
            done = "; ".join(self._changes) or "変更なし / nothing changed"
            raise DemoDataMissingError(" / ".join(self._missing) + f" (作成済み / done: {done})")
        return list(self._changes)

    # -- the run ---------------------------------------------------------------------------------------

    def _do(self, what: str, action: Callable[[], Any]) -> Any:
        self._changes.append(what)
        return action() if self._apply else None

    def _run(self, *, apply: bool) -> None:
        self._apply, self._changes, self._missing, self._match = apply, [], [], None
        programme = self._programme()
        self._coordinator(programme)
        self._user(DEMO_BANK, BANK, f"デモ 金融機関（{DEMO_INSTITUTION}）", institution=DEMO_INSTITUTION)
        company = self._company(programme)
        deal = None
        if company is not None:
            self._user(DEMO_SME, SME, f"デモ 中小企業（{company.name}）"[:200], company_id=company.id)
            self._company_links(programme, company)
            deal = self._deal(programme, company)
            self._case(company, deal)
        self._licensor(programme, deal)

    def _programme(self) -> Programme:
        code = DEMO_PROGRAMME[0]
        try:
            return self.programmes.get(code)
        except NotFoundError:
            raise DemoDataMissingError(
                f"デモ・プログラム '{code}' がありません。matching ステップ（NASAのオファー）の成功後に "
                "tsunagu demo を再実行してください / the demo programme is missing: run tsunagu demo again "
                "once the matching step (NASA offers) has succeeded"
            ) from None

    # -- users -----------------------------------------------------------------------------------------

    def _user(self, name: str, role: str, display: str, **links: Any) -> UserRecord | None:
        """Create the user, or restore its role, links, display name, active flag and password."""
        user = self.accounts.find_user(name)
        wanted = {
            "role": role,
            "display_name": display,
            "licensor_id": links.get("licensor_id"),
            "company_id": links.get("company_id"),
            "institution": links.get("institution", ""),
        }
        if user is None:
            return self._do(
                f"{name} を作成 / created {name}",
                lambda: self.accounts.add_user(name, self.password, actor=DEMO_ACTOR, **wanted),
            )
        diff = {k: v for k, v in wanted.items() if getattr(user, k) != v}
        if not user.active:
            diff["active"] = True
        if diff:
            what = "再有効化 / reactivated" if "active" in diff else "修復 / restored " + ", ".join(diff)
            user = (
                self._do(
                    f"{name}: {what}", lambda: self.accounts.update_user(user.id, actor=DEMO_ACTOR, **diff)
                )
                or user
            )
        if not verify_password(user.password_hash, self.password)[0]:
            self._do(
                f"{name}: パスワードを共通のものに / password reset to the shared one",
                lambda: self.accounts.set_password(user.id, self.password, actor=DEMO_ACTOR),
            )
        return user

    def _coordinator(self, programme: Programme) -> None:
        user = self._user(DEMO_COORDINATOR, COORDINATOR, "デモ コーディネーター")
        if user is None or dict(user.programmes).get(programme.id) != "coordinator":
            self._do(
                f"{DEMO_COORDINATOR}: プログラム '{programme.code}' のコーディネーターに / coordinator of "
                f"programme '{programme.code}'",
                lambda: self.accounts.set_membership(
                    self._user_id(DEMO_COORDINATOR), programme.id, "coordinator", actor=DEMO_ACTOR
                ),
            )
        if not any(
            m.programme_id == programme.id for m in self.registry.memberships("coordinator", DEMO_COORDINATOR)
        ):
            self._do(
                f"プログラムのメンバーに {DEMO_COORDINATOR} / {DEMO_COORDINATOR} listed in the programme",
                lambda: self.programmes.add_member(programme.id, "coordinator", DEMO_COORDINATOR),
            )

    def _user_id(self, name: str) -> int:
        user = self.accounts.find_user(name)
        assert user is not None  # created just before
        return user.id

    def _licensor(self, programme: Programme, deal: Deal | None) -> None:
        """The licensor of the sample deal's offer; without a deal the one with the most open offers."""
        if deal is None and not self._apply:
            return  # planning: the deal (and so the licensor) is already listed as to be made
        licensor_id: int | None = None
        if deal is not None:
            licensor_id = self.registry.get_offer(deal.offer_id).licensor_id
        else:
            counts: dict[int, int] = {}
            for offer in self.registry.list_offers(programme_id=programme.id, status="open"):
                counts[offer.licensor_id] = counts.get(offer.licensor_id, 0) + 1
            if counts:
                licensor_id = min(counts, key=lambda i: (-counts[i], i))
        if licensor_id is None:
            self._missing.append(
                f"プログラム '{programme.code}' に公開中のオファーがありません (matching ステップ) / "
                f"no open offers in programme '{programme.code}' (the matching step)"
            )
            return
        name = self.registry.get_licensor(licensor_id).name
        self._user(DEMO_LICENSOR, LICENSOR, f"デモ ライセンサー（{name}）"[:200], licensor_id=licensor_id)

    # -- the demo company ------------------------------------------------------------------------------

    def _company(self, programme: Programme) -> Company | None:
        """The demo SME's company: the one it already has, else the best match of a small sample."""
        user = self.accounts.find_user(DEMO_SME)
        if user is not None and user.company_id is not None:
            try:
                company = self.registry.get_company(user.company_id)
                if company.status == "active":
                    return company
            except NotFoundError:
                pass
        if not self._apply:
            self._changes.append(f"{DEMO_SME} の企業を選ぶ / choose the company of {DEMO_SME}")
            return None
        return self._choose_company(programme)

    def _sample(self) -> list[Company]:
        """Derived demo companies, by register id: Japanese names first (the UI is Japanese-first), then
        有限会社, then those with an SME-sized portfolio (`SME_PATENTS`)."""
        pool = self.registry.list_companies(status="active", origin=DERIVED_ORIGIN)
        if not pool:
            pool = self.registry.list_companies(status="active")
        lo, hi = SME_PATENTS
        counts = self.companies.applicants.counts()  # normalised applicant name → records

        def patents(c: Company) -> int:
            return max((counts.get(normalise_name(n), 0) for n in (c.name, *c.applicant_names)), default=0)

        def rank(c: Company) -> tuple[bool, bool, bool, int]:
            # 有限会社 is a small-company form by law (no new ones since 2006): the surest SME sign here
            return (
                not _JAPANESE.search(c.name),
                "有限会社" not in c.name,
                not lo <= patents(c) <= hi,
                c.id or 0,
            )

        return sorted(pool, key=rank)[: self.sample_size]

    def _choose_company(self, programme: Programme) -> Company | None:
        sample = self._sample()
        if not sample:
            self._missing.append(
                "登録企業がありません (derived_companies ステップ) / no companies in the register "
                "(the derived_companies step)"
            )
            return None
        best: tuple[float, int, Company, LicenseMatch] | None = None
        for company in sample:
            if self._missing:
                break  # no open offers: the others would fail the same way
            match = self._best_offer(programme, company.id)
            if match is not None and (best is None or (-match.score, company.id) < (-best[0], best[1])):
                best = (match.score, company.id, company, match)
        if best is None:
            if not self._missing:
                self._missing.append(
                    f"プログラム '{programme.code}' のオファーに合う企業がありません / no company of the sample "
                    f"matches an open offer of programme '{programme.code}'"
                )
            return None
        self._match = best[3]
        return best[2]

    def _best_offer(self, programme: Programme, company_id: int) -> LicenseMatch | None:
        try:
            found = self.matching().offers_for_company(
                company_id, limit=1, programme_id=programme.id, propose=0
            )
        except NotFoundError as exc:  # no open offers at all
            if not any(str(exc) in m for m in self._missing):
                self._missing.append(f"マッチングできません / matching failed: {exc}")
            return None
        return found.matches[0] if found.matches else None

    def _company_links(self, programme: Programme, company: Company) -> None:
        if not any(
            m.programme_id == programme.id for m in self.registry.memberships("company", str(company.id))
        ):
            self._do(
                f"{company.name} をプログラム '{programme.code}' のメンバーに / made a member of the programme",
                lambda: self.programmes.add_member(programme.id, "company", str(company.id)),
            )
        if not self.companies.may_share_reports(company.id, DEMO_INSTITUTION):
            self._do(
                f"{company.name} → {DEMO_INSTITUTION} 評価書共有の同意 / report-sharing consent",
                lambda: self._consent(company),
            )

    def _consent(self, company: Company) -> None:
        self.companies.grant_consent(
            company.id, DEMO_INSTITUTION, actor=DEMO_ACTOR, note=f"{DEMO_MARK} / demo data (tsunagu demo)"
        )
        self.accounts.audit(
            DEMO_ACTOR,
            "company.consent.grant",
            target_type="company",
            target_id=str(company.id),
            detail={"institution": DEMO_INSTITUTION},
        )

    # -- the sample deal and case ----------------------------------------------------------------------

    def _deal(self, programme: Programme, company: Company) -> Deal | None:
        found = self.registry.list_deals(programme_ids=[programme.id], company_id=company.id)
        if found:
            return found[0]
        if not self._apply:
            self._changes.append("サンプル商談を作成 / create the sample deal")
            return None
        match = self._match or self._best_offer(programme, company.id)
        if match is None:
            self._missing.append(
                f"{company.name} に合うオファーがありません / no open offer to match {company.name}"
            )
            return None
        deals = DealService(self.registry, self.companies, self.programmes, matcher=_Snapshot(match))
        deal = deals.create(
            match.offer.id,
            company.id,
            actor=DEMO_ACTOR,
            programme=programme.id,
            coordinator=DEMO_COORDINATOR,
            next_action="初回面談の日程調整（デモ）/ arrange a first meeting (demo)",
            next_action_date=(self.today() + timedelta(days=7)).date().isoformat(),
            note=(
                f"{DEMO_MARK}: tsunagu demo が作成したサンプル商談です（実在の商談ではありません）/ "
                "demo data: a sample deal made by tsunagu demo, not a real deal"
            ),
        )
        self._changes.append(
            f"サンプル商談 #{deal.id} / sample deal #{deal.id}: {company.name} × {match.offer.title[:60]}"
        )
        self.accounts.audit(
            DEMO_ACTOR,
            "deal.create",
            target_type="deal",
            target_id=str(deal.id),
            detail={"offer_id": match.offer.id, "company_id": company.id, "demo": True},
        )
        return deal

    def _case(self, company: Company, deal: Deal | None) -> None:
        cases = self.handson.store.list_cases(company_id=company.id)
        if any(DEMO_MARK in c.title for c in cases):
            return
        self._do("ハンズオン案件を作成 / created a hands-on case", lambda: self._make_case(company, deal))

    def _make_case(self, company: Company, deal: Deal | None) -> None:
        case, _warnings = self.handson.create(
            str(company.id), title=_CASE_TITLE, specialist=DEMO_COORDINATOR, actor=DEMO_ACTOR
        )
        assert case.id is not None
        about = ""
        if deal is not None:
            offer = self.registry.get_offer(deal.offer_id)
            about = f"NASAの開放特許「{offer.title}」の活用を検討（商談 #{deal.id}）。"
        self.handson.note(
            case.id,
            f"{DEMO_MARK}: tsunagu demo が作成した架空の支援記録です。{about}"
            " / demo data: a fictional support record made by tsunagu demo.",
            actor=DEMO_ACTOR,
        )
        self.accounts.audit(
            DEMO_ACTOR,
            "case.create",
            target_type="case",
            target_id=str(case.id),
            detail={"company_id": company.id, "demo": True},
        )
