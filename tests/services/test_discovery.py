"""DiscoveryService end to end on a small real corpus (J-PlatPat ①, Lens pizza, USPTO samples)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from discovery_corpus import SHARED, Corpus, build_corpus

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.discovery.model import DiscoveryConfig, DiscoveryRequest
from tsunagu.services.discovery.offers import CatalogueOfferProvider
from tsunagu.services.discovery.render import to_markdown

pytestmark = pytest.mark.shared

DROWSINESS = "心拍や脳波から人の眠気や疲労を推定するセンシング技術"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent (expected at <repo>/../shared/data)")
    return build_corpus(tmp_path_factory.mktemp("discovery"))


def test_free_text_home_fields_terms_and_cards(corpus: Corpus) -> None:
    result = corpus.service.discover(DiscoveryRequest(text=DROWSINESS, ideas=5))
    d = result.to_dict()
    assert d["analysis"]["language"] == "ja"
    assert "人の眠気や疲労を推定する" in d["analysis"]["function"]
    homes = [h["code"] for h in d["home_fields"]]
    assert "B60W" in homes  # the driver-state corpus is where this technology lives
    top = d["home_fields"][0]
    assert 0 < top["confidence"] <= 1 and top["name"]["title_en"] and top["wipo"]["number"] == 32
    assert 1 <= len(d["cards"]) <= 5
    fields = [c["field"] for c in d["cards"]]
    assert len(set(fields)) == len(fields)  # one card per target field
    home_subclasses = {h["code"] for h in d["home_fields"] if h["code"][0] == d["home_section"]}
    for c in d["cards"]:
        assert c["subclass"] not in home_subclasses  # core home fields are never proposed as ideas
        assert c["field_name"]["title_en"], c["field"]
        assert set(c["scores"]) == {"relevance", "novelty", "momentum", "evidence"}
        for s in c["scores"].values():
            assert 0.0 <= s["value"] <= 1.0
        assert c["scores"]["novelty"]["home_section"] == d["home_section"]
        assert c["evidence"], "every card has evidence patents"
        for e in c["evidence"]:
            rec = corpus.store.get(e["key"])
            assert rec is not None and rec.title == e["title"]
            assert any(code.split("/")[0] == c["field"].split("/")[0] for code in rec.ipc_codes)
            assert e["input_passage"] and e["matched_passage"]
            assert e["matched_passage"] in rec.text()
        assert c["rationale"]["text"] and not c["rationale"]["machine_phrased"]
    assert result.timings["total"] > 0


def test_ranked_fields_are_cards_then_candidates(corpus: Corpus) -> None:
    result = corpus.service.discover(DiscoveryRequest(text=DROWSINESS, ideas=3, candidates=30, explain=False))
    ranked = result.ranked_fields()
    assert ranked[:3] == [c.field for c in result.cards]
    assert len(ranked) >= 4 and len(set(ranked)) == len(ranked)
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)


def test_explain_does_not_change_the_ranking(corpus: Corpus) -> None:
    a = corpus.service.discover(DiscoveryRequest(text=DROWSINESS, explain=False))
    b = corpus.service.discover(DiscoveryRequest(text=DROWSINESS, explain=True))
    assert a.ranked_fields() == b.ranked_fields()


def test_boldness_trades_relevance_for_novelty(corpus: Corpus) -> None:
    def mean(key: str, boldness: float) -> float:
        r = corpus.service.discover(
            DiscoveryRequest(text=DROWSINESS, ideas=5, boldness=boldness, explain=False)
        )
        values = [getattr(c, key).value for c in r.cards]
        return sum(values) / len(values)

    assert mean("novelty", 1.0) >= mean("novelty", 0.0)
    assert mean("relevance", 0.0) >= mean("relevance", 1.0)


def test_exclude_prefix(corpus: Corpus) -> None:
    r = corpus.service.discover(DiscoveryRequest(text=DROWSINESS, exclude=("G08G", "A61B"), explain=False))
    assert not any(f.startswith(("G08G", "A61B")) for f in r.ranked_fields())


def test_patent_input_uses_its_codes_and_is_not_its_own_evidence(corpus: Corpus) -> None:
    key = next(k for k in corpus.store.keys() if k.startswith("JP-"))  # noqa: SIM118 - a store, not a dict
    p = corpus.store.get(key)
    assert p is not None
    r = corpus.service.discover(DiscoveryRequest(patents=(key,), ideas=4))
    assert r.home_fields and r.home_fields[0].source == "patents"
    assert {h.code for h in r.home_fields} <= {c[:4] for c in p.ipc_codes}
    assert all(e.key != key for c in r.cards for e in c.evidence)
    with pytest.raises(NotFoundError):
        corpus.service.discover(DiscoveryRequest(patents=("JP-X-0",)))


def test_english_input_and_little_evidence_wording(corpus: Corpus) -> None:
    r = corpus.service.discover(
        DiscoveryRequest(text="A pizza dough sheeting machine that rolls dough", ideas=8)
    )
    assert r.analysis["language"] == "en"
    little = [c for c in r.cards if c.little_evidence]
    for c in little:
        assert len(c.evidence) < corpus.service.config.little_evidence
        assert any("little evidence" in n for n in c.notes)
        assert "little evidence" in c.rationale.text
    assert all(len(c.evidence) <= 5 for c in r.cards)


def test_no_evidence_says_so_and_never_pads(corpus: Corpus) -> None:
    r = corpus.service.discover(DiscoveryRequest(text="zzzzqqq xyzzy plugh"))
    assert r.cards == () and r.candidates == ()
    assert r.notes


def test_offers_provider(corpus: Corpus) -> None:
    class Offer:
        def __init__(self, i: int, codes: tuple[str, ...], source: str) -> None:
            self.id, self.title, self.ipc_codes, self.ipc_source = i, f"offer {i}", codes, source
            self.patent_numbers = ("US1234567",)

    base = corpus.service.discover(DiscoveryRequest(text=DROWSINESS, ideas=3, explain=False))
    target = base.cards[0].field
    provider = CatalogueOfferProvider(
        lambda: [Offer(1, (target,), "inferred"), Offer(2, ("Z99Z1/00",), "given")]
    )
    svc = corpus.service.__class__(
        corpus.store, corpus.service._retrieval, config=corpus.service.config, offers=provider
    )
    r = svc.discover(DiscoveryRequest(text=DROWSINESS, ideas=3))
    card = next(c for c in r.cards if c.field == target)
    assert [o.id for o in card.offers] == ["1"] and card.offers[0].codes_inferred
    assert all(o.id != "2" for c in r.cards for o in c.offers)


def test_markdown_rendering(corpus: Corpus) -> None:
    r = corpus.service.discover(DiscoveryRequest(text=DROWSINESS, ideas=2, label="テスト"))
    md = to_markdown(r)
    assert md.startswith("# 用途探索 / Application discovery: テスト")
    assert "ホーム分野" in md and r.cards[0].field in md and "独自" in md


def test_validation() -> None:
    with pytest.raises(ValidationError):
        DiscoveryRequest()
    with pytest.raises(ValidationError):
        DiscoveryRequest(text="x", boldness=1.5)
    with pytest.raises(ValidationError):
        DiscoveryConfig(home_exclusion="nowhere")


def test_cpu_cost_per_discovery(corpus: Corpus) -> None:
    corpus.service.discover(DiscoveryRequest(text=DROWSINESS))  # warm caches
    t = time.process_time()
    for _ in range(3):
        corpus.service.discover(DiscoveryRequest(text=DROWSINESS))
    assert (time.process_time() - t) / 3 < 0.5


def test_statistics_are_saved_and_stamped(corpus: Corpus, tmp_path: Path) -> None:
    stats = corpus.index.refresh()
    assert corpus.index.is_current()
    assert stats.revision == corpus.store.revision()
    assert stats.n_docs > 1000 and stats.docs("B60W40/00") > 0
    assert stats.cooc("B60W40/00", "G08G1/00") == stats.cooc("G08G1/00", "B60W40/00") > 0
