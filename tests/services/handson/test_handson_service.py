"""`HandsOnService` on real SQLite: case workflow, suggestions, due follow-ups and report figures.

Every case here is TEST DATA written by this file: the companies are fictional (named テスト…（テストデータ）)
and so are the dialogue notes. The timeline is realistic (a half-year of a regional programme in
Hokuriku) so that every report figure can be checked by hand; the expected numbers are derived in the
comments.
"""

from __future__ import annotations

import gzip
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tsunagu.domain.handson import (
    BusinessScope,
    CaseStatus,
    CloseReason,
    FollowUpState,
    IssueCategory,
    ProposalResponse,
    ProposalType,
    ReferralOutcome,
    ReferralTarget,
    SuggestionKind,
    SuggestionStatus,
)
from tsunagu.domain.patent import Patent
from tsunagu.errors import ValidationError
from tsunagu.services.handson import HandsOnService
from tsunagu.services.handson.render import report_html, report_markdown
from tsunagu.storage.handson import SqlCaseStore

JST = timezone(timedelta(hours=9))
DATA = Path(__file__).resolve().parents[2] / "data" / "jplatpat_csv"


class Clock:
    """A settable clock (the service reads the time through it)."""

    def __init__(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 10, 0, tzinfo=JST)

    def at(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 10, 0, tzinfo=JST)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2024, 4, 1))


@pytest.fixture
def service(tmp_path: Path, clock: Clock) -> HandsOnService:
    store = SqlCaseStore(f"sqlite:///{tmp_path / 'cases.db'}")
    return HandsOnService(store, clock=clock)


def d(text: str) -> date:
    return date.fromisoformat(text)


