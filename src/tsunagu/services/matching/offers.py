"""Licensors and their offers (開放特許): registration, import (NASA catalogue and our template), fields.

An offer's fields (IPC main groups and codes) come, in this order of preference, from its linked corpus
patents (``ipc_source="patents"``), from codes the licensor stated (``"given"``), or from its text via the
nearest corpus documents (``"inferred"``, always shown as inferred).

Import formats:

- the NASA technology-transfer CSV (read by `tsunagu.sources.nasa.NasaT2CsvSource`): one licensor per
  NASA centre (the ``Facility`` column), contact role = the licensing office, valid until = the patent's
  expiration date, availability = licence; the abstract is the summary.
- our template, CSV or JSONL with Japanese or English headers (`OFFER_COLUMNS`, documented in
  ``docs/matching.md``). Rows are matched to stored offers by licensor and ``external_ref`` (re-importing
  a file updates instead of duplicating).

Every row is checked before anything is written; all offers of a file are written in one transaction.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsunagu.domain.codes import normalise_ipc
from tsunagu.domain.matching import Licensor, Offer, label, normalise_name, parse_code
from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError, NotFoundError, ValidationError
from tsunagu.services.companies import Clock, PatentLookup, iso_now
from tsunagu.services.matching.inference import FieldInferrer
from tsunagu.services.matching.template import TemplateRow, read_template
from tsunagu.sources.base import SkippedRecord
from tsunagu.sources.csvutil import parse_date
from tsunagu.sources.nasa import NasaT2CsvSource
from tsunagu.storage.registry import SqlRegistryStore

__all__ = [
    "NASA_CATEGORY_JA",
    "OFFER_COLUMNS",
    "OfferImportReport",
    "OfferService",
    "ProgressFn",
    "offer_to_dict",
]

ProgressFn = Callable[[int, int, str], None]

#: Columns of the offer template: field → accepted headers (Japanese and English).
OFFER_COLUMNS: dict[str, tuple[str, ...]] = {
    "licensor": ("権利者", "ライセンサー", "licensor", "holder"),
    "licensor_kind": ("権利者種別", "licensor kind"),
    "country": ("国", "country"),
    "external_ref": ("管理番号", "整理番号", "reference", "ref"),
    "title": ("技術名称", "名称", "title"),
    "summary": ("概要", "summary"),
    "problem": ("解決する課題", "課題", "problem", "problem solved"),
    "advantage": ("効果", "優位性", "advantage", "benefit"),
    "tech_stage": ("開発段階", "段階", "stage"),
    "availability": ("提供形態", "availability"),
    "uses": ("想定用途", "用途", "uses", "suitable uses"),
    "terms_note": ("条件", "ライセンス条件", "terms"),
    "contact_role": ("窓口", "問い合わせ窓口", "contact", "contact role"),
    "valid_until": ("有効期限", "掲載期限", "valid until"),
    "patent_numbers": ("特許番号", "patents", "patent numbers"),
    "ipc_codes": ("IPC", "ipc codes"),
    "category": ("カテゴリ", "分類", "category"),
    "programme": ("プログラム", "programme", "program"),
}

#: NASA's catalogue categories in Japanese (tsunagu project's own translation).
NASA_CATEGORY_JA: dict[str, str] = {
    "materials and coatings": "材料・コーティング",
    "sensors": "センサ",
    "aeronautics": "航空",
    "health medicine and biotechnology": "医療・健康・バイオ",
    "information technology and software": "情報技術・ソフトウェア",
    "mechanical and fluid systems": "機械・流体システム",
    "robotics automation and control": "ロボット・自動化・制御",
    "optics": "光学",
    "electrical and electronics": "電気・電子",
    "power generation and storage": "発電・蓄電",
    "communications": "通信",
    "instrumentation": "計測機器",
    "propulsion": "推進",
    "manufacturing": "製造",
    "environment": "環境",
}


@dataclass
class OfferImportReport:
    """What one offer import did."""

    path: str
    format: str
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    duplicates: int = 0
    licensors: int = 0
    fields: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    offer_ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        d = dataclasses.asdict(self)
        d["offer_ids"] = self.offer_ids[:50]
        return d


class OfferService:
    """Register licensors and offers; import catalogues; link patents and fields.

    Args:
        registry: the register store.
        patents: the patent store (linked patents).
        inferrer: infers fields from text (None: offers without classified patents get no fields).
        clock: current time.
    """

    def __init__(
        self,
        registry: SqlRegistryStore,
        patents: PatentLookup,
        *,
        inferrer: FieldInferrer | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.registry = registry
        self.patents = patents
        self.inferrer = inferrer
        self.clock = clock

    def _now(self) -> str:
        return iso_now(self.clock)

    # -- licensors -------------------------------------------------------------------------------

    def add_licensor(self, name: str, **values: str) -> Licensor:
        """Register a licensor (or return the one with the same normalised name)."""
        if not normalise_name(name):
            raise ValidationError("licensor: ライセンサー名が必要です / a licensor name is required")
        return self.registry.add_licensor(Licensor(0, name.strip(), created_at=self._now(), **values))

    def licensor(self, ref: str | int) -> Licensor:
        """A licensor by id or name."""
        text = str(ref).strip()
        if text.isdigit():
            return self.registry.get_licensor(int(text))
        found = self.registry.find_licensor(text)
        if found is None:
            names = ", ".join(lic.name for lic in self.registry.list_licensors()[:20])
            raise NotFoundError(
                f"ライセンサーが見つかりません / no licensor {text!r}. 登録済み / known: {names or '-'}"
            )
        return found

    # -- offers ----------------------------------------------------------------------------------

    def build(
        self,
        licensor: Licensor,
        title: str,
        *,
        summary: str = "",
        problem: str = "",
        advantage: str = "",
        tech_stage: str = "",
        availability: str = "",
        uses: Sequence[str] = (),
        terms_note: str = "",
        contact_role: str = "",
        valid_until: str = "",
        patent_numbers: Sequence[str] = (),
        ipc_codes: Sequence[str] = (),
        category: str = "",
        source: str = "manual",
        external_ref: str = "",
        programme_id: int | None = None,
    ) -> Offer:
        """A validated offer (not stored): codes parsed, patents linked, fields set (see module docstring).

        ``tech_stage`` and ``availability`` accept codes or their Japanese/English labels; ``valid_until``
        any common date form; ``ipc_codes`` are the licensor's own statement of the fields.

        Raises:
            ValidationError: naming the field at fault.
        """
        if not title.strip():
            raise ValidationError("title: 技術名称が必要です / an offer title is required")
        valid = ""
        if valid_until.strip():
            valid = parse_date(valid_until, day_first=False) or ""
            if not valid:
                raise ValidationError(
                    f"valid_until: 日付ではありません / not a date: {valid_until!r} (YYYY-MM-DD)"
                )
        given: list[str] = []
        for code in ipc_codes:
            norm = normalise_ipc(code)
            if not norm:
                raise ValidationError(f"ipc_codes: IPC記号ではありません / not an IPC symbol: {code!r}")
            given.append(norm)
        now = self._now()
        offer = Offer(
            id=0,
            licensor_id=licensor.id,
            title=title.strip(),
            summary=summary.strip(),
            problem=problem.strip(),
            advantage=advantage.strip(),
            tech_stage=parse_code("tech_stage", tech_stage, field_name="tech_stage"),
            availability=parse_code("availability", availability, field_name="availability") or "licence",
            uses=tuple(u.strip() for u in uses if u.strip()),
            terms_note=terms_note.strip(),
            contact_role=contact_role.strip() or licensor.contact_role,
            valid_until=valid,
            patent_numbers=tuple(n.strip() for n in patent_numbers if n.strip()),
            category=category.strip(),
            source=source,
            external_ref=external_ref.strip(),
            programme_id=programme_id,
            created_at=now,
            updated_at=now,
        )
        return self.link(offer, given=tuple(dict.fromkeys(given)))

    def link(self, offer: Offer, *, given: Sequence[str] = (), extra_keys: Sequence[str] = ()) -> Offer:
        """Link an offer's patent numbers to corpus records and set its fields.

        Args:
            offer: the offer.
            given: IPC codes stated by the licensor.
            extra_keys: corpus keys known to be the offer's own records (for example the NASA record).
        """
        keys: dict[str, None] = dict.fromkeys(extra_keys)
        for number in offer.patent_numbers:
            for p in self.patents.find(number):
                keys[p.key] = None
        linked = self.patents.get_many(list(keys)) if keys else []
        codes = tuple(dict.fromkeys(c for p in linked for c in p.ipc_codes))
        source = "patents"
        if not codes and given:
            codes, source = tuple(given), "given"
        elif not codes and self.inferrer is not None:
            inferred = self.inferrer.infer(offer.text(), exclude=list(keys))
            codes, source = inferred.codes, "inferred"
        if not codes:
            source = ""
        return dataclasses.replace(
            offer, patent_keys=tuple(p.key for p in linked), ipc_codes=codes, ipc_source=source
        )

    def add(self, licensor: str | int, title: str, **values: Any) -> Offer:
        """Register one offer (fields as in `build`) for a licensor given by id or name.

        A name not yet registered registers the licensor.
        """
        programme_id = values.get("programme_id")
        if programme_id is not None:
            self.registry.get_programme(programme_id)
        try:
            lic = self.licensor(licensor)
        except NotFoundError:
            if str(licensor).strip().isdigit():
                raise
            lic = None
        offer = self.build(lic or Licensor(0, str(licensor).strip()), title, **values)
        if lic is None:
            lic = self.add_licensor(str(licensor))
            offer = dataclasses.replace(offer, licensor_id=lic.id)
        return self.registry.add_offer(offer)

    def get(self, offer_id: int) -> Offer:
        return self.registry.get_offer(offer_id)

    def list_offers(
        self, *, licensor: str | int | None = None, programme_id: int | None = None, status: str = "open"
    ) -> list[Offer]:
        licensor_id = None if licensor is None else self.licensor(licensor).id
        return self.registry.list_offers(licensor_id=licensor_id, programme_id=programme_id, status=status)

    def close(self, offer_id: int) -> Offer:
        """Withdraw an offer (kept as a record, never deleted)."""
        offer = self.registry.get_offer(offer_id)
        return self.registry.update_offer(dataclasses.replace(offer, status="closed", updated_at=self._now()))

    def refresh_fields(self, *, progress: ProgressFn | None = None) -> dict[str, int]:
        """Re-link every offer's patents and recompute its fields (after the corpus changed).

        Fields stated by the licensor are kept when no linked patent is classified.
        """
        items = self.registry.list_offers()
        out: list[Offer] = []
        for i, offer in enumerate(items, start=1):
            given = offer.ipc_codes if offer.ipc_source == "given" else ()
            out.append(self.link(offer, given=given, extra_keys=offer.patent_keys))
            if progress:
                progress(i, len(items), "分野の再計算 / refreshing fields")
        _, counts = self.registry.upsert_offers([o for o in out if o.external_ref])
        for offer in out:
            if not offer.external_ref:
                self.registry.update_offer(offer)
        return counts

    # -- import ----------------------------------------------------------------------------------

    def import_file(
        self, path: Path, *, programme_id: int | None = None, progress: ProgressFn | None = None
    ) -> OfferImportReport:
        """Import a NASA technology-transfer CSV or an offer template (CSV/JSONL); see the module docstring.

        Raises:
            ImportFormatError: the file is unusable or a row is invalid (naming file, line and field).
        """
        if programme_id is not None:
            self.registry.get_programme(programme_id)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportFormatError(
                f"ファイルを読めません / cannot read the file: {exc}", path=str(path)
            ) from exc
        if data[:2] == b"\x1f\x8b":
            import gzip

            data = gzip.decompress(data)
        nasa = NasaT2CsvSource()
        if nasa.sniff(path.name, data[:65536]):
            return self._import_nasa(data, str(path), programme_id, progress)
        return self._import_template(path, programme_id, progress)

    def _import_nasa(
        self, data: bytes, path: str, programme_id: int | None, progress: ProgressFn | None
    ) -> OfferImportReport:
        report = OfferImportReport(path, "nasa_t2_csv")
        records: list[Patent] = []
        for item in NasaT2CsvSource().read(io.BytesIO(data), path):
            if isinstance(item, SkippedRecord):
                report.skipped += 1
                if len(report.examples) < 10:
                    report.examples.append(f"{item.path}:{item.line}: {item.message}")
            elif isinstance(item, Patent):
                records.append(item)
        report.read = len(records) + report.skipped
        licensors: dict[str, Licensor] = {}
        pending: list[Offer] = []
        previous = {(o.licensor_id, o.external_ref): o for o in self.registry.list_offers() if o.external_ref}
        for i, record in enumerate(records, start=1):
            extra = record.extra.get("nasa_t2_csv", {})
            facility = str(extra.get("Facility") or f"NASA {extra.get('Center', '')}".strip())
            lic = licensors.get(facility)
            if lic is None:
                lic = self.add_licensor(
                    facility, kind="public_lab", country="US", contact_role=str(extra.get("Office", ""))
                )
                licensors[facility] = lic
            pending.append(self._nasa_offer(record, lic, extra, programme_id, previous))
            if progress:
                progress(i, len(records), "オファーの分野 / offer fields")
        self._store(pending, report)
        report.licensors = len(licensors)
        return report

    def _nasa_offer(
        self,
        record: Patent,
        lic: Licensor,
        extra: dict[str, object],
        programme_id: int | None,
        previous: dict[tuple[int, str], Offer],
    ) -> Offer:
        category = str(extra.get("Category", ""))
        now = self._now()
        numbers = tuple(n for n in record.original_numbers if n != extra.get("Reference Number"))
        offer = Offer(
            id=0,
            licensor_id=lic.id,
            title=record.title,
            summary=record.abstract,
            availability="licence",
            contact_role=str(extra.get("Office", "")) or lic.contact_role,
            valid_until=str(extra.get("Expiration Date", "")),
            patent_numbers=numbers,
            category=category,
            source="nasa_t2_csv",
            external_ref=str(extra.get("Reference Number", "")) or record.key,
            programme_id=programme_id,
            created_at=now,
            updated_at=now,
        )
        before = previous.get((offer.licensor_id, offer.external_ref))
        if (
            before is not None
            and before.text() == offer.text()
            and before.patent_numbers == offer.patent_numbers
        ):
            # Same text and numbers as stored: keep its links and fields (no new inference).
            return dataclasses.replace(
                offer,
                patent_keys=before.patent_keys,
                ipc_codes=before.ipc_codes,
                ipc_source=before.ipc_source,
            )
        own = [record.key] if self.patents.get_many([record.key]) else []
        return self.link(offer, extra_keys=own)

    def _import_template(
        self, path: Path, programme_id: int | None, progress: ProgressFn | None
    ) -> OfferImportReport:
        report = OfferImportReport(str(path), "tsunagu_offer_template")
        rows = list(read_template(path, OFFER_COLUMNS, required=("licensor", "title")))
        report.read = len(rows)
        licensors: dict[str, Licensor] = {}
        programmes = {p.code: p.id for p in self.registry.list_programmes()}
        pending: list[tuple[Offer, str]] = []
        for i, row in enumerate(rows, start=1):
            offer = self._template_offer(row, str(path), licensors, programmes, programme_id)
            pending.append((offer, normalise_name(row.text("licensor"))))
            if progress:
                progress(i, len(rows), "オファーの検証 / checking offers")
        # Every row passed its checks: licensors first met in this file are stored now.
        for key, lic in list(licensors.items()):
            if lic.id == 0:
                licensors[key] = self.add_licensor(lic.name, kind=lic.kind, country=lic.country)
        offers = [dataclasses.replace(o, licensor_id=licensors[key].id) for o, key in pending]
        self._store(offers, report)
        report.licensors = len(licensors)
        return report

    def _template_offer(
        self,
        row: TemplateRow,
        path: str,
        licensors: dict[str, Licensor],
        programmes: dict[str, int],
        programme_id: int | None,
    ) -> Offer:
        name = row.text("licensor")
        code = row.text("programme")
        if code and code not in programmes:
            raise ImportFormatError(
                f"プログラムがありません / unknown programme {code!r}",
                path=path,
                line=row.line,
                field="programme",
            )
        values: dict[str, Any] = {
            "summary": row.text("summary"),
            "problem": row.text("problem"),
            "advantage": row.text("advantage"),
            "tech_stage": row.text("tech_stage"),
            "availability": row.text("availability"),
            "uses": row.items("uses"),
            "terms_note": row.text("terms_note"),
            "contact_role": row.text("contact_role"),
            "valid_until": row.text("valid_until"),
            "patent_numbers": row.items("patent_numbers"),
            "ipc_codes": row.items("ipc_codes"),
            "category": row.text("category"),
            "external_ref": row.text("external_ref"),
            "source": "tsunagu_offer_template",
            "programme_id": programmes[code] if code else programme_id,
        }
        try:
            lic = licensors.get(normalise_name(name))
            if lic is None:
                lic = self.registry.find_licensor(name) or Licensor(
                    0, name, kind=row.text("licensor_kind"), country=row.text("country")
                )
                licensors[normalise_name(name)] = lic
            return self.build(lic, row.text("title"), **values)
        except ValidationError as exc:
            fieldname = str(exc).split(":", 1)[0]
            raise ImportFormatError(
                str(exc), path=path, line=row.line, field=fieldname if fieldname in OFFER_COLUMNS else None
            ) from exc

    def _store(self, pending: list[Offer], report: OfferImportReport) -> None:
        # A row repeated in the file (same licensor and reference) is stored once and counted apart.
        unique: dict[tuple[int, str], Offer] = {}
        rest: list[Offer] = []
        for offer in pending:
            if offer.external_ref:
                unique[(offer.licensor_id, offer.external_ref)] = offer
            else:
                rest.append(offer)
        report.duplicates = len(pending) - len(unique) - len(rest)
        # Re-importing without --programme keeps the programme an offer was published in.
        stored_before = {
            (o.licensor_id, o.external_ref): o for o in self.registry.list_offers() if o.external_ref
        }
        for key, offer in unique.items():
            before = stored_before.get(key)
            if offer.programme_id is None and before is not None and before.programme_id is not None:
                unique[key] = dataclasses.replace(offer, programme_id=before.programme_id)
        stored, counts = self.registry.upsert_offers([*unique.values(), *rest])
        report.new, report.updated, report.unchanged = counts["new"], counts["updated"], counts["unchanged"]
        report.offer_ids = [o.id for o in stored]
        report.fields = {
            src or "none": sum(1 for o in stored if o.ipc_source == src)
            for src in ("patents", "given", "inferred", "")
        }


def offer_to_dict(offer: Offer, licensor: str = "", lang: str = "ja") -> dict[str, Any]:
    """All fields of an offer, JSON-ready, with labels for its codes."""
    d = dataclasses.asdict(offer)
    for k, v in d.items():
        if isinstance(v, tuple):
            d[k] = list(v)
    d["licensor"] = licensor
    d["availability_label"] = label("availability", offer.availability, lang)
    d["tech_stage_label"] = label("tech_stage", offer.tech_stage, lang)
    d["fields_inferred"] = offer.fields_inferred
    return d
