"""Contract tests of `SqlCaseStore`, run unchanged on SQLite and on a real PostgreSQL server.

The cases are test data written here (fictional companies labelled テストデータ).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tsunagu.domain.handson import (
    BusinessScope,
    Case,
    CaseEvent,
    CaseStatus,
    CloseReason,
    FollowUp,
    IssueCategory,
    IssueTag,
    Proposal,
    ProposalResponse,
    ProposalType,
    Referral,
    ReferralOutcome,
    ReferralTarget,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    Visit,
    VisitKind,
)
from tsunagu.errors import NotFoundError
from tsunagu.storage.handson import CaseChangedError, SqlCaseStore

JST = timezone(timedelta(hours=9))
T0 = datetime(2024, 4, 10, 10, 30, tzinfo=JST)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlCaseStore]:
    url = (
        f"sqlite:///{tmp_path / 'cases.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    s = SqlCaseStore(url)
    try:
        yield s
    finally:
        s.close()


def _event(kind: str, **detail: object) -> CaseEvent:
    return CaseEvent(None, 0, T0, kind, "専門官A", detail)


def _case(
    store: SqlCaseStore, name: str = "テスト精密樹脂株式会社（テストデータ）", region: str = "石川県"
) -> Case:
    case = Case(
        None,
        name,
        date(2024, 4, 10),
        company_id=7,
        region=region,
        title="自動車部品以外への拡販",
        specialist="専門官A",
    )
    return store.add_case(case, _event("created"))


def test_case_round_trip_and_listing(store: SqlCaseStore) -> None:
    a = _case(store)
    b = _case(store, "テスト金型工業（テストデータ）", "福井県")
    assert a.id is not None and b.id is not None and a.id != b.id
    assert store.get_case(a.id) == a
    assert [c.id for c in store.list_cases(regions=["石川県"])] == [a.id]
    assert [c.id for c in store.list_cases(statuses=[CaseStatus.OPEN])] == [a.id, b.id]
    assert [c.id for c in store.list_cases(company_id=7)] == [a.id, b.id]
    assert [c.id for c in store.list_cases(company_name=b.company_name)] == [b.id]
    with pytest.raises(NotFoundError):
        store.get_case(9999)


def test_every_entry_type_round_trips(store: SqlCaseStore) -> None:
    case = _case(store)
    cid = case.id
    assert cid is not None
    visit = store.add_entry(
        Visit(
            None,
            cid,
            date(2024, 4, 10),
            "社長と面談。自動車部品以外にも販路を広げたい。",
            ("社長", "工場長"),
            VisitKind.ONSITE,
            "専門官A",
        ),
        _event("visit"),
    )
    tag = store.add_entry(
        IssueTag(None, cid, IssueCategory.MARKET, BusinessScope.NEW, date(2024, 4, 10), "拡販"), _event("tag")
    )
    prop = store.add_entry(
        Proposal(
            None,
            cid,
            ProposalType.IP_MIX,
            "意匠と商標を組み合わせる",
            date(2024, 4, 20),
            ("design", "trademark"),
        ),
        _event("proposal"),
    )
    ref = store.add_entry(
        Referral(
            None,
            cid,
            ReferralTarget.INPIT_EXPERT,
            date(2024, 5, 1),
            "INPIT 石川県知財総合支援窓口",
            "評価書作成",
        ),
        _event("referral"),
    )
    fu = store.add_entry(
        FollowUp(None, cid, "評価書の進捗確認", date(2024, 6, 30), date(2024, 5, 1)), _event("fu")
    )
    sug = store.add_entry(
        Suggestion(
            None,
            cid,
            SuggestionKind.ISSUE_TAG,
            "market",
            T0,
            "「販路」とあるため",
            ("visit:1",),
            BusinessScope.NEW,
        ),
        _event("suggested"),
    )
    file = store.load(cid)
    assert file.case == case
    assert file.visits == (visit,)
    assert file.tags == (tag,)
    assert file.proposals == (prop,)
    assert file.referrals == (ref,)
    assert file.follow_ups == (fu,)
    assert file.suggestions == (sug,)
    assert [e.kind for e in file.events] == [
        "created",
        "visit",
        "tag",
        "proposal",
        "referral",
        "fu",
        "suggested",
    ]
    assert file.events[0].at == T0 and file.events[0].actor == "専門官A"

    # updates keep the record's identity and log an event
    store.update_entry(
        dataclasses.replace(prop, response=ProposalResponse.ADOPTED, responded_on=date(2024, 5, 2)),
        _event("proposal_response"),
    )
    store.update_entry(
        dataclasses.replace(
            ref, outcome=ReferralOutcome.HELPFUL, outcome_on=date(2024, 6, 1), outcome_note="評価書が完成"
        ),
        _event("referral_outcome"),
    )
    store.update_entry(
        dataclasses.replace(sug, status=SuggestionStatus.ACCEPTED, decided_at=T0, decided_by="専門官A"),
        _event("suggestion_accepted"),
    )
    again = store.load(cid)
    assert again.proposals[0].response is ProposalResponse.ADOPTED
    assert again.referrals[0].outcome_note == "評価書が完成"
    assert again.suggestions[0].status is SuggestionStatus.ACCEPTED
    assert store.get_entry(Referral, ref.id or 0, cid).outcome is ReferralOutcome.HELPFUL
    with pytest.raises(NotFoundError):
        store.get_entry(Referral, ref.id or 0, cid + 1)
    with pytest.raises(NotFoundError):
        store.add_entry(dataclasses.replace(visit, id=None, case_id=cid + 100), _event("visit"))


def test_status_update_is_conditional(store: SqlCaseStore) -> None:
    case = _case(store)
    started = dataclasses.replace(case, status=CaseStatus.IN_PROGRESS)
    store.update_case(started, _event("status", to="in_progress"), expected_status=CaseStatus.OPEN)
    closed = dataclasses.replace(
        case, status=CaseStatus.CLOSED, finished_on=date(2024, 5, 1), close_reason=CloseReason.NO_RESPONSE
    )
    with pytest.raises(CaseChangedError):
        store.update_case(closed, _event("status", to="closed"), expected_status=CaseStatus.OPEN)
    assert store.get_case(case.id or 0).status is CaseStatus.IN_PROGRESS
    store.update_case(closed, _event("status", to="closed"), expected_status=CaseStatus.IN_PROGRESS)
    got = store.get_case(case.id or 0)
    assert got.close_reason is CloseReason.NO_RESPONSE and got.finished_on == date(2024, 5, 1)
    assert [e.kind for e in store.load(case.id or 0).events] == ["created", "status", "status"]


def test_open_follow_ups_and_bulk_load(store: SqlCaseStore) -> None:
    a, b = _case(store), _case(store, "テスト電子（テストデータ）", "富山県")
    for case, due in ((a, date(2024, 5, 1)), (b, date(2024, 7, 1)), (a, date(2024, 9, 1))):
        store.add_entry(FollowUp(None, case.id or 0, "確認", due, date(2024, 4, 1)), _event("fu"))
    done = store.entries(FollowUp, [a.id or 0])[0]
    store.update_entry(dataclasses.replace(done, done_on=date(2024, 5, 1)), _event("fu_done"))
    assert [f.due_on for f in store.open_follow_ups()] == [date(2024, 7, 1), date(2024, 9, 1)]
    assert [f.due_on for f in store.open_follow_ups(due_by=date(2024, 7, 1))] == [date(2024, 7, 1)]
    files = store.load_many(store.list_cases())
    assert [len(f.follow_ups) for f in files] == [2, 1]
