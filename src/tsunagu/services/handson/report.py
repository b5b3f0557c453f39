"""Region and period reports over hands-on cases: the figures, computed from the case files.

Period rules (``start``/``end`` inclusive; without them the whole history up to ``as_of``):

- A case is *in the period* when it was opened on or before ``end`` and was either still open or in
  progress on the day before ``start`` or had an event within the period (so cases finished and
  untouched before the period are left out).
- Status counts are the status at the end of the period (replayed from the status events).
- Issue tags, proposals and referrals count when dated within the period (issue tags: the cases
  carrying each category, by existing / new business).
- Time to resolution: days from opening to the last ``solved`` event, for cases solved within the
  period.
- Follow-ups: those due within the period, plus older ones still not done; overdue means not done
  by ``min(end, as_of)`` and due before it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tsunagu.domain.handson import (
    CaseFile,
    CaseStatus,
    FollowUpState,
    IssueCategory,
    ProposalResponse,
    ProposalType,
    ReferralOutcome,
    ReferralTarget,
    SuggestionKind,
    SuggestionStatus,
    status_as_of,
)

__all__ = ["CaseReport", "OverdueRow", "build_report"]


@dataclass(frozen=True)
class OverdueRow:
    """An overdue follow-up in the report."""

    case_id: int
    company: str
    region: str
    action: str
    due_on: date
    days_overdue: int


@dataclass
class CaseReport:
    """Figures of one region/period report (every count is of cases or entries in the period).

    Attributes:
        by_status: status code → cases (status at the end of the period).
        by_region: region → status code → cases.
        issues: category code → {"existing": cases, "new": cases}.
        proposals: proposal type → response code → proposals.
        referrals: referral target → outcome code → referrals.
        resolution_days: days to resolution of each case solved in the period.
        closed_reasons: reason code → cases closed in the period.
        follow_ups: {"due": n, "done": n, "done_on_time": n, "overdue": n, "pending": n}.
        overdue: the overdue follow-ups.
        monthly: month (``YYYY-MM``) → {"opened": n, "solved": n, "closed": n}.
        suggestions: kind → status → suggestions made in the period.
    """

    regions: tuple[str, ...]
    start: date | None
    end: date
    as_of: date
    cases: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_region: dict[str, dict[str, int]] = field(default_factory=dict)
    issues: dict[str, dict[str, int]] = field(default_factory=dict)
    proposals: dict[str, dict[str, int]] = field(default_factory=dict)
    referrals: dict[str, dict[str, int]] = field(default_factory=dict)
    resolution_days: list[int] = field(default_factory=list)
    closed_reasons: dict[str, int] = field(default_factory=dict)
    follow_ups: dict[str, int] = field(default_factory=dict)
    overdue: list[OverdueRow] = field(default_factory=list)
    monthly: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestions: dict[str, dict[str, int]] = field(default_factory=dict)

    def resolution_summary(self) -> dict[str, float | int | None]:
        """n, median, mean, min and max days to resolution (None when nothing was solved)."""
        d = self.resolution_days
        if not d:
            return {"n": 0, "median": None, "mean": None, "min": None, "max": None}
        return {
            "n": len(d),
            "median": float(statistics.median(d)),
            "mean": round(statistics.fmean(d), 1),
            "min": min(d),
            "max": max(d),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "scope": {
                "regions": list(self.regions),
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat(),
                "as_of": self.as_of.isoformat(),
            },
            "cases": self.cases,
            "by_status": self.by_status,
            "by_region": self.by_region,
            "issues": self.issues,
            "proposals": self.proposals,
            "referrals": self.referrals,
            "time_to_resolution_days": self.resolution_summary(),
            "closed_reasons": self.closed_reasons,
            "follow_ups": self.follow_ups,
            "overdue": [
                {
                    "case_id": r.case_id,
                    "company": r.company,
                    "region": r.region,
                    "action": r.action,
                    "due_on": r.due_on.isoformat(),
                    "days_overdue": r.days_overdue,
                }
                for r in self.overdue
            ],
            "monthly": self.monthly,
            "suggestions": self.suggestions,
        }


def _within(day: date | None, start: date | None, end: date) -> bool:
    return day is not None and (start is None or day >= start) and day <= end


def _in_period(file: CaseFile, start: date | None, end: date) -> bool:
    case = file.case
    if case.opened_on > end:
        return False
    if start is None:
        return True
    before = status_as_of(case, file.events, start - timedelta(days=1))
    if before in (None, CaseStatus.OPEN, CaseStatus.IN_PROGRESS):
        return True
    return any(_within(e.at.date(), start, end) for e in file.events)


def _months(first: date, last: date) -> list[str]:
    out: list[str] = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def build_report(
    files: Sequence[CaseFile],
    *,
    regions: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    as_of: date,
) -> CaseReport:
    """Compute the figures of a report (see the module docstring for the period rules).

    Args:
        files: case files (already filtered by region, or not: ``regions`` filters again).
        regions: keep cases of these regions (all when empty).
        start: first day of the period (None: from the beginning).
        end: last day of the period (default ``as_of``).
        as_of: today, for overdue follow-ups.
    """
    last = end or as_of
    check_day = min(last, as_of)
    report = CaseReport(tuple(regions), start, last, as_of)
    chosen = [f for f in files if (not regions or f.case.region in regions) and _in_period(f, start, last)]
    report.cases = len(chosen)
    status_counts: Counter[str] = Counter()
    region_counts: dict[str, Counter[str]] = {}
    issues = {c.value: {"existing": 0, "new": 0} for c in IssueCategory}
    proposals = {t.value: dict.fromkeys((r.value for r in ProposalResponse), 0) for t in ProposalType}
    referrals = {t.value: dict.fromkeys((o.value for o in ReferralOutcome), 0) for t in ReferralTarget}
    closed: Counter[str] = Counter()
    fu = dict.fromkeys(("due", "done", "done_on_time", "overdue", "pending"), 0)
    suggestions = {k.value: dict.fromkeys((s.value for s in SuggestionStatus), 0) for k in SuggestionKind}
    first_month = start or min((f.case.opened_on for f in chosen), default=last)
    monthly = {m: {"opened": 0, "solved": 0, "closed": 0} for m in _months(first_month, last)}

    for file in chosen:
        case = file.case
        status = status_as_of(case, file.events, last) or CaseStatus.OPEN
        status_counts[status.value] += 1
        region_counts.setdefault(case.region or "(未設定)", Counter())[status.value] += 1
        if _within(case.opened_on, start, last):
            monthly.setdefault(case.opened_on.strftime("%Y-%m"), {"opened": 0, "solved": 0, "closed": 0})
            monthly[case.opened_on.strftime("%Y-%m")]["opened"] += 1
        seen_tags: set[tuple[str, str]] = set()
        for tag in file.tags:
            if _within(tag.tagged_on, start, last) and (tag.category.value, tag.scope.value) not in seen_tags:
                seen_tags.add((tag.category.value, tag.scope.value))
                issues[tag.category.value][tag.scope.value] += 1
        for p in file.proposals:
            if _within(p.proposed_on, start, last):
                response = p.response.value
                if p.responded_on is not None and p.responded_on > last:
                    response = ProposalResponse.PROPOSED.value
                proposals[p.type.value][response] += 1
        for r in file.referrals:
            if _within(r.referred_on, start, last):
                outcome = r.outcome.value
                if r.outcome_on is not None and r.outcome_on > last:
                    outcome = ReferralOutcome.PENDING.value
                referrals[r.target.value][outcome] += 1
        solved_on = None
        for e in sorted(file.events, key=lambda e: (e.at, e.id or 0)):
            if e.kind != "status":
                continue
            day = date.fromisoformat(str(e.detail.get("on", e.at.date().isoformat())))
            if not _within(day, start, last):
                continue
            to = str(e.detail.get("to", ""))
            if to == CaseStatus.SOLVED.value:
                solved_on = day
            if to in (CaseStatus.SOLVED.value, CaseStatus.CLOSED.value):
                key = day.strftime("%Y-%m")
                monthly.setdefault(key, {"opened": 0, "solved": 0, "closed": 0})
                monthly[key]["solved" if to == CaseStatus.SOLVED.value else "closed"] += 1
            if to == CaseStatus.CLOSED.value:
                closed[str(e.detail.get("reason", "other"))] += 1
        if solved_on is not None and status is CaseStatus.SOLVED:
            report.resolution_days.append((solved_on - case.opened_on).days)
        for item in file.follow_ups:
            if not _within(item.due_on, start, last) and not (
                item.due_on < check_day and item.state(check_day) is FollowUpState.OVERDUE
            ):
                continue
            fu["due"] += 1
            state = item.state(check_day)
            if state is FollowUpState.DONE:
                fu["done"] += 1
                if item.done_on is not None and item.done_on <= item.due_on:
                    fu["done_on_time"] += 1
            elif state is FollowUpState.OVERDUE:
                fu["overdue"] += 1
                report.overdue.append(
                    OverdueRow(
                        case.id or 0,
                        case.company_name,
                        case.region,
                        item.action,
                        item.due_on,
                        (check_day - item.due_on).days,
                    )
                )
            else:
                fu["pending"] += 1
        for s in file.suggestions:
            if _within(s.created_at.date(), start, last):
                status_now = s.status.value
                if s.decided_at is not None and s.decided_at.date() > last:
                    status_now = SuggestionStatus.PENDING.value
                suggestions[s.kind.value][status_now] += 1

    report.by_status = {s.value: status_counts.get(s.value, 0) for s in CaseStatus}
    report.by_region = {
        region: {s.value: counts.get(s.value, 0) for s in CaseStatus}
        for region, counts in sorted(region_counts.items())
    }
    report.issues = issues
    report.proposals = proposals
    report.referrals = referrals
    report.closed_reasons = dict(closed)
    report.follow_ups = fu
    report.overdue.sort(key=lambda r: (-r.days_overdue, r.case_id))
    report.monthly = dict(sorted(monthly.items()))
    report.suggestions = suggestions
    return report
