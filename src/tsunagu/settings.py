"""Settings declared as data: every setting, its environment variable, default and meaning."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

__all__ = ["SETTINGS_DOC", "Settings"]

SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "home": ("TSUNAGU_HOME", "data folder: SQLite database, index files, uploads (default ~/.tsunagu)"),
    "database_url": (
        "TSUNAGU_DATABASE_URL",
        "database URL: sqlite:///PATH or postgresql://user@host/db (default: SQLite file in the home)",
    ),
    "embedder": (
        "TSUNAGU_EMBEDDER",
        "default embedder name: 'use' (Universal Sentence Encoder), 'e5' or 'hashing'",
    ),
    "max_upload_mb": ("TSUNAGU_MAX_UPLOAD_MB", "largest upload the web server accepts, in MiB (default 200)"),
}


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with `Settings.from_env`; nothing here touches the disk."""

    home: Path
    database_url: str
    embedder: str = "use"
    max_upload_mb: int = 200

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        home: str | Path | None = None,
        database_url: str | None = None,
    ) -> Settings:
        """Resolve settings from explicit arguments, then the environment, then defaults."""
        env = os.environ if env is None else env
        home_path = Path(home or env.get("TSUNAGU_HOME") or Path.home() / ".tsunagu").expanduser()
        url = database_url or env.get("TSUNAGU_DATABASE_URL") or f"sqlite:///{home_path / 'tsunagu.db'}"
        raw_mb = env.get("TSUNAGU_MAX_UPLOAD_MB", "")
        max_mb = int(raw_mb) if raw_mb.isdigit() and int(raw_mb) > 0 else 200
        return cls(
            home=home_path,
            database_url=url,
            embedder=env.get("TSUNAGU_EMBEDDER", "use"),
            max_upload_mb=max_mb,
        )

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    def describe(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}
