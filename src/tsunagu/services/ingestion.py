"""Import use case: export files → `Patent` records → store → indexes.

Files are walked (folders, zips, gzip), recognised by content, read by their `Source`, and stored in
batches (one transaction each, so an interruption never leaves a half-written batch and a re-run
completes without duplicates). Google Patents search CSVs and their abstracts NDJSON are joined by
topic and title at the end of the run, whatever the file order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tsunagu.domain.patent import Patent, merge_patents
from tsunagu.errors import ImportFormatError, TsunaguError, ValidationError
from tsunagu.sources.base import AbstractPair, SkippedRecord, Source
from tsunagu.sources.files import InputFile, SkippedFile, iter_input_files
from tsunagu.sources.google_patents import join_google_abstracts, topic_of
from tsunagu.sources.registry import default_sources, get_source, identify
from tsunagu.storage.base import PatentStore, UpsertStats

__all__ = ["FileReport", "ImportReport", "IngestionService", "ProgressFn"]

ProgressFn = Callable[[int, int, str], None]

GOOGLE_CSV = "google_patents_csv"
GOOGLE_ABSTRACTS = "google_patents_abstracts"
MAX_EXAMPLES = 20


class IndexUpdater(Protocol):
    """What ingestion needs of the indexer: bring the index files up to date with the store."""

    def update(self, progress: ProgressFn | None = None) -> object: ...


@dataclass
class FileReport:
    """What happened to one input file."""

    path: str
    format: str
    read: int = 0
    skipped: int = 0
    error: str = ""


@dataclass
class ImportReport:
    """Counts and reasons of one import run.

    ``read`` counts records read from files (after the Google join), ``new``/``merged``/``unchanged``
    come from the store, ``skipped_records`` counts records not stored by reason, ``skipped_files``
    lists files not read with their reason.
    """

    files: list[FileReport] = field(default_factory=list)
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    read: int = 0
    stored: UpsertStats = field(default_factory=UpsertStats)
    skipped_records: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    google_join: dict[str, int] = field(default_factory=dict)
    indexed: bool = False

    @property
    def files_read(self) -> int:
        return sum(1 for f in self.files if not f.error)

    def note_skip(self, item: SkippedRecord) -> None:
        self.skipped_records[item.reason] += 1
        if len(self.examples) < MAX_EXAMPLES:
            where = item.path + (f":{item.line}" if item.line is not None else "")
            if item.field:
                where += f" [{item.field}]"
            self.examples.append(f"{where}: {item.message}")

    def to_dict(self) -> dict[str, object]:
        return {
            "files_read": self.files_read,
            "files_skipped": len(self.skipped_files),
            "read": self.read,
            "new": self.stored.new,
            "merged": self.stored.merged,
            "unchanged": self.stored.unchanged,
            "skipped": sum(self.skipped_records.values()),
            "skip_reasons": dict(self.skipped_records),
            "skip_examples": self.examples,
            "google_abstract_join": self.google_join,
            "files": [vars(f) for f in self.files],
            "skipped_files": [{"path": p, "reason": r} for p, r in self.skipped_files],
            "indexed": self.indexed,
        }


class IngestionService:
    """Reads export files and stores their records.

    Args:
        store: where records go.
        indexer: optional; when given, indexes are brought up to date after storing.
        sources: the formats to recognise (default: all of `tsunagu.sources.registry`).
        batch_size: records per transaction.
    """

    def __init__(
        self,
        store: PatentStore,
        indexer: IndexUpdater | None = None,
        sources: Sequence[Source] | None = None,
        batch_size: int = 2000,
    ) -> None:
        self.store = store
        self.indexer = indexer
        self.sources = list(sources) if sources is not None else default_sources()
        self.batch_size = batch_size

    # -- reading -------------------------------------------------------------------------------

    def _choose(self, item: InputFile, fmt: str | None) -> tuple[Source | None, str]:
        """The importer for a file (``--format`` wins over detection), or why there is none."""
        if fmt:
            return get_source(fmt, self.sources), ""
        found = identify(item, self.sources)
        return found.source, found.reason

    def iter_records(
        self,
        paths: Sequence[str | Path],
        *,
        fmt: str | None = None,
        report: ImportReport | None = None,
        progress: ProgressFn | None = None,
    ) -> Iterator[Patent]:
        """Yield the records of ``paths`` (nothing is stored): the reader behind import and evaluations.

        Google Patents records are held back and yielded at the end, joined with their abstracts.
        """
        report = report if report is not None else ImportReport()
        for p in paths:
            if not Path(p).exists():
                raise ValidationError(f"{p}: ファイルまたはフォルダが見つかりません / no such file or folder")
        entries = list(iter_input_files(paths))
        total = len(entries)
        google: list[Patent] = []
        pairs: list[AbstractPair] = []
        for done, entry in enumerate(entries, start=1):
            if isinstance(entry, SkippedFile):
                report.skipped_files.append((entry.path, entry.reason))
            else:
                yield from self._read_file(entry, fmt, report, google, pairs)
            if progress:
                progress(done, total, "読み込み / reading files")
        if google or pairs:
            joined, stats = join_google_abstracts(google, pairs)
            report.google_join = {k: int(v) for k, v in vars(stats).items()}
            self._report_orphan_abstracts(report, google)
            yield from joined

    @staticmethod
    def _report_orphan_abstracts(report: ImportReport, google: list[Patent]) -> None:
        """An abstracts NDJSON whose search CSV was not in the import is listed as skipped, with why."""
        topics = {topic_of(f.path) for f in report.files if f.format == GOOGLE_CSV}
        topics |= {str(p.extra.get(GOOGLE_CSV, {}).get("topic", "")) for p in google}
        for f in report.files:
            if f.format == GOOGLE_ABSTRACTS and not f.error and topic_of(f.path) not in topics:
                f.error = (
                    f"対応する検索CSV (gp-search-{topic_of(f.path)}.csv) がないため要約を結合できません / "
                    "abstracts without their Google Patents search CSV; not joined"
                )
                report.skipped_files.append((f.path, f.error))

    def _read_file(
        self,
        entry: InputFile,
        fmt: str | None,
        report: ImportReport,
        google: list[Patent],
        pairs: list[AbstractPair],
    ) -> Iterator[Patent]:
        try:
            source, reason = self._choose(entry, fmt)
        except ImportFormatError as exc:
            report.skipped_files.append((entry.path, str(exc)))
            return
        if source is None:
            report.skipped_files.append((entry.path, reason or "形式を認識できません / unrecognised format"))
            return
        file_report = FileReport(path=entry.path, format=source.name)
        report.files.append(file_report)
        try:
            with entry.open() as stream:
                for item in source.read(stream, entry.path):
                    if isinstance(item, Patent):
                        file_report.read += 1
                        if source.name == GOOGLE_CSV:
                            google.append(item)
                        else:
                            yield item
                    elif isinstance(item, AbstractPair):
                        pairs.append(item)
                        file_report.read += 1
                    else:
                        file_report.skipped += 1
                        report.note_skip(item)
        except (ImportFormatError, OSError, EOFError, UnicodeDecodeError) as exc:
            # A damaged file stops here; records already yielded from it were complete records.
            file_report.error = str(exc) if isinstance(exc, ImportFormatError) else f"{entry.path}: {exc}"
            report.skipped_files.append((entry.path, file_report.error))

    # -- storing -------------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Sequence[str | Path],
        *,
        fmt: str | None = None,
        progress: ProgressFn | None = None,
        update_index: bool = True,
    ) -> ImportReport:
        """Import every recognised file under ``paths`` and (by default) update the indexes.

        Raises:
            TsunaguError: when nothing could be read at all (every file unrecognised or damaged).
        """
        report = ImportReport()
        batch: list[Patent] = []
        for record in self.iter_records(paths, fmt=fmt, report=report, progress=progress):
            report.read += 1
            batch.append(record)
            if len(batch) >= self.batch_size:
                report.stored.add(self.store.upsert_many(batch))
                batch = []
        if batch:
            report.stored.add(self.store.upsert_many(batch))
        if report.read == 0:
            reasons = "; ".join(f"{p}: {r}" for p, r in report.skipped_files[:5])
            raise TsunaguError(f"読み込めるレコードがありません / nothing could be read ({reasons})")
        if update_index and self.indexer is not None:
            self.indexer.update(progress)
            report.indexed = True
        return report


def read_patents(service: IngestionService, paths: Iterable[str | Path]) -> list[Patent]:
    """Read records from ``paths`` without storing them: one per dedupe key, merged like the store does."""
    seen: dict[str, Patent] = {}
    for record in service.iter_records(list(paths)):
        old = seen.get(record.key)
        seen[record.key] = record if old is None else merge_patents(old, record)
    return list(seen.values())
