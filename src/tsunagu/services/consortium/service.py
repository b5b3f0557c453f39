"""`ConsortiumService`: from a concept to a team of companies, its gaps and alternates.

Steps of `ConsortiumService.plan`:

1. decompose the concept into capabilities (`ConceptDecomposer`);
2. load the candidates (register companies with their patents) and compute the fit matrix
   (`compute_fits`, formula in `tsunagu.domain.consortium`);
3. turn region / include / exclude into `TeamConstraints` and choose the team by optimisation
   (`choose_team`: exact search for small instances, else the integer program — never greedy);
4. report who covers what, the gaps (best team fit under the gap threshold) with licensable offers
   and outside applicants that could fill them, and substitutes for each member.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tsunagu.domain.codes import main_group, subclass
from tsunagu.domain.consortium import (
    DEFAULT_FIT,
    Alternate,
    Capability,
    ConsortiumPlan,
    FitParameters,
    Gap,
    GapFiller,
    TeamMember,
)
from tsunagu.domain.patent import Patent
from tsunagu.errors import ValidationError
from tsunagu.services.consortium.concept import ConceptDecomposer
from tsunagu.services.consortium.fit import CompanyEvidence, Embed, FitMatrix, PatentCosines, compute_fits
from tsunagu.services.consortium.optimizer import TeamConstraints, choose_team, substitutes

__all__ = [
    "ConsortiumRequest",
    "ConsortiumService",
    "OfferView",
    "empty_cosines",
    "normalise",
    "plan_to_dict",
]

MAX_SIZE = 10


def normalise(name: str) -> str:
    """Comparison form of a company name (NFKC, case folding, no white space)."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", name or "").casefold().split())


@dataclass(frozen=True)
class OfferView:
    """What gap filling needs of a licensable offer."""

    ref: str
    title: str
    holder: str
    ipc_codes: tuple[str, ...]
    patent_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsortiumRequest:
    """What the user asks for.

    Attributes:
        concept: the product or service concept.
        size: team size.
        regions: allowed regions (empty: anywhere).
        region_min: with ``regions``, at least this many members from them (others from anywhere);
            ``None`` means every member must be from them.
        include: companies that must be in the team (register id or name).
        exclude: companies that may not be.
        capabilities: extra capability phrases the user adds to the decomposition.
        method: solver (``auto``, ``ip``, ``exact``).
    """

    concept: str
    size: int = 3
    regions: tuple[str, ...] = ()
    region_min: int | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    method: str = "auto"


