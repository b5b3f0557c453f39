"""How the components of a match make one score, and the weights (tuned and documented in
``docs/matching.md``).

Components, each in [0, 1]:

- ``capability_fit`` — can this company make it? Text similarity of the company's profile (capabilities,
  equipment, products and its own patents) to the offer: the mean of the available channels (TF-IDF
  cosine; multilingual embedding cosine when vectors exist).
- ``need_fit`` — does it answer one of the company's open needs? The best need's similarity, by the
  same channels. Absent when the company registered no need.
- ``field_proximity`` — is it a new field close to the company's own? See
  `tsunagu.services.matching.fields`.

The score is the weighted mean of the components that are present (an absent component neither helps
nor hurts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["COMPONENTS", "DEFAULT_WEIGHTS", "MatchWeights", "combine"]

COMPONENTS: tuple[str, ...] = ("capability_fit", "need_fit", "field_proximity")


@dataclass(frozen=True)
class MatchWeights:
    """Weights of the components (only their ratios matter).

    ``capability_fit`` against ``field_proximity`` was tuned on the matching evaluation with T = 2010 (a
    split disjoint in time from the reported T = 2015 run): MAP is flat for capability weights 0.05–0.3
    and falls beyond, so the largest weight on that plateau was kept (text evidence matters to users
    beyond what the proxy measures). ``need_fit`` has no counterpart in that proxy (patent records carry
    no needs) and is set by judgement: a need the company wrote itself counts as much as the field
    evidence. See ``docs/matching.md``.
    """

    capability_fit: float = 0.3
    need_fit: float = 1.0
    field_proximity: float = 1.0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_WEIGHTS = MatchWeights()


def combine(
    components: Mapping[str, np.ndarray | None], weights: MatchWeights = DEFAULT_WEIGHTS
) -> np.ndarray:
    """Weighted mean of the present components (arrays of equal length; ``None`` = absent)."""
    present = {k: v for k, v in components.items() if v is not None}
    if not present:
        raise ValueError("no component to combine")
    w = weights.to_dict()
    total = sum(w[k] for k in present)
    n = len(next(iter(present.values())))
    out = np.zeros(n, dtype=np.float64)
    for k, v in present.items():
        out += w[k] * np.asarray(v, dtype=np.float64)
    return out / total if total > 0 else out
