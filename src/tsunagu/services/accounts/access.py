"""The access rules: which role may use which capability, and which records each person may see.

`CAPABILITIES` is the one table the HTTP layers check before they read any input (so an anonymous
request gets 401 and a forbidden one 403, never a validation error). The record-level rules below it
follow the web issue:

- an SME user sees its own company profile (and its deals and reports) and the offers licensors
  published;
- a licensor user sees its own offers, and companies that agreed to be visible, through
  `tsunagu.domain.matching.licensor_view` (identity only when public or when both sides of a deal
  agreed to reveal it);
- a coordinator sees the programmes they coordinate: their companies, deals and offers; hands-on cases
  are visible to their programme's coordinators and specialists;
- a bank viewer sees the evaluation reports of companies that consented to share them with that bank;
- an administrator sees everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from tsunagu.services.accounts.model import ADMIN, BANK, COORDINATOR, LICENSOR, ROLES, SME, Principal

__all__ = ["CAPABILITIES", "AccessRules", "RegistryView", "allowed"]

_ALL = frozenset(ROLES)
_STAFF = frozenset({ADMIN, COORDINATOR})

#: capability → roles allowed to use it (record-level rules still apply inside).
CAPABILITIES: dict[str, frozenset[str]] = {
    "patents.read": _ALL,
    "search": _ALL,
    "discover": frozenset({ADMIN, COORDINATOR, LICENSOR, SME, BANK}),
    "landscape": _ALL,
    "offers.read": frozenset({ADMIN, COORDINATOR, LICENSOR, SME}),
    "offers.write": frozenset({ADMIN, COORDINATOR, LICENSOR}),
    "companies.read": frozenset({ADMIN, COORDINATOR, LICENSOR, SME}),
    "companies.write": frozenset({ADMIN, COORDINATOR, SME}),
    "matches": frozenset({ADMIN, COORDINATOR, LICENSOR, SME}),
    "deals.read": frozenset({ADMIN, COORDINATOR, LICENSOR, SME}),
    "deals.write": _STAFF,
    "reports.read": _ALL,
    "reports.create": frozenset({ADMIN, COORDINATOR, SME}),
    "imports": _STAFF,
    "cases": _STAFF,
    "consortium": _STAFF,
    "programmes.read": _STAFF,
    "users.admin": frozenset({ADMIN}),
    "audit.read": frozenset({ADMIN}),
    "jobs": _ALL,
    "self": _ALL,
}


def allowed(principal: Principal | None, capability: str) -> bool:
    """Whether ``principal`` may use ``capability`` at all (unknown capabilities are refused)."""
    if principal is None:
        return False
    return principal.role in CAPABILITIES.get(capability, frozenset())


class RegistryView(Protocol):
    """What the record rules read from the company register (`SqlRegistryStore` fits)."""

    def memberships(self, kind: str, ref: str) -> Sequence[Any]: ...

    def consents(self, *, company_id: int | None = None, institution: str = "") -> Sequence[Any]: ...


class AccessRules:
    """Record-level rules over the company register.

    Args:
        registry: a callable returning the register (or None when the app has none): it is looked up
            lazily so a web server starts before the register exists.
    """

    def __init__(self, registry: Callable[[], RegistryView | None]) -> None:
        self._registry = registry

    @property
    def registry(self) -> RegistryView | None:
        return self._registry()

    def company_programmes(self, company_id: int) -> set[int]:
        """Programmes a company is a member of."""
        reg = self.registry
        if reg is None:
            return set()
        return {int(m.programme_id) for m in reg.memberships("company", str(company_id))}

    def licensor_programmes(self, licensor_id: int) -> set[int]:
        reg = self.registry
        if reg is None:
            return set()
        return {int(m.programme_id) for m in reg.memberships("licensor", str(licensor_id))}

    # -- companies -----------------------------------------------------------------------------------

    def sees_company_fully(self, p: Principal, company: Any) -> bool:
        """Full profile: admins, the SME itself, coordinators of one of its programmes (and of
        demo companies derived from public patent data)."""
        if p.is_admin:
            return True
        if p.role == SME:
            return p.company_id == company.id
        if p.role == COORDINATOR:
            if getattr(company, "origin", "") == "derived_from_patents" and p.coordinated_programmes:
                return True
            return bool(self.company_programmes(company.id) & p.coordinated_programmes)
        return False

    def sees_company_as_licensor(self, p: Principal, company: Any) -> bool:
        return p.role == LICENSOR and company.visibility.level != "private"

    def company_editable(self, p: Principal, company: Any) -> bool:
        if p.is_admin:
            return True
        if p.role == SME:
            return p.company_id == company.id
        if p.role == COORDINATOR:
            return bool(self.company_programmes(company.id) & p.coordinated_programmes)
        return False

    # -- offers --------------------------------------------------------------------------------------

    def sees_offer(self, p: Principal, offer: Any) -> bool:
        """Licensors see their own offers; SMEs and coordinators see open offers, coordinators also
        every offer of their programmes."""
        if p.is_admin:
            return True
        if p.role == LICENSOR:
            return p.licensor_id is not None and offer.licensor_id == p.licensor_id
        if p.role == SME:
            return offer.status == "open"
        if p.role == COORDINATOR:
            return offer.status == "open" or p.coordinates(offer.programme_id)
        return False

    def offer_editable(self, p: Principal, offer: Any) -> bool:
        if p.is_admin:
            return True
        if p.role == LICENSOR:
            return p.licensor_id is not None and offer.licensor_id == p.licensor_id
        if p.role == COORDINATOR:
            return offer.programme_id is not None and p.coordinates(offer.programme_id)
        return False

    # -- deals ---------------------------------------------------------------------------------------

    def sees_deal(self, p: Principal, deal: Any, offer: Any | None = None) -> bool:
        if p.is_admin:
            return True
        if p.role == COORDINATOR:
            return p.coordinates(deal.programme_id)
        if p.role == SME:
            return p.company_id is not None and deal.company_id == p.company_id
        if p.role == LICENSOR:
            return offer is not None and p.licensor_id is not None and offer.licensor_id == p.licensor_id
        return False

    def deal_editable(self, p: Principal, deal: Any) -> bool:
        return p.is_admin or (p.role == COORDINATOR and p.coordinates(deal.programme_id))

    def deal_programmes(self, p: Principal) -> set[int] | None:
        """Programmes whose deals a coordinator may create (None = any, for admins)."""
        if p.is_admin:
            return None
        return set(p.coordinated_programmes) if p.role == COORDINATOR else set()

    # -- reports -------------------------------------------------------------------------------------

    def sees_report(self, p: Principal, *, company_id: int | None, owner_id: int) -> bool:
        """Evaluation reports: the author, admins, the SME itself, coordinators of the company's
        programmes, and bank viewers of an institution the company consented to share with."""
        if p.is_admin or p.user_id == owner_id:
            return True
        if company_id is None:
            return p.role == COORDINATOR
        if p.role == SME:
            return p.company_id == company_id
        if p.role == COORDINATOR:
            return bool(self.company_programmes(company_id) & p.coordinated_programmes)
        if p.role == BANK:
            return self.bank_may_read(p, company_id)
        return False

    def bank_may_read(self, p: Principal, company_id: int) -> bool:
        reg = self.registry
        if reg is None or not p.institution:
            return False
        return any(
            not getattr(c, "revoked_at", "")
            for c in reg.consents(company_id=company_id, institution=p.institution)
        )

    def may_report_on(self, p: Principal, company_id: int | None) -> bool:
        """Whether ``p`` may generate a report on a company (None = a corpus applicant, not registered)."""
        if p.is_admin:
            return True
        if p.role == SME:
            return company_id is not None and company_id == p.company_id
        if p.role == COORDINATOR:
            return company_id is None or bool(self.company_programmes(company_id) & p.coordinated_programmes)
        return False

    # -- hands-on cases -------------------------------------------------------------------------------

    def sees_case(self, p: Principal, case: Any) -> bool:
        """Cases: their programme's coordinators and specialists (via the case's company), the case's
        own specialist, and admins."""
        if p.is_admin:
            return True
        if p.role != COORDINATOR:
            return False
        if getattr(case, "specialist", "") in (p.username, p.display_name) and case.specialist:
            return True
        company_id = getattr(case, "company_id", None)
        if company_id is None:
            return False
        return bool(self.company_programmes(int(company_id)) & p.supported_programmes)

    def filter(self, items: Iterable[Any], rule: Callable[[Any], bool]) -> list[Any]:
        return [item for item in items if rule(item)]
