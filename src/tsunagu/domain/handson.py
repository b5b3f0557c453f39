"""ハンズオン支援 — hands-on support cases: vocabulary, records and the status rules.

A case follows one company from the first visit of an industrial-property specialist (産業財産権専門官)
to the solution of its management issue. It holds visits with their dialogue notes, issues tagged
with the JPO action-guide taxonomy, proposed IP solutions, referrals to experts with their outcome,
follow-ups with due dates, suggestions tsunagu made (to accept or reject), and an event log.

Every code here is a stable English identifier used by the CLI, the API and storage; the Japanese
label is what users see. Status rules (`check_transition`)::

    open ──▶ in_progress ──▶ solved
      │           │
      └───────────┴──────▶ closed (with a reason code)
    solved / closed ──▶ in_progress (reopen, with a note)

Nothing is ever deleted: a case ends as ``solved`` or ``closed`` and can be reopened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from tsunagu.errors import ValidationError

__all__ = [
    "ACTION_LABELS",
    "ALLOWED_TRANSITIONS",
    "CLOSE_REASON_LABELS",
    "ISSUE_CATEGORY_LABELS",
    "PROPOSAL_RESPONSE_LABELS",
    "PROPOSAL_TYPE_LABELS",
    "REFERRAL_OUTCOME_LABELS",
    "REFERRAL_TARGET_LABELS",
    "RIGHT_TYPE_LABELS",
    "SCOPE_LABELS",
    "STATUS_LABELS",
    "VISIT_KIND_LABELS",
    "BusinessScope",
    "Case",
    "CaseEvent",
    "CaseFile",
    "CaseStatus",
    "CloseReason",
    "FollowUp",
    "FollowUpState",
    "IssueCategory",
    "IssueTag",
    "Proposal",
    "ProposalResponse",
    "ProposalType",
    "Referral",
    "ReferralOutcome",
    "ReferralTarget",
    "Suggestion",
    "SuggestionKind",
    "SuggestionStatus",
    "TsunaguAction",
    "Visit",
    "VisitKind",
    "check_transition",
    "label",
    "parse_code",
    "status_as_of",
]

_E = TypeVar("_E", bound=StrEnum)


class CaseStatus(StrEnum):
    """Where a case stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    SOLVED = "solved"
    CLOSED = "closed"


STATUS_LABELS: dict[str, str] = {
    CaseStatus.OPEN: "受付",
    CaseStatus.IN_PROGRESS: "対応中",
    CaseStatus.SOLVED: "解決",
    CaseStatus.CLOSED: "終了",
}

ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.SOLVED, CaseStatus.CLOSED}),
    CaseStatus.SOLVED: frozenset({CaseStatus.IN_PROGRESS}),
    CaseStatus.CLOSED: frozenset({CaseStatus.IN_PROGRESS}),
}


class CloseReason(StrEnum):
    """Why a case was closed without being solved."""

    COMPANY_DECLINED = "company_declined"
    NO_RESPONSE = "no_response"
    OUT_OF_SCOPE = "out_of_scope"
    HANDED_OVER = "handed_over"
    DUPLICATE = "duplicate"
    OTHER = "other"


CLOSE_REASON_LABELS: dict[str, str] = {
    CloseReason.COMPANY_DECLINED: "企業が支援を辞退",
    CloseReason.NO_RESPONSE: "連絡が途絶",
    CloseReason.OUT_OF_SCOPE: "支援対象外",
    CloseReason.HANDED_OVER: "他の支援機関へ引継ぎ",
    CloseReason.DUPLICATE: "重複案件",
    CloseReason.OTHER: "その他",
}


class IssueCategory(StrEnum):
    """Management-issue categories of the JPO action guide for regional IP support."""

    BUSINESS_OVERALL = "business_overall"
    MARKET = "market"
    CUSTOMER = "customer"
    COMPETITOR = "competitor"
    PARTNER = "partner"
    CONTINUITY = "continuity"
    COMMERCIALISATION = "commercialisation"
    HUMAN_RESOURCES = "human_resources"
    INTERNAL = "internal"


ISSUE_CATEGORY_LABELS: dict[str, str] = {
    IssueCategory.BUSINESS_OVERALL: "事業全体",
    IssueCategory.MARKET: "市場",
    IssueCategory.CUSTOMER: "顧客",
    IssueCategory.COMPETITOR: "競合",
    IssueCategory.PARTNER: "パートナー",
    IssueCategory.CONTINUITY: "事業継続",
    IssueCategory.COMMERCIALISATION: "事業化",
    IssueCategory.HUMAN_RESOURCES: "人的資源",
    IssueCategory.INTERNAL: "内部体制",
}


