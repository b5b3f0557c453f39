"""Suggestions for a hands-on case: issue tags and tsunagu actions, each with its reason.

Suggestions are never decisions: they are stored as ``pending`` for the specialist to accept or reject,
and a suggestion once made (accepted or rejected) is not made again.

Issue tags come from the case title and the dialogue notes: each is split into sentences; a sentence
that contains a cue word of a category (`ISSUE_CUES`, Japanese and English) suggests that category (one
suggestion per category), as a new-business issue when any such sentence also has a new-business cue
(`NEW_BUSINESS_CUES`), else as an existing-business one. A category already tagged with that scope is
not suggested again.

Actions come from the notes, the accepted tags and the company's patents (`ACTION_RULES`):

- 用途探索 (`discover`): the company has patents, or notes speak of new uses, markets or products;
- マッチング (`match_offers`): notes speak of licensing, bringing in technology, own products; or a
  commercialisation / partner issue is tagged;
- 知財ビジネス評価書 (`evaluation_report`): notes speak of explaining strengths, banks, financing; or the
  company has patents and a market / customer issue is tagged (the article's example);
- コンソーシアム (`consortium`): notes speak of joint development or of what one company cannot do alone.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tsunagu.domain.codes import subclass
from tsunagu.domain.handson import (
    ACTION_LABELS,
    BusinessScope,
    CaseFile,
    IssueCategory,
    Suggestion,
    SuggestionKind,
    TsunaguAction,
    label,
)
from tsunagu.domain.patent import Patent

__all__ = ["ACTION_CUES", "ISSUE_CUES", "NEW_BUSINESS_CUES", "PatentFacts", "suggest"]

#: Cue words per issue category (matched on NFKC-normalised, case-folded text).
ISSUE_CUES: dict[IssueCategory, tuple[str, ...]] = {
    IssueCategory.BUSINESS_OVERALL: (
        "経営方針",
        "経営戦略",
        "事業戦略",
        "中期計画",
        "経営計画",
        "事業計画",
        "ビジョン",
        "経営課題",
        "多角化",
        "business strategy",
        "management plan",
    ),
    IssueCategory.MARKET: (
        "販路",
        "拡販",
        "市場",
        "新分野",
        "海外展開",
        "輸出",
        "需要",
        "シェア",
        "業界",
        "market",
        "export",
    ),
    IssueCategory.CUSTOMER: (
        "顧客",
        "取引先",
        "発注元",
        "ユーザー",
        "受注",
        "ニーズ",
        "下請",
        "得意先",
        "customer",
        "client",
    ),
    IssueCategory.COMPETITOR: (
        "競合",
        "他社製品",
        "模倣",
        "類似品",
        "価格競争",
        "侵害",
        "参入",
        "competitor",
        "imitation",
        "copy",
    ),
    IssueCategory.PARTNER: (
        "共同開発",
        "提携",
        "協業",
        "大学",
        "産学",
        "連携",
        "oem",
        "ライセンス",
        "partner",
        "licens",
    ),
    IssueCategory.CONTINUITY: (
        "事業承継",
        "後継者",
        "技術承継",
        "承継",
        "bcp",
        "廃業",
        "存続",
        "succession",
    ),
    IssueCategory.COMMERCIALISATION: (
        "製品化",
        "試作",
        "事業化",
        "新製品",
        "自社製品",
        "商品化",
        "量産",
        "prototype",
        "commerciali",
    ),
    IssueCategory.HUMAN_RESOURCES: (
        "人材",
        "採用",
        "育成",
        "技術者不足",
        "人手不足",
        "退職",
        "属人",
        "教育",
        "研修",
        "staff",
        "hiring",
    ),
    IssueCategory.INTERNAL: (
        "社内体制",
        "情報管理",
        "営業秘密",
        "規程",
        "管理体制",
        "職務発明",
        "知財担当",
        "秘密保持",
        "ノウハウ管理",
        "trade secret",
        "ip policy",
    ),
}

#: Cue words that mark a sentence as being about a new business.
NEW_BUSINESS_CUES: tuple[str, ...] = (
    "新規",
    "新事業",
    "新分野",
    "他分野",
    "新製品",
    "自社製品",
    "新市場",
    "参入",
    "新たな",
    "以外にも",
    "new business",
    "new market",
    "new product",
)

#: Cue words for each tsunagu action.
ACTION_CUES: dict[TsunaguAction, tuple[str, ...]] = {
    TsunaguAction.DISCOVER: (
        "用途",
        "他分野",
        "新分野",
        "販路",
        "転用",
        "応用",
        "新事業",
        "新製品",
        "以外にも",
        "application",
    ),
    TsunaguAction.MATCH_OFFERS: (
        "開放特許",
        "ライセンス",
        "技術導入",
        "自社製品",
        "製品化",
        "新製品",
        "大企業の特許",
        "licens",
    ),
    TsunaguAction.EVALUATION_REPORT: (
        "強み",
        "説明",
        "アピール",
        "見える化",
        "融資",
        "金融機関",
        "銀行",
        "資金調達",
        "評価書",
        "strength",
    ),
    TsunaguAction.CONSORTIUM: (
        "共同開発",
        "単独では",
        "他社と組",
        "協業",
        "コンソーシアム",
        "複数社",
        "連携して",
        "consortium",
    ),
}

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


def _found(cues: Iterable[str], text: str) -> list[str]:
    t = _norm(text)
    return [c for c in cues if _norm(c) in t]


@dataclass(frozen=True)
class PatentFacts:
    """What the suggestions need to know about the company's patents.

    Attributes:
        count: number of its corpus records.
        numbers: a few publication numbers (evidence).
        subclasses: its most frequent IPC subclasses, most frequent first.
    """

    count: int = 0
    numbers: tuple[str, ...] = ()
    subclasses: tuple[str, ...] = ()

    @classmethod
    def of(cls, patents: Sequence[Patent], keep: int = 5) -> PatentFacts:
        """Summarise a company's patents (newest first for the evidence numbers)."""
        ordered = sorted(patents, key=lambda p: p.event_date, reverse=True)
        counts = Counter(
            subclass(c) for p in patents for c in dict.fromkeys(subclass(x) for x in p.ipc_codes)
        )
        return cls(
            count=len(patents),
            numbers=tuple(p.publication_number for p in ordered[:keep]),
            subclasses=tuple(s for s, _ in counts.most_common(keep)),
        )


