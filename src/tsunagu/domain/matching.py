"""知財ビジネスマッチング: programmes, licensors, offers, companies, needs, deals and their rules.

Everything here is a frozen dataclass or a pure function (stdlib only). Codes (deal stages, reasons,
availability, technology stage, visibility) are stable strings used by the CLI, the API and storage;
each has a Japanese and an English label. `check_transition` is the one rule that decides which deal
moves are legal; `licensor_view` is the one rule that decides what a licensor may see of a company.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tsunagu.errors import ValidationError

__all__ = [
    "AVAILABILITY",
    "CLOSED_LOST",
    "COMPANY_FIELDS",
    "COMPANY_SIZES",
    "EXCLUSIVITY",
    "LOST_REASONS",
    "MEMBER_KINDS",
    "OPEN_STAGES",
    "ORIGINS",
    "STAGES",
    "STAGE_LABELS",
    "TECH_STAGES",
    "TERMINAL_STAGES",
    "TRANSITIONS",
    "VISIBILITY_LEVELS",
    "Company",
    "Deal",
    "DealEvent",
    "Licensor",
    "Need",
    "Offer",
    "Programme",
    "ProgrammeMember",
    "ReportConsent",
    "StageTransitionError",
    "Visibility",
    "allowed_transitions",
    "check_transition",
    "label",
    "licensor_needs",
    "licensor_view",
    "normalise_name",
    "parse_code",
    "stage_index",
]

_SPACE = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """The comparison form of a person's, company's or institution's name.

    NFKC (full-width letters and digits become ASCII, half-width kana full-width), case folding, and
    removal of all white space (including the ideographic space). Nothing else is merged: ``"株式会社"``
    and ``"(株)"`` stay different. ``"ＮＡＳＡ　Ａｍｅｓ"`` → ``"nasaames"``.
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", name or "").casefold())


# -- codes -------------------------------------------------------------------------------------

#: Deal stages in order, with (Japanese, English) labels.
STAGE_LABELS: dict[str, tuple[str, str]] = {
    "proposed": ("候補提示", "candidate proposed"),
    "meeting": ("面談", "meeting"),
    "nda": ("秘密保持契約", "NDA"),
    "evaluation": ("評価・試作", "evaluation / prototype"),
    "negotiation": ("契約交渉", "negotiation"),
    "licensed": ("ライセンス契約", "licence signed"),
    "commercialised": ("事業化", "commercialised"),
    "follow_up": ("フォローアップ", "follow-up"),
    "closed_lost": ("見送り", "closed (not pursued)"),
}

#: The forward stages, in order.
STAGES: tuple[str, ...] = (
    "proposed",
    "meeting",
    "nda",
    "evaluation",
    "negotiation",
    "licensed",
    "commercialised",
    "follow_up",
)
CLOSED_LOST = "closed_lost"
#: Stages from which a deal may still be closed as lost (before a contract is signed).
OPEN_STAGES: tuple[str, ...] = STAGES[:5]
#: Stages with no move out of them.
TERMINAL_STAGES: tuple[str, ...] = ("follow_up", CLOSED_LOST)

#: Legal moves. Forward one stage at a time (a licensed deal may go to follow-up without a product);
#: any stage before the contract may be closed as lost; nothing moves backwards and nothing is deleted.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("meeting", CLOSED_LOST),
    "meeting": ("nda", CLOSED_LOST),
    "nda": ("evaluation", CLOSED_LOST),
    "evaluation": ("negotiation", CLOSED_LOST),
    "negotiation": ("licensed", CLOSED_LOST),
    "licensed": ("commercialised", "follow_up"),
    "commercialised": ("follow_up",),
    "follow_up": (),
    CLOSED_LOST: (),
}

#: Reasons for closing a deal as lost.
LOST_REASONS: dict[str, tuple[str, str]] = {
    "too_early": ("時期尚早", "too early"),
    "benefit_unclear": ("メリット不明確", "benefit unclear"),
    "terms": ("条件不一致", "terms not agreed"),
    "capacity": ("体制・能力不足", "lack of capacity"),
    "other": ("その他", "other"),
}

