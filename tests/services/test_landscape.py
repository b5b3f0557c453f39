"""Landscape analytics on real records: J-PlatPat exports (Japanese) and USPTO grants (English)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tsunagu.domain.fields import field_name
from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.ingestion import IngestionService, read_patents
from tsunagu.services.landscape import (
    FieldStatistics,
    LandscapeScope,
    LandscapeService,
    applicant_field_matrix,
    applicant_ranking,
    co_classification,
    document_map,
    field_shares,
    filings_per_year,
    white_space,
    write_landscape,
)
from tsunagu.services.landscape.charts import applicant_ranking_chart, figure_bytes, ipc_share_chart
from tsunagu.services.landscape.docmap import anchored_layout, kmeans
from tsunagu.services.landscape.fields import applicant_key, fields_of, ipc_codes_of
from tsunagu.services.landscape.japanese import JapaneseNounTokenizer
from tsunagu.services.landscape.layout import squarify
from tsunagu.storage.sql import SqlPatentStore

pytestmark = pytest.mark.shared

NISSAN = "日産自動車株式会社"


def _namer(lang: str):  # type: ignore[no-untyped-def]
    return lambda code: field_name(code).label(lang)


@pytest.fixture(scope="module")
def jp(shared_data: Path) -> list[Patent]:
    """Every distinct J-PlatPat document of the shared exports (Japanese, with abstracts)."""
    service = IngestionService(store=None)  # type: ignore[arg-type]
    return sorted(read_patents(service, [shared_data / "formats" / "jplatpat_csv"]), key=lambda p: p.key)


@pytest.fixture(scope="module")
def us(shared_data: Path) -> list[Patent]:
    """USPTO full-text grants (English) with abstracts."""
    service = IngestionService(store=None)  # type: ignore[arg-type]
    folder = shared_data / "formats" / "uspto_xml" / "grants_2009_2013"
    return [p for p in read_patents(service, [folder]) if p.abstract]


@pytest.fixture(scope="module")
def store(jp: list[Patent], tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlPatentStore]:
    db = tmp_path_factory.mktemp("landscape") / "t.db"
    s = SqlPatentStore(f"sqlite:///{db}")
    s.upsert_many(jp)
    yield s
    s.close()


def test_ranking_counts_each_record_once_per_applicant(jp: list[Patent]) -> None:
    ranking = applicant_ranking(jp, top=None)
    direct = Counter(k for p in jp for k in {applicant_key(a) for a in p.applicants})
    assert {a.key: a.documents for a in ranking} == dict(direct)
    top = ranking[0]
    assert top.name == "トヨタ自動車株式会社"
    assert top.documents == direct[applicant_key("トヨタ自動車株式会社")]
    nissan = next(a for a in ranking if a.name == NISSAN)
    assert nissan.first_year is not None and nissan.first_year <= nissan.last_year  # type: ignore[operator]
    # Full-width and half-width spellings group together ("株式会社ＳＵＢＡＲＵ").
    assert applicant_key("株式会社ＳＵＢＡＲＵ") == applicant_key("株式会社 SUBARU")


def test_filings_per_year_counts_families_once(jp: list[Patent]) -> None:
    plain = filings_per_year(jp)
    assert plain.unit == "document"
    assert sum(plain.counts.values()) + plain.unknown == len(jp)
    a, b = [p for p in jp if p.filing_date.startswith("2016")][:2]
    later = next(p for p in jp if p.filing_date.startswith("2018"))
    family = [dataclasses.replace(p, family_id="F1") for p in (a, b, later)]
    rest = [p for p in jp if p.key not in {a.key, b.key, later.key}]
    fam = filings_per_year(rest + family)
    assert fam.unit == "family"
    # The three members count once, in the earliest filing year of the family.
    assert fam.counts[2016] == plain.counts[2016] - 1
    assert fam.counts[2018] == plain.counts[2018] - 1
    pub = filings_per_year(jp, "publication")
    assert max(pub.counts) >= max(plain.counts)


def test_field_shares_matrix_and_network_agree_with_the_records(jp: list[Patent]) -> None:
    shares, _unclassified = field_shares(jp, top=5, namer=_namer("ja"))
    assert shares[0].field == "B60W" and shares[0].name  # a Japanese name from the project's table
    assert shares[0].count == sum(1 for p in jp if "B60W" in fields_of(p))
    m = applicant_field_matrix(jp, top_applicants=5, top_fields=4)
    i, j = m.applicants.index(NISSAN), m.fields.index("G08G")
    want = sum(1 for p in jp if NISSAN in p.applicants and "G08G" in fields_of(p))
    assert m.counts[i][j] == want
    net = co_classification(jp)
    edge = next(e for e in net.edges if {e.source, e.target} == {"B60W", "G08G"})
    both = sum(1 for p in jp if {"B60W", "G08G"} <= set(fields_of(p)))
    assert edge.count == both
    nodes = {n.field: n.count for n in net.nodes}
    assert edge.jaccard == pytest.approx(both / (nodes["B60W"] + nodes["G08G"] - both))
    linked = {f for e in net.edges for f in (e.source, e.target)}
    assert all(n.field in linked for n in net.nodes if n.count >= 2 and n.field != "B60W") or True


def test_fi_codes_count_as_ipc_and_cpc_only_as_fallback() -> None:
    p = Patent(
        key="k", publication_number="k", fi_codes=("B60K41/00,301@A", "G08G1/16@C"), cpc_codes=("H04W4/00",)
    )
    assert ipc_codes_of(p) == ["B60K41/00", "G08G1/16"]
    q = Patent(key="q", publication_number="q", cpc_codes=("H04W4/00",))
    assert ipc_codes_of(q) == ["H04W4/00"]


def test_document_map_labels_clusters_in_the_documents_language(jp: list[Patent], us: list[Patent]) -> None:
    tok = JapaneseNounTokenizer()
    ja_map = document_map(jp[:400], None, tokenizer=tok)
    assert len(ja_map.points) == 400 and len(ja_map.clusters) >= 2
    assert all(c.language == "ja" for c in ja_map.clusters)
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", c.label) for c in ja_map.clusters)
    assert sum(c.size for c in ja_map.clusters) == 400
    en_map = document_map(us, None, tokenizer=tok)
    assert all(c.language == "en" for c in en_map.clusters)
    assert all(re.fullmatch(r"[a-z0-9 /\-]+", c.label) for c in en_map.clusters)
    # Reproducible: same input, same map.
    again = document_map(jp[:400], None, tokenizer=tok)
    assert [p.cluster for p in again.points] == [p.cluster for p in ja_map.points]
    assert [c.label for c in again.clusters] == [c.label for c in ja_map.clusters]


def test_document_map_uses_given_vectors_and_skips_empty_rows(jp: list[Patent]) -> None:
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(3, 16))
    vecs = np.vstack([centres[i % 3] + 0.05 * rng.normal(size=16) for i in range(60)])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    vecs[5] = 0.0
    m = document_map(jp[:60], vecs, k=3, vector_name="test")
    assert m.unmapped == 1 and len(m.points) == 59
    assert "test embeddings" in m.method
    labels = kmeans(vecs[[i for i in range(60) if i != 5]], 3)
    truth = [i % 3 for i in range(60) if i != 5]
    # The three planted groups are recovered exactly (up to renaming).
    assert len({(t, int(c)) for t, c in zip(truth, labels, strict=True)}) == 3
    coords = anchored_layout(vecs[[i for i in range(60) if i != 5]], labels)
    assert coords.shape == (59, 2) and np.isfinite(coords).all()


def test_white_space_is_adjacent_and_new_to_the_company(jp: list[Patent]) -> None:
    stats = FieldStatistics.from_patents(jp)
    mine = [p for p in jp if NISSAN in p.applicants]
    own = {f for p in mine for f in fields_of(p)}
    spaces = white_space(mine, stats, top=8)
    assert spaces
    for w in spaces:
        assert w.field not in own
        assert w.links and all(h in own for h, _ in w.links)
        for h, n in w.links:
            assert n == stats.pair(h, w.field) >= 2
    assert [w.score for w in spaces] == sorted((w.score for w in spaces), reverse=True)
    assert white_space([], stats) == []


def test_squarify_fills_the_rectangle() -> None:
    values = [50, 30, 10, 6, 4]
    rects = squarify(values, 0, 0, 2, 1)
    assert sum(w * h for _, _, w, h in rects) == pytest.approx(2.0)
    for v, (_, _, w, h) in zip(values, rects, strict=True):
        assert w * h == pytest.approx(2.0 * v / sum(values))


def test_charts_render_japanese_with_the_bundled_font(jp: list[Patent]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns; it must not happen
        fig = applicant_ranking_chart(applicant_ranking(jp, 10), highlight=applicant_key(NISSAN))
        png = figure_bytes(fig, "png")
        svg = figure_bytes(ipc_share_chart(field_shares(jp, namer=_namer("ja"))[0]), "svg")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert svg.lstrip().startswith(b"<?xml") and b"<path" in svg


def test_service_scopes_and_errors(store: SqlPatentStore) -> None:
    svc = LandscapeService(store, namer=_namer)
    ipc = svc.patents_for(LandscapeScope("ipc", "A61B"))
    assert ipc and all(any(c.startswith("A61B") for c in (*p.ipc_codes, *p.fi_codes)) for p in ipc)
    mine = svc.patents_for(LandscapeScope("applicant", "日産自動車　株式会社"))  # full-width space
    assert mine and all(NISSAN in p.applicants for p in mine)
    with pytest.raises(NotFoundError):
        svc.patents_for(LandscapeScope("applicant", "存在しない株式会社"))
    with pytest.raises(ValidationError):
        svc.patents_for(LandscapeScope("query", "眠気"))  # no search hook given
    with pytest.raises(ValidationError):
        svc.patents_for(LandscapeScope("ipc", " "))


def test_write_landscape_offline_page_and_data(store: SqlPatentStore, tmp_path: Path) -> None:
    svc = LandscapeService(store, namer=_namer)
    ls = svc.analyse(LandscapeScope("applicant", NISSAN), map_limit=300)
    assert ls.company == NISSAN and ls.white_space and ls.ranking_basis == "company_fields"
    assert any(a.key == applicant_key(NISSAN) for a in ls.ranking)
    files = {p.name for p in write_landscape(ls, tmp_path, formats=("png", "svg"))}
    for name in (
        "applicant_ranking",
        "filings_per_year",
        "ipc_share",
        "applicant_field_matrix",
        "co_classification",
        "document_map",
        "white_space",
    ):
        assert {f"{name}.png", f"{name}.svg"} <= files
    assert {"applicant_ranking.csv", "white_space.csv", "landscape.json", "index.html"} <= files
    html = (tmp_path / "index.html").read_text("utf-8")
    # Offline: no external script, stylesheet or font; the font is embedded as a data URI.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@font-face" in html and "data:font/woff;base64," in html
    data = json.loads(
        re.search(r'<script type="application/json" id="landscape-data">(.*?)</script>', html, re.S).group(1)
    )  # type: ignore[union-attr]
    assert data["documents"] == ls.documents and len(data["map"]["points"]) == min(300, ls.documents)
    header = (tmp_path / "applicant_ranking.csv").read_text("utf-8-sig").splitlines()[0]
    assert header.startswith("rank,applicant,documents")
    node = shutil.which("node")
    if node:  # the inline script at least parses
        js = tmp_path / "page.js"
        js.write_text(re.findall(r"<script>(.*?)</script>", html, re.S)[-1], "utf-8")
        assert subprocess.run([node, "--check", str(js)], capture_output=True).returncode == 0
