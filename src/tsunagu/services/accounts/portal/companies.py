"""Company profiles as their owners keep them: profile fields, needs and report-sharing consents.

An SME user edits its own company; coordinators edit the companies of the programmes they coordinate;
administrators edit any (`AccessRules.company_editable`). A company one may not see is "not found"; one
seen but not editable is refused. Every value is checked before anything is written (one register
update per change), and each change is audit-logged.

Fields that tie the company to patent records (``aliases``, ``applicant_names``, ``patent_numbers``)
decide which patents its evaluation reports count as its own, so only coordinators and administrators
change them.

Report-sharing consent names a financial institution; a bank viewer reads the company's reports while
an active consent names the viewer's institution (compared by `normalise_name`, as
`AccessRules.bank_may_read` does).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from tsunagu.domain.matching import (
    COMPANY_FIELDS,
    Company,
    Need,
    ReportConsent,
    label,
    normalise_name,
    parse_code,
)
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.access import allowed
from tsunagu.services.accounts.model import BANK, SME, PermissionDeniedError, Principal
from tsunagu.services.accounts.portal.matching import MatchingPortal

__all__ = ["NEED_FIELDS", "OWNER_FIELDS", "PROFILE_FIELDS", "STAFF_FIELDS", "CompanyPortal"]

_NOT_FOUND = "見つかりません / not found"

#: Profile fields an editor may change: name → (kind, maximum length or items).
OWNER_FIELDS: dict[str, tuple[str, int]] = {
    "region": ("text", 200),
    "industry": ("text", 200),
    "size": ("code", 40),
    "employees": ("count", 0),
    "capabilities": ("text", 5000),
    "equipment": ("text", 5000),
    "products": ("text", 5000),
    "note": ("text", 5000),
    "visibility": ("code", 40),
    "visible_fields": ("list", len(COMPANY_FIELDS)),
}
#: Fields that link the company to patent records: coordinators and administrators only.
STAFF_FIELDS: dict[str, tuple[str, int]] = {
    "aliases": ("list", 30),
    "applicant_names": ("list", 30),
    "patent_numbers": ("list", 200),
}
PROFILE_FIELDS: dict[str, tuple[str, int]] = {**OWNER_FIELDS, **STAFF_FIELDS}
#: Need fields: name → maximum length.
NEED_FIELDS: dict[str, int] = {
    "title": 300,
    "problem": 3000,
    "wanted_capability": 3000,
    "budget": 300,
    "timing": 300,
    "exclusivity": 40,
    "visibility": 40,
}
_ITEM_MAX = 300
_INSTITUTION_MAX = 200


def _text(name: str, value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{name}: 文字列で指定してください / must be text")
    text = value.strip()
    if len(text) > limit:
        raise ValidationError(f"{name}: {limit} 文字以内 / at most {limit} characters")
    return text


def _items(name: str, value: Any, limit: int) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("\r", "\n").split("\n")]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"{name}: 文字列のリストで指定してください / must be a list of text")
    items = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if len(items) > limit:
        raise ValidationError(f"{name}: {limit} 件以内 / at most {limit} items")
    if any(len(v) > _ITEM_MAX for v in items):
        raise ValidationError(f"{name}: 各 {_ITEM_MAX} 文字以内 / each at most {_ITEM_MAX} characters")
    return items


def _count(name: str, value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{name}: 0 以上の整数で指定してください / must be a whole number ≥ 0")
    if isinstance(value, str):
        text = value.replace(",", "").strip()
        if not text.isdigit():
            raise ValidationError(f"{name}: 0 以上の整数で指定してください / must be a whole number ≥ 0")
        value = int(text)
    if not isinstance(value, int) or value < 0 or value > 10_000_000:
        raise ValidationError(f"{name}: 0 以上の整数で指定してください / must be a whole number ≥ 0")
    return value


def _consent_dict(c: ReportConsent) -> dict[str, Any]:
    return {**dataclasses.asdict(c), "active": c.active}


def _institution(value: str) -> str:
    name = _text("institution", value, _INSTITUTION_MAX)
    if not normalise_name(name):
        raise ValidationError("institution: 金融機関名が必要です / an institution name is required")
    return name


class CompanyPortal(MatchingPortal):
    """Editing company profiles, their needs and their report-sharing consents."""

    # -- access ----------------------------------------------------------------------------------

    def _company_record(self, p: Principal, company_id: int) -> Company:
        """The company if ``p`` sees it in full (else not found)."""
        try:
            company: Company = self.registry().get_company(company_id)
        except NotFoundError:
            raise NotFoundError(_NOT_FOUND) from None
        if not self.rules.sees_company_fully(p, company):
            raise NotFoundError(_NOT_FOUND)
        return company

    def _editable_company(self, p: Principal, company_id: int) -> Company:
        """The company if ``p`` may change it: not found when unseen, refused when seen only."""
        self.require(p, "companies.write")
        company = self._company_record(p, company_id)
        if not self.rules.company_editable(p, company):
            raise PermissionDeniedError("この企業を編集する権限がありません / you may not edit this company")
        return company

    def company_editing(self, p: Principal, company_id: int) -> dict[str, Any]:
        """What the company page offers ``p`` to change: the editable fields and the choices."""
        try:
            company = self._company_record(p, company_id)
        except NotFoundError:
            return {"editable": False}
        editable = allowed(p, "companies.write") and self.rules.company_editable(p, company)
        if not editable:
            return {"editable": False}
        staff = p.role != SME
        return {
            "editable": True,
            "fields": sorted(PROFILE_FIELDS if staff else OWNER_FIELDS),
            "staff_fields": staff,
        }

    # -- profile ---------------------------------------------------------------------------------

    def _check_changes(self, p: Principal, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Validated, normalised changes (nothing is written here)."""
        if not changes:
            raise ValidationError("body: 変更する項目がありません / nothing to change")
        unknown = sorted(set(changes) - set(PROFILE_FIELDS))
        if unknown:
            raise ValidationError(
                f"{unknown[0]}: 変更できない項目です / unknown or read-only field "
                f"(使える項目 / editable: {', '.join(sorted(PROFILE_FIELDS))})"
            )
        if p.role == SME:
            staff_only = sorted(set(changes) & set(STAFF_FIELDS))
            if staff_only:
                raise PermissionDeniedError(
                    f"{staff_only[0]}: 特許との紐付けはコーディネーターが変更します / "
                    "patent links are changed by the programme's coordinator"
                )
        out: dict[str, Any] = {}
        for name, value in changes.items():
            kind, limit = PROFILE_FIELDS[name]
            if kind == "text":
                out[name] = _text(name, value, limit)
            elif kind == "count":
                out[name] = _count(name, value)
            elif kind == "list":
                out[name] = _items(name, value, limit)
            elif name == "size":
                out[name] = parse_code("size", _text(name, value, limit), field_name="size")
            else:  # visibility level
                out[name] = parse_code(
                    "visibility", _text(name, value, limit), field_name="visibility", allow_empty=False
                )
        if "visible_fields" in out:
            out["visible_fields"] = sorted(
                {
                    parse_code("field", f, field_name="visible_fields", allow_empty=False)
                    for f in out["visible_fields"]
                }
            )
        return out

    def update_company(
        self, p: Principal, company_id: int, changes: Mapping[str, Any], *, lang: str = "ja", ip: str = ""
    ) -> dict[str, Any]:
        """Change profile fields (see `PROFILE_FIELDS`); every value is checked before one write.

        Raises:
            NotFoundError: a company ``p`` may not see.
            PermissionDeniedError: seen but not editable, or a patent-link field changed by an SME.
            ValidationError: naming the field at fault (nothing is written).
        """
        company = self._editable_company(p, company_id)
        checked = self._check_changes(p, changes)
        before = {k: self._field_value(company, k) for k in checked}
        self.service("companies").update(company.id, **checked)
        changed = sorted(k for k in checked if before[k] != _comparable(checked[k]))
        self.audit(p, "company.update", "company", company.id, {"fields": changed}, ip)
        return self.company(p, company.id, lang)

    @staticmethod
    def _field_value(company: Company, name: str) -> Any:
        if name == "visibility":
            return company.visibility.level
        if name == "visible_fields":
            return sorted(company.visibility.fields)
        return _comparable(getattr(company, name))

    # -- needs -----------------------------------------------------------------------------------

    def add_need(
        self, p: Principal, company_id: int, data: Mapping[str, Any], *, ip: str = ""
    ) -> dict[str, Any]:
        """Register a need of the company (title required; exclusivity and visibility as codes)."""
        company = self._editable_company(p, company_id)
        unknown = sorted(set(data) - set(NEED_FIELDS))
        if unknown:
            raise ValidationError(f"{unknown[0]}: 不明な項目です / unknown field")
        values = {k: _text(k, data.get(k), limit) for k, limit in NEED_FIELDS.items()}
        if not values["title"]:
            raise ValidationError("title: ニーズの件名が必要です / a need title is required")
        values["exclusivity"] = parse_code("exclusivity", values["exclusivity"], field_name="exclusivity")
        values["visibility"] = (
            parse_code("visibility", values["visibility"], field_name="visibility") or "anonymous"
        )
        title = values.pop("title")
        need = self.service("companies").add_need(company.id, title, **values)
        self.audit(p, "company.need.add", "company", company.id, {"need_id": need.id, "title": title}, ip)
        return _need_dict(need)

    def close_need(self, p: Principal, company_id: int, need_id: int, *, ip: str = "") -> dict[str, Any]:
        """Close one of the company's needs (kept as a record)."""
        company = self._editable_company(p, company_id)
        try:
            need: Need = self.registry().get_need(need_id)
        except NotFoundError:
            raise NotFoundError(_NOT_FOUND) from None
        if need.company_id != company.id:
            raise NotFoundError(_NOT_FOUND)
        if need.status != "closed":
            need = self.service("companies").close_need(need.id)
            self.audit(p, "company.need.close", "company", company.id, {"need_id": need.id}, ip)
        return _need_dict(need)

    # -- report-sharing consents -----------------------------------------------------------------

    def known_institutions(self, company_id: int) -> list[str]:
        """Institutions a company may name: those of bank viewers, the bank members of its programmes,
        and those named in its consent records (one spelling each, in that order)."""
        names: dict[str, str] = {}
        for user in self.accounts.list_users():
            if user.role == BANK and user.active and user.institution.strip():
                names.setdefault(normalise_name(user.institution), user.institution.strip())
        reg = self.registry()
        for programme_id in sorted(self.rules.company_programmes(company_id)):
            for member in reg.members(programme_id, "bank"):
                if member.ref.strip():
                    names.setdefault(normalise_name(member.ref), member.ref.strip())
        for c in reg.consents(company_id=company_id):
            names.setdefault(c.institution_key, c.institution)
        return list(names.values())

    def consents(self, p: Principal, company_id: int) -> dict[str, Any]:
        """The company's consent records and, per known institution, whether it may read the reports."""
        company = self._editable_company(p, company_id)
        records = list(self.registry().consents(company_id=company.id))
        active = {c.institution_key for c in records if c.active}
        return {
            "company_id": company.id,
            "items": [_consent_dict(c) for c in records],
            "institutions": [
                {"name": name, "active": normalise_name(name) in active}
                for name in self.known_institutions(company.id)
            ],
        }

    def grant_consent(
        self, p: Principal, company_id: int, institution: str, *, note: str = "", ip: str = ""
    ) -> dict[str, Any]:
        """Let ``institution``'s bank viewers read the company's evaluation reports."""
        company = self._editable_company(p, company_id)
        name = _institution(institution)
        text = _text("note", note, 1000)
        consent = self.service("companies").grant_consent(company.id, name, actor=p.username, note=text)
        self.audit(
            p, "company.consent.grant", "company", company.id, {"institution": consent.institution}, ip
        )
        return _consent_dict(consent)

    def revoke_consent(self, p: Principal, company_id: int, institution: str, *, ip: str = "") -> int:
        """Revoke the company's active consents for ``institution`` (records are kept).

        Raises:
            NotFoundError: no active consent names that institution.
        """
        company = self._editable_company(p, company_id)
        name = _institution(institution)
        count = int(self.service("companies").revoke_consent(company.id, name))
        if count == 0:
            raise NotFoundError(
                "この金融機関への有効な同意はありません / no active consent for this institution"
            )
        self.audit(p, "company.consent.revoke", "company", company.id, {"institution": name}, ip)
        return count


def _comparable(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


def _need_dict(need: Need, lang: str = "ja") -> dict[str, Any]:
    return {
        **dataclasses.asdict(need),
        "exclusivity_label": label("exclusivity", need.exclusivity, lang),
        "visibility_label": label("visibility", need.visibility, lang),
    }
