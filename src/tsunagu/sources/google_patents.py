"""Google Patents search-result CSV exports and the ``[abstract, title]`` NDJSON files that go with them.

The CSV export has no abstracts. Abstracts scraped for the same searches come as NDJSON lines
``[abstract, title]``, one file per search, keyed only by title; `join_google_abstracts` puts them
onto the CSV records by search topic and normalised title once every file has been read.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, ClassVar

from tsunagu.domain.language import detect_language
from tsunagu.domain.numbers import normalise_number
from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import AbstractPair, ReadItem, SkippedRecord
from tsunagu.sources.csvutil import (
    bad_row,
    clean_text,
    decode_head,
    dedupe,
    first_record,
    iter_csv_rows,
    open_text,
    parse_date,
)

__all__ = [
    "GooglePatentsAbstractsSource",
    "GooglePatentsCsvSource",
    "JoinStats",
    "join_google_abstracts",
    "split_names",
    "topic_of",
]

CSV_NAME = "google_patents_csv"
ABSTRACTS_NAME = "google_patents_abstracts"

_SEARCH_URL = "search URL:"
_HEADER_MARKERS = ("id", "title", "assignee", "inventor/author")
_DATE_COLUMNS = {
    "priority date": "priority_date",
    "filing/creation date": "filing_date",
    "publication date": "publication_date",
    "grant date": "grant_date",
}
_OWN_COLUMNS = {"id", "title", "assignee", "inventor/author", "result link", *_DATE_COLUMNS}
# Name parts that Google's comma-joined lists split off the name they belong to.
_SUFFIX = re.compile(
    r"^(inc|incorporated|ltd|limited|llc|l\.l\.c|llp|l\.p|lp|plc|co|corp|gmbh|ag|s\.a|sa|n\.v|nv|b\.v|bv"
    r"|s\.p\.a|a\.g|k\.k|jr|sr|ii|iii|iv|ph\.d|m\.d|esq)\.?$",
    re.IGNORECASE,
)


def topic_of(path: str) -> str:
    """The search topic of a Google Patents file, from its name.

    ``…/gp-search-machine-learning.csv.gz`` and ``machine-learning_abstracts.ndjson`` both give
    ``"machine-learning"``; inside archives the member name counts (``a.zip!x/gp-search-y.csv``).
    """
    name = re.split(r"[/\\!]", path)[-1]
    name = re.sub(r"\.(gz|gzip)$", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\.(csv|ndjson|jsonl|json)$", "", name, flags=re.IGNORECASE)
    name = re.sub(r"^gp-search-", "", name)
    return re.sub(r"_abstracts$", "", name)


def split_names(value: str) -> tuple[str, ...]:
    """Split Google's comma-joined assignee or inventor list into names.

    Company and personal suffixes that follow a comma stay with their name:
    ``"Martin C. Buskirk, Jr., Frederick J. Damerau"`` →
    ``("Martin C. Buskirk, Jr.", "Frederick J. Damerau")``.
    """
    names: list[str] = []
    for part in (p.strip() for p in (value or "").split(",")):
        if not part:
            continue
        if names and _SUFFIX.match(part):
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(clean_text(part))
    return dedupe(names)


def _normalise_title(title: str) -> str:
    return " ".join(title.split()).casefold()


class GooglePatentsCsvSource:
    """Reads Google Patents search-result CSV exports (``gp-search-<topic>.csv``).

    The first line ``search URL:,…`` is optional; the header must have ``id`` and ``title``.
    The search topic (the file name after ``gp-search-``) and the search URL are kept in
    ``extra["google_patents_csv"]``, which `join_google_abstracts` uses.
    """

    name: ClassVar[str] = CSV_NAME

    def sniff(self, filename: str, head: bytes) -> bool:
        """True for a ``search URL:`` first line followed by the Google header, or that header alone."""
        text = decode_head(head)
        lines = text.splitlines()
        if not lines:
            return False
        if lines[0].startswith(_SEARCH_URL):
            return len(lines) > 1 and _is_header(first_record(lines[1]))
        return _is_header(first_record(lines[0]))

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield one `Patent` per row (a `SkippedRecord` for a row without a usable id or title).

        Raises:
            ImportFormatError: the file is empty or has no ``id``/``title`` columns.
        """
        text = open_text(stream)
        rows = iter_csv_rows(text.stream, path)
        first = next(rows, None)
        if first is None:
            raise ImportFormatError("empty file", path=path)
        search_url = ""
        if first.values and first.values[0].strip().lstrip("\ufeff").startswith(_SEARCH_URL):
            search_url = ",".join(first.values[1:]).strip()
            first = next(rows, None)
            if first is None:
                raise ImportFormatError("no header after the search URL line", path=path, line=2)
        header = [h.strip().lstrip("\ufeff") for h in first.values]
        for column in ("id", "title"):
            if column not in header:
                raise ImportFormatError(
                    f"Google Patents CSV: required column {column!r} is missing",
                    path=path,
                    line=first.line,
                    field=column,
                )
        topic = topic_of(path)
        for row in rows:
            if not any(v.strip() for v in row.values):
                continue
            if len(row.values) != len(header):
                yield bad_row(path, row.line, len(header), len(row.values))
                continue
            yield self._record(dict(zip(header, row.values, strict=True)), topic, search_url, path, row.line)

    def _record(self, row: dict[str, str], topic: str, search_url: str, path: str, line: int) -> ReadItem:
        raw_id = row["id"].strip()
        title = clean_text(row["title"])
        if not title:
            return SkippedRecord(path, line, "title", "no_title", "title is empty")
        try:
            number = normalise_number(raw_id)
        except ValueError as exc:
            return SkippedRecord(path, line, "id", "bad_number", str(exc))
        extra: dict[str, object] = {"topic": topic}
        if search_url:
            extra["search_url"] = search_url
        dates: dict[str, str] = {}
        for column, field in _DATE_COLUMNS.items():
            raw = row.get(column, "")
            iso = parse_date(raw)
            if iso is None:
                extra[f"unparsed_{field}"] = raw
                iso = ""
            dates[field] = iso
        for column, value in row.items():
            if column not in _OWN_COLUMNS and value.strip():
                extra[column.replace(" ", "_")] = value.strip()
        patent = Patent(
            key=number.key,
            publication_number=number.publication_number,
            original_numbers=(raw_id,),
            country=number.country,
            series=number.series,
            kind=number.kind,
            title=title,
            language=detect_language(title),
            applicants=split_names(row.get("assignee", "")),
            inventors=split_names(row.get("inventor/author", "")),
            url=row.get("result link", "").strip(),
            extra={CSV_NAME: extra},
            filing_date=dates["filing_date"],
            publication_date=dates["publication_date"],
            priority_date=dates["priority_date"],
            grant_date=dates["grant_date"],
        )
        return patent.with_source(CSV_NAME)


