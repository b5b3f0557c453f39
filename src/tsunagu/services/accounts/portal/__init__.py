"""The portal: every capability as a signed-in person may use it, JSON-ready.

The REST API (`tsunagu.api`) and the web UI (`tsunagu.web`) both call the same `Portal`, so the
access rules (`tsunagu.services.accounts.access`) are applied in one place. Each area is a mixin in
its own module; services that are not part of the app yet raise `UnavailableError`.
"""

from tsunagu.services.accounts.portal.base import UNAVAILABLE, PortalBase, page_of
from tsunagu.services.accounts.portal.companies import CompanyPortal
from tsunagu.services.accounts.portal.deal_documents import DealDocumentPortal
from tsunagu.services.accounts.portal.discovery import DiscoveryPortal
from tsunagu.services.accounts.portal.imports import ImportPortal, UploadTarget, UploadTooLargeError, job_dict
from tsunagu.services.accounts.portal.landscape import LandscapePortal
from tsunagu.services.accounts.portal.matching import MatchingPortal
from tsunagu.services.accounts.portal.reports import ReportPortal
from tsunagu.services.accounts.portal.search import SearchPortal
from tsunagu.services.accounts.portal.support import SupportPortal

__all__ = [
    "UNAVAILABLE",
    "Portal",
    "PortalBase",
    "UploadTarget",
    "UploadTooLargeError",
    "job_dict",
    "page_of",
]


class Portal(
    SearchPortal,
    ImportPortal,
    DiscoveryPortal,
    CompanyPortal,
    DealDocumentPortal,
    MatchingPortal,
    ReportPortal,
    LandscapePortal,
    SupportPortal,
):
    """All portal areas over one app."""