@dataclass
class ConsortiumService:
    """Build consortia from the company register and the corpus.

    Args:
        decomposer: concept → capabilities.
        candidates: loads the candidate companies with their patents.
        embed: the search embedder's text → vectors.
        patent_cosines: cosine of a query vector to stored patent vectors.
        offers: loads licensable offers (optional).
        params: fit constants.
        time_limit: seconds allowed to the solver.
    """

    decomposer: ConceptDecomposer
    candidates: Callable[[], Sequence[CompanyEvidence]]
    embed: Embed
    patent_cosines: PatentCosines
    offers: Callable[[], Sequence[OfferView]] | None = None
    params: FitParameters = field(default_factory=lambda: DEFAULT_FIT)
    time_limit: float = 30.0

    def plan(self, request: ConsortiumRequest) -> tuple[ConsortiumPlan, FitMatrix]:
        """Answer a request; returns the plan and the fit matrix behind it.

        Raises:
            ValidationError: bad size, unknown include/exclude names, contradictory constraints, or no
                candidates at all.
        """
        if not 1 <= request.size <= MAX_SIZE:
            raise ValidationError(
                f"size: チーム規模は1〜{MAX_SIZE}社 / the team size must be 1 to {MAX_SIZE}"
            )
        caps, hits = self.decomposer.decompose_with_hits(request.concept, request.capabilities)
        companies = list(self.candidates())
        if not companies:
            raise ValidationError(
                "候補企業がありません。tsunagu companies add で登録するか tsunagu demo を実行してください / "
                "no companies to choose from: register some (tsunagu companies add) or run tsunagu demo"
            )
        matrix = compute_fits(
            caps, companies, embed=self.embed, patent_cosines=self.patent_cosines, params=self.params
        )
        cons, notes = self._constraints(request, companies)
        selection = choose_team(matrix.values, cons, method=request.method, time_limit=self.time_limit)
        plan = self._assemble(request, matrix, selection.members, cons, hits)
        for member in plan[0]:
            if not member.covers:
                notes.append(
                    f"{member.candidate.name} はどの機能でも最高の適合ではありません (他のメンバーの補強・代替要員)"
                    " / covers no capability best: a backup for the others"
                )
        return (
            ConsortiumPlan(
                concept=request.concept,
                capabilities=tuple(caps),
                team=plan[0],
                coverage=selection.coverage,
                gaps=plan[1],
                alternates=plan[2],
                method=selection.method,
                optimal=selection.optimal,
                seconds=selection.seconds,
                candidates=len(companies),
                notes=tuple(notes),
            ),
            matrix,
        )

    # -- constraints -------------------------------------------------------------------------------

    def _find(self, companies: Sequence[CompanyEvidence], name: str, what: str) -> int:
        text = name.strip().lstrip("#")
        for i, c in enumerate(companies):
            if text == c.candidate.key or text == c.candidate.key.split(":")[-1]:
                return i
        norm = normalise(name)
        found = [i for i, c in enumerate(companies) if normalise(c.candidate.name) == norm]
        if len(found) == 1:
            return found[0]
        names = [c.candidate.name for c in companies]
        near = (
            difflib.get_close_matches(name, names, n=5, cutoff=0.5)
            or [n for n in names if norm in normalise(n)][:5]
        )
        hint = f" 近い名前 / did you mean: {', '.join(near)}" if near else ""
        if len(found) > 1:
            raise ValidationError(
                f"{what}: 同名の企業が複数あります / several companies are called {name!r}; give the id"
            )
        raise ValidationError(f"{what}: 候補企業にありません / no candidate company {name!r}.{hint}")

    def _constraints(
        self, request: ConsortiumRequest, companies: Sequence[CompanyEvidence]
    ) -> tuple[TeamConstraints, list[str]]:
        required = frozenset(self._find(companies, n, "include") for n in request.include)
        excluded = frozenset(self._find(companies, n, "exclude") for n in request.exclude)
        notes: list[str] = []
        at_least: tuple[tuple[frozenset[int], int], ...] = ()
        forbidden = set(excluded)
        if request.regions:
            wanted = {normalise(r) for r in request.regions}
            in_region = frozenset(
                i for i, c in enumerate(companies) if normalise(c.candidate.region) in wanted
            )
            if request.region_min is None:
                outside = {i for i in range(len(companies)) if i not in in_region and i not in required}
                forbidden |= outside
                for i in required - in_region:
                    notes.append(
                        f"{companies[i].candidate.name} は指定地域外ですが必須メンバーとして含めました"
                    )
            else:
                at_least = ((in_region - excluded, request.region_min),)
            if not in_region - excluded:
                raise ValidationError(
                    f"region: 指定地域 {', '.join(request.regions)} の候補企業がありません / "
                    "no candidate company in the given region(s)"
                )
        allowed = len(companies) - len(forbidden)
        if allowed < request.size:
            notes.append(f"条件を満たす候補が {allowed} 社のため、{allowed} 社のチームとしました")
        cons = TeamConstraints(request.size, required, frozenset(forbidden), at_least)
        cons.check(len(companies))
        return cons, notes

    # -- answer ------------------------------------------------------------------------------------

    def _assemble(
        self,
        request: ConsortiumRequest,
        matrix: FitMatrix,
        members: Sequence[int],
        cons: TeamConstraints,
        hits: dict[str, list[Patent]],
    ) -> tuple[tuple[TeamMember, ...], tuple[Gap, ...], tuple[Alternate, ...]]:
        F = matrix.values
        caps = matrix.capabilities
        best_member = (
            {k: max(members, key=lambda i: (F[i, k], -i)) for k in range(len(caps))} if members else {}
        )
        team = tuple(
            TeamMember(
                matrix.companies[i].candidate,
                tuple(caps[k].id for k in range(len(caps)) if best_member.get(k) == i and F[i, k] > 0),
                matrix.details[i],
            )
            for i in members
        )
        team_names = {normalise(matrix.companies[i].candidate.name) for i in members}
        register_names = {normalise(c.candidate.name) for c in matrix.companies}
        offers = list(self.offers()) if self.offers is not None else []
        gaps: list[Gap] = []
        for k, cap in enumerate(caps):
            best = float(F[best_member[k], k]) if members else 0.0
            if best >= self.params.gap_threshold:
                continue
            fillers = [
                *self._offer_fillers(cap, offers),
                *self._applicant_fillers(cap, hits.get(cap.id, []), team_names, register_names),
            ]
            gaps.append(
                Gap(
                    cap.id,
                    round(best, 3),
                    matrix.companies[best_member[k]].candidate.name if members and best > 0 else "",
                    tuple(fillers),
                )
            )
        alternates = tuple(
            Alternate(
                matrix.companies[c].candidate,
                matrix.companies[m].candidate.name,
                round(cov, 4),
                tuple(
                    caps[k].id
                    for k in range(len(caps))
                    if F[c, k] > F[[x for x in members if x != m], k].max(initial=0.0)
                ),
            )
            for m, c, cov in substitutes(F, list(members), cons, per_member=2)
        )
        return team, tuple(gaps), alternates

    @staticmethod
    def _offer_fillers(cap: Capability, offers: Sequence[OfferView], n: int = 3) -> list[GapFiller]:
        weights = cap.group_weights
        if not weights or not offers:
            return []
        top = max(weights.values())
        sub_weights: dict[str, float] = {}
        for g, w in weights.items():
            sub_weights[subclass(g)] = max(sub_weights.get(subclass(g), 0.0), w)
        scored: list[tuple[float, OfferView]] = []
        for offer in offers:
            score = 0.0
            for code in offer.ipc_codes:
                g = main_group(code) if "/" in code else ""
                if g in weights:
                    score = max(score, weights[g] / top)
                elif subclass(code) in sub_weights:
                    score = max(score, 0.5 * sub_weights[subclass(code)] / top)
            if score > 0:
                scored.append((score, offer))
        scored.sort(key=lambda t: (-t[0], t[1].ref))
        return [
            GapFiller(
                "offer", o.title, round(s, 3), tuple(o.patent_numbers[:3]) + tuple(o.ipc_codes[:3]), o.ref
            )
            for s, o in scored[:n]
        ]

    @staticmethod
    def _applicant_fillers(
        cap: Capability, hits: Sequence[Patent], team: set[str], register: set[str], n: int = 3
    ) -> list[GapFiller]:
        groups = cap.group_weights
        score: dict[str, float] = {}
        display: dict[str, str] = {}
        evidence: dict[str, list[str]] = {}
        for rank, p in enumerate(hits, start=1):
            if groups and not any(main_group(c) in groups for c in p.ipc_codes if "/" in c):
                continue
            for name in p.applicants:
                key = normalise(name)
                if not key or key in team:
                    continue
                score[key] = score.get(key, 0.0) + 1.0 / (3 + rank)
                display.setdefault(key, name)
                evidence.setdefault(key, []).append(p.publication_number)
        total = sum(1.0 / (3 + r) for r in range(1, len(hits) + 1)) or 1.0
        ranked = sorted(score, key=lambda k: (-score[k], display[k]))[:n]
        return [
            GapFiller(
                "applicant",
                display[k],
                round(score[k] / total, 3),
                tuple(evidence[k][:3]),
                "register" if k in register else "corpus",
            )
            for k in ranked
        ]


