"""Function / effect / problem phrases and passages (Japanese with Sudachi, English by heuristics)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tsunagu.retrieval.phrases import PhraseExtractor, split_passages

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def extractor() -> PhraseExtractor:
    return PhraseExtractor()


def test_japanese_wo_suru_pattern_with_coordinated_object(extractor: PhraseExtractor) -> None:
    a = extractor.analyse("心拍や脳波から人の眠気や疲労を推定するセンシング技術")
    assert a.language == "ja"
    assert [(p.kind, p.text, p.obj, p.verb) for p in a.phrases] == [
        ("function", "人の眠気や疲労を推定する", "人の眠気や疲労", "推定する")
    ]
    p = a.phrases[0]
    assert a.text[p.start : p.end] == "人の眠気や疲労を推定する"


def test_abstract_parts_problem_effect_and_generic_verbs(extractor: PhraseExtractor) -> None:
    text = (
        "【課題】運転者の眠気を精度よく検出することができる眠気検出装置を提供する。\n"
        "【解決手段】心拍センサにより運転者の心拍を計測し、心拍変動から眠気度を算出して警報を出力する。"
        "燃費の向上と排出ガスの低減を図る。\n【選択図】図１"
    )
    a = extractor.analyse(text, title="眠気検出装置")
    assert a.problem == "運転者の眠気を精度よく検出することができる眠気検出装置を提供する。"
    kinds = {(p.kind, p.text) for p in a.phrases}
    assert ("problem", "運転者の眠気を検出する") in kinds  # inside 【課題】, adverbial 精度よく skipped
    assert ("function", "運転者の心拍を計測する") in kinds
    assert ("function", "眠気度を算出する") in kinds
    assert ("function", "警報を出力する") in kinds
    assert ("effect", "燃費の向上") in kinds and ("effect", "排出ガスの低減") in kinds
    assert not any("提供" in p.text or "図る" in p.verb for p in a.phrases)  # generic verbs give nothing
    sections = [p.section for p in a.passages]
    assert sections[0] == "title" and "課題" in sections and "解決手段" in sections
    assert all("選択図" not in p.text and p.text != "図１" for p in a.passages)
    for p in (*a.passages, *a.phrases):  # every span points into the analysed text
        assert a.text[p.start : p.end]
    for ph in a.phrases:
        assert a.passages[ph.passage].start <= ph.start < ph.end <= a.passages[ph.passage].end


def test_effect_verbs_make_effect_phrases(extractor: PhraseExtractor) -> None:
    a = extractor.analyse("運転タイプの分類精度を向上させる。")
    assert [(p.kind, p.text) for p in a.phrases] == [("effect", "運転タイプの分類精度を向上する")]


def test_english_verb_object_phrases(extractor: PhraseExtractor) -> None:
    a = extractor.analyse(
        "A system for detecting driver drowsiness measures heart rate variability and warns the driver "
        "to reduce accidents. The controller is configured to estimate a fatigue level of the driver.",
        title="Drowsiness detection",
    )
    assert a.language == "en"
    got = [(p.kind, p.text) for p in a.phrases]
    assert ("function", "detect driver drowsiness") in got
    assert ("function", "measure heart rate variability") in got
    assert ("effect", "reduce accidents") in got
    assert ("function", "estimate fatigue level") in got
    for p in a.phrases:
        assert a.text[p.start : p.end].lower().startswith(p.verb[:4])


def test_real_jplatpat_abstract(extractor: PhraseExtractor) -> None:
    import csv
    import io

    raw = gzip.decompress((DATA / "jplatpat_csv" / "jplatpat_first4.csv.gz").read_bytes()).decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(raw)) if "【課題】" in (r.get("要約") or "")]
    assert rows, "fixture has abstracts with 【課題】"
    abstract = rows[0]["要約"].replace("(57)【要約】", "").replace("<BR>", "")
    a = extractor.analyse(abstract, title=rows[0]["発明の名称"])
    assert a.problem
    assert a.phrases, "a real abstract yields function phrases"
    assert {p.section for p in a.passages} >= {"title", "課題"}


def test_split_passages_sentences_and_offsets() -> None:
    text = "Title here\nFirst sentence is here. Second one follows, e.g. a list; Third part.\n"
    ps = split_passages(text, title_length=len("Title here"))
    assert [p.text for p in ps] == [
        "Title here",
        "First sentence is here.",
        "Second one follows, e.g. a list;",  # no split before a lower-case word ("e.g. a")
        "Third part.",
    ]
    for p in ps:
        assert text[p.start : p.end] == p.text