#: How an offer's rights are available.
AVAILABILITY: dict[str, tuple[str, str]] = {
    "licence": ("ライセンス", "licence"),
    "assignment": ("譲渡", "assignment"),
    "both": ("ライセンス・譲渡", "licence or assignment"),
}

#: Maturity of an offered technology ("" = not stated).
TECH_STAGES: dict[str, tuple[str, str]] = {
    "idea": ("アイデア段階", "idea"),
    "prototype": ("試作段階", "prototype"),
    "production": ("製品化済み", "in production"),
}

#: Company size classes ("" = not stated).
COMPANY_SIZES: dict[str, tuple[str, str]] = {
    "micro": ("小規模事業者", "micro enterprise"),
    "small": ("中小企業", "small enterprise"),
    "medium": ("中堅企業", "mid-sized enterprise"),
    "large": ("大企業", "large enterprise"),
}

#: Exclusivity wanted by a need ("" = not stated).
EXCLUSIVITY: dict[str, tuple[str, str]] = {
    "exclusive": ("独占", "exclusive"),
    "non_exclusive": ("非独占", "non-exclusive"),
    "either": ("どちらでも", "either"),
}

#: Who may see a company profile or a need.
VISIBILITY_LEVELS: dict[str, tuple[str, str]] = {
    "private": ("非公開（コーディネーターのみ）", "private (coordinators only)"),
    "anonymous": ("匿名で公開", "visible without the company's identity"),
    "public": ("社名とともに公開", "visible with the company's identity"),
}

#: Profile fields a company may show or hide from licensors.
COMPANY_FIELDS: dict[str, tuple[str, str]] = {
    "region": ("地域", "region"),
    "industry": ("業種", "industry"),
    "size": ("規模", "size"),
    "capabilities": ("技術・ノウハウ", "capabilities"),
    "equipment": ("設備", "equipment"),
    "products": ("製品", "products"),
    "patents": ("保有特許", "own patents"),
    "needs": ("技術ニーズ", "needs"),
}

#: Kinds of programme members. ``ref`` is a user name for people and an id for licensors and companies.
MEMBER_KINDS: dict[str, tuple[str, str]] = {
    "coordinator": ("コーディネーター", "coordinator"),
    "licensor": ("ライセンサー", "licensor"),
    "company": ("中小企業", "company"),
    "bank": ("金融機関", "financial institution"),
}

#: Where a company record comes from.
ORIGINS: dict[str, tuple[str, str]] = {
    "registered": ("登録企業", "registered"),
    "derived_from_patents": (
        "特許データから生成（実在の中小企業プロフィールではありません）",
        "derived from patent data (not a real SME profile)",
    ),
}

_ALL_TABLES: dict[str, Mapping[str, tuple[str, str]]] = {
    "stage": STAGE_LABELS,
    "reason": LOST_REASONS,
    "availability": AVAILABILITY,
    "tech_stage": TECH_STAGES,
    "size": COMPANY_SIZES,
    "exclusivity": EXCLUSIVITY,
    "visibility": VISIBILITY_LEVELS,
    "field": COMPANY_FIELDS,
    "member": MEMBER_KINDS,
    "origin": ORIGINS,
}

# Extra spellings users type for some codes.
_SYNONYMS: dict[str, str] = {
    "license": "licence",
    "licensing": "licence",
    "実施許諾": "licence",
    "ライセンス・譲渡": "both",
    "両方": "both",
    "ライセンスまたは譲渡": "both",
    "アイデア": "idea",
    "試作": "prototype",
    "製品化": "production",
    "量産": "production",
    "commercialized": "commercialised",
    "followup": "follow_up",
    "follow-up": "follow_up",
    "lost": "closed_lost",
    "closed": "closed_lost",
    "non-exclusive": "non_exclusive",
    "公開": "public",
    "非公開": "private",
    "匿名": "anonymous",
    "匿名公開": "anonymous",
}


