"""Language detection from scripts, on real titles and abstracts of the shared data's formats."""

from __future__ import annotations

import pytest

from tsunagu.domain.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("", ""),
        ("   ", ""),
        ("123-456", ""),
        # J-PlatPat titles and abstracts
        ("運転意図推定装置、車両用運転操作補助装置および車両用運転操作補助装置を備えた車両", "ja"),
        ("運転支援装置", "ja"),  # kanji only, short: Japanese
        ("【課題】見栄え向上を図ることができる操舵補助表示装置を提供すること。", "ja"),
        ("ベントレー モーターズ リミテッド", "ja"),
        # Lens / Google titles
        ("Method and apparatus for machine learning a document relevance function", "en"),
        ("Verfahren Und Gerät Zur Fernbedienung Einer Drohne", "en"),
        ("一种点燃式氢氧气转子发动机及控制方法", "zh"),
        ("轴流涡喷增压器", "zh"),  # short, but 轴/涡 are not Japanese characters
        ("百度在线网络技术（北京）有限公司", "zh"),
        ("피자 용기", "ko"),
        ("주식회사 쏘그웨어", "ko"),
        ("LIDAR装置", "ja"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_few_cjk_characters_in_english_stay_english() -> None:
    text = "A pizza oven " * 10 + "窯"
    assert detect_language(text) == "en"


def test_long_han_only_text_is_chinese() -> None:
    assert detect_language("本发明公开了一种基于深度学习的图像识别方法" * 2) == "zh"
