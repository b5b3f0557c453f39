"""The company register and matching records: `SqlRegistryStore` over the tables of `registry_tables`.

Nothing is ever deleted: records are closed by
status (offers, companies, needs), deals by stage, consents by a revocation date.

A stage change writes the deal and its event in one transaction, conditional on the stage the caller
read (optimistic concurrency): two coordinators advancing the same deal at once cannot both succeed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from tsunagu.domain.matching import (
    Company,
    Deal,
    DealEvent,
    Licensor,
    Need,
    Offer,
    Programme,
    ProgrammeMember,
    ReportConsent,
    normalise_name,
)
from tsunagu.errors import ConflictError, NotFoundError, StorageError, ValidationError
from tsunagu.storage.registry_tables import (
    companies,
    company_from_row,
    company_names,
    company_row,
    deal_events,
    deal_from_row,
    deals,
    from_row,
    licensors,
    needs,
    offers,
    programme_members,
    programmes,
    report_consents,
    to_row,
)
from tsunagu.storage.tables import SqlTableStore

__all__ = [
    "ConcurrentChangeError",
    "SqlRegistryStore",
    "companies",
    "company_names",
    "deal_events",
    "deals",
    "licensors",
    "needs",
    "offers",
    "programme_members",
    "programmes",
    "report_consents",
]


class ConcurrentChangeError(ConflictError):
    """The record changed between reading it and writing it (another user acted first)."""


class SqlRegistryStore(SqlTableStore):
    """Programmes, licensors, offers, companies, needs, consents and deals on SQLite or PostgreSQL.

    Args:
        engine: an engine shared with `tsunagu.storage.sql.SqlPatentStore` (its ``engine`` property), or
            a database URL (the engine is then built by `tsunagu.storage.engine.make_engine`).

    Missing tables are created on open. Methods raise `tsunagu.errors.StorageError` when the database
    cannot be read or written, and `tsunagu.errors.NotFoundError` for unknown ids.
    """

    subject = "the register"

    @staticmethod
    def _insert(conn: Connection, table: Table, row: dict[str, Any]) -> int:
        result = conn.execute(insert(table).values(**row).returning(table.c.id))
        return int(result.scalar_one())

    # -- programmes ------------------------------------------------------------------------------

    def add_programme(self, programme: Programme) -> Programme:
        """Store a new programme; its ``code`` must be unused.

        Raises:
            ValidationError: the code is taken.
        """
        try:
            with self._write() as conn:
                new_id = self._insert(conn, programmes, to_row(programme))
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise ValidationError(
                    f"プログラムコード {programme.code!r} は使用済みです / programme code already exists"
                ) from exc
            raise
        return dataclasses.replace(programme, id=new_id)

    def get_programme(self, programme_id: int) -> Programme:
        rows = self._read(select(programmes).where(programmes.c.id == programme_id))
        if not rows:
            raise NotFoundError(f"プログラムがありません / no programme with id {programme_id}")
        return from_row(Programme, rows[0])

    def list_programmes(self) -> list[Programme]:
        return [from_row(Programme, r) for r in self._read(select(programmes).order_by(programmes.c.id))]

    def add_member(self, member: ProgrammeMember) -> ProgrammeMember:
        """Add a member (idempotent: an existing membership is returned unchanged)."""
        with self._write() as conn:
            existing = (
                conn.execute(
                    select(programme_members).where(
                        programme_members.c.programme_id == member.programme_id,
                        programme_members.c.kind == member.kind,
                        programme_members.c.ref == member.ref,
                    )
                )
                .mappings()
                .first()
            )
            if existing is not None:
                return from_row(ProgrammeMember, existing)
            conn.execute(insert(programme_members).values(**to_row(member, skip=())))
        return member

    def members(self, programme_id: int, kind: str = "") -> list[ProgrammeMember]:
        query = select(programme_members).where(programme_members.c.programme_id == programme_id)
        if kind:
            query = query.where(programme_members.c.kind == kind)
        query = query.order_by(programme_members.c.kind, programme_members.c.ref)
        return [from_row(ProgrammeMember, r) for r in self._read(query)]

    def memberships(self, kind: str, ref: str) -> list[ProgrammeMember]:
        """Every programme membership of one member (for access rules)."""
        query = select(programme_members).where(
            programme_members.c.kind == kind, programme_members.c.ref == ref
        )
        return [
            from_row(ProgrammeMember, r) for r in self._read(query.order_by(programme_members.c.programme_id))
        ]

    # -- licensors -------------------------------------------------------------------------------

    def add_licensor(self, licensor: Licensor) -> Licensor:
        """Store a licensor, or return the stored one with the same normalised name."""
        key = normalise_name(licensor.name)
        if not key:
            raise ValidationError("licensor name: 値が必要です / a name is required")
        with self._write() as conn:
            row = conn.execute(select(licensors).where(licensors.c.name_key == key)).mappings().first()
            if row is not None:
                return from_row(Licensor, row)
            values = to_row(licensor)
            values["name_key"] = key
            new_id = self._insert(conn, licensors, values)
        return dataclasses.replace(licensor, id=new_id)

    def get_licensor(self, licensor_id: int) -> Licensor:
        rows = self._read(select(licensors).where(licensors.c.id == licensor_id))
        if not rows:
            raise NotFoundError(f"ライセンサーがありません / no licensor with id {licensor_id}")
        return from_row(Licensor, rows[0])

    def find_licensor(self, name: str) -> Licensor | None:
        rows = self._read(select(licensors).where(licensors.c.name_key == normalise_name(name)))
        return from_row(Licensor, rows[0]) if rows else None

    def list_licensors(self) -> list[Licensor]:
        return [from_row(Licensor, r) for r in self._read(select(licensors).order_by(licensors.c.id))]

    # -- offers ----------------------------------------------------------------------------------

    def upsert_offers(self, items: Sequence[Offer]) -> tuple[list[Offer], dict[str, int]]:
        """Insert offers, or update the stored offer with the same licensor and ``external_ref``.

        All in one transaction: on any error nothing is written. An offer without ``external_ref`` is
        always new. ``created_at`` of an updated offer is kept.

        Returns:
            The stored offers (with ids) in input order, and counts ``new``, ``updated``, ``unchanged``.
        """
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        out: list[Offer] = []
        with self._write() as conn:
            refs = {(o.licensor_id, o.external_ref) for o in items if o.external_ref}
            stored: dict[tuple[int, str], Mapping[Any, Any]] = {}
            for licensor_id in {lid for lid, _ in refs}:
                query = select(offers).where(offers.c.licensor_id == licensor_id, offers.c.external_ref != "")
                for row in conn.execute(query).mappings():
                    stored[(row["licensor_id"], row["external_ref"])] = row
            for offer in items:
                old = stored.get((offer.licensor_id, offer.external_ref)) if offer.external_ref else None
                if old is None:
                    new_id = self._insert(conn, offers, to_row(offer))
                    saved = dataclasses.replace(offer, id=new_id)
                    counts["new"] += 1
                    if offer.external_ref:
                        stored[(offer.licensor_id, offer.external_ref)] = {**to_row(saved), "id": new_id}
                else:
                    saved = dataclasses.replace(offer, id=old["id"], created_at=old["created_at"])
                    before = from_row(Offer, old)
                    if dataclasses.replace(before, updated_at=saved.updated_at) == saved:
                        counts["unchanged"] += 1
                        saved = before
                    else:
                        conn.execute(update(offers).where(offers.c.id == old["id"]).values(**to_row(saved)))
                        counts["updated"] += 1
                out.append(saved)
        return out, counts

    def add_offer(self, offer: Offer) -> Offer:
        return self.upsert_offers([offer])[0][0]

    def update_offer(self, offer: Offer) -> Offer:
        """Write every field of a stored offer."""
        with self._write() as conn:
            result = conn.execute(update(offers).where(offers.c.id == offer.id).values(**to_row(offer)))
            if result.rowcount == 0:
                raise NotFoundError(f"オファーがありません / no offer with id {offer.id}")
        return offer

    def get_offer(self, offer_id: int) -> Offer:
        rows = self._read(select(offers).where(offers.c.id == offer_id))
        if not rows:
            raise NotFoundError(f"オファーがありません / no offer with id {offer_id}")
        return from_row(Offer, rows[0])

    def list_offers(
        self, *, licensor_id: int | None = None, programme_id: int | None = None, status: str = ""
    ) -> list[Offer]:
        query = select(offers)
        if licensor_id is not None:
            query = query.where(offers.c.licensor_id == licensor_id)
        if programme_id is not None:
            query = query.where(offers.c.programme_id == programme_id)
        if status:
            query = query.where(offers.c.status == status)
        return [from_row(Offer, r) for r in self._read(query.order_by(offers.c.id))]

    def count_offers(self) -> int:
        return int(self._scalar(select(func.count()).select_from(offers), "counting offers"))

    # -- companies -------------------------------------------------------------------------------

    @staticmethod
    def _write_names(conn: Connection, company: Company) -> None:
        conn.execute(company_names.delete().where(company_names.c.company_id == company.id))
        rows = [{"name_key": key, "company_id": company.id} for key in company.name_keys()]
        if rows:
            conn.execute(insert(company_names), rows)

    def add_company(self, company: Company) -> Company:
        """Store a new company with its name keys."""
        if not normalise_name(company.name):
            raise ValidationError("company name: 値が必要です / a name is required")
        with self._write() as conn:
            new_id = self._insert(conn, companies, company_row(company))
            saved = dataclasses.replace(company, id=new_id)
            self._write_names(conn, saved)
        return saved

    def save_companies(self, items: Sequence[Company]) -> list[Company]:
        """Insert (``id == 0``) or update (``id > 0``) several companies in one transaction.

        Raises:
            NotFoundError: an id to update does not exist (nothing is written).
        """
        out: list[Company] = []
        with self._write() as conn:
            for company in items:
                if company.id:
                    result = conn.execute(
                        update(companies).where(companies.c.id == company.id).values(**company_row(company))
                    )
                    if result.rowcount == 0:
                        raise NotFoundError(f"企業がありません / no company with id {company.id}")
                    saved = company
                else:
                    new_id = self._insert(conn, companies, company_row(company))
                    saved = dataclasses.replace(company, id=new_id)
                self._write_names(conn, saved)
                out.append(saved)
        return out

    def update_company(self, company: Company) -> Company:
        """Write every field of a stored company (and refresh its name keys)."""
        with self._write() as conn:
            result = conn.execute(
                update(companies).where(companies.c.id == company.id).values(**company_row(company))
            )
            if result.rowcount == 0:
                raise NotFoundError(f"企業がありません / no company with id {company.id}")
            self._write_names(conn, company)
        return company

    def get_company(self, company_id: int) -> Company:
        rows = self._read(select(companies).where(companies.c.id == company_id))
        if not rows:
            raise NotFoundError(f"企業がありません / no company with id {company_id}")
        return company_from_row(rows[0])

    def get_companies(self, ids: Sequence[int]) -> list[Company]:
        """Companies for ``ids`` in the same order; unknown ids are left out."""
        if not ids:
            return []
        rows = self._read(select(companies).where(companies.c.id.in_(list(set(ids)))))
        by_id = {r["id"]: company_from_row(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def find_companies(self, name: str) -> list[Company]:
        """Companies whose name, alias or applicant name has the same `normalise_name` as ``name``."""
        ids = select(company_names.c.company_id).where(company_names.c.name_key == normalise_name(name))
        rows = self._read(select(companies).where(companies.c.id.in_(ids)).order_by(companies.c.id))
        return [company_from_row(r) for r in rows]

    def company_name_keys(self) -> dict[str, list[int]]:
        """Every normalised name → company ids (for near-match suggestions)."""
        out: dict[str, list[int]] = {}
        for r in self._read(select(company_names).order_by(company_names.c.company_id)):
            out.setdefault(r["name_key"], []).append(r["company_id"])
        return out

    def list_companies(
        self, *, status: str = "", origin: str = "", programme_id: int | None = None
    ) -> list[Company]:
        query = select(companies)
        if status:
            query = query.where(companies.c.status == status)
        if origin:
            query = query.where(companies.c.origin == origin)
        if programme_id is not None:
            member_ids = select(programme_members.c.ref).where(
                programme_members.c.programme_id == programme_id, programme_members.c.kind == "company"
            )
            ids = [int(r["ref"]) for r in self._read(member_ids) if str(r["ref"]).isdigit()]
            query = query.where(companies.c.id.in_(ids))
        return [company_from_row(r) for r in self._read(query.order_by(companies.c.id))]

    def count_companies(self, origin: str = "") -> int:
        query = select(func.count()).select_from(companies)
        if origin:
            query = query.where(companies.c.origin == origin)
        return int(self._scalar(query, "counting companies"))

    # -- needs -----------------------------------------------------------------------------------

    def add_need(self, need: Need) -> Need:
        with self._write() as conn:
            new_id = self._insert(conn, needs, to_row(need))
        return dataclasses.replace(need, id=new_id)

    def update_need(self, need: Need) -> Need:
        with self._write() as conn:
            result = conn.execute(update(needs).where(needs.c.id == need.id).values(**to_row(need)))
            if result.rowcount == 0:
                raise NotFoundError(f"ニーズがありません / no need with id {need.id}")
        return need

    def get_need(self, need_id: int) -> Need:
        rows = self._read(select(needs).where(needs.c.id == need_id))
        if not rows:
            raise NotFoundError(f"ニーズがありません / no need with id {need_id}")
        return from_row(Need, rows[0])

    def list_needs(self, *, company_id: int | None = None, status: str = "") -> list[Need]:
        query = select(needs)
        if company_id is not None:
            query = query.where(needs.c.company_id == company_id)
        if status:
            query = query.where(needs.c.status == status)
        return [from_row(Need, r) for r in self._read(query.order_by(needs.c.id))]

    # -- report consents -------------------------------------------------------------------------

    def grant_consent(self, consent: ReportConsent) -> ReportConsent:
        """Record consent (idempotent: an active consent for the same institution is returned)."""
        key = consent.institution_key
        if not key:
            raise ValidationError("institution: 金融機関名が必要です / an institution name is required")
        with self._write() as conn:
            row = (
                conn.execute(
                    select(report_consents).where(
                        report_consents.c.company_id == consent.company_id,
                        report_consents.c.institution_key == key,
                        report_consents.c.revoked_at == "",
                    )
                )
                .mappings()
                .first()
            )
            if row is not None:
                return from_row(ReportConsent, row)
            values = to_row(consent, skip=())
            values["institution_key"] = key
            conn.execute(insert(report_consents).values(**values))
        return consent

    def revoke_consent(self, company_id: int, institution: str, at: str) -> int:
        """Mark active consents of ``company_id`` for ``institution`` as revoked; returns how many."""
        with self._write() as conn:
            result = conn.execute(
                update(report_consents)
                .where(
                    report_consents.c.company_id == company_id,
                    report_consents.c.institution_key == normalise_name(institution),
                    report_consents.c.revoked_at == "",
                )
                .values(revoked_at=at)
            )
        return int(result.rowcount)

    def consents(self, *, company_id: int | None = None, institution: str = "") -> list[ReportConsent]:
        """Consent records (active and revoked), oldest first."""
        query = select(report_consents)
        if company_id is not None:
            query = query.where(report_consents.c.company_id == company_id)
        if institution:
            query = query.where(report_consents.c.institution_key == normalise_name(institution))
        return [from_row(ReportConsent, r) for r in self._read(query.order_by(report_consents.c.id))]

    # -- deals -----------------------------------------------------------------------------------

    def add_deal(self, deal: Deal, event: DealEvent, match_detail: Mapping[str, Any] | None = None) -> Deal:
        """Store a new deal and its ``created`` event in one transaction."""
        with self._write() as conn:
            row = to_row(deal, skip=("id",))
            row["match_detail"] = json.dumps(match_detail or {}, ensure_ascii=False, default=str)
            new_id = self._insert(conn, deals, row)
            conn.execute(insert(deal_events).values(**to_row(dataclasses.replace(event, deal_id=new_id))))
        return dataclasses.replace(deal, id=new_id)

    def update_deal(self, deal: Deal, event: DealEvent, *, expected_stage: str) -> Deal:
        """Write a deal and one event atomically, only if the stored stage is still ``expected_stage``.

        Raises:
            ConcurrentChangeError: someone changed the stage since it was read.
        """
        with self._write() as conn:
            values = to_row(deal, skip=("id", "created_at", "created_by"))
            result = conn.execute(
                update(deals).where(deals.c.id == deal.id, deals.c.stage == expected_stage).values(**values)
            )
            if result.rowcount == 0:
                raise ConcurrentChangeError(
                    f"案件 {deal.id} は他の操作で更新されました。再読み込みしてください / "
                    f"deal {deal.id} was changed meanwhile; reload and retry"
                )
            conn.execute(insert(deal_events).values(**to_row(event)))
        return deal

    def get_deal(self, deal_id: int) -> Deal:
        rows = self._read(select(deals).where(deals.c.id == deal_id))
        if not rows:
            raise NotFoundError(f"案件がありません / no deal with id {deal_id}")
        return deal_from_row(rows[0])

    def match_detail(self, deal_id: int) -> dict[str, Any]:
        """The match explanation stored when the deal was created (``{}`` when none)."""
        rows = self._read(select(deals.c.match_detail).where(deals.c.id == deal_id))
        if not rows:
            raise NotFoundError(f"案件がありません / no deal with id {deal_id}")
        value = json.loads(rows[0]["match_detail"] or "{}")
        return value if isinstance(value, dict) else {}

    def list_deals(
        self,
        *,
        programme_ids: Sequence[int] | None = None,
        offer_id: int | None = None,
        company_id: int | None = None,
        stages: Sequence[str] = (),
        due_on_or_before: str = "",
    ) -> list[Deal]:
        """Deals passing every given filter, by id."""
        query = select(deals)
        if programme_ids is not None:
            query = query.where(deals.c.programme_id.in_(list(programme_ids)))
        if offer_id is not None:
            query = query.where(deals.c.offer_id == offer_id)
        if company_id is not None:
            query = query.where(deals.c.company_id == company_id)
        if stages:
            query = query.where(deals.c.stage.in_(list(stages)))
        if due_on_or_before:
            query = query.where(deals.c.next_action_date != "", deals.c.next_action_date <= due_on_or_before)
        return [deal_from_row(r) for r in self._read(query.order_by(deals.c.id))]

    def events(self, deal_id: int | None = None, *, kinds: Sequence[str] = ()) -> list[DealEvent]:
        """Events of one deal (or of all deals), in the order they happened."""
        query = select(deal_events)
        if deal_id is not None:
            query = query.where(deal_events.c.deal_id == deal_id)
        if kinds:
            query = query.where(deal_events.c.kind.in_(list(kinds)))
        return [from_row(DealEvent, r) for r in self._read(query.order_by(deal_events.c.id))]

    # -- lifecycle -------------------------------------------------------------------------------
