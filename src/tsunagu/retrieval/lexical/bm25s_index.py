"""BM25 keyword index built with ``bm25s`` (method lucene, k1 1.5, b 0.75), stored as files."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tsunagu.errors import MissingDependencyError, StorageError, ValidationError
from tsunagu.retrieval.ranking import top_k

__all__ = ["Bm25sLexicalIndex"]

_PARAMS_FILE = "tsunagu_bm25.json"
# bm25s methods whose scores are fully held in the eager matrix (bm25l and bm25+ add a non-occurrence term).
_METHODS = ("lucene", "robertson", "atire")


class Bm25sLexicalIndex:
    """BM25 over token lists; row ``i`` is the ``i``-th token list given to `build`.

    Scoring reads the eager score matrix that ``bm25s`` builds (a CSC matrix token × document) and sums
    the columns of the query tokens with ``np.bincount``, one term per query token occurrence, exactly
    as ``bm25s.BM25.get_scores`` does, but without its slow ``np.add.at``.
    """

    def __init__(
        self,
        data: np.ndarray,
        indices: np.ndarray,
        indptr: np.ndarray,
        vocab: dict[str, int],
        num_docs: int,
        params: dict[str, Any],
    ) -> None:
        self._data = data
        self._indices = indices
        self._indptr = indptr
        self.vocab = vocab
        self.num_docs = num_docs
        self.params = params

    def __len__(self) -> int:
        return self.num_docs

    @classmethod
    def build(
        cls, token_lists: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75, method: str = "lucene"
    ) -> Bm25sLexicalIndex:
        """Index ``token_lists`` (one list per document; empty lists are allowed).

        The default method (lucene) is computed by `build_from_ids`; other methods call ``bm25s``.
        """
        if method not in _METHODS:
            raise ValidationError(f"BM25 method must be one of {', '.join(_METHODS)}, not {method!r}")
        if method == "lucene" or len(token_lists) == 0:
            vocab: dict[str, int] = {}
            lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
            ptr = np.zeros(len(token_lists) + 1, dtype=np.int64)
            np.cumsum(lengths, out=ptr[1:])
            ids = np.fromiter(
                (vocab.setdefault(tok, len(vocab)) for toks in token_lists for tok in toks),
                dtype=np.int64,
                count=int(ptr[-1]),
            )
            return cls.build_from_ids(ptr, ids, list(vocab), k1=k1, b=b)
        params = {"k1": k1, "b": b, "method": method}
        bm = _bm25s().BM25(k1=k1, b=b, method=method)
        _quiet_bm25s()
        bm.index([list(t) for t in token_lists], show_progress=False)
        s = bm.scores
        return cls(
            np.asarray(s["data"]),
            np.asarray(s["indices"]),
            np.asarray(s["indptr"]),
            dict(bm.vocab_dict),
            int(s["num_docs"]),
            params,
        )

    @classmethod
    def build_from_ids(
        cls,
        doc_ptr: np.ndarray,
        token_ids: np.ndarray,
        vocab: Sequence[str],
        *,
        k1: float = 1.5,
        b: float = 0.75,
    ) -> Bm25sLexicalIndex:
        """BM25 (lucene) from flat token ids: document ``i`` holds ``token_ids[doc_ptr[i]:doc_ptr[i+1]]``.

        Vectorised with NumPy (memory-light enough for millions of documents); computes the same
        float32 score matrix as ``bm25s.BM25(method="lucene").index`` (same formulas, same float
        promotion: idf rounded to float32, term-frequency part in float64).
        """
        params = {"k1": k1, "b": b, "method": "lucene"}
        doc_ptr = np.asarray(doc_ptr, dtype=np.int64)
        token_ids = np.asarray(token_ids, dtype=np.int64)
        n, n_vocab = len(doc_ptr) - 1, len(vocab)
        vocab_ids = {t: i for i, t in enumerate(vocab)}
        if n <= 0:
            return cls(
                np.empty(0, np.float32),
                np.empty(0, np.int32),
                np.zeros(n_vocab + 1, np.int64),
                vocab_ids,
                0,
                params,
            )
        lengths = np.diff(doc_ptr)
        avg_len = lengths.mean()
        doc_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
        pairs, tf = np.unique(token_ids * n + doc_of, return_counts=True)  # sorted by token, then doc
        tok = pairs // n
        doc = pairs - tok * n
        df = np.bincount(tok, minlength=n_vocab)
        idf = np.zeros(n_vocab, dtype=np.float32)
        seen = df > 0
        idf[seen] = np.log(1 + (n - df[seen] + 0.5) / (df[seen] + 0.5))
        tf32 = tf.astype(np.float32)
        tfc = tf32 / (k1 * ((1 - b) + b * lengths[doc] / avg_len) + tf32)
        data = (idf[tok] * tfc).astype(np.float32)
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        return cls(data, doc.astype(np.int32), indptr, vocab_ids, n, params)

    def save(self, folder: str | Path) -> None:
        """Write the index into ``folder`` (created if needed)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "data.npy", self._data)
        np.save(folder / "indices.npy", self._indices)
        np.save(folder / "indptr.npy", self._indptr)
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        meta = {"num_docs": self.num_docs, **self.params, "format": 1}
        (folder / _PARAMS_FILE).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path, *, mmap: bool = True) -> Bm25sLexicalIndex:
        """Load an index written by `save` (arrays memory-mapped unless ``mmap`` is False)."""
        folder = Path(folder)
        try:
            meta = json.loads((folder / _PARAMS_FILE).read_text(encoding="utf-8"))
            mode: Literal["r"] | None = "r" if mmap else None
            data = np.load(folder / "data.npy", mmap_mode=mode)
            indices = np.load(folder / "indices.npy", mmap_mode=mode)
            indptr = np.load(folder / "indptr.npy")
            vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot read the BM25 index in {folder}: {exc}") from exc
        params = {k: meta[k] for k in ("k1", "b", "method")}
        return cls(data, indices, indptr, vocab, int(meta["num_docs"]), params)

    def token_ids(self, tokens: Sequence[str]) -> np.ndarray:
        """Vocabulary ids of ``tokens`` (unknown tokens left out, repeats kept)."""
        vocab = self.vocab
        return np.fromiter((vocab[t] for t in tokens if t in vocab), dtype=np.int64)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query ``tokens`` (float32, length ``len(self)``)."""
        ids = self.token_ids(tokens)
        if ids.size == 0 or self.num_docs == 0:
            return np.zeros(self.num_docs, dtype=np.float32)
        starts = self._indptr[ids]
        ends = self._indptr[ids + 1]
        if ids.size == 1:
            sl = slice(int(starts[0]), int(ends[0]))
            cols, vals = self._indices[sl], self._data[sl]
        else:
            cols = np.concatenate([self._indices[s:e] for s, e in zip(starts, ends, strict=True)])
            vals = np.concatenate([self._data[s:e] for s, e in zip(starts, ends, strict=True)])
        return np.bincount(cols, weights=vals, minlength=self.num_docs).astype(np.float32)

    def max_score(self, tokens: Sequence[str]) -> float:
        """An upper bound of any document's score for ``tokens``: the sum of their idf.

        With the lucene formula each occurrence of a query token adds at most its idf. Tokens absent
        from the index count with the idf of a token no document holds (they are the most specific
        and can match nothing), so a query mostly made of unknown words has a high bound that no
        document approaches: dividing by it gives a score that is comparable across queries.
        """
        n = self.num_docs
        if n == 0 or not tokens:
            return 0.0
        return float(self._idf(tokens).sum())

    def _idf(self, tokens: Sequence[str]) -> np.ndarray:
        n = self.num_docs
        vocab, indptr = self.vocab, self._indptr
        df = np.array(
            [indptr[vocab[t] + 1] - indptr[vocab[t]] if t in vocab else 0 for t in tokens], np.float64
        )
        return np.log(1 + (n - df + 0.5) / (df + 0.5))

    def coverage(self, tokens: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """Share of the query's idf mass that each of ``rows`` contains (1.0: every query token occurs).

        Each query token occurrence weighs its idf (unknown tokens count, with the idf of a token no
        document holds, and are never covered). Rows are looked up in the posting lists of the
        query's distinct tokens, so the cost does not depend on the corpus size.
        """
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=np.float64)
        if self.num_docs == 0 or not tokens or rows.size == 0:
            return out
        idf = self._idf(tokens)
        total = float(idf.sum())
        weight: dict[str, float] = {}
        for t, w in zip(tokens, idf.tolist(), strict=True):
            weight[t] = weight.get(t, 0.0) + w
        order = np.argsort(rows, kind="stable")
        sorted_rows = rows[order]
        for t, w in weight.items():
            tid = self.vocab.get(t)
            if tid is None:
                continue
            postings = np.asarray(self._indices[self._indptr[tid] : self._indptr[tid + 1]])  # sorted doc ids
            pos = np.searchsorted(postings, sorted_rows)
            hit = (pos < len(postings)) & (postings[np.minimum(pos, len(postings) - 1)] == sorted_rows)
            out[order[hit]] += w
        return out / total if total > 0 else out

    def search(self, tokens: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (row ids, BM25 scores), best first; documents scoring 0 are left out."""
        ids, vals = top_k(self.scores(tokens), k)
        keep = vals > 0
        return ids[keep], vals[keep]


def _bm25s() -> Any:
    try:
        import bm25s
    except ImportError as exc:  # pragma: no cover - core dependency
        raise MissingDependencyError("the BM25 index needs bm25s (pip install bm25s)") from exc
    return bm25s


def _quiet_bm25s() -> None:
    logging.getLogger("bm25s").setLevel(logging.WARNING)
