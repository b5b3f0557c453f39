"""Roles, the signed-in person (`Principal`) and the errors of the accounts service."""

from __future__ import annotations

from dataclasses import dataclass, field

from tsunagu.errors import TsunaguError, ValidationError

__all__ = [
    "ADMIN",
    "BANK",
    "COORDINATOR",
    "LICENSOR",
    "PROGRAMME_ROLES",
    "ROLES",
    "SME",
    "AuthenticationError",
    "PermissionDeniedError",
    "Principal",
    "RateLimitedError",
    "UnavailableError",
    "parse_role",
    "role_label",
]

ADMIN = "admin"
COORDINATOR = "coordinator"
LICENSOR = "licensor"
SME = "sme"
BANK = "bank"

#: Role codes with (Japanese, English) labels.
ROLES: dict[str, tuple[str, str]] = {
    ADMIN: ("管理者", "administrator"),
    COORDINATOR: ("コーディネーター", "coordinator"),
    LICENSOR: ("ライセンサー", "licensor"),
    SME: ("中小企業", "SME"),
    BANK: ("金融機関（閲覧）", "bank viewer"),
}

#: A user's role inside one programme (``specialist``: 産業財産権専門官 and other support staff).
PROGRAMME_ROLES: dict[str, tuple[str, str]] = {
    "coordinator": ("コーディネーター", "coordinator"),
    "specialist": ("専門官・支援担当", "specialist"),
    "member": ("メンバー", "member"),
}

_ROLE_SYNONYMS = {"bank_viewer": BANK, "bankviewer": BANK, "viewer": BANK, "中小企業": SME, "管理者": ADMIN}


def role_label(role: str, lang: str = "ja") -> str:
    pair = ROLES.get(role)
    if pair is None:
        return role
    return pair[0] if lang == "ja" else pair[1]


def parse_role(value: str) -> str:
    """A role code from what a user typed (``"admin"``, ``"bank_viewer"``, ``"中小企業"`` …)."""
    raw = (value or "").strip().lower().replace("-", "_")
    if raw in ROLES:
        return raw
    if raw in _ROLE_SYNONYMS:
        return _ROLE_SYNONYMS[raw]
    for code, (ja, en) in ROLES.items():
        if raw in (ja, en.lower()):
            return code
    accepted = ", ".join(f"{c} ({ja})" for c, (ja, _en) in ROLES.items())
    raise ValidationError(f"role: {value!r} は使えません / is not accepted; 使える値 / accepted: {accepted}")


class AuthenticationError(TsunaguError):
    """Wrong user name or password (the message never says which)."""


class RateLimitedError(TsunaguError):
    """Too many failed logins; ``retry_after`` seconds until the next attempt is accepted."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermissionDeniedError(TsunaguError):
    """The signed-in user may not do this."""


class UnavailableError(TsunaguError):
    """A capability whose service is not part of this installation (yet)."""


@dataclass(frozen=True)
class Principal:
    """The person behind a request, with what the access rules need to know.

    Attributes:
        user_id, username, display_name, role: from the user record.
        licensor_id: the licensor a licensor user acts for.
        company_id: the company an SME user belongs to.
        institution: the financial institution of a bank viewer.
        programmes: programme id → role in it (``coordinator``, ``specialist``, ``member``).
        lang: preferred language.
        session_csrf: the CSRF token of the session this request came with.
    """

    user_id: int
    username: str
    role: str
    display_name: str = ""
    licensor_id: int | None = None
    company_id: int | None = None
    institution: str = ""
    programmes: dict[int, str] = field(default_factory=dict)
    lang: str = "ja"
    session_csrf: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def coordinates(self, programme_id: int | None) -> bool:
        """True when this user coordinates the programme (admins coordinate everything)."""
        if self.is_admin:
            return True
        if programme_id is None or self.role != COORDINATOR:
            return False
        return self.programmes.get(programme_id) == "coordinator"

    def supports(self, programme_id: int | None) -> bool:
        """True for the programme's coordinators and specialists (hands-on case visibility)."""
        if self.is_admin:
            return True
        if programme_id is None or self.role != COORDINATOR:
            return False
        return self.programmes.get(programme_id) in ("coordinator", "specialist")

    @property
    def coordinated_programmes(self) -> frozenset[int]:
        return frozenset(p for p, r in self.programmes.items() if r == "coordinator")

    @property
    def supported_programmes(self) -> frozenset[int]:
        return frozenset(p for p, r in self.programmes.items() if r in ("coordinator", "specialist"))
