"""Parts of Japanese patent abstracts marked with 【…】 headings (【課題】, 【解決手段】, …)."""

from __future__ import annotations

import re

__all__ = ["problem_part", "section_part", "solution_part"]

_HEADING = "【"
_PROBLEM_HEADINGS = ("課題", "目的", "解決課題")


def section_part(abstract: str, heading: str) -> str:
    """The text of one 【heading】 section of an abstract, up to the next 【 marker.

    Args:
        abstract: an abstract as stored by the importers (``<BR>`` markers already removed).
        heading: the heading without brackets (``"課題"``).

    Returns:
        The section's text with its line breaks joined and outer whitespace stripped, or ``""`` when
        the abstract has no such section.
    """
    marker = f"【{heading}】"
    start = abstract.find(marker)
    if start < 0:
        return ""
    rest = abstract[start + len(marker) :]
    end = rest.find(_HEADING)
    part = rest if end < 0 else rest[:end]
    return _LINE_BREAK.sub(_join, part).strip()


_LINE_BREAK = re.compile(r"(\S?)\s*\n\s*(\S?)")


def _join(m: re.Match[str]) -> str:
    # Japanese lines join without a space; two Latin words keep one.
    left, right = m.group(1), m.group(2)
    sep = " " if left.isascii() and right.isascii() and left.isalnum() and right.isalnum() else ""
    return f"{left}{sep}{right}"


def problem_part(abstract: str) -> str:
    """The 【課題】 (problem to be solved) part of a Japanese abstract, or ``""`` when absent.

    Older abstracts (before about 1996) head the same part 【目的】 (purpose); some write
    【解決課題】. Those are used when there is no 【課題】.

    >>> problem_part("【課題】見栄え向上を図る。\\n【解決手段】表示手段を備える。")
    '見栄え向上を図る。'
    """
    for heading in _PROBLEM_HEADINGS:
        part = section_part(abstract, heading)
        if part:
            return part
    return ""


def solution_part(abstract: str) -> str:
    """The 【解決手段】 (means of solution) part of a Japanese abstract, or ``""`` when absent.

    Older abstracts head it 【構成】 (constitution); that is used when there is no 【解決手段】.
    """
    return section_part(abstract, "解決手段") or section_part(abstract, "構成")
