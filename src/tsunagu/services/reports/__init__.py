"""知財ビジネス評価書 and 知財ビジネス提案書: IP business evaluation reports and proposals.

`ReportService` builds a `Report` (sections of blocks, each marked machine-inferred, stated by a
person, from the register, or missing) and writes it as HTML, PDF (WeasyPrint) or Markdown.
Section templates are data files (`load_template`); the evaluator's input is a YAML/JSON file
(`load_evaluator_input`).
"""

from __future__ import annotations

from tsunagu.services.reports.company import (
    ApplicantDirectory,
    CompanyDirectory,
    CompanyProfile,
    IdeaEvidence,
    IdeaProvider,
    IdeaSummary,
    OfferProvider,
    OfferSummary,
)
from tsunagu.services.reports.expiry import RightStatus, right_status
from tsunagu.services.reports.inputs import EvaluatorInput, load_evaluator_input, parse_evaluator_input
from tsunagu.services.reports.model import Report, Section
from tsunagu.services.reports.render import missing_pdf_libraries, render_html, render_markdown, render_pdf
from tsunagu.services.reports.service import ReportService, WrittenReport, output_format
from tsunagu.services.reports.similarity import EmbeddingSimilarity, TextSimilarity, TfidfSimilarity
from tsunagu.services.reports.templates import ReportTemplate, load_template
from tsunagu.services.reports.valuation import relief_from_royalty

__all__ = [
    "ApplicantDirectory",
    "CompanyDirectory",
    "CompanyProfile",
    "EmbeddingSimilarity",
    "EvaluatorInput",
    "IdeaEvidence",
    "IdeaProvider",
    "IdeaSummary",
    "OfferProvider",
    "OfferSummary",
    "Report",
    "ReportService",
    "ReportTemplate",
    "RightStatus",
    "Section",
    "TextSimilarity",
    "TfidfSimilarity",
    "WrittenReport",
    "load_evaluator_input",
    "load_template",
    "missing_pdf_libraries",
    "output_format",
    "parse_evaluator_input",
    "relief_from_royalty",
    "render_html",
    "render_markdown",
    "render_pdf",
    "right_status",
]
