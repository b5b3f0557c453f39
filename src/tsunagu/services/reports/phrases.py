"""Sentences and labels the report builders fill with figures, in Japanese and English.

They live in ``tsunagu/data/report_templates/phrases.json`` (groups ``evaluation``, ``proposal``,
``company_fields``, ``ratings_table``; each with ``ja`` and ``en``), read once on first use.
"""

from __future__ import annotations

import json
from functools import cache

from tsunagu.services.reports.templates import packaged_template_text

__all__ = ["phrase_group", "phrases"]


@cache
def _all() -> dict[str, dict[str, dict[str, str]]]:
    data: dict[str, dict[str, dict[str, str]]] = json.loads(packaged_template_text("phrases.json"))
    return data


def phrase_group(group: str, lang: str) -> dict[str, str]:
    """One group of phrases in ``lang`` (English for anything but ``"ja"``)."""
    return _all()[group]["ja" if lang == "ja" else "en"]


def phrases(lang: str) -> dict[str, str]:
    """The evaluation report's phrases in ``lang``."""
    return phrase_group("evaluation", lang)
