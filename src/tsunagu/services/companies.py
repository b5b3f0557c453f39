"""The company register as a use case, and the one company lookup every capability uses.

`CompanyService.resolve` is the rule behind every ``--company NAME`` option: a register id or a
registered name (or alias, or applicant name) first; then a corpus applicant whose name is equal after
`tsunagu.domain.matching.normalise_name` (NFKC, case folding, white space removed); otherwise a
`NotFoundError` whose message lists the nearest names. A registered company's own patents are its
listed patent numbers plus every corpus record filed under any of its names.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from tsunagu.domain.matching import (
    Company,
    Need,
    ProgrammeMember,
    ReportConsent,
    Visibility,
    label,
    normalise_name,
    parse_code,
)
from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError, NotFoundError, ValidationError
from tsunagu.services.matching.template import TemplateRow, read_template
from tsunagu.storage.registry import SqlRegistryStore

__all__ = [
    "COMPANY_COLUMNS",
    "DEFAULT_VISIBLE_FIELDS",
    "ApplicantIndex",
    "Clock",
    "CompanyImportReport",
    "CompanyService",
    "PatentLookup",
    "ResolvedCompany",
    "company_to_dict",
    "iso_now",
]

Clock = Callable[[], datetime]
_RECHECK_SECONDS = 2.0

DEFAULT_VISIBLE_FIELDS: frozenset[str] = Visibility().fields

#: Columns of the company import template: field → accepted headers (Japanese and English).
COMPANY_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("企業名", "会社名", "company", "company name"),
    "aliases": ("別名", "aliases", "other names"),
    "region": ("地域", "所在地", "region"),
    "industry": ("業種", "industry"),
    "size": ("規模", "size"),
    "employees": ("従業員数", "employees"),
    "capabilities": ("技術・ノウハウ", "技術", "ノウハウ", "capabilities", "know-how"),
    "equipment": ("設備", "equipment"),
    "products": ("製品", "主要製品", "products"),
    "patent_numbers": ("保有特許", "特許番号", "patents", "patent numbers"),
    "applicant_names": ("出願人名", "applicant names"),
    "visibility": ("公開範囲", "visibility"),
    "visible_fields": ("公開項目", "visible fields"),
    "programme": ("プログラム", "programme", "program"),
    "note": ("備考", "note", "notes"),
}


def iso_now(clock: Clock | None = None) -> str:
    """The current time as ISO text (UTC, seconds)."""
    return (clock or (lambda: datetime.now(UTC)))().isoformat(timespec="seconds")


class PatentLookup(Protocol):
    """What the register needs of the patent store."""

    def find(self, number: str) -> list[Patent]: ...

    def get_many(self, keys: Sequence[str]) -> list[Patent]: ...

    def iter_rows(self, columns: Sequence[str], batch_size: int = 5000) -> Iterator[dict[str, Any]]: ...

    def revision(self) -> int: ...


class ApplicantIndex:
    """Corpus applicants by normalised name, rebuilt when the patent store's revision changes (checked at
    most every couple of seconds, so a burst of lookups costs one query).

    Args:
        patents: the patent store.
    """

    def __init__(self, patents: PatentLookup) -> None:
        self._patents = patents
        self._lock = threading.Lock()
        self._revision = -1
        self._checked_at = 0.0
        self._keys: dict[str, list[str]] = {}
        self._display: dict[str, str] = {}

    def _current(self) -> tuple[dict[str, list[str]], dict[str, str]]:
        with self._lock:
            now = time.monotonic()
            if self._revision >= 0 and now - self._checked_at < _RECHECK_SECONDS:
                return self._keys, self._display  # many lookups in a row: one revision query
            self._checked_at = now
            revision = self._patents.revision()
            if revision != self._revision:
                keys: dict[str, list[str]] = {}
                display: dict[str, str] = {}
                for row in self._patents.iter_rows(["applicants"]):
                    for name in dict.fromkeys(row["applicants"]):
                        norm = normalise_name(name)
                        if norm:
                            keys.setdefault(norm, []).append(row["key"])
                            display.setdefault(norm, name)
                self._keys, self._display, self._revision = keys, display, revision
            return self._keys, self._display

    def lookup(self, name: str) -> tuple[str, list[str]] | None:
        """``(display name, patent keys)`` of the applicant with this normalised name, or None."""
        keys, display = self._current()
        norm = normalise_name(name)
        if norm not in keys:
            return None
        return display[norm], list(keys[norm])

    def names(self) -> dict[str, str]:
        """Normalised name → display spelling, for every applicant."""
        return dict(self._current()[1])

    def counts(self) -> dict[str, int]:
        """Normalised name → number of records."""
        return {k: len(v) for k, v in self._current()[0].items()}


@dataclass(frozen=True)
class ResolvedCompany:
    """The answer of `CompanyService.resolve`.

    Attributes:
        kind: ``"registered"`` (in the register) or ``"applicant"`` (a corpus applicant only).
        name: display name.
        company: the register record (None for an applicant).
        applicant_names: corpus applicant spellings that belong to it.
        patent_keys: its corpus records (listed numbers and records filed under its names).
    """

    kind: str
    name: str
    company: Company | None = None
    applicant_names: tuple[str, ...] = ()
    patent_keys: tuple[str, ...] = ()

    @property
    def id(self) -> int | None:
        return self.company.id if self.company else None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "applicant_names": list(self.applicant_names),
            "patents": len(self.patent_keys),
        }


@dataclass
class CompanyImportReport:
    """Counts of one company import (``new``, ``updated``) and the file read."""

    path: str
    new: int = 0
    updated: int = 0
    companies: list[Company] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "new": self.new,
            "updated": self.updated,
            "ids": [c.id for c in self.companies],
        }


_DIGITS = re.compile(r"\d+")
_BUILD_FIELDS = frozenset(
    {f.name for f in dataclasses.fields(Company)} - {"id", "name", "created_at", "updated_at"}
) | {"visible_fields"}


def _parse_employees(value: str) -> int | None:
    text = (value or "").replace(",", "").strip()
    if not text:
        return None
    m = _DIGITS.search(text)
    if m is None:
        raise ValidationError(f"employees: 数値ではありません / not a number: {value!r}")
    return int(m.group())


def _visibility(level: str, fields: Iterable[str] | None) -> Visibility:
    lvl = parse_code("visibility", level, field_name="visibility") or "anonymous"
    chosen = (
        DEFAULT_VISIBLE_FIELDS
        if fields is None
        else frozenset(parse_code("field", f, field_name="visible_fields", allow_empty=False) for f in fields)
    )
    return Visibility(lvl, frozenset(chosen))


class CompanyService:
    """Register companies, their needs and report-sharing consents; resolve ``--company`` names.

    Args:
        registry: the register store.
        patents: the patent store (for own patents and corpus applicants).
        clock: current time (tests pass a fixed one).
    """

    def __init__(
        self, registry: SqlRegistryStore, patents: PatentLookup, *, clock: Clock | None = None
    ) -> None:
        self.registry = registry
        self.patents = patents
        self.clock = clock
        self.applicants = ApplicantIndex(patents)

    def _now(self) -> str:
        return iso_now(self.clock)

    # -- register --------------------------------------------------------------------------------

    def build(self, name: str, **values: Any) -> Company:
        """A validated `Company` (not stored) from user input.

        Accepts the `Company` fields plus ``visibility`` (level) and ``visible_fields`` (field codes or
        labels); codes may be typed as labels (``size="中小企業"``).

        Raises:
            ValidationError: naming the field at fault.
        """
        if not normalise_name(name):
            raise ValidationError("name: 企業名が必要です / a company name is required")
        unknown = set(values) - _BUILD_FIELDS
        if unknown:
            raise ValidationError(f"不明な項目 / unknown company fields: {', '.join(sorted(unknown))}")
        level = str(values.pop("visibility", "") or "")
        fields = values.pop("visible_fields", None)
        size = parse_code("size", str(values.pop("size", "") or ""), field_name="size")
        employees = values.pop("employees", None)
        if isinstance(employees, str):
            employees = _parse_employees(employees)
        now = self._now()
        rest: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return Company(
            id=0,
            name=name.strip(),
            size=size,
            employees=employees,
            visibility=_visibility(level, fields),
            created_at=now,
            updated_at=now,
            **rest,
        )

    def add(self, name: str, *, programme_id: int | None = None, **values: Any) -> Company:
        """Register a company (see `build` for the fields); optionally as a member of a programme."""
        company = self.registry.save_companies([self.build(name, **values)])[0]
        if programme_id is not None:
            self._join(programme_id, company.id)
        return company

    def _join(self, programme_id: int, company_id: int) -> None:
        self.registry.get_programme(programme_id)
        self.registry.add_member(
            ProgrammeMember(programme_id, "company", str(company_id), added_at=self._now())
        )

    def update(self, company_id: int, **changes: Any) -> Company:
        """Change fields of a registered company (``visibility``/``visible_fields`` as in `build`)."""
        company = self.registry.get_company(company_id)
        if "visibility" in changes or "visible_fields" in changes:
            level = changes.pop("visibility", None) or company.visibility.level
            fields = changes.pop("visible_fields", None)
            changes["visibility"] = _visibility(
                level, company.visibility.fields if fields is None else fields
            )
        if "size" in changes:
            changes["size"] = parse_code("size", changes["size"], field_name="size")
        for key, value in list(changes.items()):
            if isinstance(value, list):
                changes[key] = tuple(value)
        updated = dataclasses.replace(company, updated_at=self._now(), **changes)
        return self.registry.update_company(updated)

    def close(self, company_id: int) -> Company:
        """Mark a company closed (kept as a record; never deleted)."""
        return self.update(company_id, status="closed")

    def get(self, company_id: int) -> Company:
        return self.registry.get_company(company_id)

    def list_companies(
        self, *, status: str = "active", origin: str = "", programme_id: int | None = None
    ) -> list[Company]:
        return self.registry.list_companies(status=status, origin=origin, programme_id=programme_id)

    def import_file(self, path: Path, *, programme_id: int | None = None) -> CompanyImportReport:
        """Import companies from a CSV/JSONL template (`COMPANY_COLUMNS`).

        A row whose name (after normalisation) matches exactly one registered company updates it; other
        rows are new. Every row is checked before anything is written, and everything is written in one
        transaction: a bad file changes nothing.

        Raises:
            ImportFormatError: naming the file, line and field of the first problem.
        """
        display = str(path)
        pending: list[tuple[Company, str]] = []
        for row in read_template(path, COMPANY_COLUMNS, required=("name",)):
            company = self._row_company(row, display)
            pending.append((company, row.text("programme")))
        report = CompanyImportReport(display)
        programmes: dict[str, int] = {}
        for _company, code in pending:
            if code and code not in programmes:
                programmes[code] = self._programme_id(code, display)
        saved = self.registry.save_companies([c for c, _ in pending])
        for company, (_c, code) in zip(saved, pending, strict=True):
            pid = programmes.get(code, programme_id)
            if pid is not None:
                self._join(pid, company.id)
        report.companies = saved
        report.updated = sum(1 for c, _ in pending if c.id)
        report.new = len(pending) - report.updated
        return report

    def _programme_id(self, code: str, path: str) -> int:
        for p in self.registry.list_programmes():
            if code in (p.code, str(p.id)) or normalise_name(code) == normalise_name(p.name):
                return p.id
        raise ImportFormatError(
            f"プログラムがありません / unknown programme {code!r}", path=path, field="programme"
        )

    def _row_company(self, row: TemplateRow, path: str) -> Company:
        name = row.text("name")
        values: dict[str, Any] = {
            "aliases": row.items("aliases"),
            "region": row.text("region"),
            "industry": row.text("industry"),
            "size": row.text("size"),
            "employees": row.text("employees"),
            "capabilities": row.text("capabilities"),
            "equipment": row.text("equipment"),
            "products": row.text("products"),
            "patent_numbers": row.items("patent_numbers"),
            "applicant_names": row.items("applicant_names"),
            "visibility": row.text("visibility"),
            "visible_fields": row.items("visible_fields") or None,
            "note": row.text("note"),
        }
        try:
            company = self.build(name, **values)
        except ValidationError as exc:
            fieldname = str(exc).split(":", 1)[0] if ":" in str(exc) else None
            raise ImportFormatError(str(exc), path=path, line=row.line, field=fieldname) from exc
        existing = self.registry.find_companies(name)
        if len(existing) == 1:
            old = existing[0]
            return dataclasses.replace(
                company, id=old.id, created_at=old.created_at, origin=old.origin, status=old.status
            )
        return company

    # -- lookup ----------------------------------------------------------------------------------

    def resolve(self, query: str) -> ResolvedCompany:
        """Find the company meant by ``query`` (see the module docstring for the order).

        Raises:
            ValidationError: several registered companies share the name (the message lists their ids).
            NotFoundError: nothing matches; the message lists near matches.
        """
        text = (query or "").strip()
        if not text:
            raise ValidationError("company: 企業名またはIDが必要です / a company name or id is required")
        if text.isdigit() or (text[:1] in "#" and text[1:].isdigit()):
            return self.resolved(self.registry.get_company(int(text.lstrip("#"))))
        found = self.registry.find_companies(text)
        if len(found) > 1:
            listed = ", ".join(f"#{c.id} {c.name} ({c.region or '地域未登録'})" for c in found)
            raise ValidationError(
                f"同名の企業が複数あります。IDで指定してください / several companies are "
                f"called {text!r}; give the id: {listed}"
            )
        if found:
            return self.resolved(found[0])
        hit = self.applicants.lookup(text)
        if hit is not None:
            display, keys = hit
            return ResolvedCompany("applicant", display, None, (display,), tuple(keys))
        near = self.near_matches(text)
        hint = (
            ("近い名前 / did you mean: " + ", ".join(near))
            if near
            else "近い名前はありません / no similar name"
        )
        raise NotFoundError(f"企業が見つかりません / no company or applicant called {text!r}. {hint}")

    def resolved(self, company: Company) -> ResolvedCompany:
        """A registered company with its own patents (listed numbers and records under its names)."""
        keys: dict[str, None] = {}
        names: list[str] = []
        for number in company.patent_numbers:
            for p in self.patents.find(number):
                keys[p.key] = None
        for name in company.names():
            hit = self.applicants.lookup(name)
            if hit is not None:
                names.append(hit[0])
                keys.update(dict.fromkeys(hit[1]))
        return ResolvedCompany("registered", company.name, company, tuple(dict.fromkeys(names)), tuple(keys))

    def near_matches(self, text: str, n: int = 5) -> list[str]:
        """Up to ``n`` registered or applicant names close to ``text`` (similar first, then containing)."""
        norm = normalise_name(text)
        candidates: dict[str, str] = {}
        for key, ids in self.registry.company_name_keys().items():
            candidates.setdefault(key, f"{self._display_company(ids[0], key)}")
        for key, display in self.applicants.names().items():
            candidates.setdefault(key, display)
        contained = sorted((k for k in candidates if norm and (norm in k or k in norm)), key=len)
        close = difflib.get_close_matches(norm, list(candidates), n=n, cutoff=0.6)
        ordered = list(dict.fromkeys([*close, *contained]))[:n]
        return [candidates[k] for k in ordered]

    def _display_company(self, company_id: int, key: str) -> str:
        try:
            return f"{self.registry.get_company(company_id).name} (#{company_id})"
        except NotFoundError:  # pragma: no cover - names always point to a company
            return key

    def patents_of(self, resolved: ResolvedCompany) -> list[Patent]:
        """The corpus records of a resolved company."""
        return self.patents.get_many(list(resolved.patent_keys))

    # -- needs -----------------------------------------------------------------------------------

    def add_need(self, company: str | int, title: str, **values: Any) -> Need:
        """Register a need of a registered company (``exclusivity``/``visibility`` as codes or labels)."""
        owner = self._registered(company)
        if not title.strip():
            raise ValidationError("title: ニーズの件名が必要です / a need title is required")
        values["exclusivity"] = parse_code(
            "exclusivity", values.get("exclusivity", ""), field_name="exclusivity"
        )
        values["visibility"] = parse_code(
            "visibility", values.get("visibility", ""), field_name="visibility"
        ) or ("anonymous")
        return self.registry.add_need(Need(0, owner.id, title.strip(), created_at=self._now(), **values))

    def list_needs(self, company: str | int | None = None, *, status: str = "open") -> list[Need]:
        company_id = None if company is None else self._registered(company).id
        return self.registry.list_needs(company_id=company_id, status=status)

    def close_need(self, need_id: int) -> Need:
        need = self.registry.get_need(need_id)
        return self.registry.update_need(dataclasses.replace(need, status="closed"))

    def _registered(self, company: str | int) -> Company:
        resolved = self.resolve(str(company))
        if resolved.company is None:
            raise ValidationError(
                f"{resolved.name} は登録企業ではありません。先に `tsunagu companies add` で登録してください"
                " / is a corpus applicant, not a registered company: register it first"
            )
        return resolved.company

    # -- report consents -------------------------------------------------------------------------

    def grant_consent(
        self, company: str | int, institution: str, *, actor: str = "", note: str = ""
    ) -> ReportConsent:
        """Record that the company agrees to share its evaluation reports with ``institution``."""
        owner = self._registered(company)
        return self.registry.grant_consent(
            ReportConsent(owner.id, institution.strip(), granted_at=self._now(), granted_by=actor, note=note)
        )

    def revoke_consent(self, company: str | int, institution: str) -> int:
        """Revoke the company's active consents for ``institution`` (records are kept)."""
        return self.registry.revoke_consent(self._registered(company).id, institution, self._now())

    def consents(self, company: str | int) -> list[ReportConsent]:
        return self.registry.consents(company_id=self._registered(company).id)

    def may_share_reports(self, company_id: int, institution: str) -> bool:
        """Whether the company currently consents to share its reports with ``institution``."""
        return any(c.active for c in self.registry.consents(company_id=company_id, institution=institution))

    def companies_consenting(self, institution: str) -> list[Company]:
        """Companies with an active consent for ``institution`` (what that bank's viewers may read)."""
        ids = list(
            dict.fromkeys(c.company_id for c in self.registry.consents(institution=institution) if c.active)
        )
        return self.registry.get_companies(ids)


def company_to_dict(company: Company, lang: str = "ja") -> dict[str, object]:
    """All fields of a company, JSON-ready, with labels for its codes."""
    d = dataclasses.asdict(company)
    d["aliases"] = list(company.aliases)
    d["patent_numbers"] = list(company.patent_numbers)
    d["applicant_names"] = list(company.applicant_names)
    d["visibility"] = {
        "level": company.visibility.level,
        "level_label": label("visibility", company.visibility.level, lang),
        "fields": sorted(company.visibility.fields),
    }
    d["size_label"] = label("size", company.size, lang)
    d["origin_label"] = label("origin", company.origin, lang)
    return d
