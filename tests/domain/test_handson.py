"""Rules of hands-on support cases: every status transition, codes, follow-up states, status history."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tsunagu.domain.handson import (
    ALLOWED_TRANSITIONS,
    Case,
    CaseEvent,
    CaseStatus,
    CloseReason,
    FollowUp,
    FollowUpState,
    IssueCategory,
    Proposal,
    ProposalType,
    ReferralTarget,
    check_transition,
    label,
    parse_code,
    status_as_of,
)
from tsunagu.errors import ValidationError

S = CaseStatus
EVERY_PAIR = [(a, b) for a in CaseStatus for b in CaseStatus]
ALLOWED = {
    (S.OPEN, S.IN_PROGRESS),
    (S.OPEN, S.CLOSED),
    (S.IN_PROGRESS, S.SOLVED),
    (S.IN_PROGRESS, S.CLOSED),
    (S.SOLVED, S.IN_PROGRESS),
    (S.CLOSED, S.IN_PROGRESS),
}


def test_transition_table_is_the_documented_one() -> None:
    table = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert table == ALLOWED


@pytest.mark.parametrize(("current", "target"), EVERY_PAIR)
def test_every_transition(current: CaseStatus, target: CaseStatus) -> None:
    kwargs = {"reason": CloseReason.NO_RESPONSE, "note": "3か月連絡なし"}
    if (current, target) in ALLOWED:
        check_transition(current, target, **kwargs)  # type: ignore[arg-type]
    else:
        with pytest.raises(ValidationError, match="cannot move a case"):
            check_transition(current, target, **kwargs)  # type: ignore[arg-type]


def test_open_to_solved_says_start_first() -> None:
    with pytest.raises(ValidationError, match="in_progress"):
        check_transition(S.OPEN, S.SOLVED)


@pytest.mark.parametrize("current", [S.OPEN, S.IN_PROGRESS])
def test_close_needs_a_reason(current: CaseStatus) -> None:
    with pytest.raises(ValidationError, match="reason code"):
        check_transition(current, S.CLOSED)
    with pytest.raises(ValidationError, match="needs a note"):
        check_transition(current, S.CLOSED, reason=CloseReason.OTHER)
    check_transition(current, S.CLOSED, reason=CloseReason.OTHER, note="事業撤退のため")
    check_transition(current, S.CLOSED, reason=CloseReason.COMPANY_DECLINED)


@pytest.mark.parametrize("current", [S.SOLVED, S.CLOSED])
def test_reopen_needs_a_note(current: CaseStatus) -> None:
    with pytest.raises(ValidationError, match="reopening"):
        check_transition(current, S.IN_PROGRESS)
    check_transition(current, S.IN_PROGRESS, note="海外展開の相談が再燃")


def test_parse_code_accepts_codes_and_japanese_labels() -> None:
    assert parse_code(IssueCategory, "market", "category") is IssueCategory.MARKET
    assert parse_code(IssueCategory, "市場", "category") is IssueCategory.MARKET
    assert parse_code(IssueCategory, " Human-Resources ", "category") is IssueCategory.HUMAN_RESOURCES
    assert parse_code(ReferralTarget, "よろず支援拠点", "to") is ReferralTarget.YOROZU
    with pytest.raises(ValidationError, match="事業全体"):
        parse_code(IssueCategory, "marketing", "category")


def test_taxonomy_has_the_nine_action_guide_categories() -> None:
    assert [label(c.value) for c in IssueCategory] == [
        "事業全体",
        "市場",
        "顧客",
        "競合",
        "パートナー",
        "事業継続",
        "事業化",
        "人的資源",
        "内部体制",
    ]
    assert label("open_close") == "オープン・クローズ戦略"
    assert label("unknown_code") == "unknown_code"


def test_follow_up_states() -> None:
    f = FollowUp(1, 1, "評価書の進捗確認", due_on=date(2024, 5, 31), created_on=date(2024, 5, 1))
    assert f.state(date(2024, 5, 31)) is FollowUpState.PENDING
    assert f.state(date(2024, 6, 1)) is FollowUpState.OVERDUE
    done = FollowUp(
        1, 1, "x", due_on=date(2024, 5, 31), created_on=date(2024, 5, 1), done_on=date(2024, 6, 3)
    )
    assert done.state(date(2024, 6, 2)) is FollowUpState.OVERDUE
    assert done.state(date(2024, 6, 3)) is FollowUpState.DONE


def test_case_needs_a_company_and_proposal_rights_are_checked() -> None:
    with pytest.raises(ValidationError):
        Case(None, "  ", date(2024, 1, 1))
    Proposal(
        None, 1, ProposalType.IP_MIX, "意匠と商標を併用", date(2024, 1, 1), rights=("design", "trademark")
    )
    with pytest.raises(ValidationError, match="unknown right types"):
        Proposal(None, 1, ProposalType.IP_MIX, "x", date(2024, 1, 1), rights=("copyright",))


def test_status_as_of_replays_status_events() -> None:
    case = Case(1, "テスト樹脂工業（テストデータ）", date(2024, 1, 10), status=S.SOLVED)
    events = [
        CaseEvent(1, 1, datetime(2024, 1, 10, 9), "created"),
        CaseEvent(2, 1, datetime(2024, 2, 1, 9), "status", detail={"from": "open", "to": "in_progress"}),
        CaseEvent(3, 1, datetime(2024, 4, 15, 9), "status", detail={"from": "in_progress", "to": "solved"}),
    ]
    assert status_as_of(case, events, date(2024, 1, 9)) is None
    assert status_as_of(case, events, date(2024, 1, 31)) is S.OPEN
    assert status_as_of(case, events, date(2024, 2, 1)) is S.IN_PROGRESS
    assert status_as_of(case, events, date(2024, 4, 15)) is S.SOLVED
