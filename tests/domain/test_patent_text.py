"""The 【課題】/【解決手段】 parts of cleaned J-PlatPat abstracts."""

from __future__ import annotations

from tsunagu.domain.patent_text import problem_part, section_part, solution_part

# Cleaned abstract of 特開2014-240260 (J-PlatPat export ③), as JplatpatCsvSource stores it.
ABSTRACT = (
    "【課題】見栄え向上を図ることができる操舵補助表示装置を提供すること。\n"
    "【解決手段】本発明の操舵補助表示装置１は、車両の走行する曲線道路の半径Ｒと車両の車速Ｖと舵角θを検出"
    "する検出手段２ａと、…を含むことを特徴とする。"
)


def test_problem_part() -> None:
    assert problem_part(ABSTRACT) == "見栄え向上を図ることができる操舵補助表示装置を提供すること。"


def test_solution_part() -> None:
    assert solution_part(ABSTRACT).startswith("本発明の操舵補助表示装置１は")
    assert solution_part(ABSTRACT).endswith("を含むことを特徴とする。")


def test_no_heading_gives_empty_string() -> None:
    assert problem_part("本発明は、運転者に違和感を与えない運転支援装置を提供する。") == ""
    assert problem_part("") == ""


def test_older_headings_are_fallbacks() -> None:
    older = "【目的】運転者の負担を軽減する。\n【構成】制御手段を備える。"
    assert problem_part(older) == "運転者の負担を軽減する。"
    assert solution_part(older) == "制御手段を備える。"


def test_line_breaks_inside_a_part_are_joined() -> None:
    assert section_part("【課題】車両の\n制御。\n【効果】x", "課題") == "車両の制御。"
    assert section_part("【課題】a driver\nassist【効果】x", "課題") == "a driver assist"
