"""ハンズオン支援 — hands-on support cases: the service, suggestions, reports and their rendering."""

from tsunagu.services.handson.report import CaseReport, build_report
from tsunagu.services.handson.service import DueItem, HandsOnService
from tsunagu.services.handson.suggest import PatentFacts, suggest

__all__ = ["CaseReport", "DueItem", "HandsOnService", "PatentFacts", "build_report", "suggest"]
