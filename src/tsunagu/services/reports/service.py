"""`ReportService`: build an evaluation report or a proposal for a company and write it as
HTML, PDF or Markdown (chosen by the output file's extension).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tsunagu.errors import ValidationError
from tsunagu.services.landscape.corpus import FieldStatistics
from tsunagu.services.landscape.fields import FieldNamer, no_names
from tsunagu.services.reports.company import CompanyDirectory, IdeaProvider, OfferProvider
from tsunagu.services.reports.context import PatentSource, ReportContext, gather_context
from tsunagu.services.reports.evaluation import build_evaluation_report
from tsunagu.services.reports.inputs import EvaluatorInput
from tsunagu.services.reports.model import Report
from tsunagu.services.reports.proposal import build_proposal_report
from tsunagu.services.reports.render import render_html, render_markdown, render_pdf
from tsunagu.services.reports.similarity import TextSimilarity, TfidfSimilarity
from tsunagu.services.reports.templates import ReportTemplate, load_template

__all__ = ["OUTPUT_FORMATS", "ReportService", "WrittenReport", "output_format"]

log = logging.getLogger(__name__)

#: Output file extensions and their format.
OUTPUT_FORMATS: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".md": "md",
    ".markdown": "md",
}


def output_format(path: str | Path) -> str:
    """``"html"``, ``"pdf"`` or ``"md"`` from the file name.

    Raises:
        ValidationError: any other extension.
    """
    ext = Path(path).suffix.lower()
    if ext not in OUTPUT_FORMATS:
        raise ValidationError(
            f"{path}: 出力形式は拡張子で指定します (.html / .pdf / .md) / "
            "the output extension must be .html, .pdf or .md"
        )
    return OUTPUT_FORMATS[ext]


@dataclass(frozen=True)
class WrittenReport:
    """A report written to disk."""

    report: Report
    path: Path
    format: str
    assets: tuple[Path, ...] = ()


class ReportService:
    """Builds reports from the corpus, the company directory and the optional providers.

    Args:
        patents: the patent store (``get_many``, ``find``).
        directory: company lookup (the register's, or `ApplicantDirectory`).
        statistics: corpus field statistics (cached by the caller, e.g. `LandscapeService`).
        namer: ``lang -> FieldNamer``.
        similarity: text similarity for right–product suggestions (default: TF-IDF of content terms).
        ideas: 用途探索 provider, when installed.
        offers: licensable-offer provider, when installed.
    """

    def __init__(
        self,
        patents: PatentSource,
        directory: CompanyDirectory,
        statistics: Callable[[], FieldStatistics],
        *,
        namer: Callable[[str], FieldNamer] | None = None,
        similarity: TextSimilarity | None = None,
        ideas: IdeaProvider | None = None,
        offers: OfferProvider | None = None,
    ) -> None:
        self.patents = patents
        self.directory = directory
        self.statistics = statistics
        self.namer = namer or (lambda lang: no_names)
        if similarity is None:
            from tsunagu.services.landscape.japanese import JapaneseNounTokenizer

            similarity = TfidfSimilarity(JapaneseNounTokenizer())
        self.similarity = similarity
        self.ideas = ideas
        self.offers = offers

    def context(
        self,
        company: str,
        *,
        inputs: EvaluatorInput | None = None,
        lang: str = "ja",
        as_of: date | None = None,
    ) -> ReportContext:
        """Resolve the company and gather what the report states."""
        return gather_context(
            company,
            directory=self.directory,
            patents=self.patents,
            statistics=self.statistics,
            inputs=inputs,
            ideas=self.ideas,
            offers=self.offers,
            as_of=as_of,
            lang=lang,
            namer=self.namer(lang),
        )

    def _find(self, number: str) -> list[str]:
        return [p.key for p in self.patents.find(number)]

    def build(
        self,
        kind: str,
        company: str,
        *,
        inputs: EvaluatorInput | None = None,
        lang: str = "ja",
        template: ReportTemplate | None = None,
        as_of: date | None = None,
        figure_formats: tuple[str, ...] = ("svg",),
    ) -> Report:
        """Build a report of ``kind`` (``"evaluation"`` or ``"proposal"``) for ``company``.

        Raises:
            ValidationError: unknown kind or language.
            NotFoundError: the company is unknown (the message lists near names) and the input does
                not describe it.
        """
        if kind not in ("evaluation", "proposal"):
            raise ValidationError(f"report kind must be evaluation or proposal, not {kind!r}")
        template = template or load_template(kind, lang)
        lang = template.language
        ctx = self.context(company, inputs=inputs, lang=lang, as_of=as_of)
        if kind == "evaluation":
            return build_evaluation_report(
                ctx, template, similarity=self.similarity, find=self._find, figure_formats=figure_formats
            )
        return build_proposal_report(ctx, template)

    def write(
        self,
        kind: str,
        company: str,
        out: str | Path,
        *,
        inputs: EvaluatorInput | None = None,
        lang: str = "ja",
        template: ReportTemplate | None = None,
        as_of: date | None = None,
    ) -> WrittenReport:
        """Build and write a report; the format follows ``out``'s extension (.html, .pdf, .md).

        Charts are SVG in HTML and PNG in PDF (WeasyPrint draws SVG glyph outlines slowly) and
        Markdown, whose PNG files go into ``<out stem>_files/`` beside it.
        """
        fmt = output_format(out)
        path = Path(out)
        report = self.build(
            kind,
            company,
            inputs=inputs,
            lang=lang,
            template=template,
            as_of=as_of,
            figure_formats=("png",) if fmt == "md" else ("svg",),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "pdf":
            render_pdf(report, path)
            return WrittenReport(report, path, fmt)
        if fmt == "html":
            path.write_text(render_html(report), encoding="utf-8")
            return WrittenReport(report, path, fmt)
        assets = path.with_name(path.stem + "_files")
        path.write_text(render_markdown(report, assets, assets_link=assets.name), encoding="utf-8")
        return WrittenReport(
            report, path, fmt, tuple(sorted(assets.glob("*.png"))) if assets.exists() else ()
        )
