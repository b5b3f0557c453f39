"""Two-way matching on a small real corpus: explained components, needs, inferred fields, licensor view."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from matching_corpus import NASA_FIXTURE, SHARED, build_app

from tsunagu.app import App
from tsunagu.domain.matching import Offer
from tsunagu.errors import ValidationError
from tsunagu.services.matching.fields import FieldGraph, OfferFieldMatrix
from tsunagu.services.matching.proposals import DiscoveryProposer
from tsunagu.services.matching.results import CompanyProfile
from tsunagu.services.matching.shortlist import shortlist

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent")
    home: Path = tmp_path_factory.mktemp("matcher-home")
    app = build_app(home)
    app.programmes.create("kawasaki", "川崎モデル（テスト用）")
    app.offers.import_file(NASA_FIXTURE, programme_id=app.programmes.get("kawasaki").id)
    # Test data: a licensor offering a driver-monitoring technology (its text is in Japanese).
    app.offers.add(
        "テスト電機（テスト用）",
        "運転者の眠気検知装置",
        summary="心拍と操舵から運転者の眠気を検出し警報する",
        ipc_codes=["B60K28/00", "A61B5/18"],
        external_ref="TE-1",
    )
    yield app
    app.close()


def test_offers_for_a_corpus_applicant_are_ranked_and_explained(app: App) -> None:
    result = app.matching.offers_for_company("マツダ株式会社", limit=5)
    assert result.direction == "offers_for_company" and result.considered == 8
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5
    for m in result.matches:
        assert set(m.components) == {"capability_fit", "need_fit", "field_proximity"}
        assert m.components["need_fit"] is None  # no needs for an applicant: not counted
        assert all(0.0 <= v <= 1.0 for v in m.components.values() if v is not None)
        assert {r.component for r in m.reasons} >= {"capability_fit", "need_fit", "field_proximity"}
    # 用途探索 proposes a business for the top three (default --propose 3), grounded in evidence patents;
    # below them nothing is proposed, and the match says why.
    for m in result.matches[:3]:
        pb = m.proposed_business
        assert (
            pb.available and pb.field and pb.evidence and pb.relation in ("home", "adjacent", "other")
        ) or pb.note
    for m in result.matches[3:]:
        assert not m.proposed_business.available and "--propose" in m.proposed_business.note
    # NASA offers carry inferred fields, and the match says so.
    nasa = next(m for m in result.matches if m.offer.source == "nasa_t2_csv")
    assert any(r.component == "note" and "推定" in r.ja for r in nasa.reasons)
    assert any("登録企業ではなく" in n for n in result.notes)
    doc = result.to_dict()
    assert doc["matches"][0]["rank"] == 1 and "new_fields" in doc["matches"][0]


def test_offer_in_the_companys_own_fields_has_no_field_proximity(app: App) -> None:
    profile = app.matching.profile("マツダ株式会社")
    offer = next(o for o in app.offers.list_offers() if o.external_ref == "TE-1")
    match = app.matching.explain("マツダ株式会社", offer.id)
    own = set(profile.groups)
    new = [g for g in ("B60K28/00", "A61B5/00") if g not in own]
    assert [link.group for link in match.new_fields] == [
        g for g in new if g in app.matching.field_graph().index
    ]
    assert set(match.known_fields) == {"B60K28/00", "A61B5/00"} & own


def test_a_need_raises_the_offer_that_answers_it(app: App) -> None:
    company = app.companies.add("ニーズ精工（テスト用）", capabilities="精密部品の加工と組立、センサ筐体")
    offer = next(o for o in app.offers.list_offers() if o.external_ref == "TE-1")
    before = app.matching.explain(company.id, offer.id)
    assert before.components["need_fit"] is None
    app.companies.add_need(company.id, "運転者の眠気を検知したい", problem="トラック運転者の居眠り事故を防ぐ")
    after = app.matching.explain(company.id, offer.id)
    assert after.components["need_fit"] is not None and after.components["need_fit"] > 0.2
    assert after.reasons[0].component == "need_fit" and "運転者の眠気を検知したい" in after.reasons[0].ja
    ranked = app.matching.offers_for_company(company.id, limit=3)
    assert ranked.matches[0].offer.id == offer.id


def test_company_without_patents_gets_inferred_fields(app: App) -> None:
    company = app.companies.add(
        "無特許工業（テスト用）", capabilities="車両の運転支援システムと警報装置の開発"
    )
    result = app.matching.offers_for_company(company.id, limit=3)
    profile = app.matching.profile(company.id)
    assert profile.patent_keys == () and profile.groups and profile.groups_inferred
    assert any("推定" in n for n in result.notes)
    assert any(r.component == "note" and "推定" in r.ja for r in result.matches[0].reasons)


def test_companies_for_an_offer_and_the_licensor_view(app: App) -> None:
    offer = next(o for o in app.offers.list_offers() if o.external_ref == "TE-1")
    visible = app.companies.add(
        "公開企業（テスト用）", capabilities="運転者モニタリング", visibility="public"
    )
    hidden = app.companies.add(
        "匿名企業（テスト用）", capabilities="眠気の検出と警報", visibility="anonymous"
    )
    private = app.companies.add("非公開企業（テスト用）", capabilities="眠気の検出", visibility="private")
    full = app.matching.companies_for_offer(offer.id, limit=50)
    ids = {m.company.id for m in full.matches}
    assert {visible.id, hidden.id, private.id} <= ids
    licensor = app.matching.companies_for_offer(offer.id, limit=50, as_licensor=True)
    views = {m.company.id: v for m, v in zip(licensor.matches, licensor.views, strict=True)}
    assert private.id not in views
    assert views[visible.id]["name"] == "公開企業（テスト用）"
    assert views[hidden.id]["name"] == f"企業 #{hidden.id}" and not views[hidden.id]["identity_revealed"]
    assert "非公開企業（テスト用）" not in str(licensor.to_dict())  # nothing of a private profile leaks


def test_licensor_is_not_matched_with_its_own_offer(app: App) -> None:
    own = app.companies.add("テスト電機（テスト用）", capabilities="運転者の眠気検知")
    offers = {m.offer.external_ref for m in app.matching.offers_for_company(own.id, limit=20).matches}
    assert "TE-1" not in offers


def test_closed_offer_cannot_be_explained(app: App) -> None:
    offer = app.offers.add("Closing Co (test)", "Temporary offer")
    app.offers.close(offer.id)
    with pytest.raises(ValidationError, match="closed"):
        app.matching.explain("マツダ株式会社", offer.id)


def test_field_graph_and_noisy_or_on_real_records(app: App) -> None:
    graph = app.matching.field_graph()
    assert graph.documents > 500 and "B60W40/00" in graph.index
    prox = graph.proximity(["B60W40/00"])
    g = graph.index["B60W50/00"]
    assert (
        0.0 < prox.p_doc[g] <= 1.0 and prox.p_doc[graph.index["B60W40/00"]] == 0.0
    )  # home groups add nothing
    link = graph.link(prox, "B60W50/00")
    assert link is not None and link.home_doc == "B60W40/00"
    matrix = OfferFieldMatrix(graph, [["B60W50/00"], ["B60W40/00"], ["B60W50/00", "X99Z1/00"], []])
    field, known = matrix.scores(prox)
    expected = 0.5 * (min(prox.p_doc[g], 0.999) + min(prox.p_app[g], 0.999))
    assert field[0] == pytest.approx(expected) and field[2] == pytest.approx(expected)
    assert field[1] == 0.0 and known[1] == 1.0 and field[3] == 0.0 and known[2] == 0.0


def test_field_graph_counts_by_hand() -> None:
    # Three records: A and B together twice (two applicants), A alone once.
    graph = FieldGraph.fit(
        [(["A01B1/00", "B01B1/00"], ["x"]), (["A01B1/00", "B01B1/00"], ["y"]), (["A01B1/00"], ["y"])]
    )
    prox = graph.proximity(["A01B1/00"])
    b = graph.index["B01B1/00"]
    assert prox.p_doc[b] == pytest.approx(2 / 3) and prox.p_app[b] == pytest.approx(1.0)
    field, _ = OfferFieldMatrix(graph, [["B01B1/00"]]).scores(prox)
    assert field[0] == pytest.approx(0.5 * (2 / 3) + 0.5 * 0.999)


@dataclass
class _Evidence:
    number: str
    title: str
    applicants: tuple[str, ...]
    year: int


@dataclass
class _Card:
    field: str
    function: str
    evidence: tuple[_Evidence, ...] = ()
    rationale: object = None


@dataclass
class _Result:
    cards: list[_Card] = field(default_factory=list)


def test_discovery_proposer_prefers_the_companys_own_field() -> None:
    calls: list[dict[str, object]] = []

    def discover(request: dict[str, object]) -> _Result:
        calls.append(request)
        ev = (_Evidence("JP2010-1A", "眠気検出", ("マツダ株式会社",), 2010),)
        return _Result([_Card("G08B21/00", "warn", ev), _Card("B60K28/00", "detect drowsiness", ev)])

    proposer = DiscoveryProposer(discover, lambda **kw: kw)
    profile = CompanyProfile("company:1", "X", None, "", (), {}, ("B60K28/00",), False)
    offer = Offer(7, 1, "Sensor", summary="detects drowsiness", updated_at="t1")
    home = proposer.propose(profile, offer, lambda g: 1.0 if g == "B60K28/00" else 0.1)
    assert home.available and home.field == "B60K28/00" and home.relation == "home"
    assert home.evidence[0]["number"] == "JP2010-1A"
    other = proposer.propose(profile, offer, lambda g: 0.0)
    assert other.field == "G08B21/00" and other.relation == "other"
    assert len(calls) == 1  # discovery runs once per offer version


def test_tfidf_channel_is_symmetric_and_bounded() -> None:
    from tsunagu.services.matching.text import TfidfChannel

    docs = [["driver", "drowsiness", "heart"], ["pizza", "oven"], ["driver", "seat"]]
    channel = TfidfChannel(docs)
    scores = channel.scores(["driver", "drowsiness", "heart"])
    assert scores[0] == pytest.approx(1.0) and scores[1] == 0.0 and 0 < scores[2] < 1
    assert np.all(channel.scores(["unknown"]) == 0)


def test_shortlist_bounds_the_work_without_changing_the_best_match(app: App) -> None:
    offer = next(o for o in app.offers.list_offers() if o.external_ref == "TE-1")
    for i, text in enumerate(
        ["切削加工", "樹脂成形", "食品包装", "ピザ生地の製造", "ジェットエンジン部品", "塗装"]
    ):
        app.companies.add(f"候補{i}（テスト用）", capabilities=text)
    needy = app.companies.add("ニーズだけの会社（テスト用）")
    app.companies.add_need(needy.id, "眠気を検知したい")
    full = app.matching.companies_for_offer(offer.id, limit=1)
    app.matching.shortlist_size = 1  # keep = max(1, 5 × limit) = 5 of the candidates
    try:
        short = app.matching.companies_for_offer(offer.id, limit=1)
    finally:
        app.matching.shortlist_size = 150
    assert short.considered == full.considered > 5
    assert short.matches[0].company.id == full.matches[0].company.id
    candidates = app.registry.list_companies(status="active")
    kept = shortlist(
        offer,
        candidates,
        keep=2,
        graph=app.matching.field_graph(),
        applicants=app.companies.applicants,
        patents=app.store,
        analyzer=app.analyzer,
        weights=app.matching.weights,
        with_needs={needy.id},
    )
    assert len(kept) <= 3 and needy.id in {
        c.id for c in kept
    }  # a company with a need is always scored in full


def test_an_offer_past_its_listed_validity_says_so(app: App) -> None:
    offer = next(
        o for o in app.offers.list_offers() if o.external_ref == "ARC-14613-1"
    )  # listed until 2019-11-30
    match = app.matching.explain("マツダ株式会社", offer.id)
    assert any(r.component == "note" and "2019-11-30" in r.ja for r in match.reasons)
