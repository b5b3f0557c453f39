"""The one exception tree of tsunagu: every error a user can see derives from `TsunaguError`."""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "ImportFormatError",
    "MissingDependencyError",
    "NotFoundError",
    "StorageError",
    "TsunaguError",
    "ValidationError",
]


class TsunaguError(Exception):
    """Root of every error tsunagu raises on purpose."""


class ConfigurationError(TsunaguError):
    """A setting is missing or invalid."""


class MissingDependencyError(TsunaguError):
    """An optional part is not installed; the message names the extra or system package."""


class StorageError(TsunaguError):
    """The database could not be read or written."""


class ConflictError(StorageError):
    """The record changed between reading and writing it (another person acted first): reload, retry."""


class NotFoundError(TsunaguError):
    """A requested record (patent, company, offer, …) does not exist."""


class ValidationError(TsunaguError):
    """User input is invalid; the message says which field and why."""


class ImportFormatError(TsunaguError):
    """An export file could not be parsed.

    Attributes:
        path: the file (inside a zip: ``archive.zip!member``).
        line: 1-based line or row number, when known.
        field: the column or element, when known.
    """

    def __init__(self, message: str, *, path: str = "", line: int | None = None, field: str | None = None):
        self.path = path
        self.line = line
        self.field = field
        where = path
        if line is not None:
            where += f":{line}"
        if field:
            where += f" [{field}]"
        super().__init__(f"{where}: {message}" if where else message)
