"""FieldStats: corpus counts of main groups, co-classification, filings per year, applicants."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from tsunagu.domain.codes import main_group
from tsunagu.domain.patent import Patent
from tsunagu.services.discovery.offers import CatalogueOfferProvider, NoOffers
from tsunagu.services.discovery.stats import FieldStats, StatsRow, rows_from_store
from tsunagu.services.ingestion import IngestionService, read_patents
from tsunagu.storage.sql import SqlPatentStore

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def records() -> list[Patent]:
    folders = [DATA / name for name in ("jplatpat_csv", "lens_csv", "uspto_xml")]
    return read_patents(IngestionService(store=None), folders)  # type: ignore[arg-type]


def test_counts_match_a_direct_count(records: list[Patent]) -> None:
    stats = FieldStats.build(StatsRow(p.key, p.ipc_codes, p.year, p.applicants) for p in records)
    coded = [sorted({main_group(c) for c in p.ipc_codes if "/" in c}) for p in records]
    coded = [g for g in coded if g]
    assert stats.n_docs == len(coded) and stats.n_groups == len({g for gs in coded for g in gs})
    n1 = Counter(g for gs in coded for g in gs)
    n2 = Counter(frozenset(pair) for gs in coded for pair in combinations(gs, 2))
    for g, n in n1.items():
        assert stats.docs(g) == n
    for pair, n in n2.items():
        a, b = sorted(pair)
        assert stats.cooc(a, b) == stats.cooc(b, a) == n
        assert stats.cooc_row(a)[stats.group_id(b)] == n  # type: ignore[index]
    assert stats.groups == sorted(stats.groups)
    assert stats.docs("Z99Z1/00") == 0 and stats.cooc("Z99Z1/00", stats.groups[0]) == 0
    dated = [p for p in records if p.year is not None and any("/" in c for c in p.ipc_codes)]
    assert dated and int(stats.corpus_years.sum()) == len(dated)


def test_years_momentum_windows_and_applicants() -> None:
    rows = [
        StatsRow("a", ("A61B5/18",), 2000, ("ＡＢＣ株式会社",)),
        StatsRow("b", ("A61B5/00", "G08G1/16"), 2010, ("ABC株式会社", "Other")),
        StatsRow("c", ("G08G1/16",), 2011, ("Other",)),
        StatsRow("d", ("G08G1/09",), None, ()),
        StatsRow("e", ("A61B",), 2012, ()),  # a bare subclass is not a main group
    ]
    stats = FieldStats.build(rows, revision=7)
    assert stats.revision == 7 and stats.n_docs == 4
    assert stats.years("A61B5/00") == {2000: 1, 2010: 1}
    assert stats.filings("G08G1/00", 2010, 2011) == 2
    assert stats.year_max == 2011 and stats.data_end_year == 2011
    # full-width and half-width spellings of one applicant are merged
    (name, count), *_ = stats.top_applicants("A61B5/00")
    assert count == 2 and name in ("ＡＢＣ株式会社", "ABC株式会社")
    assert stats.top_applicants("G08G1/00")[0] == ("Other", 2)


def test_save_load_and_revision_stamp(tmp_path: Path, records: list[Patent]) -> None:
    store = SqlPatentStore(f"sqlite:///{tmp_path / 't.db'}")
    store.upsert_many(records[:20])
    folder = tmp_path / "discovery"
    stats = FieldStats.load_or_build(store, folder)
    assert FieldStats.saved_revision(folder) == store.revision() == stats.revision
    loaded = FieldStats.load(folder)
    assert loaded.groups == stats.groups and np.array_equal(loaded.cooc_counts, stats.cooc_counts)
    assert loaded.applicants == stats.applicants
    store.upsert_many(records[20:])
    rebuilt = FieldStats.load_or_build(store, folder)
    assert rebuilt.revision == store.revision() > stats.revision
    assert rebuilt.n_docs == FieldStats.build(rows_from_store(store)).n_docs
    store.close()


def test_offer_providers() -> None:
    class Offer:
        def __init__(self, i: int, codes: tuple[str, ...]) -> None:
            self.id, self.title, self.ipc_codes, self.ipc_source = i, f"offer {i}", codes, "inferred"
            self.licensor_id, self.patent_numbers = 3, ()

    assert NoOffers().offers_in_field("A61B5/00") == []
    p = CatalogueOfferProvider.for_register(
        lambda: [Offer(1, ("A61B5/18",)), Offer(2, ("A61B7/00",))], lambda lid: f"licensor {lid}"
    )
    found = p.offers_in_field("A61B5/00", limit=3)
    assert [o.id for o in found] == ["1", "2"]  # the group first, then the same subclass
    assert found[0].holder == "licensor 3" and found[0].codes_inferred