def _is_header(fields: list[str]) -> bool:
    return all(marker in fields for marker in _HEADER_MARKERS)


class GooglePatentsAbstractsSource:
    """Reads the ``<topic>_abstracts.ndjson`` files: one JSON array ``[abstract, title]`` a line.

    Yields `AbstractPair` items (the topic comes from the file name); the abstract is ``None`` when
    the line has ``null``.
    """

    name: ClassVar[str] = ABSTRACTS_NAME

    def sniff(self, filename: str, head: bytes) -> bool:
        """True when the first line is a two-element JSON array of (string or null, string)."""
        text = decode_head(head).lstrip()
        if not text.startswith("["):
            return False
        line, newline, _ = text.partition("\n")
        if newline:
            return _pair_values(line) is not None
        # The first line is longer than the sample: accept the start of a pair.
        return bool(re.match(r'^\[\s*(null|")', line))

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield an `AbstractPair` per line, or a `SkippedRecord` for a line that is not a pair.

        Raises:
            ImportFormatError: the file has no line at all that is a pair.
        """
        text = open_text(stream)
        topic = topic_of(path)
        seen_pair = False
        seen_line = False
        for number, line in enumerate(text.stream, start=1):
            if not line.strip():
                continue
            seen_line = True
            values = _pair_values(line)
            if values is None:
                if not seen_pair and number == 1:
                    raise ImportFormatError(
                        "not a Google Patents abstracts file: the first line is not [abstract, title]",
                        path=path,
                        line=number,
                    )
                yield SkippedRecord(
                    path, number, None, "bad_row", "line is not a JSON [abstract, title] pair"
                )
                continue
            abstract, title = values
            seen_pair = True
            yield AbstractPair(topic=topic, title=title, abstract=abstract, line=number)
        if not seen_line:
            raise ImportFormatError("empty file", path=path)


def _pair_values(line: str) -> tuple[str | None, str] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    abstract, title = value
    if not isinstance(title, str) or not (abstract is None or isinstance(abstract, str)):
        return None
    return abstract, title


@dataclass
class JoinStats:
    """Counts of one Google abstracts join.

    Every pair is counted once in ``orphan``, ``empty_abstract``, ``unmatched``, ``ambiguous``,
    ``duplicate_pairs`` or as the pair that supplied a joined abstract.

    Attributes:
        pairs: pairs read.
        joined: records that received an abstract (a publication listed twice in one search counts
            twice).
        empty_abstract: pairs whose abstract is null or empty.
        ambiguous: pairs whose title belongs to several records of the topic, or whose title
            came with different abstracts; not guessed.
        unmatched: pairs whose title is not in their topic's CSV.
        orphan: pairs whose topic has no CSV ("NDJSON without its CSV").
        orphan_topics: topics with abstracts but no CSV.
        duplicate_pairs: pairs repeating a title and abstract already used for that topic.
    """

    pairs: int = 0
    joined: int = 0
    empty_abstract: int = 0
    ambiguous: int = 0
    unmatched: int = 0
    orphan: int = 0
    orphan_topics: int = 0
    duplicate_pairs: int = 0


def join_google_abstracts(patents: list[Patent], pairs: list[AbstractPair]) -> tuple[list[Patent], JoinStats]:
    """Put the abstracts of ``pairs`` onto the Google Patents CSV records of the same topic.

    A pair matches a record of its topic by title (whitespace collapsed, case folded). A title
    shared by several records of the topic, or given with different abstracts, is ambiguous and
    left alone. The result does not depend on the order of files or pairs.

    Args:
        patents: records read by `GooglePatentsCsvSource` (their topic is in ``extra``).
        pairs: every pair read by `GooglePatentsAbstractsSource`.

    Returns:
        The records in their original order (those that got an abstract replaced; the abstract is
        attributed to ``"google_patents_abstracts"``), and the counts.
    """
    stats = JoinStats(pairs=len(pairs))
    by_title: dict[tuple[str, str], list[int]] = defaultdict(list)
    topics: set[str] = set()
    for i, patent in enumerate(patents):
        topic = str(patent.extra.get(CSV_NAME, {}).get("topic", ""))
        topics.add(topic)
        by_title[(topic, _normalise_title(patent.title))].append(i)

    abstracts: dict[tuple[str, str], list[AbstractPair]] = defaultdict(list)
    orphan_topics: set[str] = set()
    for pair in pairs:
        if pair.topic not in topics:
            stats.orphan += 1
            orphan_topics.add(pair.topic)
        elif not (pair.abstract or "").strip():
            stats.empty_abstract += 1
        else:
            abstracts[(pair.topic, _normalise_title(pair.title))].append(pair)
    stats.orphan_topics = len(orphan_topics)

    result = list(patents)
    for key, group in abstracts.items():
        targets = by_title.get(key, [])
        texts = {(p.abstract or "").strip() for p in group}
        if not targets:
            stats.unmatched += len(group)
            continue
        if len({patents[i].key for i in targets}) > 1 or len(texts) > 1:
            stats.ambiguous += len(group)
            continue
        stats.duplicate_pairs += len(group) - 1
        abstract = texts.pop()
        for i in targets:  # the same publication listed twice in one search
            stats.joined += 1
            result[i] = _with_abstract(result[i], abstract)
    return result, stats


def _with_abstract(patent: Patent, abstract: str) -> Patent:
    field_sources = dict(patent.field_sources)
    field_sources["abstract"] = ABSTRACTS_NAME
    field_sources.setdefault("language", CSV_NAME)
    return dataclasses.replace(
        patent,
        abstract=abstract,
        language=detect_language(f"{patent.title} {abstract}") or patent.language,
        sources=tuple(dict.fromkeys((*patent.sources, ABSTRACTS_NAME))),
        field_sources=field_sources,
    )
