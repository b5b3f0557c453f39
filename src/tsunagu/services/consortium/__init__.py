"""中小企業コンソーシアム — the consortium builder: concept → capabilities → fits → optimised team."""

from tsunagu.services.consortium.candidates import derive_companies, load_candidates
from tsunagu.services.consortium.concept import ConceptDecomposer, split_concept
from tsunagu.services.consortium.fit import CompanyEvidence, FitMatrix, compute_fits
from tsunagu.services.consortium.optimizer import TeamConstraints, TeamSelection, choose_team
from tsunagu.services.consortium.service import ConsortiumRequest, ConsortiumService, OfferView, plan_to_dict

__all__ = [
    "CompanyEvidence",
    "ConceptDecomposer",
    "ConsortiumRequest",
    "ConsortiumService",
    "FitMatrix",
    "OfferView",
    "TeamConstraints",
    "TeamSelection",
    "choose_team",
    "compute_fits",
    "derive_companies",
    "load_candidates",
    "plan_to_dict",
    "split_concept",
]
