"""Contract tests of `SqlRegistryStore`, run unchanged on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    Visibility,
)
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.storage.registry import ConcurrentChangeError, SqlRegistryStore

T0 = "2025-01-10T09:00:00+00:00"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlRegistryStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reg.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    store = SqlRegistryStore(url)
    try:
        yield store
    finally:
        store.close()


def _offer(licensor_id: int, ref: str, **kw: object) -> Offer:
    values: dict[str, object] = {
        "id": 0,
        "licensor_id": licensor_id,
        "title": "Controlled patterning and growth of single wall and multi-wall carbon nanotubes",
        "summary": "Method and system for producing a selected pattern of nanotubes.",
        "patent_numbers": ("6858197",),
        "ipc_codes": ("C01B32/00",),
        "ipc_source": "inferred",
        "uses": ("センサ", "electronics"),
        "external_ref": ref,
        "source": "nasa_t2_csv",
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(kw)
    return Offer(**values)  # type: ignore[arg-type]


def test_programmes_and_members(registry: SqlRegistryStore) -> None:
    p = registry.add_programme(
        Programme(0, "kawasaki", "川崎モデル（テスト）", organiser="川崎市", created_at=T0)
    )
    assert p.id > 0 and registry.get_programme(p.id) == p
    with pytest.raises(ValidationError, match="使用済み"):
        registry.add_programme(Programme(0, "kawasaki", "dup"))
    registry.add_member(ProgrammeMember(p.id, "coordinator", "sato", added_at=T0))
    registry.add_member(ProgrammeMember(p.id, "coordinator", "sato", added_at=T0))  # idempotent
    registry.add_member(ProgrammeMember(p.id, "company", "3", added_at=T0))
    assert [m.ref for m in registry.members(p.id)] == ["3", "sato"]
    assert [m.programme_id for m in registry.memberships("coordinator", "sato")] == [p.id]
    with pytest.raises(NotFoundError):
        registry.get_programme(999)


def test_licensor_is_found_by_normalised_name(registry: SqlRegistryStore) -> None:
    lic = registry.add_licensor(Licensor(0, "NASA Ames Research Center", kind="public_lab", created_at=T0))
    again = registry.add_licensor(Licensor(0, "ＮＡＳＡ　Ａｍｅｓ Research Center"))
    assert again == lic
    assert registry.find_licensor("nasa ames research center") == lic
    assert registry.find_licensor("JAXA") is None


def test_offer_upsert_by_licensor_reference_round_trips_every_field(registry: SqlRegistryStore) -> None:
    lic = registry.add_licensor(Licensor(0, "NASA Kennedy Space Center"))
    stored, counts = registry.upsert_offers(
        [_offer(lic.id, "KSC-12236-2-PCT"), _offer(lic.id, "ARC-14613-1")]
    )
    assert counts == {"new": 2, "updated": 0, "unchanged": 0}
    first = registry.get_offer(stored[0].id)
    assert first == stored[0]
    assert first.uses == ("センサ", "electronics") and first.fields_inferred
    # Same references again: unchanged; a changed title: updated, created_at kept.
    _, counts = registry.upsert_offers([_offer(lic.id, "KSC-12236-2-PCT", updated_at="2025-02-01")])
    assert counts == {"new": 0, "updated": 0, "unchanged": 1}
    again, counts = registry.upsert_offers(
        [_offer(lic.id, "ARC-14613-1", title="New title", created_at="2030-01-01", updated_at="2025-02-01")]
    )
    assert counts == {"new": 0, "updated": 1, "unchanged": 0}
    assert again[0].id == stored[1].id and registry.get_offer(stored[1].id).created_at == T0
    assert registry.count_offers() == 2
    closed = registry.update_offer(dataclasses.replace(first, status="closed"))
    assert [o.id for o in registry.list_offers(status="open")] == [stored[1].id]
    assert registry.get_offer(closed.id).status == "closed"


def test_companies_aliases_and_lookup(registry: SqlRegistryStore) -> None:
    company = registry.add_company(
        Company(
            0,
            "株式会社テスト精工",
            aliases=("テスト精工",),
            applicant_names=("ＴＥＳＴ　ＳＥＩＫＯ",),
            capabilities="精密切削",
            employees=45,
            visibility=Visibility("public", frozenset({"capabilities"})),
            created_at=T0,
        )
    )
    assert registry.get_company(company.id) == company
    assert registry.find_companies("テスト 精工") == [company]
    assert registry.find_companies("test seiko") == [company]
    renamed = registry.update_company(dataclasses.replace(company, aliases=("旧テスト",)))
    assert registry.find_companies("テスト精工") == []
    assert registry.find_companies("旧テスト") == [renamed]
    assert "旧テスト" in registry.company_name_keys()
    with pytest.raises(ValidationError):
        registry.add_company(Company(0, "  "))
    more = registry.save_companies(
        [
            Company(0, "A社", origin="derived_from_patents"),
            Company(0, "B社"),
            dataclasses.replace(renamed, note="x"),
        ]
    )
    assert registry.get_company(renamed.id).note == "x"
    assert registry.count_companies(origin="derived_from_patents") == 1
    assert [c.name for c in registry.get_companies([more[1].id, company.id, 999])] == [
        "B社",
        "株式会社テスト精工",
    ]


def test_needs_and_consents(registry: SqlRegistryStore) -> None:
    company = registry.add_company(Company(0, "需要工業"))
    need = registry.add_need(
        Need(0, company.id, "軽量化素材", problem="重い", exclusivity="exclusive", created_at=T0)
    )
    assert registry.list_needs(company_id=company.id) == [need]
    registry.update_need(dataclasses.replace(need, status="closed"))
    assert registry.list_needs(company_id=company.id, status="open") == []
    consent = ReportConsent(company.id, "横浜信用金庫", granted_at=T0, granted_by="sato")
    registry.grant_consent(consent)
    registry.grant_consent(consent)  # idempotent while active
    assert len(registry.consents(company_id=company.id)) == 1
    assert registry.revoke_consent(company.id, "横浜 信用金庫", "2025-02-01") == 1
    history = registry.consents(institution="横浜信用金庫")
    assert len(history) == 1 and not history[0].active and history[0].revoked_at == "2025-02-01"


def test_deal_stage_writes_are_atomic_and_conditional(registry: SqlRegistryStore) -> None:
    p = registry.add_programme(Programme(0, "p", "P"))
    deal = registry.add_deal(
        Deal(0, p.id, offer_id=1, company_id=2, score=0.5, created_by="sato", created_at=T0, updated_at=T0),
        DealEvent(0, 0, T0, "sato", "created", to_stage="proposed"),
        match_detail={"score": 0.5, "components": {"capability_fit": 0.4}},
    )
    assert registry.get_deal(deal.id) == deal
    assert registry.match_detail(deal.id)["components"] == {"capability_fit": 0.4}
    moved = dataclasses.replace(deal, stage="meeting", next_action_date="2025-02-01", updated_at="2025-01-11")
    registry.update_deal(
        moved,
        DealEvent(0, deal.id, "2025-01-11", "sato", "stage", "proposed", "meeting"),
        expected_stage="proposed",
    )
    with pytest.raises(ConcurrentChangeError):
        registry.update_deal(
            dataclasses.replace(moved, stage="nda"),
            DealEvent(0, deal.id, "2025-01-12", "kato", "stage", "proposed", "nda"),
            expected_stage="proposed",
        )
    assert registry.get_deal(deal.id).stage == "meeting"
    assert [e.kind for e in registry.events(deal.id)] == ["created", "stage"]
    assert registry.list_deals(due_on_or_before="2025-02-01") == [registry.get_deal(deal.id)]
    assert registry.list_deals(due_on_or_before="2025-01-31") == []
    assert registry.list_deals(programme_ids=[p.id], stages=["meeting"])[0].id == deal.id
    assert registry.list_deals(programme_ids=[]) == []


def test_ids_beyond_64_bits_are_refused_or_not_found(registry: SqlRegistryStore) -> None:
    """An id from a URL or a form that no column can hold is the caller's mistake, never a crash."""
    huge = 2**70
    for read in (registry.get_company, registry.get_deal, registry.get_need):
        with pytest.raises((ValidationError, NotFoundError)):
            read(huge)
    offer = _offer(huge, "huge-licensor")  # a licensor id no column can hold
    with pytest.raises(ValidationError, match="out of range"):
        registry.add_offer(offer)
    assert registry.count_offers() == 0  # nothing half-written
