"""中小企業コンソーシアム — the consortium builder's records and its fit formula.

A product or service concept is decomposed into required `Capability`s: a function phrase taken from
the concept, with the IPC main groups of the corpus patents closest to that phrase (each weighted
by its share of those patents). A company's fit to a capability is a number in [0, 1]:

    text(c, k) = clip((cos − floor) / (ceiling − floor), 0, 1)
        cos: the best cosine similarity between the capability phrase and the company's texts
        (its profile and each of its patents' title + abstract), same embedder as search.
    ipc(c, k)  = max over the capability's groups g of (w_g / max_w) · (1 − (1 − p)^{n_cg})
        w_g: the group's weight among the closest corpus patents; n_cg: the company's patents in g;
        p: the credit one patent in a group earns (each further patent adds evidence).
    fit(c, k)  = 1 − (1 − text) · (1 − λ · ipc)

The last line is a noisy-or: either signal alone can show the capability, both together show it
more surely; λ < 1 keeps classification alone (without matching text) below a full fit.

Team coverage = mean over capabilities of the best fit any member has for it (`team_coverage`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tsunagu.errors import ValidationError

__all__ = [
    "DEFAULT_FIT",
    "Alternate",
    "Candidate",
    "Capability",
    "CapabilityFit",
    "ConsortiumPlan",
    "FitParameters",
    "Gap",
    "GapFiller",
    "TeamMember",
    "combine_fit",
    "ipc_signal",
    "team_coverage",
    "text_signal",
]


@dataclass(frozen=True)
class FitParameters:
    """The constants of the fit formula (see the module docstring).

    Attributes:
        text_floor: cosine at or below which text shows nothing (unrelated texts reach about this).
        text_ceiling: cosine at or above which text shows the capability fully.
        patent_credit: ``p``, the credit of one patent in a capability's group.
        ipc_weight: ``λ``, how far classification alone can lift the fit.
        gap_threshold: a capability whose best team fit is below this is reported as a gap.
    """

    text_floor: float = 0.2
    text_ceiling: float = 0.6
    patent_credit: float = 0.5
    ipc_weight: float = 0.6
    gap_threshold: float = 0.4

    def __post_init__(self) -> None:
        if not 0.0 <= self.text_floor < self.text_ceiling <= 1.0:
            raise ValidationError("fit: need 0 <= text_floor < text_ceiling <= 1")
        for name in ("patent_credit", "ipc_weight", "gap_threshold"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValidationError(f"fit: {name} must lie in [0, 1]")


DEFAULT_FIT = FitParameters()


def text_signal(cosine: float, params: FitParameters = DEFAULT_FIT) -> float:
    """Rescale a cosine similarity to [0, 1] between the floor and the ceiling."""
    span = params.text_ceiling - params.text_floor
    return min(1.0, max(0.0, (cosine - params.text_floor) / span))


def ipc_signal(
    group_weights: Mapping[str, float],
    company_counts: Mapping[str, int],
    params: FitParameters = DEFAULT_FIT,
) -> float:
    """Classification evidence: the company's patents in the capability's main groups.

    Args:
        group_weights: main group → weight (share of the capability's closest corpus patents).
        company_counts: main group → number of the company's patents carrying it.
        params: fit constants (``patent_credit``).

    Returns:
        ``max_g (w_g / max_w) · (1 − (1 − p)^n_g)``, 0 when nothing matches.
    """
    if not group_weights:
        return 0.0
    top = max(group_weights.values())
    if top <= 0:
        return 0.0
    best = 0.0
    for group, weight in group_weights.items():
        n = company_counts.get(group, 0)
        if n > 0:
            best = max(best, (weight / top) * (1.0 - (1.0 - params.patent_credit) ** n))
    return best


def combine_fit(text: float, ipc: float, params: FitParameters = DEFAULT_FIT) -> float:
    """``1 − (1 − text)(1 − λ·ipc)``, in [0, 1]."""
    return 1.0 - (1.0 - text) * (1.0 - params.ipc_weight * ipc)


def team_coverage(fits: Sequence[Sequence[float]]) -> float:
    """Coverage of a team: mean over capabilities of the best member fit.

    Args:
        fits: one row per member, one column per capability.

    Returns:
        A number in [0, 1]; 0 for an empty team or no capabilities.
    """
    if not fits or not fits[0]:
        return 0.0
    columns = len(fits[0])
    return sum(max(row[k] for row in fits) for k in range(columns)) / columns


@dataclass(frozen=True)
class Capability:
    """One capability the concept needs.

    Attributes:
        id: short id (``"C1"``, ``"C2"``, …) in concept order.
        phrase: the function phrase taken from the concept.
        groups: IPC main groups with weights summing to 1, heaviest first.
        evidence: publication numbers of the closest corpus patents the groups came from.
        group_titles: plain-language titles of the groups, when known.
    """

    id: str
    phrase: str
    groups: tuple[tuple[str, float], ...] = ()
    evidence: tuple[str, ...] = ()
    group_titles: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def group_weights(self) -> dict[str, float]:
        return dict(self.groups)


@dataclass(frozen=True)
class Candidate:
    """A company that may join the team.

    Attributes:
        key: stable id (register id, or ``"applicant:<normalised name>"`` for a corpus applicant).
        name: display name.
        region: region, ``""`` when unknown.
        patent_count: patents linked to the company.
        derived: True when the profile was derived from patent data (not a real SME profile).
    """

    key: str
    name: str
    region: str = ""
    patent_count: int = 0
    derived: bool = False


@dataclass(frozen=True)
class CapabilityFit:
    """How well one company fits one capability, with the evidence.

    Attributes:
        capability_id: the capability.
        fit: the combined fit in [0, 1].
        text: the text signal; ``cosine`` its raw value and ``text_source`` the text that gave it
            (``"profile"`` or a publication number).
        ipc: the classification signal; ``group_patents`` the company's patents in the capability's
            groups (publication numbers).
    """

    capability_id: str
    fit: float
    text: float = 0.0
    cosine: float = 0.0
    text_source: str = ""
    ipc: float = 0.0
    group_patents: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeamMember:
    """A chosen member: the capabilities it covers best in the team, and all its fits."""

    candidate: Candidate
    covers: tuple[str, ...]
    fits: tuple[CapabilityFit, ...]


@dataclass(frozen=True)
class GapFiller:
    """Something from outside the register that could fill a gap: a licensable offer or an applicant."""

    kind: str  # "offer" or "applicant"
    name: str
    score: float
    evidence: tuple[str, ...] = ()
    ref: str = ""


@dataclass(frozen=True)
class Gap:
    """A capability nobody in the team covers well enough."""

    capability_id: str
    best_fit: float
    best_member: str = ""
    fillers: tuple[GapFiller, ...] = ()


@dataclass(frozen=True)
class Alternate:
    """A company that could replace a member, and the coverage the team would then have."""

    candidate: Candidate
    replaces: str
    coverage: float
    covers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsortiumPlan:
    """The consortium builder's answer.

    Attributes:
        concept: the concept text.
        capabilities: the required capabilities.
        team: chosen members, in order of contribution.
        coverage: team coverage in [0, 1].
        gaps: capabilities below the gap threshold.
        alternates: substitutes for members.
        method: how the team was chosen (``"ip"``, ``"exact"``, …); ``optimal`` says whether it is
            proven optimal; ``seconds`` the time the optimisation took.
        candidates: how many companies were considered.
        notes: remarks for the user (for example a constraint that was relaxed).
    """

    concept: str
    capabilities: tuple[Capability, ...]
    team: tuple[TeamMember, ...]
    coverage: float
    gaps: tuple[Gap, ...] = ()
    alternates: tuple[Alternate, ...] = ()
    method: str = ""
    optimal: bool = False
    seconds: float = 0.0
    candidates: int = 0
    notes: tuple[str, ...] = ()