def build_programme(svc: HandsOnService, clock: Clock) -> dict[str, int]:
    """Seven test cases (テストデータ) in three prefectures, 2023-11 … 2024-09."""
    ids: dict[str, int] = {}

    def create(key: str, name: str, region: str, day: str, title: str = "") -> int:
        clock.at(d(day))
        case, _ = svc.create(name, region=region, title=title, specialist="専門官A", actor="専門官A")
        assert case.id is not None
        ids[key] = case.id
        return case.id

    # 1: Ishikawa, solved after 71 days (2024-04-10 → 2024-06-20)
    c = create("resin", "テスト樹脂成形株式会社（テストデータ）", "石川県", "2024-04-10", "販路拡大の相談")
    svc.note(c, "自動車部品以外にも販路を広げたい。自社の強みを具体的に説明できない。", participants=["社長"])
    svc.tag(c, IssueCategory.MARKET, BusinessScope.NEW)
    clock.at(d("2024-04-20"))
    p = svc.propose(c, ProposalType.EVALUATION_REPORT, "知財ビジネス評価書で製造技術の強みを明確化")
    clock.at(d("2024-04-25"))
    r = svc.refer(
        c, ReferralTarget.INPIT_EXPERT, organisation="INPIT 石川県知財総合支援窓口", purpose="評価書作成支援"
    )
    f = svc.follow_up(c, "評価書の進捗確認", d("2024-05-31"))
    clock.at(d("2024-05-01"))
    svc.respond(c, p.id or 0, ProposalResponse.ADOPTED)
    clock.at(d("2024-05-28"))
    svc.complete_follow_up(c, f.id or 0, note="ドラフト完成")
    clock.at(d("2024-06-10"))
    svc.referral_outcome(c, r.id or 0, ReferralOutcome.HELPFUL, note="評価書が完成")
    clock.at(d("2024-06-20"))
    svc.set_status(c, CaseStatus.SOLVED, note="評価書をもとに新規顧客2社と商談開始")

    # 2: Ishikawa, in progress, one follow-up overdue since 2024-06-30
    c = create("mould", "テスト金型工業株式会社（テストデータ）", "石川県", "2024-05-08")
    svc.note(c, "後継者への技術承継が課題。ノウハウが属人化している。", participants=["社長", "専務"])
    svc.tag(c, IssueCategory.CONTINUITY, BusinessScope.EXISTING)
    svc.tag(c, IssueCategory.HUMAN_RESOURCES, BusinessScope.EXISTING)
    clock.at(d("2024-05-20"))
    p = svc.propose(c, ProposalType.TRADE_SECRET, "ノウハウの文書化と営業秘密管理", rights=("know_how",))
    svc.follow_up(c, "営業秘密管理規程の整備状況を確認", d("2024-06-30"))
    clock.at(d("2024-07-01"))
    svc.respond(c, p.id or 0, ProposalResponse.IMPLEMENTED)

    # 3: Ishikawa, closed (company declined) on 2024-07-15
    c = create("food", "テスト食品機械株式会社（テストデータ）", "石川県", "2024-06-03")
    clock.at(d("2024-06-10"))
    svc.set_status(c, CaseStatus.IN_PROGRESS)
    clock.at(d("2024-06-15"))
    p = svc.propose(c, ProposalType.OVERSEAS, "欧州への特許出願 (PCT)")
    clock.at(d("2024-07-01"))
    svc.respond(c, p.id or 0, ProposalResponse.DECLINED)
    clock.at(d("2024-07-15"))
    svc.set_status(c, CaseStatus.CLOSED, reason=CloseReason.COMPANY_DECLINED)

    # 4: Toyama, opened before the period, solved inside it after 90 days (2024-02-01 → 2024-05-01)
    c = create("electronics", "テスト電子株式会社（テストデータ）", "富山県", "2024-02-01")
    clock.at(d("2024-02-15"))
    p = svc.propose(c, ProposalType.OPEN_CLOSE, "制御アルゴリズムは秘匿、インタフェースは特許で開放")
    svc.respond(c, p.id or 0, ProposalResponse.ADOPTED)
    clock.at(d("2024-03-01"))
    r = svc.refer(c, ReferralTarget.PATENT_ATTORNEY, organisation="弁理士（テストデータ）")
    svc.referral_outcome(c, r.id or 0, ReferralOutcome.HELPFUL)
    clock.at(d("2024-05-01"))
    svc.set_status(c, CaseStatus.SOLVED, note="出願完了")

    # 5: Toyama, still open; its follow-up is overdue since 2024-07-31
    c = create("textile", "テスト繊維株式会社（テストデータ）", "富山県", "2024-07-01")
    svc.follow_up(c, "初回訪問の日程調整", d("2024-07-31"))

    # 6: Fukui, solved before the period and untouched since: outside a 2024-04 … 2024-09 report
    c = create("glasses", "テスト眼鏡部品株式会社（テストデータ）", "福井県", "2023-11-01")
    clock.at(d("2023-11-20"))
    svc.set_status(c, CaseStatus.IN_PROGRESS)
    clock.at(d("2024-01-15"))
    svc.set_status(c, CaseStatus.SOLVED, note="意匠登録出願")

    # 7: Fukui, matching proposal starts it; referral pending; follow-up due after the period
    c = create("chemical", "テスト化学株式会社（テストデータ）", "福井県", "2024-08-01")
    clock.at(d("2024-08-05"))
    svc.propose(c, ProposalType.MATCHING, "大企業の開放特許 (撥水加工) の導入")
    clock.at(d("2024-08-10"))
    svc.refer(c, ReferralTarget.YOROZU, organisation="福井県よろず支援拠点")
    svc.follow_up(c, "ライセンサーとの面談結果の確認", d("2024-10-15"))
    clock.at(d("2024-09-30"))
    return ids