def _company_arg(file: CaseFile) -> str:
    case = file.case
    return str(case.company_id) if case.company_id is not None else case.company_name


def suggest(
    file: CaseFile,
    patents: PatentFacts,
    *,
    now: datetime,
    offers_in_fields: int | None = None,
) -> list[Suggestion]:
    """New suggestions for a case (nothing already suggested, decided or tagged by hand).

    Args:
        file: the case with its notes, tags and earlier suggestions.
        patents: facts about the company's patents.
        now: the time stamped on the suggestions.
        offers_in_fields: licensable offers in the company's fields, when the register knows.

    Returns:
        Unsaved `Suggestion`s (``id`` None, status pending), issue tags first.
    """
    case_id = file.case.id or 0
    seen = {s.key for s in file.suggestions}
    tagged = {(t.category.value, t.scope.value) for t in file.tags}
    out: list[Suggestion] = []

    # -- issue tags from the notes -----------------------------------------------------------------
    hits: dict[IssueCategory, tuple[list[str], list[str], list[bool]]] = {}
    texts = [(f"visit:{v.id}", v.visited_on.isoformat(), v.summary) for v in file.visits]
    if file.case.title:
        texts.insert(0, ("case", file.case.opened_on.isoformat(), file.case.title))
    for ref, day, text in texts:
        for sentence in _sentences(text):
            is_new = bool(_found(NEW_BUSINESS_CUES, sentence))
            for category, cues in ISSUE_CUES.items():
                words = _found(cues, sentence)
                if not words:
                    continue
                cue_list, refs, new_flags = hits.setdefault(category, ([], [], []))
                cue_list.extend(w for w in words if w not in cue_list)
                new_flags.append(is_new)
                if f"{ref}@{day}" not in refs:
                    refs.append(f"{ref}@{day}")
    for category, (words, refs, new_flags) in hits.items():
        scope = BusinessScope.NEW if any(new_flags) else BusinessScope.EXISTING
        key = (SuggestionKind.ISSUE_TAG.value, category.value, scope.value)
        if key in seen or (category.value, scope.value) in tagged:
            continue
        where = "、".join(r.split("@")[1] for r in refs[:3])
        quoted = "「" + "」「".join(words[:4]) + "」"
        out.append(
            Suggestion(
                None,
                case_id,
                SuggestionKind.ISSUE_TAG,
                category.value,
                now,
                rationale=f"対話記録 ({where}) に {quoted} とあるため、{label(category.value)}"
                f" ({label(scope.value)}) の課題と考えられます",
                evidence=tuple(r.split("@")[0] for r in refs),
                scope=scope,
            )
        )

    # -- actions -------------------------------------------------------------------------------------
    all_text = " ".join(t for _, _, t in texts)
    categories = {t.category for t in file.tags} | {
        IssueCategory(s.value) for s in out if s.kind is SuggestionKind.ISSUE_TAG
    }
    company = _company_arg(file)
    fields = "・".join(patents.subclasses[:3])
    for action in TsunaguAction:
        if (SuggestionKind.ACTION.value, action.value, "") in seen:
            continue
        words = _found(ACTION_CUES[action], all_text)
        reasons: list[str] = []
        evidence: list[str] = []
        if words:
            reasons.append("対話記録に「" + "」「".join(words[:4]) + "」とある")
            evidence.extend(f"visit:{v.id}" for v in file.visits if _found(ACTION_CUES[action], v.summary))
        command = ""
        if action is TsunaguAction.DISCOVER:
            market = categories & {IssueCategory.MARKET, IssueCategory.COMMERCIALISATION}
            if market:
                reasons.append("市場・事業化の課題がある")
            if patents.count and (words or market or patents.count >= 3):
                reasons.append(
                    f"保有特許 {patents.count} 件 (主な分野 {fields}) の他分野での用途を探索できる"
                )
                evidence.extend(patents.numbers[:3])
                command = f"tsunagu discover --company {shlex.quote(company)}"
            elif words:
                command = 'tsunagu discover "（技術の説明）"'
            else:
                reasons = []
        elif action is TsunaguAction.MATCH_OFFERS:
            if categories & {IssueCategory.COMMERCIALISATION, IssueCategory.PARTNER}:
                reasons.append("事業化・パートナーの課題がある")
            if reasons and offers_in_fields:
                reasons.append(f"同じ技術分野の開放特許が {offers_in_fields} 件登録されている")
            command = f"tsunagu match --company {shlex.quote(company)}"
        elif action is TsunaguAction.EVALUATION_REPORT:
            if patents.count and categories & {IssueCategory.MARKET, IssueCategory.CUSTOMER}:
                reasons.append(f"保有特許 {patents.count} 件をもとに自社の強みを具体的に説明できる")
                evidence.extend(patents.numbers[:2])
            command = f"tsunagu report evaluation --company {shlex.quote(company)} --out 評価書.html"
        elif action is TsunaguAction.CONSORTIUM:
            command = 'tsunagu consortium "（製品・サービスのコンセプト）"'
        if not reasons:
            continue
        out.append(
            Suggestion(
                None,
                case_id,
                SuggestionKind.ACTION,
                action.value,
                now,
                rationale=f"{ACTION_LABELS[action]}: " + "。".join(reasons) + "ため",
                evidence=tuple(dict.fromkeys(evidence)),
                command=command,
            )
        )
    return out
