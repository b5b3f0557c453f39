"""One Sudachi dictionary per process, one tokenizer per thread.

The search analyser, the phrase extractor and the landscape's noun tokenizer all read Japanese with
Sudachi's core dictionary in split mode C. The dictionary is loaded once, on first use (never at
import), and shared; each thread gets its own tokenizer over it because Sudachi tokenizers must not be
shared between threads.
"""

from __future__ import annotations

import threading
from typing import Any

from tsunagu.errors import MissingDependencyError

__all__ = ["sudachi_tokenizer"]

_lock = threading.Lock()
_local = threading.local()
_dictionary: Any = None


def sudachi_tokenizer() -> Any:
    """This thread's Sudachi tokenizer (core dictionary, split mode C).

    Raises:
        MissingDependencyError: when sudachipy or sudachidict-core is not installed.
    """
    tok = getattr(_local, "tokenizer", None)
    if tok is not None:
        return tok
    global _dictionary
    with _lock:
        if _dictionary is None:
            try:
                from sudachipy import Dictionary
            except ImportError as exc:  # pragma: no cover - core dependency
                raise MissingDependencyError(
                    "Japanese text needs sudachipy and sudachidict-core "
                    "(pip install sudachipy sudachidict-core)"
                ) from exc
            _dictionary = Dictionary(dict="core")
        from sudachipy import SplitMode

        tok = _dictionary.tokenizer(mode=SplitMode.C)
    _local.tokenizer = tok
    return tok
