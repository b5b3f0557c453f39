"""Deterministic hold-out splits by hash of a document's number.

The reference baselines hold out J-PlatPat documents whose whitespace-free 文献番号 has
``sha1 % 10 == 1``. `holdout_bucket` reproduces that for J-PlatPat records (their first original
number is the 文献番号) and hashes the dedupe key for records of other sources.
"""

from __future__ import annotations

import hashlib
import re

from tsunagu.domain.patent import Patent

__all__ = ["REFERENCE_BUCKET", "holdout_bucket", "split_number"]

#: The bucket the reference baselines hold out as queries.
REFERENCE_BUCKET = 1

_SPACE = re.compile(r"\s")


def split_number(p: Patent) -> str:
    """The string hashed for ``p``: the J-PlatPat 文献番号 without white space, else the dedupe key."""
    if "jplatpat_csv" in p.sources and p.original_numbers:
        return _SPACE.sub("", p.original_numbers[0])
    return p.key


def holdout_bucket(p: Patent, buckets: int = 10) -> int:
    """``sha1(split_number(p)) % buckets``."""
    return int(hashlib.sha1(split_number(p).encode("utf-8")).hexdigest(), 16) % buckets
