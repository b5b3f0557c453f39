"""Tests of `tsunagu.retrieval.text`: Sudachi tokens for Japanese, lower-cased words otherwise."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.retrieval.text import TextAnalyzer, is_japanese, problem_part, query_text


@pytest.fixture(scope="module")
def analyzer() -> TextAnalyzer:
    return TextAnalyzer()


def test_japanese_normalised_forms_without_particles(analyzer: TextAnalyzer) -> None:
    # 助詞 (の, を), 助動詞 (た) and 補助記号 (（ ） 。) are dropped; forms are normalised
    # (センサ → センサー).
    tokens = analyzer.tokens("運転者の状態を検出するセンサ（ＥＣＵ）を備えた車両制御装置。")
    assert tokens == ["運転者", "状態", "検出", "為る", "センサー", "ECU", "備える", "車両", "制御", "装置"]


def test_english_words_are_lower_cased(analyzer: TextAnalyzer) -> None:
    assert analyzer.tokens("Driver-State Monitoring: CNN, GPUs & 3D sensors.") == [
        "driver",
        "state",
        "monitoring",
        "cnn",
        "gpus",
        "3d",
        "sensors",
    ]


def test_full_width_english_is_folded(analyzer: TextAnalyzer) -> None:
    assert analyzer.tokens("ＤＲＩＶＥＲ Ｍｏｎｉｔｏｒ") == ["driver", "monitor"]


def test_latin_words_inside_japanese_go_through_sudachi(analyzer: TextAnalyzer) -> None:
    # Sudachi's normalised forms (its dictionary's spelling: "CAN" → "can", "ECU" stays); this is
    # exactly what the reference baseline indexes.
    assert analyzer.tokens("CAN通信でECUを制御する") == ["can", "通信", "ECU", "制御", "為る"]


def test_empty_and_blank(analyzer: TextAnalyzer) -> None:
    assert analyzer.tokens("") == []
    assert analyzer.tokens("   \n") == []


def test_long_text_is_cut(analyzer: TextAnalyzer) -> None:
    short = TextAnalyzer(max_chars=10)
    assert short.tokens("装置 " * 100) == ["装置", "装置", "装置", "装"]  # only "装置 装置 装置 装" is read


def test_detection_and_query_text() -> None:
    assert is_japanese("車両")
    assert is_japanese("ｶﾀｶﾅ")
    assert not is_japanese("vehicle 123")
    abstract = "【課題】運転者の負担を減らす。\n【解決手段】制御部は…"
    assert problem_part(abstract) == "運転者の負担を減らす。"
    assert query_text("運転支援装置", abstract) == "運転支援装置 運転者の負担を減らす。"
    assert query_text("Title", "An abstract.") == "Title An abstract."
    assert problem_part("no sections") == ""


def test_real_records_tokenise(analyzer: TextAnalyzer, fixture_patents: list[Patent]) -> None:
    for p in fixture_patents:
        tokens = analyzer.tokens(p.text())
        assert tokens, p.key
        if p.language == "en":
            assert all(t == t.lower() for t in tokens), p.key
        else:
            assert not {"の", "を", "。", "、"} & set(tokens), p.key


def test_threads_share_the_dictionary(analyzer: TextAnalyzer) -> None:
    text = "自車両の周囲の他車両の挙動を予測する。"
    expected = analyzer.tokens(text)
    results: list[list[str]] = []

    def work() -> None:
        for _ in range(20):
            results.append(analyzer.tokens(text))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results) and len(results) == 80


def test_nothing_loaded_at_construction() -> None:
    """The Sudachi dictionary loads on the first Japanese text, not at construction or for English."""
    code = (
        "import sys\n"
        "from tsunagu.retrieval import sudachi\n"
        "from tsunagu.retrieval.text import TextAnalyzer\n"
        "a = TextAnalyzer()\n"
        "a.tokens('english only')\n"
        "print(sudachi._dictionary is None, 'sudachipy' in sys.modules)\n"
        "a.tokens('運転者の眠気')\n"
        "print(sudachi._dictionary is None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False", "False"]
