"""IP landscape (IPランドスケープ): analytics over a set of patents, charts and an offline page.

Main entry points: `LandscapeService` (scope → `Landscape`), `write_landscape` (files), and the
pure functions in `stats`, `docmap`, `whitespace` for use on any list of records.
"""

from __future__ import annotations

from tsunagu.services.landscape.corpus import FieldStatistics
from tsunagu.services.landscape.docmap import Cluster, DocumentMap, MapPoint, document_map
from tsunagu.services.landscape.export import landscape_figures, render_landscape_html, write_landscape
from tsunagu.services.landscape.model import Landscape, LandscapeScope
from tsunagu.services.landscape.service import LandscapeService
from tsunagu.services.landscape.stats import (
    applicant_field_matrix,
    applicant_ranking,
    co_classification,
    field_shares,
    filings_per_year,
)
from tsunagu.services.landscape.whitespace import WhiteSpace, white_space

__all__ = [
    "Cluster",
    "DocumentMap",
    "FieldStatistics",
    "Landscape",
    "LandscapeScope",
    "LandscapeService",
    "MapPoint",
    "WhiteSpace",
    "applicant_field_matrix",
    "applicant_ranking",
    "co_classification",
    "document_map",
    "field_shares",
    "filings_per_year",
    "landscape_figures",
    "render_landscape_html",
    "white_space",
    "write_landscape",
]