def plan_to_dict(plan: ConsortiumPlan, matrix: FitMatrix | None = None) -> dict[str, Any]:
    """The plan as exactly ``{"team", "coverage", "capabilities", "gaps", "alternates"}``."""
    caps = {c.id: c for c in plan.capabilities}
    best: dict[str, tuple[float, str]] = {}
    for m in plan.team:
        for f in m.fits:
            if f.fit > best.get(f.capability_id, (-1.0, ""))[0]:
                best[f.capability_id] = (f.fit, m.candidate.name)
    team = [
        {
            "company": m.candidate.name,
            "id": m.candidate.key,
            "region": m.candidate.region,
            "derived_from_patents": m.candidate.derived,
            "patents": m.candidate.patent_count,
            "covers": list(m.covers),
            "fits": {
                f.capability_id: {
                    "fit": f.fit,
                    "text": f.text,
                    "cosine": f.cosine,
                    "text_source": f.text_source,
                    "ipc": f.ipc,
                    "patents_in_groups": list(f.group_patents),
                }
                for f in m.fits
            },
        }
        for m in plan.team
    ]
    capabilities = [
        {
            "id": c.id,
            "phrase": c.phrase,
            "ipc_groups": [
                {"group": g, "weight": w, "title": c.group_titles.get(g, "")} for g, w in c.groups
            ],
            "evidence": list(c.evidence),
            "best_fit": best.get(c.id, (0.0, ""))[0] if plan.team else 0.0,
            "covered_by": best.get(c.id, (0.0, ""))[1] if plan.team else "",
        }
        for c in plan.capabilities
    ]
    gaps = [
        {
            "capability": g.capability_id,
            "phrase": caps[g.capability_id].phrase,
            "best_fit": g.best_fit,
            "best_member": g.best_member,
            "offers": [
                {"title": f.name, "score": f.score, "evidence": list(f.evidence), "ref": f.ref}
                for f in g.fillers
                if f.kind == "offer"
            ],
            "applicants": [
                {
                    "name": f.name,
                    "score": f.score,
                    "evidence": list(f.evidence),
                    "in_register": f.ref == "register",
                }
                for f in g.fillers
                if f.kind == "applicant"
            ],
        }
        for g in plan.gaps
    ]
    alternates = [
        {
            "company": a.candidate.name,
            "id": a.candidate.key,
            "region": a.candidate.region,
            "replaces": a.replaces,
            "coverage": a.coverage,
            "delta": round(a.coverage - plan.coverage, 4),
            "covers": list(a.covers),
        }
        for a in plan.alternates
    ]
    return {
        "team": team,
        "coverage": round(plan.coverage, 4),
        "capabilities": capabilities,
        "gaps": gaps,
        "alternates": alternates,
    }


def empty_cosines(query: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """A `PatentCosines` for a corpus without vectors (every cosine unknown)."""
    return np.full(len(keys), np.nan)
