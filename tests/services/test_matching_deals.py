"""Deals, documents and KPI on SQLite and on a real PostgreSQL server (the same tests on both).

The programme, licensor, offer and companies are test data written here (labelled as such).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from matching_corpus import FixedClock

from tsunagu.domain.matching import STAGES, StageTransitionError
from tsunagu.errors import ValidationError
from tsunagu.services.companies import CompanyService
from tsunagu.services.matching.deals import DealService
from tsunagu.services.matching.documents import DISCLAIMER, render_document
from tsunagu.services.matching.kpi import KpiService, parse_period
from tsunagu.services.matching.offers import OfferService
from tsunagu.services.matching.programmes import ProgrammeService
from tsunagu.storage.registry import SqlRegistryStore
from tsunagu.storage.sql import SqlPatentStore


@dataclass
class World:
    clock: FixedClock
    registry: SqlRegistryStore
    companies: CompanyService
    programmes: ProgrammeService
    offers: OfferService
    deals: DealService
    kpi: KpiService


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    url = (
        f"sqlite:///{tmp_path / 'deals.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    patents = SqlPatentStore(url)
    registry = SqlRegistryStore(patents.engine)
    clock = FixedClock("2025-04-01T09:00:00")
    companies = CompanyService(registry, patents, clock=clock)
    programmes = ProgrammeService(registry, clock=clock)
    offers = OfferService(registry, patents, clock=clock)
    deals = DealService(registry, companies, programmes, clock=clock)
    yield World(clock, registry, companies, programmes, offers, deals, KpiService(registry))
    patents.close()


def _setup(w: World) -> tuple[int, int]:
    w.programmes.create("kawasaki", "川崎モデル（テスト用）", organiser="川崎市")
    offer = w.offers.add(
        "大手電機（テスト用）",
        "振動センサ",
        summary="小型の振動センサ",
        patent_numbers=["特許5944598"],
        terms_note="非独占を基本に協議",
        contact_role="知財部",
        valid_until="2030-12-31",
        programme_id=w.programmes.get("kawasaki").id,
    )
    company = w.companies.add("株式会社テスト精工（テスト用）", capabilities="精密切削")
    return offer.id, company.id


def test_a_deal_goes_through_every_stage_with_events(world: World) -> None:
    offer_id, company_id = _setup(world)
    deal = world.deals.create(
        offer_id, company_id, actor="sato", next_action="初回面談の日程調整", next_action_date="2025-04-10"
    )
    assert (deal.stage, deal.programme_id, deal.coordinator) == ("proposed", 1, "sato")
    for i, stage in enumerate(STAGES[1:], start=1):
        world.clock.set(f"2025-0{min(i, 9)}-15T10:00:00")
        deal = world.deals.advance(deal.id, stage, actor="kato", note=f"step {i}")
    assert deal.stage == "follow_up" and deal.next_action_date == ""
    events = world.registry.events(deal.id)
    assert [e.kind for e in events] == ["created"] + ["stage"] * 7
    assert [e.to_stage for e in events] == list(STAGES)
    assert events[1].actor == "kato" and events[1].at.startswith("2025-01-15")
    with pytest.raises(StageTransitionError, match="終了段階"):
        world.deals.advance(deal.id, "meeting", actor="kato")


def test_illegal_moves_are_refused_with_the_allowed_ones(world: World) -> None:
    offer_id, company_id = _setup(world)
    deal = world.deals.create(offer_id, company_id, actor="sato")
    with pytest.raises(StageTransitionError) as info:
        world.deals.advance(deal.id, "licensed", actor="sato")
    assert info.value.allowed == ("meeting", "closed_lost") and "面談" in str(info.value)
    world.deals.advance(deal.id, "面談", actor="sato")  # Japanese labels are accepted
    with pytest.raises(ValidationError, match="理由コード"):
        world.deals.advance(deal.id, "closed_lost", actor="sato")
    with pytest.raises(ValidationError, match="an open deal exists"):
        world.deals.create(offer_id, company_id, actor="sato")
    closed = world.deals.close(deal.id, "時期尚早", actor="sato", note="来年度に再検討")
    assert (closed.stage, closed.lost_reason) == ("closed_lost", "too_early")
    assert world.registry.get_deal(deal.id).stage == "closed_lost"  # kept, never deleted
    again = world.deals.create(offer_id, company_id, actor="sato")  # a closed deal does not block a new one
    assert again.id != deal.id
    with pytest.raises(ValidationError, match="actor"):
        world.deals.note(again.id, "x", actor=" ")


def test_notes_schedule_due_and_identity_consent(world: World) -> None:
    offer_id, company_id = _setup(world)
    a = world.deals.create(
        offer_id, company_id, actor="sato", next_action="面談", next_action_date="2025-03-31"
    )
    other = world.companies.add("別会社（テスト用）")
    b = world.deals.create(offer_id, other.id, actor="sato")
    world.deals.schedule(b.id, "NDA案の送付", "2025/04/01", actor="sato")
    world.deals.note(a.id, "先方は試作に前向き", actor="sato")
    assert [d.id for d in world.deals.due()] == [a.id, b.id]  # today is 2025-04-01: one overdue, one due
    assert [d.id for d in world.deals.due(as_of="2025-03-31")] == [a.id]
    world.deals.close(a.id, "capacity", actor="sato")
    assert [d.id for d in world.deals.due()] == [b.id]  # closed deals are never due
    assert not world.registry.get_deal(b.id).identities_revealed
    world.deals.consent(b.id, "company", actor="sme-owner")
    revealed = world.deals.consent(b.id, "licensor", actor="licensor-ip")
    assert revealed.identities_revealed
    kinds = [e.kind for e in world.registry.events(b.id)]
    assert kinds == ["created", "next_action", "consent", "consent"]
    texts = [e.text for e in world.registry.events(b.id) if e.kind == "consent"]
    assert texts[0].startswith("企業側が社名の開示に同意") and "ライセンサー側" in texts[1]
    assert "双方合意により社名を開示" in texts[1]
    assert [d.id for d in world.deals.list_deals(open_only=True)] == [b.id]
    assert [d.id for d in world.deals.list_deals(stages=["見送り"])] == [a.id]


def test_documents_are_labelled_filled_and_escaped(world: World) -> None:
    offer_id, _ = _setup(world)
    tricky = world.companies.add("<script>alert(1)</script>工業（テスト用）")
    world.companies.add_need(tricky.id, "振動を測りたい", exclusivity="exclusive")
    deal = world.deals.create(offer_id, tricky.id, actor="sato")
    view = world.deals.show(deal.id)
    nda = render_document(view, "nda")
    assert DISCLAIMER["ja"] in nda.markdown and DISCLAIMER["ja"] in nda.html
    assert "社名は双方合意後に開示" in nda.markdown  # identities not yet revealed
    term = render_document(view, "term-sheet")
    for heading in (
        "許諾特許",
        "実施分野",
        "地域",
        "独占性",
        "対価の考え方",
        "契約期間",
        "改良技術",
        "技術支援",
    ):
        assert heading in term.markdown and heading in term.html
    assert "特許5944598" in term.markdown and "2030-12-31" in term.markdown
    assert "非独占を基本に協議" in term.markdown and "独占（振動を測りたい）" in term.markdown
    world.deals.consent(deal.id, "company", actor="a")
    world.deals.consent(deal.id, "licensor", actor="b")
    html = render_document(world.deals.show(deal.id), "nda").html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert '<html lang="ja">' in html
    english = render_document(view, "term-sheet", lang="en")
    assert DISCLAIMER["en"] in english.markdown and "Licensed patents" in english.markdown


def test_kpi_counts_per_period_programme_and_licensor(world: World) -> None:
    offer_id, company_id = _setup(world)  # offer registered 2025-04-01
    world.clock.set("2025-05-10T09:00:00")
    d1 = world.deals.create(offer_id, company_id, actor="sato")
    world.deals.advance(d1.id, "meeting", actor="sato")
    world.clock.set("2025-08-01T09:00:00")
    for stage in ("nda", "evaluation", "negotiation", "licensed"):
        world.deals.advance(d1.id, stage, actor="sato")
    world.clock.set("2026-02-01T09:00:00")
    world.deals.advance(d1.id, "commercialised", actor="sato")
    other = world.companies.add("別会社（テスト用）")
    d2 = world.deals.create(offer_id, other.id, actor="sato")
    world.deals.close(d2.id, "terms", actor="sato")

    y2025 = world.kpi.report("2025")
    assert y2025.total | {} == {
        "offers": 1,
        "matches_proposed": 1,
        "meetings": 1,
        "ndas": 1,
        "evaluations": 1,
        "contracts": 1,
        "products": 0,
        "closed_lost": 0,
    }
    assert y2025.rows[0]["programme"].startswith("kawasaki")
    y2026 = world.kpi.report("2026", by="licensor")
    assert (
        y2026.total["products"] == 1
        and y2026.total["matches_proposed"] == 1
        and y2026.total["closed_lost"] == 1
    )
    assert y2026.cumulative["contracts"] == 1 and y2026.cumulative["products"] == 1
    assert y2026.rows[0]["licensor"] == "大手電機（テスト用）"
    q2 = world.kpi.report("2025-Q2")
    assert (q2.total["matches_proposed"], q2.total["contracts"]) == (2 - 1, 0)
    by_year = world.kpi.report("2025..2026", by="year")
    assert [r["year"] for r in by_year.rows] == ["2025", "2026"]
    assert world.kpi.report().total["matches_proposed"] == 2


def test_period_parsing() -> None:
    assert (parse_period("2025-Q4").start, parse_period("2025-Q4").end) == ("2025-10-01", "2026-01-01")
    assert (parse_period("2025-12").start, parse_period("2025-12").end) == ("2025-12-01", "2026-01-01")
    assert parse_period("all").start == "" and parse_period(None).label == "all"
    with pytest.raises(ValidationError, match="2025-Q1"):
        parse_period("last year")
    with pytest.raises(ValidationError):
        parse_period("2026..2025")
