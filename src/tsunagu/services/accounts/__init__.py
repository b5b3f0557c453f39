"""Accounts: users and roles, logins and sessions, the access rules and the audit log."""

from tsunagu.services.accounts.access import CAPABILITIES, AccessRules, allowed
from tsunagu.services.accounts.model import (
    ADMIN,
    BANK,
    COORDINATOR,
    LICENSOR,
    PROGRAMME_ROLES,
    ROLES,
    SME,
    AuthenticationError,
    PermissionDeniedError,
    Principal,
    RateLimitedError,
    parse_role,
    role_label,
)
from tsunagu.services.accounts.passwords import generate_password
from tsunagu.services.accounts.service import AccountService, LoginPolicy

__all__ = [
    "ADMIN",
    "BANK",
    "CAPABILITIES",
    "COORDINATOR",
    "LICENSOR",
    "PROGRAMME_ROLES",
    "ROLES",
    "SME",
    "AccessRules",
    "AccountService",
    "AuthenticationError",
    "LoginPolicy",
    "PermissionDeniedError",
    "Principal",
    "RateLimitedError",
    "allowed",
    "generate_password",
    "parse_role",
    "role_label",
]