def label(kind: str, code: str, lang: str = "ja") -> str:
    """The label of ``code`` in table ``kind`` (``"stage"``, ``"reason"``, …); ``""`` for an empty code.

    Unknown codes are returned unchanged, so stored data never breaks a display.
    """
    if not code:
        return ""
    pair = _ALL_TABLES[kind].get(code)
    if pair is None:
        return code
    return pair[0] if lang == "ja" else pair[1]


def parse_code(kind: str, value: str, *, field_name: str = "", allow_empty: bool = True) -> str:
    """Read a code typed by a user: the code itself, its Japanese or English label, or a synonym.

    Args:
        kind: the table (``"stage"``, ``"availability"``, ``"tech_stage"``, …).
        value: what the user wrote (case, width and spacing do not matter).
        field_name: named in the error message.
        allow_empty: whether ``""`` is accepted (returned as ``""``).

    Raises:
        ValidationError: naming the field and every accepted value.
    """
    table = _ALL_TABLES[kind]
    raw = (value or "").strip()
    if not raw:
        if allow_empty:
            return ""
        raise ValidationError(f"{field_name or kind}: 値が必要です / a value is required ({_choices(table)})")
    norm = normalise_name(raw).replace("-", "_")
    for code, (ja, en) in table.items():
        if norm in (code, normalise_name(ja), normalise_name(en).replace("-", "_")):
            return code
    syn = _SYNONYMS.get(normalise_name(raw)) or _SYNONYMS.get(norm)
    if syn is not None and syn in table:
        return syn
    raise ValidationError(
        f"{field_name or kind}: {raw!r} は使えません / is not accepted; "
        f"使える値 / accepted: {_choices(table)}"
    )


def _choices(table: Mapping[str, tuple[str, str]]) -> str:
    return ", ".join(f"{code} ({ja})" for code, (ja, _en) in table.items())


# -- deal stages -------------------------------------------------------------------------------


class StageTransitionError(ValidationError):
    """A deal move that the stage rules do not allow.

    Attributes:
        current: the deal's stage.
        target: the stage asked for.
        allowed: the stages that are allowed from ``current``.
    """

    def __init__(self, message: str, *, current: str, target: str, allowed: tuple[str, ...]) -> None:
        super().__init__(message)
        self.current = current
        self.target = target
        self.allowed = allowed


def stage_index(stage: str) -> int:
    """Position of a forward stage (``proposed`` = 0); -1 for ``closed_lost`` or an unknown code."""
    return STAGES.index(stage) if stage in STAGES else -1


def allowed_transitions(stage: str) -> tuple[str, ...]:
    """The stages a deal in ``stage`` may move to (empty for a terminal stage)."""
    return TRANSITIONS.get(stage, ())


def _describe(stages: tuple[str, ...]) -> str:
    return ", ".join(f"{s} ({label('stage', s)})" for s in stages)


