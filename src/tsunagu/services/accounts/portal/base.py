"""The shared state of the portal: the app, the access rules, jobs and uploads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tsunagu.domain.patent import Patent
from tsunagu.services.accounts.access import AccessRules, allowed
from tsunagu.services.accounts.jobs import JobRunner
from tsunagu.services.accounts.model import PermissionDeniedError, Principal, UnavailableError
from tsunagu.services.accounts.portal.batching import QueryEncoder
from tsunagu.services.accounts.portal.cache import CpuGate, ResultCache
from tsunagu.services.accounts.service import AccountService

__all__ = ["UNAVAILABLE", "PortalBase", "page_of", "patent_brief"]

UNAVAILABLE = "この機能はまだ利用できません / this capability is not available yet"


def page_of(items: Sequence[Any], page: int, per_page: int) -> dict[str, Any]:
    """One page of a list, with the counts a client needs to page on."""
    page = max(1, page)
    per_page = max(1, min(per_page, 200))
    start = (page - 1) * per_page
    chunk = list(items[start : start + per_page])
    return {
        "items": chunk,
        "page": page,
        "per_page": per_page,
        "total": len(items),
        "pages": (len(items) + per_page - 1) // per_page,
    }


def patent_brief(p: Patent) -> dict[str, Any]:
    """The fields of a record that lists show."""
    return {
        "key": p.key,
        "publication_number": p.publication_number,
        "title": p.title,
        "applicants": list(p.applicants[:5]),
        "year": p.year,
        "language": p.language,
        "ipc_codes": list(p.ipc_codes[:8]),
    }


class PortalBase:
    """The app's services seen through the access rules.

    Args:
        app: the `tsunagu.app.App` (duck-typed: the portal only calls what it has).
        accounts: the account service.
        jobs: the background job runner.
        upload_dir: where uploaded files are kept (one folder per job).
        max_upload_bytes: the largest upload accepted.
    """

    def __init__(
        self,
        app: Any,
        accounts: AccountService,
        *,
        jobs: JobRunner,
        upload_dir: Path,
        max_upload_bytes: int = 200 * 1024 * 1024,
        cache_size: int = 1024,
        cpu_slots: int = 1,
        providers: Mapping[str, Callable[[], Any]] | None = None,
    ) -> None:
        self.app = app
        self.accounts = accounts
        self.jobs = jobs
        self.upload_dir = upload_dir
        self.max_upload_bytes = max_upload_bytes
        self.rules = AccessRules(self._registry)
        self.cache = ResultCache(cache_size)
        self.cpu = CpuGate(cpu_slots)
        self.encoder = QueryEncoder()
        self._providers = dict(providers or {})
        self._provided: dict[str, Any] = {}
        self._provider_lock = threading.Lock()

    def index_generation(self) -> str:
        """The live index generation (results computed on another one are never reused)."""
        indexer = getattr(self.app, "indexer", None)
        stamp = indexer.stamp() if indexer is not None else None
        return str(stamp or "")

    # -- services that may not exist yet ------------------------------------------------------------

    def has(self, name: str) -> bool:
        """Whether the app (or a provider the server gave) has the service ``name``; nothing is built."""
        return name in dir(type(self.app)) or name in self._providers

    def service(self, name: str) -> Any:
        """The service ``name`` (the app's own first), or `UnavailableError` when there is none."""
        if name in dir(type(self.app)):
            return getattr(self.app, name)
        if name not in self._providers:
            raise UnavailableError(UNAVAILABLE)
        with self._provider_lock:
            if name not in self._provided:
                self._provided[name] = self._providers[name]()
            return self._provided[name]

    def _registry(self) -> Any:
        for name in ("registry", "registry_store"):
            if self.has(name):
                return getattr(self.app, name)
        for name in ("companies", "consortium_companies"):
            if self.has(name):
                return getattr(getattr(self.app, name), "registry", None)
        return None

    def features(self) -> dict[str, bool]:
        """Which capabilities this installation offers (the UI hides or explains the others)."""
        return {
            "search": True,
            "discover": self.has("discovery"),
            "matching": self._registry() is not None or self.has("companies"),
            "deals": self.has("deals"),
            "match": self.has("matching") or self.has("matcher"),
            "reports": self.has("reports") or self.has("evaluation_reports"),
            "landscape": self.has("landscape"),
            "imports": True,
            "cases": self.has("handson"),
            "consortium": self.has("consortium"),
        }

    # -- access -------------------------------------------------------------------------------------

    @staticmethod
    def require(p: Principal, capability: str) -> None:
        if not allowed(p, capability):
            raise PermissionDeniedError("この操作の権限がありません / you may not do this")

    def audit(
        self,
        p: Principal,
        action: str,
        target_type: str = "",
        target_id: object = "",
        detail: Mapping[str, Any] | None = None,
        ip: str = "",
    ) -> None:
        self.accounts.audit(
            p.username, action, target_type=target_type, target_id=str(target_id), detail=detail, ip=ip
        )
