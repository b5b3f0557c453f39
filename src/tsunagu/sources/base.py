"""The `Source` protocol and the items an importer yields."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, ClassVar, Protocol, runtime_checkable

from tsunagu.domain.patent import Patent

__all__ = ["AbstractPair", "ReadItem", "SkippedRecord", "Source"]


@dataclass(frozen=True)
class SkippedRecord:
    """A record the importer read but could not (or must not) turn into a `Patent`.

    Attributes:
        path: display path of the file (``archive.zip!member.xls`` inside archives).
        line: 1-based line or row number (or document index in a concatenated XML file).
        field: the column or element at fault, when there is one.
        reason: short machine-readable reason (``"no_number"``, ``"sequence_listing"``, ``"bad_row"``…).
        message: a human-readable explanation.
    """

    path: str
    line: int | None
    field: str | None
    reason: str
    message: str


@dataclass(frozen=True)
class AbstractPair:
    """A Google Patents ``[abstract, title]`` pair, to be joined to its search CSV by topic and title."""

    topic: str
    title: str
    abstract: str | None
    line: int


ReadItem = Patent | SkippedRecord | AbstractPair


@runtime_checkable
class Source(Protocol):
    """One export format.

    ``name`` is the format's stable name (``"jplatpat_csv"``), also used as the source of every field
    it supplies. ``sniff`` decides from the file name and the first bytes (already decompressed) whether
    this source reads the file. ``read`` yields records; it raises `tsunagu.errors.ImportFormatError`
    (naming file, line and field) only when the whole file is unusable, and yields `SkippedRecord`
    for single bad records.
    """

    name: ClassVar[str]

    def sniff(self, filename: str, head: bytes) -> bool: ...

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]: ...