def test_workflow_statuses_and_auto_start(service: HandsOnService, clock: Clock) -> None:
    ids = build_programme(service, clock)
    status = {k: service.get(v).case.status for k, v in ids.items()}
    assert status == {
        "resin": CaseStatus.SOLVED,
        "mould": CaseStatus.IN_PROGRESS,  # started automatically by its proposal
        "food": CaseStatus.CLOSED,
        "electronics": CaseStatus.SOLVED,
        "textile": CaseStatus.OPEN,
        "glasses": CaseStatus.SOLVED,
        "chemical": CaseStatus.IN_PROGRESS,
    }
    mould = service.get(ids["mould"])
    auto = [e for e in mould.events if e.kind == "status"]
    assert auto and auto[0].detail["auto"] is True and auto[0].detail["why"] == "proposal"
    food = service.get(ids["food"]).case
    assert food.close_reason is CloseReason.COMPANY_DECLINED and food.finished_on == d("2024-07-15")
    # finished cases refuse proposals and referrals until reopened, with a clear message
    with pytest.raises(ValidationError, match="reopen"):
        service.propose(ids["food"], ProposalType.IP_MIX, "意匠と商標")
    with pytest.raises(ValidationError, match="reopening a case needs a note"):
        service.set_status(ids["food"], CaseStatus.IN_PROGRESS)
    service.set_status(ids["food"], CaseStatus.IN_PROGRESS, note="経営者交代で再検討")
    assert service.get(ids["food"]).case.finished_on is None
    with pytest.raises(ValidationError, match="start work"):
        service.set_status(ids["textile"], CaseStatus.SOLVED)
    with pytest.raises(ValidationError, match="before the case opened"):
        service.set_status(ids["textile"], CaseStatus.IN_PROGRESS, on=d("2024-06-01"))


def test_report_figures_for_a_region_and_period(service: HandsOnService, clock: Clock) -> None:
    build_programme(service, clock)
    rep = service.report(start=d("2024-04-01"), end=d("2024-09-30"), as_of=d("2024-09-30"))
    # six cases: all but the Fukui one solved in January and untouched since
    assert rep.cases == 6
    assert rep.by_status == {"open": 1, "in_progress": 2, "solved": 2, "closed": 1}
    assert rep.by_region == {
        "富山県": {"open": 1, "in_progress": 0, "solved": 1, "closed": 0},
        "石川県": {"open": 0, "in_progress": 1, "solved": 1, "closed": 1},
        "福井県": {"open": 0, "in_progress": 1, "solved": 0, "closed": 0},
    }
    assert {k: v for k, v in rep.issues.items() if sum(v.values())} == {
        "market": {"existing": 0, "new": 1},
        "continuity": {"existing": 1, "new": 0},
        "human_resources": {"existing": 1, "new": 0},
    }
    assert {k: {r: n for r, n in v.items() if n} for k, v in rep.proposals.items() if sum(v.values())} == {
        "evaluation_report": {"adopted": 1},
        "trade_secret": {"implemented": 1},
        "overseas": {"declined": 1},
        "matching": {"proposed": 1},
    }  # the Toyama open/close proposal of February is before the period
    assert {k: {o: n for o, n in v.items() if n} for k, v in rep.referrals.items() if sum(v.values())} == {
        "inpit_expert": {"helpful": 1},
        "yorozu": {"pending": 1},
    }
    assert sorted(rep.resolution_days) == [71, 90]
    assert rep.resolution_summary() == {"n": 2, "median": 80.5, "mean": 80.5, "min": 71, "max": 90}
    assert rep.closed_reasons == {"company_declined": 1}
    assert rep.follow_ups == {"due": 3, "done": 1, "done_on_time": 1, "overdue": 2, "pending": 0}
    assert [(o.company, o.days_overdue) for o in rep.overdue] == [
        ("テスト金型工業株式会社（テストデータ）", 92),
        ("テスト繊維株式会社（テストデータ）", 61),
    ]
    assert rep.monthly == {
        "2024-04": {"opened": 1, "solved": 0, "closed": 0},
        "2024-05": {"opened": 1, "solved": 1, "closed": 0},
        "2024-06": {"opened": 1, "solved": 1, "closed": 0},
        "2024-07": {"opened": 1, "solved": 0, "closed": 1},
        "2024-08": {"opened": 1, "solved": 0, "closed": 0},
        "2024-09": {"opened": 0, "solved": 0, "closed": 0},
    }

    ishikawa = service.report(
        regions=["石川県"], start=d("2024-04-01"), end=d("2024-09-30"), as_of=d("2024-09-30")
    )
    assert ishikawa.cases == 3 and ishikawa.by_status == {
        "open": 0,
        "in_progress": 1,
        "solved": 1,
        "closed": 1,
    }
    # the status at the end of an earlier period is replayed from the events
    june = service.report(start=d("2024-06-01"), end=d("2024-06-30"), as_of=d("2024-09-30"))
    # June: resin (solved 06-20), mould and food (in progress); electronics was solved in May
    assert june.cases == 3
    assert june.by_status == {"open": 0, "in_progress": 2, "solved": 1, "closed": 0}
    assert june.resolution_days == [71]
    everything = service.report(as_of=d("2024-09-30"))
    assert everything.cases == 7 and everything.by_status["solved"] == 3


