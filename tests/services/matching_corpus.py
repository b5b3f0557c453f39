"""A small real corpus and app for the matching tests (not a test module).

J-PlatPat export ① (driver-state patents, Japanese) and the Lens jet-engine sample fixture plus the
USPTO grant samples, imported into a fresh tsunagu home with the deterministic hashing embedder (no model
download, fast). Offers come from the NASA fixture or from templates the tests write (labelled as test
data).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tsunagu.app import App
from tsunagu.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared" / "data").resolve()
NASA_FIXTURE = REPO / "tests" / "data" / "nasa_t2_csv" / "nasa_patents_sample.csv"


def corpus_files(shared: Path = SHARED) -> list[Path]:
    return [
        *sorted((shared / "formats" / "jplatpat_csv").glob("*①*")),
        shared / "formats" / "uspto_xml" / "grants_2009_2013",
        REPO / "tests" / "data" / "lens_csv" / "jet_engine_lens_sample.csv.gz",
    ]


def make_app(home: Path, database_url: str | None = None) -> App:
    """An app over ``home`` with the hashing embedder (and optionally another database)."""
    settings = Settings(
        home=home, database_url=database_url or f"sqlite:///{home / 'tsunagu.db'}", embedder="hashing"
    )
    return App.from_settings(settings)


def build_app(home: Path) -> App:
    """A fresh app with the small real corpus imported and indexed."""
    app = make_app(home)
    app.ingestion.import_paths(corpus_files())
    return app


class FixedClock:
    """A clock the tests move by hand (UTC)."""

    def __init__(self, start: str = "2025-04-01T09:00:00") -> None:
        self.now = datetime.fromisoformat(start).replace(tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: str) -> None:
        self.now = datetime.fromisoformat(when).replace(tzinfo=UTC)
