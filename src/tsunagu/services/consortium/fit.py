"""The fit matrix: how well each candidate company fits each capability, with the evidence.

Implements the formula documented in `tsunagu.domain.consortium` over real texts:

- the phrase is embedded with the search embedder (``embed``);
- a company's texts are its profile (capabilities, equipment, products; skipped for profiles derived
  from patent data, which only repeat the patents) and each of its patents' title + abstract, whose
  vectors come from the search index (``patent_cosines``);
- its classification counts are the number of its patents carrying each IPC main group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tsunagu.domain.codes import main_group
from tsunagu.domain.consortium import (
    DEFAULT_FIT,
    Candidate,
    Capability,
    CapabilityFit,
    FitParameters,
    combine_fit,
    ipc_signal,
    text_signal,
)
from tsunagu.domain.patent import Patent

__all__ = ["CompanyEvidence", "FitMatrix", "compute_fits"]

#: Texts → L2-normalised vectors (rows).
Embed = Callable[[Sequence[str]], np.ndarray]
#: (query vector, patent keys) → cosine per key (NaN for a key without a stored vector).
PatentCosines = Callable[[np.ndarray, Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class CompanyEvidence:
    """A candidate with the texts and patents its fit is computed from.

    Attributes:
        candidate: the company.
        profile: profile text ("" when none or derived from patents).
        patents: its corpus records.
    """

    candidate: Candidate
    profile: str
    patents: tuple[Patent, ...]

    def group_counts(self) -> Counter[str]:
        """Patents per IPC main group (each patent counted once per group)."""
        counts: Counter[str] = Counter()
        for p in self.patents:
            counts.update({main_group(c) for c in p.ipc_codes if "/" in c})
        return counts


@dataclass(frozen=True)
class FitMatrix:
    """Fits of ``companies`` (rows) to ``capabilities`` (columns).

    Attributes:
        values: ``n × K`` fits in [0, 1], rounded to 3 decimals (the optimiser's tie-breaking relies on
            fits being exact multiples of 0.001).
        details: per row, per column, the `CapabilityFit` with its evidence.
    """

    companies: tuple[CompanyEvidence, ...]
    capabilities: tuple[Capability, ...]
    values: np.ndarray
    details: tuple[tuple[CapabilityFit, ...], ...]


def compute_fits(
    capabilities: Sequence[Capability],
    companies: Sequence[CompanyEvidence],
    *,
    embed: Embed,
    patent_cosines: PatentCosines,
    params: FitParameters = DEFAULT_FIT,
) -> FitMatrix:
    """Compute the fit matrix (see the module docstring)."""
    n, K = len(companies), len(capabilities)
    values = np.zeros((n, K), dtype=np.float64)
    details: list[list[CapabilityFit]] = [[] for _ in range(n)]
    if K == 0:
        return FitMatrix(tuple(companies), tuple(capabilities), values, tuple(() for _ in range(n)))
    queries = np.asarray(embed([c.phrase for c in capabilities]), dtype=np.float32)
    with_profile = [i for i, c in enumerate(companies) if c.profile.strip()]
    profile_vecs = (
        np.asarray(embed([companies[i].profile for i in with_profile]), dtype=np.float32)
        if with_profile
        else np.zeros((0, queries.shape[1]), np.float32)
    )
    keys: list[str] = []
    owner: list[int] = []
    for i, c in enumerate(companies):
        for p in c.patents:
            keys.append(p.key)
            owner.append(i)
    owners = np.asarray(owner, dtype=np.int64)
    numbers = [p.publication_number for c in companies for p in c.patents]
    counts = [c.group_counts() for c in companies]
    for k, cap in enumerate(capabilities):
        q = queries[k]
        best_cos = np.full(n, -1.0)
        best_src: list[str] = [""] * n
        if keys:
            cos = np.asarray(patent_cosines(q, keys), dtype=np.float64)
            cos = np.where(np.isnan(cos), -1.0, cos)
            order = np.argsort(-cos, kind="stable")
            seen = np.zeros(n, dtype=bool)
            for j in order:
                i = int(owners[j])
                if not seen[i]:
                    seen[i] = True
                    best_cos[i] = cos[j]
                    best_src[i] = numbers[j]
        if with_profile:
            pcos = profile_vecs @ q
            for row, i in enumerate(with_profile):
                if pcos[row] > best_cos[i]:
                    best_cos[i] = float(pcos[row])
                    best_src[i] = "profile"
        groups = cap.group_weights
        for i, comp in enumerate(companies):
            cosine = max(0.0, float(best_cos[i]))
            t = text_signal(cosine, params)
            ipc = ipc_signal(groups, counts[i], params)
            fit = round(combine_fit(t, ipc, params), 3)
            values[i, k] = fit
            in_groups = tuple(
                p.publication_number
                for p in comp.patents
                if any(main_group(c) in groups for c in p.ipc_codes if "/" in c)
            )[:5]
            details[i].append(
                CapabilityFit(
                    cap.id,
                    fit,
                    round(t, 3),
                    round(cosine, 3),
                    best_src[i] if t > 0 else "",
                    round(ipc, 3),
                    in_groups,
                )
            )
    return FitMatrix(tuple(companies), tuple(capabilities), values, tuple(tuple(d) for d in details))