class BusinessScope(StrEnum):
    """Whether an issue concerns the existing business or a new one."""

    EXISTING = "existing"
    NEW = "new"


SCOPE_LABELS: dict[str, str] = {BusinessScope.EXISTING: "既存事業", BusinessScope.NEW: "新規事業"}


class ProposalType(StrEnum):
    """IP-based solutions a specialist proposes."""

    OPEN_CLOSE = "open_close"
    IP_MIX = "ip_mix"
    OVERSEAS = "overseas"
    EVALUATION_REPORT = "evaluation_report"
    MATCHING = "matching"
    TRADE_SECRET = "trade_secret"
    OTHER = "other"


PROPOSAL_TYPE_LABELS: dict[str, str] = {
    ProposalType.OPEN_CLOSE: "オープン・クローズ戦略",
    ProposalType.IP_MIX: "知的財産権ミックス (特許・意匠・商標・ノウハウ)",
    ProposalType.OVERSEAS: "海外出願・海外展開",
    ProposalType.EVALUATION_REPORT: "知財ビジネス評価書",
    ProposalType.MATCHING: "知財ビジネスマッチング (開放特許)",
    ProposalType.TRADE_SECRET: "営業秘密・情報管理",
    ProposalType.OTHER: "その他",
}

RIGHT_TYPE_LABELS: dict[str, str] = {
    "patent": "特許",
    "utility_model": "実用新案",
    "design": "意匠",
    "trademark": "商標",
    "know_how": "ノウハウ",
}


class ProposalResponse(StrEnum):
    """The company's response to a proposal."""

    PROPOSED = "proposed"
    ADOPTED = "adopted"
    DECLINED = "declined"
    IMPLEMENTED = "implemented"


PROPOSAL_RESPONSE_LABELS: dict[str, str] = {
    ProposalResponse.PROPOSED: "提案済み",
    ProposalResponse.ADOPTED: "採用",
    ProposalResponse.DECLINED: "見送り",
    ProposalResponse.IMPLEMENTED: "実施済み",
}


class ReferralTarget(StrEnum):
    """Experts and support bodies a case can be referred to."""

    INPIT_WINDOW = "inpit_window"
    INPIT_EXPERT = "inpit_expert"
    YOROZU = "yorozu"
    PATENT_ATTORNEY = "patent_attorney"
    LAWYER = "lawyer"
    METI_BUREAU = "meti_bureau"
    LOCAL_GOVERNMENT = "local_government"
    FINANCIAL_INSTITUTION = "financial_institution"
    OTHER = "other"


REFERRAL_TARGET_LABELS: dict[str, str] = {
    ReferralTarget.INPIT_WINDOW: "INPIT 知財総合支援窓口",
    ReferralTarget.INPIT_EXPERT: "INPIT 専門家派遣",
    ReferralTarget.YOROZU: "よろず支援拠点",
    ReferralTarget.PATENT_ATTORNEY: "弁理士",
    ReferralTarget.LAWYER: "弁護士",
    ReferralTarget.METI_BUREAU: "経済産業局 知的財産室",
    ReferralTarget.LOCAL_GOVERNMENT: "自治体・公設試験研究機関",
    ReferralTarget.FINANCIAL_INSTITUTION: "金融機関",
    ReferralTarget.OTHER: "その他",
}


class ReferralOutcome(StrEnum):
    """What came of a referral."""

    PENDING = "pending"
    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"
    NOT_USED = "not_used"


REFERRAL_OUTCOME_LABELS: dict[str, str] = {
    ReferralOutcome.PENDING: "結果待ち",
    ReferralOutcome.HELPFUL: "課題解決に寄与",
    ReferralOutcome.NOT_HELPFUL: "寄与せず",
    ReferralOutcome.NOT_USED: "利用されず",
}


class VisitKind(StrEnum):
    """How a dialogue took place."""

    ONSITE = "onsite"
    ONLINE = "online"
    PHONE = "phone"
    OTHER = "other"


VISIT_KIND_LABELS: dict[str, str] = {
    VisitKind.ONSITE: "訪問",
    VisitKind.ONLINE: "オンライン",
    VisitKind.PHONE: "電話",
    VisitKind.OTHER: "その他",
}


class SuggestionKind(StrEnum):
    """What a suggestion proposes: an issue tag or a tsunagu action."""

    ISSUE_TAG = "issue_tag"
    ACTION = "action"


