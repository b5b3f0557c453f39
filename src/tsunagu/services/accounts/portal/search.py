"""Search and patent records, JSON-ready, with the "why" of every score."""

from __future__ import annotations

from typing import Any

from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.retrieval.base import SearchFilters, SearchHit
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.portal.base import PortalBase, page_of, patent_brief

__all__ = ["SearchPortal", "hit_dict", "patent_dict"]

MAX_QUERY = 2000
MAX_HITS = 200


def patent_dict(p: Patent) -> dict[str, Any]:
    """Every field of a record with the source of each field (source-specific extra columns left out)."""
    d = p.to_dict()
    del d["extra"]
    return {"key": d.pop("key"), "year": p.year, **d}


def hit_dict(rank: int, hit: SearchHit, p: Patent) -> dict[str, Any]:
    """A hit with its record summary and its score breakdown (``why``)."""
    d = patent_brief(p)
    d["rank"] = rank
    d["abstract"] = p.abstract[:400]
    d["score"] = round(hit.score, 6)
    d["why"] = {
        "lexical_rank": hit.lexical_rank,
        "vector_rank": hit.vector_rank,
        "lexical_score": None if hit.lexical_score is None else round(hit.lexical_score, 4),
        "vector_score": None if hit.vector_score is None else round(hit.vector_score, 4),
        "components": {k: round(v, 6) for k, v in hit.explain.items()},
    }
    return d


def check_query(query: str) -> str:
    q = (query or "").strip()
    if not q:
        raise ValidationError("q: 検索語を入力してください / enter a query")
    if len(q) > MAX_QUERY:
        raise ValidationError(f"q: {MAX_QUERY} 文字以内にしてください / at most {MAX_QUERY} characters")
    return q


class SearchPortal(PortalBase):
    """Hybrid search and record lookup (public patent data: every role may use them)."""

    def search(
        self,
        p: Principal,
        query: str,
        *,
        page: int = 1,
        per_page: int = 10,
        filters: SearchFilters | None = None,
    ) -> dict[str, Any]:
        """One page of hits, best first; ``has_more`` tells whether a next page exists."""
        self.require(p, "search")
        q = check_query(query)
        page = max(1, page)
        per_page = max(1, min(per_page, 50))
        k = min(page * per_page + 1, MAX_HITS + 1)
        filters = filters or SearchFilters()
        key = ("search", q, k, filters, self.index_generation())
        results = self.cache.get_or_compute(key, lambda: self.ranked(q, k, filters))
        start = (page - 1) * per_page
        chunk = results[start : start + per_page]
        items = [hit_dict(start + i + 1, h, rec) for i, (h, rec) in enumerate(chunk)]
        return {
            "query": q,
            "items": items,
            "page": page,
            "per_page": per_page,
            "has_more": len(results) > start + per_page and start + per_page < MAX_HITS,
        }

    def ranked(self, query: str, k: int, filters: SearchFilters) -> list[tuple[SearchHit, Patent]]:
        """`App.search`, with the query vector encoded together with concurrent requests' queries."""
        searcher = self.app.searcher
        embedder = getattr(searcher, "embedder", None)
        if getattr(searcher, "vector", None) is None or embedder is None:
            return list(self.app.search(query, k=k, filters=filters))
        vector = self.encoder.encode(embedder, query)
        hits = searcher.search(query, k, filters, vector=vector)
        records = {r.key: r for r in self.app.store.get_many([h.key for h in hits])}
        return [(h, records[h.key]) for h in hits if h.key in records]

    def patent(self, p: Principal, number: str) -> dict[str, Any]:
        """One record by number (any accepted form) or dedupe key."""
        self.require(p, "patents.read")
        number = (number or "").strip()
        if not number or len(number) > 100:
            raise ValidationError("number: 特許番号を入力してください / enter a patent number")
        record = self.app.store.get(number)
        found = [record] if record is not None else self.app.find_patents(number)
        if not found:
            raise NotFoundError(f"特許が見つかりません / no patent {number!r}")
        return patent_dict(found[0])

    def patents(
        self,
        p: Principal,
        *,
        ipc_prefix: str = "",
        applicant: str = "",
        page: int = 1,
        per_page: int = 20,
    ) -> dict[str, Any]:
        """Records by IPC prefix and/or applicant, in key order, one page at a time."""
        self.require(p, "patents.read")
        if not ipc_prefix.strip() and not applicant.strip():
            raise ValidationError(
                "ipc / applicant: どちらかを指定してください (全件の一覧は検索をご利用ください) / "
                "give an IPC prefix or an applicant"
            )
        keys = sorted(
            self.app.store.keys_matching(None, ipc_prefix=ipc_prefix.strip(), applicant=applicant.strip())
        )
        paged = page_of(keys, page, per_page)
        records = {r.key: r for r in self.app.store.get_many(paged["items"])}
        paged["items"] = [patent_brief(records[k]) for k in paged["items"] if k in records]
        return paged

    def corpus_status(self) -> dict[str, Any]:
        """Size of the corpus and whether the indexes are current (for the home page)."""
        store = self.app.store
        return {"patents": store.count(), "revision": store.revision()}