def check_transition(current: str, target: str, reason: str = "") -> None:
    """Refuse an illegal move, with a message that says which moves are allowed.

    Args:
        current: the deal's stage.
        target: the requested stage.
        reason: the lost-reason code; required (and only accepted) when ``target`` is ``closed_lost``.

    Raises:
        StageTransitionError: the move is not in `TRANSITIONS`.
        ValidationError: a missing, unknown or misplaced reason code.
    """
    if target not in STAGE_LABELS:
        raise ValidationError(
            f"stage: {target!r} は不明な段階です / unknown stage; "
            f"使える値 / accepted: {_describe(tuple(STAGE_LABELS))}"
        )
    allowed = allowed_transitions(current)
    if target not in allowed:
        now = f"{current} ({label('stage', current)})"
        if not allowed:
            message = (
                f"{now} は終了段階のため移動できません / is a final stage: no move is allowed "
                "(案件は削除されず記録として残ります / the deal is kept as a record)"
            )
        elif target == current:
            message = (
                f"すでに {now} です / the deal is already at {current}; 次に可能な段階 / allowed: "
                f"{_describe(allowed)}"
            )
        else:
            message = (
                f"{now} → {target} ({label('stage', target)}) には進めません / is not allowed; "
                f"可能な段階 / allowed: {_describe(allowed)}"
            )
        raise StageTransitionError(message, current=current, target=target, allowed=allowed)
    if target == CLOSED_LOST:
        if not reason:
            raise ValidationError(
                "見送りには理由コードが必要です / closing needs a reason code: " + _choices(LOST_REASONS)
            )
        if reason not in LOST_REASONS:
            raise ValidationError(
                f"reason: {reason!r} は不明な理由です / unknown reason; "
                f"使える値 / accepted: {_choices(LOST_REASONS)}"
            )
    elif reason:
        raise ValidationError(
            "理由コードは見送り (closed_lost) のときだけ指定します / "
            "a reason is only given when closing a deal as lost"
        )


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    """A matching programme (a city's scheme, a regional IP office's programme, …).

    Attributes:
        id: database id (0 before storing).
        code: short stable name used on the command line (``"kawasaki"``).
        name: display name.
        organiser: who runs it (``"川崎市"``).
        region: the region it serves.
        description: free text.
        status: ``"active"`` or ``"closed"``.
        created_at: ISO timestamp (UTC).
    """

    id: int
    code: str
    name: str
    organiser: str = ""
    region: str = ""
    description: str = ""
    status: str = "active"
    created_at: str = ""


@dataclass(frozen=True)
class ProgrammeMember:
    """Membership of a programme: ``kind`` (`MEMBER_KINDS`) and ``ref`` (user name, licensor or company id,
    or institution name for banks)."""

    programme_id: int
    kind: str
    ref: str
    role_note: str = ""
    added_at: str = ""


@dataclass(frozen=True)
class Licensor:
    """A holder of licensable patents (large company, university, public laboratory).

    Attributes:
        kind: free class such as ``"company"``, ``"university"``, ``"public_lab"``.
        contact_role: the office or role to contact (never a private person's details).
    """

    id: int
    name: str
    kind: str = ""
    country: str = ""
    region: str = ""
    contact_role: str = ""
    url: str = ""
    note: str = ""
    created_at: str = ""

    @property
    def name_key(self) -> str:
        return normalise_name(self.name)


@dataclass(frozen=True)
class Offer:
    """A licensable technology (開放特許) published by a licensor.

    Attributes:
        id: database id (0 before storing).
        licensor_id: the holder.
        title: short name of the technology.
        summary: plain-language description.
        problem: the problem it solves.
        advantage: the advantage, and by how much when known.
        tech_stage: `TECH_STAGES` code (``""`` = not stated).
        availability: `AVAILABILITY` code.
        uses: suitable uses, as written by the licensor.
        terms_note: licensing terms in free text.
        contact_role: the office or role to contact.
        valid_until: ISO date after which the offer lapses (``""`` = not stated).
        patent_numbers: numbers as given by the licensor.
        patent_keys: corpus keys of the linked patents.
        ipc_codes: the offer's fields.
        ipc_source: where ``ipc_codes`` come from: ``"patents"`` (linked records), ``"given"`` (stated by
            the licensor), ``"inferred"`` (from the text, via the nearest corpus documents) or ``""``.
        category: the licensor's own category (``"materials and coatings"``).
        source: how the offer came in (``"nasa_t2_csv"``, ``"tsunagu_offer_template"``, ``"manual"``).
        external_ref: the licensor's own reference (``"KSC-12236-2-PCT"``); unique per licensor.
        programme_id: the programme it was published in, when any.
        status: ``"open"`` or ``"closed"``.
    """

    id: int
    licensor_id: int
    title: str
    summary: str = ""
    problem: str = ""
    advantage: str = ""
    tech_stage: str = ""
    availability: str = "licence"
    uses: tuple[str, ...] = ()
    terms_note: str = ""
    contact_role: str = ""
    valid_until: str = ""
    patent_numbers: tuple[str, ...] = ()
    patent_keys: tuple[str, ...] = ()
    ipc_codes: tuple[str, ...] = ()
    ipc_source: str = ""
    category: str = ""
    source: str = "manual"
    external_ref: str = ""
    programme_id: int | None = None
    status: str = "open"
    created_at: str = ""
    updated_at: str = ""

    def text(self) -> str:
        """The offer's text for matching: title, summary, problem, advantage and uses."""
        parts = (self.title, self.summary, self.problem, self.advantage, " ".join(self.uses))
        return " ".join(p for p in parts if p).strip()

    @property
    def fields_inferred(self) -> bool:
        """True when the fields were inferred from the text (and must be shown as such)."""
        return self.ipc_source == "inferred"


