"""The matching part of `tsunagu demo`: a demo programme with NASA's licensable patents as offers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tsunagu.errors import NotFoundError
from tsunagu.services.matching.matcher import MatchingService
from tsunagu.services.matching.offers import OfferService
from tsunagu.services.matching.programmes import ProgrammeService

__all__ = ["DEMO_PROGRAMME", "build_demo_matching"]

#: Code, name and organiser of the demo programme (not a real programme).
DEMO_PROGRAMME = (
    "demo",
    "デモ・マッチングプログラム（NASA開放特許、実在のプログラムではありません）",
    "tsunagu デモ / demo",
)


def build_demo_matching(
    programmes: ProgrammeService,
    offers: OfferService,
    matching: MatchingService,
    nasa_csv: Path,
    progress: Callable[[int, int, str], None],
) -> str:
    """Create the demo programme (once), import the NASA offers into it, and embed them for matching."""
    code, name, organiser = DEMO_PROGRAMME
    try:
        programme = programmes.get(code)
    except NotFoundError:
        programme = programmes.create(code, name, organiser=organiser)
    report = offers.import_file(nasa_csv, programme_id=programme.id, progress=progress)
    for licensor_id in {o.licensor_id for o in offers.list_offers(programme_id=programme.id)}:
        programmes.add_member(programme.id, "licensor", str(licensor_id))
    prepared = matching.prepare(progress)
    inferred = report.fields.get("inferred", 0)
    return (
        f"{report.new + report.updated + report.unchanged:,} NASA offers in programme '{code}' "
        f"({report.licensors} licensors; fields inferred from text for {inferred:,}); "
        f"{prepared:,} offers ready to match"
    )