def test_report_renders_tables_and_charts(service: HandsOnService, clock: Clock) -> None:
    build_programme(service, clock)
    rep = service.report(start=d("2024-04-01"), end=d("2024-09-30"), as_of=d("2024-09-30"))
    md = report_markdown(rep)
    assert "| 解決 | 2 |" in md and "## 期限超過のフォローアップ" in md
    assert "| 2 | 80.5 | 80.5 | 71 | 90 |" in md
    page = report_html(rep)
    assert page.count("<svg") == 5 and "経営課題別の案件数" in page
    assert "<title>新規事業: 1</title>" in page
    data = rep.to_dict()
    assert data["time_to_resolution_days"]["median"] == 80.5 and data["overdue"][0]["days_overdue"] == 92


def test_due_lists_overdue_and_upcoming(service: HandsOnService, clock: Clock) -> None:
    build_programme(service, clock)
    due = service.due(as_of=d("2024-09-30"))
    assert [(i.case.company_name[:6], i.state, i.days_overdue) for i in due] == [
        ("テスト金型工", FollowUpState.OVERDUE, 92),
        ("テスト繊維株", FollowUpState.OVERDUE, 61),
    ]
    soon = service.due(as_of=d("2024-09-30"), within_days=30)
    assert [i.state for i in soon] == [FollowUpState.OVERDUE, FollowUpState.OVERDUE, FollowUpState.PENDING]
    assert [i.case.region for i in service.due(as_of=d("2024-09-30"), regions=["富山県"])] == ["富山県"]


def test_suggestions_from_notes_accept_and_reject(service: HandsOnService, clock: Clock) -> None:
    clock.at(d("2024-04-10"))
    case, warnings = service.create("テスト樹脂成形株式会社（テストデータ）", region="石川県")
    assert warnings == []  # no register attached: nothing to warn about
    cid = case.id or 0
    _, made = service.note(cid, "自動車部品以外にも販路を広げたい。自社の強みを具体的に説明できない。")
    got = {(s.kind.value, s.value, s.scope.value if s.scope else "") for s in made}
    assert got == {
        ("issue_tag", "market", "new"),
        ("action", "discover", ""),
        ("action", "evaluation_report", ""),
    }
    tag_s = next(s for s in made if s.kind is SuggestionKind.ISSUE_TAG)
    assert "「販路」" in tag_s.rationale and tag_s.evidence == (f"visit:{service.get(cid).visits[0].id}",)
    report_s = next(s for s in made if s.value == "evaluation_report")
    assert "「強み」「説明」" in report_s.rationale and report_s.command.startswith(
        "tsunagu report evaluation"
    )
    # accept the tag, reject discover; neither is suggested again after a new note
    accepted, tag = service.decide(cid, tag_s.id or 0, True, actor="専門官A")
    assert accepted.status is SuggestionStatus.ACCEPTED and tag is not None and tag.origin == "suggestion"
    discover = next(s for s in made if s.value == "discover")
    service.decide(cid, discover.id or 0, False, actor="専門官A", note="特許出願がまだ少ない")
    rejected = [e for e in service.get(cid).events if e.kind == "suggestion_rejected"]
    assert [e.detail.get("note") for e in rejected] == ["特許出願がまだ少ない"]
    with pytest.raises(ValidationError, match="already rejected"):
        service.decide(cid, discover.id or 0, True)
    _, more = service.note(cid, "新製品の製品化に向けて大企業の開放特許のライセンスも検討したい。")
    assert {(s.kind.value, s.value) for s in more} == {
        ("issue_tag", "commercialisation"),
        ("issue_tag", "partner"),
        ("action", "match_offers"),
    }
    assert service.get(cid).tags[0].category is IssueCategory.MARKET