@dataclass(frozen=True)
class Visibility:
    """What licensors may see of a company.

    Attributes:
        level: `VISIBILITY_LEVELS` code: ``private`` (coordinators only), ``anonymous`` (profile without
            the identity) or ``public`` (with the identity).
        fields: the `COMPANY_FIELDS` licensors may see (when the level is not private).
    """

    level: str = "anonymous"
    fields: frozenset[str] = frozenset(
        {"region", "industry", "size", "capabilities", "equipment", "products"}
    )


@dataclass(frozen=True)
class Company:
    """An SME in the register.

    Attributes:
        aliases: other names (trade names, former names, the applicant spelling on its patents).
        capabilities: what it can do (技術・ノウハウ), free text.
        equipment: its equipment, free text.
        products: its products, free text.
        patent_numbers: its own patents, as numbers.
        applicant_names: names under which its patents are filed (linked by normalised name).
        origin: `ORIGINS` code; ``derived_from_patents`` marks demo companies built from corpus applicants.
        status: ``"active"`` or ``"closed"``.
    """

    id: int
    name: str
    aliases: tuple[str, ...] = ()
    region: str = ""
    industry: str = ""
    size: str = ""
    employees: int | None = None
    capabilities: str = ""
    equipment: str = ""
    products: str = ""
    patent_numbers: tuple[str, ...] = ()
    applicant_names: tuple[str, ...] = ()
    visibility: Visibility = field(default_factory=Visibility)
    origin: str = "registered"
    note: str = ""
    status: str = "active"
    created_at: str = ""
    updated_at: str = ""

    def names(self) -> tuple[str, ...]:
        """Name, aliases and applicant names, without repeats."""
        return tuple(dict.fromkeys((self.name, *self.aliases, *self.applicant_names)))

    def name_keys(self) -> tuple[str, ...]:
        """`normalise_name` of every name."""
        return tuple(dict.fromkeys(normalise_name(n) for n in self.names() if n.strip()))

    def text(self) -> str:
        """Profile text for matching: capabilities, equipment and products."""
        return " ".join(p for p in (self.capabilities, self.equipment, self.products) if p).strip()


@dataclass(frozen=True)
class Need:
    """A company's call for technology.

    Attributes:
        budget, timing: constraints in free text.
        exclusivity: `EXCLUSIVITY` code.
        visibility: `VISIBILITY_LEVELS` code.
        status: ``"open"`` or ``"closed"``.
    """

    id: int
    company_id: int
    title: str
    problem: str = ""
    wanted_capability: str = ""
    budget: str = ""
    timing: str = ""
    exclusivity: str = ""
    visibility: str = "anonymous"
    status: str = "open"
    created_at: str = ""

    def text(self) -> str:
        """Need text for matching."""
        return " ".join(p for p in (self.title, self.problem, self.wanted_capability) if p).strip()