class SuggestionStatus(StrEnum):
    """A suggestion waits for the specialist's decision."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class TsunaguAction(StrEnum):
    """tsunagu capabilities a case can use."""

    DISCOVER = "discover"
    MATCH_OFFERS = "match_offers"
    EVALUATION_REPORT = "evaluation_report"
    CONSORTIUM = "consortium"


ACTION_LABELS: dict[str, str] = {
    TsunaguAction.DISCOVER: "用途探索を実行",
    TsunaguAction.MATCH_OFFERS: "開放特許のマッチング候補を提示",
    TsunaguAction.EVALUATION_REPORT: "知財ビジネス評価書の案を作成",
    TsunaguAction.CONSORTIUM: "コンソーシアムの組成を検討",
}

_ALL_LABELS: tuple[Mapping[str, str], ...] = (
    STATUS_LABELS,
    CLOSE_REASON_LABELS,
    ISSUE_CATEGORY_LABELS,
    SCOPE_LABELS,
    PROPOSAL_TYPE_LABELS,
    PROPOSAL_RESPONSE_LABELS,
    REFERRAL_TARGET_LABELS,
    REFERRAL_OUTCOME_LABELS,
    VISIT_KIND_LABELS,
    ACTION_LABELS,
    RIGHT_TYPE_LABELS,
)


def label(code: str) -> str:
    """The Japanese label of any code of this module (the code itself when unknown)."""
    for table in _ALL_LABELS:
        if code in table:
            return table[code]
    return str(code)


def parse_code(enum: type[_E], value: str, what: str) -> _E:
    """Parse a code given by a user: the English code or its Japanese label.

    Args:
        enum: the code set (for example `IssueCategory`).
        value: ``"market"`` or ``"市場"``; case and surrounding spaces are ignored.
        what: the field name for the error message.

    Raises:
        ValidationError: ``value`` is none of the codes; the message lists them.
    """
    text = value.strip()
    lowered = text.lower().replace("-", "_")
    for member in enum:
        if lowered == member.value or text == label(member.value):
            return member
    choices = ", ".join(f"{m.value} ({label(m.value)})" for m in enum)
    raise ValidationError(f"{what}: 不明なコード / unknown code {value!r}; choose one of: {choices}")


def check_transition(
    current: CaseStatus,
    target: CaseStatus,
    *,
    reason: CloseReason | None = None,
    note: str = "",
) -> None:
    """Refuse a status change the rules do not allow.

    Args:
        current: the case's status now.
        target: the status asked for.
        reason: required when ``target`` is ``closed``.
        note: required when closing with reason ``other`` and when reopening a finished case.

    Raises:
        ValidationError: the transition is not allowed or lacks its reason; the message says what
            the case may do next.
    """
    if target not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(f"{s.value} ({STATUS_LABELS[s]})" for s in ALLOWED_TRANSITIONS[current]))
        hint = ""
        if current is CaseStatus.OPEN and target is CaseStatus.SOLVED:
            hint = " 先に対応中にしてください / start work on it first (in_progress)."
        raise ValidationError(
            f"状態を {STATUS_LABELS[current]} から {STATUS_LABELS[target]} へは変更できません / "
            f"cannot move a case from {current.value} to {target.value}; allowed: {allowed}.{hint}"
        )
    if target is CaseStatus.CLOSED:
        if reason is None:
            raise ValidationError(
                "終了には理由コードが必要です / closing a case needs a reason code: "
                + ", ".join(r.value for r in CloseReason)
            )
        if reason is CloseReason.OTHER and not note.strip():
            raise ValidationError("理由 'other' には説明が必要です / reason 'other' needs a note")
    if current in (CaseStatus.SOLVED, CaseStatus.CLOSED) and not note.strip():
        raise ValidationError("再開には理由の記載が必要です / reopening a case needs a note saying why")


@dataclass(frozen=True)
class Case:
    """The header of one hands-on support case (one company, one line of support).

    Attributes:
        id: store id (``None`` before it is stored).
        company_name: the company as the specialist knows it.
        company_id: the company register id when the company is registered, else ``None``.
        region: prefecture or region used by reports (for example ``"石川県"``).
        title: short description of why support started.
        specialist: the specialist in charge.
        status: current status.
        opened_on: the day the case was opened.
        finished_on: the day it was solved or closed (``None`` while open or in progress).
        close_reason: why it was closed (only when ``status`` is ``closed``).
        close_note: the note given when closing or solving.
    """

    id: int | None
    company_name: str
    opened_on: date
    company_id: int | None = None
    region: str = ""
    title: str = ""
    specialist: str = ""
    status: CaseStatus = CaseStatus.OPEN
    finished_on: date | None = None
    close_reason: CloseReason | None = None
    close_note: str = ""

    def __post_init__(self) -> None:
        if not self.company_name.strip():
            raise ValidationError("company: 企業名が必要です / a company name is required")


@dataclass(frozen=True)
class Visit:
    """One visit or dialogue with its notes."""

    id: int | None
    case_id: int
    visited_on: date
    summary: str
    participants: tuple[str, ...] = ()
    kind: VisitKind = VisitKind.ONSITE
    author: str = ""


@dataclass(frozen=True)
class IssueTag:
    """A management issue found in dialogue, tagged with the action-guide taxonomy.

    ``origin`` is ``"specialist"`` for a tag set by hand, ``"suggestion"`` for an accepted suggestion.
    """

    id: int | None
    case_id: int
    category: IssueCategory
    scope: BusinessScope
    tagged_on: date
    note: str = ""
    origin: str = "specialist"


@dataclass(frozen=True)
class Proposal:
    """An IP-based solution proposed to the company, and its response.

    ``rights`` names the kinds of rights involved (codes of `RIGHT_TYPE_LABELS`), useful for IP mix.
    """

    id: int | None
    case_id: int
    type: ProposalType
    summary: str
    proposed_on: date
    rights: tuple[str, ...] = ()
    response: ProposalResponse = ProposalResponse.PROPOSED
    responded_on: date | None = None

    def __post_init__(self) -> None:
        unknown = [r for r in self.rights if r not in RIGHT_TYPE_LABELS]
        if unknown:
            raise ValidationError(
                f"rights: 不明な権利種別 / unknown right types {unknown}; use {', '.join(RIGHT_TYPE_LABELS)}"
            )


@dataclass(frozen=True)
class Referral:
    """A referral to an expert or support body, and what came of it."""

    id: int | None
    case_id: int
    target: ReferralTarget
    referred_on: date
    organisation: str = ""
    purpose: str = ""
    outcome: ReferralOutcome = ReferralOutcome.PENDING
    outcome_on: date | None = None
    outcome_note: str = ""


class FollowUpState(StrEnum):
    """A follow-up is done, overdue or still pending on a given day."""

    DONE = "done"
    OVERDUE = "overdue"
    PENDING = "pending"


@dataclass(frozen=True)
class FollowUp:
    """Something to check with the company by a due date."""

    id: int | None
    case_id: int
    action: str
    due_on: date
    created_on: date
    done_on: date | None = None
    note: str = ""

    def state(self, as_of: date) -> FollowUpState:
        """``done`` once done by ``as_of``, ``overdue`` after the due day, else ``pending``."""
        if self.done_on is not None and self.done_on <= as_of:
            return FollowUpState.DONE
        if as_of > self.due_on:
            return FollowUpState.OVERDUE
        return FollowUpState.PENDING


@dataclass(frozen=True)
class Suggestion:
    """Something tsunagu suggests for a case, for the specialist to accept or reject.

    Attributes:
        kind: an issue tag or a tsunagu action.
        value: an `IssueCategory` code or a `TsunaguAction` code.
        scope: for issue tags, the suggested business scope.
        rationale: why, in Japanese (which words of which note, which patents).
        evidence: the traceable sources (``"visit:3"``, patent numbers, …).
        command: for actions, the tsunagu command that performs it.
    """

    id: int | None
    case_id: int
    kind: SuggestionKind
    value: str
    created_at: datetime
    rationale: str = ""
    evidence: tuple[str, ...] = ()
    scope: BusinessScope | None = None
    command: str = ""
    status: SuggestionStatus = SuggestionStatus.PENDING
    decided_at: datetime | None = None
    decided_by: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity used to avoid suggesting the same thing twice (kind, value, scope)."""
        return (self.kind.value, self.value, self.scope.value if self.scope else "")


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a case's history; ``kind`` names what happened, ``detail`` holds its data."""

    id: int | None
    case_id: int
    at: datetime
    kind: str
    actor: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseFile:
    """A case with everything recorded on it."""

    case: Case
    visits: tuple[Visit, ...] = ()
    tags: tuple[IssueTag, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    referrals: tuple[Referral, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    events: tuple[CaseEvent, ...] = ()


def status_as_of(case: Case, events: Iterable[CaseEvent], when: date) -> CaseStatus | None:
    """The status the case had at the end of day ``when`` (``None`` if not yet opened).

    Replays the ``status`` events (``detail["to"]``) in time order; a case with no status events kept
    the status it was opened with (``open``).
    """
    if case.opened_on > when:
        return None
    status = CaseStatus.OPEN
    for event in sorted(events, key=lambda e: (e.at, e.id or 0)):
        if event.kind != "status" or event.at.date() > when:
            continue
        status = CaseStatus(str(event.detail.get("to", status.value)))
    return status