def _fixture_patents() -> list[Patent]:
    from tsunagu.sources.jplatpat import JplatpatCsvSource

    out: list[Patent] = []
    for name in ("jplatpat_first4.csv.gz", "jplatpat_forms.csv.gz"):
        with gzip.open(DATA / name) as stream:
            out.extend(p for p in JplatpatCsvSource().read(stream, name) if isinstance(p, Patent))
    return out


def test_suggestions_use_the_company_patents(tmp_path: Path, clock: Clock) -> None:
    """A registered (test) company linked to real J-PlatPat records by number gets 用途探索 suggested."""
    from tsunagu.services.companies import CompanyService
    from tsunagu.storage.registry import SqlRegistryStore
    from tsunagu.storage.sql import SqlPatentStore

    patents = SqlPatentStore(f"sqlite:///{tmp_path / 't.db'}")
    patents.upsert_many(_fixture_patents())
    companies = CompanyService(SqlRegistryStore(patents.engine), patents)
    company = companies.add(
        "テスト制動機器株式会社（テストデータ）",
        region="神奈川県",
        patent_numbers=["JPH04123757U", "JPS62278478A", "JP3224952U"],
    )
    svc = HandsOnService(SqlCaseStore(patents.engine), companies=companies, clock=clock)
    case, warnings = svc.create("テスト制動機器株式会社（テストデータ）")
    assert warnings == [] and case.company_id == company.id and case.region == "神奈川県"
    made = svc.suggest(case.id or 0)
    discover = [s for s in made if s.value == "discover"]
    assert len(discover) == 1
    assert "保有特許 3 件" in discover[0].rationale and "B60K" in discover[0].rationale
    assert discover[0].command == f"tsunagu discover --company {company.id}"
    assert set(discover[0].evidence) <= {"JPH04123757U", "JPS62278478A", "JP3224952U"}
    # matching offers in the company's fields are counted (a NASA-style test offer, labelled as such)
    from tsunagu.domain.matching import Licensor, Offer
    from tsunagu.services.handson.service import offers_in_subclasses

    registry = companies.registry
    lic = registry.add_licensor(Licensor(0, "テスト研究所（テストデータ）", kind="public_lab"))
    registry.add_offer(Offer(0, lic.id, "車両用自動制動の制御技術（テストデータ）", ipc_codes=("B60K31/00",)))
    registry.add_offer(Offer(0, lic.id, "ピザ生地の焼成（テストデータ）", ipc_codes=("A21D13/00",)))
    counter = offers_in_subclasses(registry)
    assert counter(["B60K", "B60T"]) == 1 and counter(["G06F"]) == 0
    svc2 = HandsOnService(
        SqlCaseStore(patents.engine), companies=companies, offers_in_fields=counter, clock=clock
    )
    _, made2 = svc2.note(case.id or 0, "新製品の製品化のため、大企業の開放特許の技術導入を考えたい。")
    match = next(s for s in made2 if s.value == "match_offers")
    assert "開放特許が 1 件" in match.rationale
    unknown, warned = svc.create("テスト未登録工業（テストデータ）", region="石川県")
    assert unknown.company_id is None and "未登録" in warned[0]
    patents.close()