@dataclass(frozen=True)
class ReportConsent:
    """A company's consent to share its evaluation reports with one financial institution.

    Consent is active while ``revoked_at`` is empty; revoking keeps the record.
    """

    company_id: int
    institution: str
    granted_at: str
    granted_by: str = ""
    revoked_at: str = ""
    note: str = ""

    @property
    def institution_key(self) -> str:
        return normalise_name(self.institution)

    @property
    def active(self) -> bool:
        return not self.revoked_at


@dataclass(frozen=True)
class Deal:
    """A match carried through the stages by a coordinator.

    Attributes:
        stage: `STAGE_LABELS` code.
        lost_reason: `LOST_REASONS` code when ``stage`` is ``closed_lost``.
        next_action, next_action_date: what is to be done next and by when (ISO date).
        company_reveal, licensor_reveal: each side's agreement to reveal its identity to the other.
        score: the match score when the deal was created (``None`` when created by hand).
    """

    id: int
    programme_id: int
    offer_id: int
    company_id: int
    stage: str = "proposed"
    lost_reason: str = ""
    coordinator: str = ""
    next_action: str = ""
    next_action_date: str = ""
    company_reveal: bool = False
    licensor_reveal: bool = False
    score: float | None = None
    created_by: str = ""
    created_at: str = ""
    updated_at: str = ""

    @property
    def identities_revealed(self) -> bool:
        """Identities are shown to the other side only when both agreed."""
        return self.company_reveal and self.licensor_reveal

    @property
    def is_open(self) -> bool:
        return self.stage not in TERMINAL_STAGES

    def is_due(self, today: str) -> bool:
        """True when the next action date is on or before ``today`` (ISO) and the deal is still open."""
        return bool(self.next_action_date) and self.is_open and self.next_action_date <= today


@dataclass(frozen=True)
class DealEvent:
    """One timestamped entry of a deal's history.

    Attributes:
        kind: ``created``, ``stage``, ``note``, ``next_action``, ``consent`` or ``document``.
        actor: who did it (user name).
        from_stage, to_stage: for ``stage`` events.
        reason: lost-reason code for a move to ``closed_lost``.
        text: the note, the next action or the document name.
    """

    id: int
    deal_id: int
    at: str
    actor: str
    kind: str
    from_stage: str = ""
    to_stage: str = ""
    reason: str = ""
    text: str = ""


def licensor_view(
    company: Company, *, revealed: bool = False, needs: tuple[Need, ...] = ()
) -> dict[str, object] | None:
    """What a licensor may see of ``company``: ``None`` for a private profile.

    The name is shown when the company's level is ``public`` or when both sides of a deal agreed to
    reveal identities (``revealed``); otherwise the company appears as ``"企業 #<id>"``. Only the fields in
    ``company.visibility.fields`` are included; needs only when ``needs`` is a visible field and each
    need's own level is not private.
    """
    vis = company.visibility
    if vis.level == "private" and not revealed:
        return None
    show_identity = revealed or vis.level == "public"
    out: dict[str, object] = {
        "id": company.id,
        "name": company.name if show_identity else f"企業 #{company.id}",
        "identity_revealed": show_identity,
    }
    for name in ("region", "industry", "size", "capabilities", "equipment", "products"):
        if name in vis.fields:
            out[name] = getattr(company, name)
    if "patents" in vis.fields and show_identity:
        # Patent numbers identify their holder, so they follow the identity rule.
        out["patent_numbers"] = list(company.patent_numbers)
    if "needs" in vis.fields:
        out["needs"] = [
            {"title": n.title, "problem": n.problem, "wanted_capability": n.wanted_capability}
            for n in licensor_needs(company, needs, revealed=revealed)
        ]
    return out


def licensor_needs(company: Company, needs: Sequence[Need], *, revealed: bool = False) -> tuple[Need, ...]:
    """The needs a licensor may read: none for a private profile (unless identities were revealed) or
    when ``needs`` is not a visible field; otherwise the open needs whose own level is not private."""
    vis = company.visibility
    if (vis.level == "private" and not revealed) or "needs" not in vis.fields:
        return ()
    return tuple(n for n in needs if n.visibility != "private" and n.status == "open")
