"""Record filters used by `SqlPatentStore.keys_matching`: the exact rules, shared by every backend.

The store narrows candidates in SQL where that is portable (year range, language, a coarse
``LIKE`` on the JSON code lists) and then applies these rules in Python, so SQLite and PostgreSQL
give the same answers, including for Unicode normalisation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["RecordFilter", "normalise_code_prefix", "normalise_name"]


def normalise_name(text: str) -> str:
    """NFKC-fold, case-fold and collapse whitespace.

    ``"ルノー　エス．ア．エス．"`` → ``"ルノー エス.ア.エス."``.
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalise_code_prefix(prefix: str) -> str:
    """Upper case without whitespace, the way codes are stored: ``"g01n 25/"`` → ``"G01N25/"``."""
    return "".join(unicodedata.normalize("NFKC", prefix).upper().split())


@dataclass(frozen=True)
class RecordFilter:
    """A normalised filter over the light columns of a record.

    Attributes:
        code_prefix: prefix of any IPC, CPC or FI code (already normalised); ``""`` for none.
        applicant: normalised substring of any applicant; ``""`` for none.
        year_from: inclusive lower bound on the record's year, or None.
        year_to: inclusive upper bound on the record's year, or None.
        language: language code compared case-insensitively; ``""`` for none.
        source: source format name the record must come from (in ``sources``); ``""`` for none.
    """

    code_prefix: str = ""
    applicant: str = ""
    year_from: int | None = None
    year_to: int | None = None
    language: str = ""
    source: str = ""

    @classmethod
    def build(
        cls,
        *,
        ipc_prefix: str = "",
        applicant: str = "",
        year_from: int | None = None,
        year_to: int | None = None,
        language: str = "",
        source: str = "",
    ) -> RecordFilter:
        """Normalise user-facing filter values."""
        return cls(
            code_prefix=normalise_code_prefix(ipc_prefix),
            applicant=normalise_name(applicant),
            year_from=year_from,
            year_to=year_to,
            language=language.strip().lower(),
            source=source.strip(),
        )

    def matches(
        self,
        *,
        codes: Iterable[str],
        applicants: Iterable[str],
        year: int | None,
        language: str,
        sources: Iterable[str],
    ) -> bool:
        """Whether a record with these values passes every filter."""
        if self.code_prefix and not any(c.upper().startswith(self.code_prefix) for c in codes):
            return False
        if self.applicant and not any(self.applicant in normalise_name(a) for a in applicants):
            return False
        if self.year_from is not None and (year is None or year < self.year_from):
            return False
        if self.year_to is not None and (year is None or year > self.year_to):
            return False
        if self.language and language.lower() != self.language:
            return False
        return not (self.source and self.source not in sources)
