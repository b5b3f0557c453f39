"""The register's tables on the shared `metadata`, and conversion between their rows and domain records.

Tables: ``programmes``, ``programme_members``, ``licensors``, ``offers``, ``companies``,
``company_names`` (every normalised name and alias of a company, for lookup), ``needs``,
``report_consents``, ``deals`` and ``deal_events``. Lists are stored as JSON text and timestamps as
ISO text, as in the patent tables, so SQLite and PostgreSQL hold the same values. The store that
reads and writes them is `tsunagu.storage.registry.SqlRegistryStore`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table, Text

from tsunagu.domain.matching import Company, Deal, Visibility
from tsunagu.storage.schema import metadata

__all__ = [
    "companies",
    "company_from_row",
    "company_names",
    "company_row",
    "deal_events",
    "deal_from_row",
    "deals",
    "dump",
    "from_row",
    "licensors",
    "needs",
    "offers",
    "programme_members",
    "programmes",
    "report_consents",
    "to_row",
]

T = TypeVar("T")


def _text(name: str) -> Column[str]:
    return Column(name, Text, nullable=False, default="")


def _json(name: str) -> Column[str]:
    return Column(name, Text, nullable=False, default="[]")


programmes = Table(
    "programmes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(100), nullable=False, unique=True),
    _text("name"),
    _text("organiser"),
    _text("region"),
    _text("description"),
    Column("status", String(20), nullable=False, default="active"),
    _text("created_at"),
)

programme_members = Table(
    "programme_members",
    metadata,
    Column("programme_id", Integer, primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("ref", String(200), primary_key=True),
    _text("role_note"),
    _text("added_at"),
    Index("ix_programme_members_ref", "kind", "ref"),
)

licensors = Table(
    "licensors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _text("name"),
    Column("name_key", String(300), nullable=False, unique=True),
    _text("kind"),
    _text("country"),
    _text("region"),
    _text("contact_role"),
    _text("url"),
    _text("note"),
    _text("created_at"),
)

offers = Table(
    "offers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("licensor_id", Integer, nullable=False),
    _text("title"),
    _text("summary"),
    _text("problem"),
    _text("advantage"),
    _text("tech_stage"),
    _text("availability"),
    _json("uses"),
    _text("terms_note"),
    _text("contact_role"),
    _text("valid_until"),
    _json("patent_numbers"),
    _json("patent_keys"),
    _json("ipc_codes"),
    _text("ipc_source"),
    _text("category"),
    _text("source"),
    Column("external_ref", String(200), nullable=False, default=""),
    Column("programme_id", Integer, nullable=True),
    Column("status", String(20), nullable=False, default="open"),
    _text("created_at"),
    _text("updated_at"),
    Index("ix_offers_licensor_ref", "licensor_id", "external_ref"),
    Index("ix_offers_programme", "programme_id"),
)

companies = Table(
    "companies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _text("name"),
    _json("aliases"),
    _text("region"),
    _text("industry"),
    _text("size"),
    Column("employees", Integer, nullable=True),
    _text("capabilities"),
    _text("equipment"),
    _text("products"),
    _json("patent_numbers"),
    _json("applicant_names"),
    Column("visibility_level", String(20), nullable=False, default="anonymous"),
    _json("visibility_fields"),
    Column("origin", String(40), nullable=False, default="registered"),
    _text("note"),
    Column("status", String(20), nullable=False, default="active"),
    _text("created_at"),
    _text("updated_at"),
)

company_names = Table(
    "company_names",
    metadata,
    Column("name_key", String(300), primary_key=True),
    Column("company_id", Integer, primary_key=True),
    Index("ix_company_names_company", "company_id"),
)

needs = Table(
    "needs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company_id", Integer, nullable=False),
    _text("title"),
    _text("problem"),
    _text("wanted_capability"),
    _text("budget"),
    _text("timing"),
    _text("exclusivity"),
    Column("visibility", String(20), nullable=False, default="anonymous"),
    Column("status", String(20), nullable=False, default="open"),
    _text("created_at"),
    Index("ix_needs_company", "company_id"),
)

report_consents = Table(
    "report_consents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company_id", Integer, nullable=False),
    _text("institution"),
    Column("institution_key", String(300), nullable=False),
    _text("granted_at"),
    _text("granted_by"),
    _text("revoked_at"),
    _text("note"),
    Index("ix_report_consents_company", "company_id"),
    Index("ix_report_consents_institution", "institution_key"),
)

deals = Table(
    "deals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_id", Integer, nullable=False),
    Column("offer_id", Integer, nullable=False),
    Column("company_id", Integer, nullable=False),
    Column("stage", String(30), nullable=False),
    _text("lost_reason"),
    _text("coordinator"),
    _text("next_action"),
    _text("next_action_date"),
    Column("company_reveal", Boolean, nullable=False, default=False),
    Column("licensor_reveal", Boolean, nullable=False, default=False),
    Column("score", Float, nullable=True),
    Column("match_detail", Text, nullable=False, default="{}"),
    _text("created_by"),
    _text("created_at"),
    _text("updated_at"),
    Index("ix_deals_programme", "programme_id"),
    Index("ix_deals_offer_company", "offer_id", "company_id"),
    Index("ix_deals_next_action_date", "next_action_date"),
)

deal_events = Table(
    "deal_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("deal_id", Integer, nullable=False),
    _text("at"),
    _text("actor"),
    Column("kind", String(20), nullable=False),
    _text("from_stage"),
    _text("to_stage"),
    _text("reason"),
    _text("text"),
    Index("ix_deal_events_deal", "deal_id"),
    Index("ix_deal_events_at", "at"),
)

# Dataclass fields stored as JSON lists.
_JSON_FIELDS = frozenset({"uses", "patent_numbers", "patent_keys", "ipc_codes", "aliases", "applicant_names"})


def dump(value: Sequence[str]) -> str:
    return json.dumps(list(value), ensure_ascii=False, separators=(",", ":"))


def to_row(obj: Any, *, skip: Sequence[str] = ("id",)) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.name in skip:
            continue
        value = getattr(obj, f.name)
        row[f.name] = dump(value) if f.name in _JSON_FIELDS else value
    return row


def from_row(cls: type[T], row: Mapping[Any, Any]) -> T:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in row:
            continue
        value = row[f.name]
        values[f.name] = tuple(json.loads(value or "[]")) if f.name in _JSON_FIELDS else value
    return cls(**values)


def company_row(company: Company) -> dict[str, Any]:
    row = to_row(company, skip=("id", "visibility"))
    row["visibility_level"] = company.visibility.level
    row["visibility_fields"] = dump(sorted(company.visibility.fields))
    return row


def company_from_row(row: Mapping[Any, Any]) -> Company:
    base = from_row(Company, {k: v for k, v in row.items() if k != "visibility"})
    fields = frozenset(json.loads(row["visibility_fields"] or "[]"))
    return dataclasses.replace(base, visibility=Visibility(row["visibility_level"], fields))


def deal_from_row(row: Mapping[Any, Any]) -> Deal:
    deal = from_row(Deal, row)
    return dataclasses.replace(
        deal, company_reveal=bool(row["company_reveal"]), licensor_reveal=bool(row["licensor_reveal"])
    )
