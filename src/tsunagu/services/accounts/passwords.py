"""Password hashing with argon2id (argon2-cffi), and generated passwords."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from tsunagu.errors import MissingDependencyError, ValidationError

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "check_password_rules",
    "generate_password",
    "hash_password",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10


@lru_cache(maxsize=1)
def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise MissingDependencyError("accounts need argon2-cffi: pip install 'tsunagu[web]'") from exc
    return PasswordHasher()


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short or blank.

    Raises:
        ValidationError: naming the rule.
    """
    if len(password or "") < MIN_PASSWORD_LENGTH or not password.strip():
        raise ValidationError(
            f"password: {MIN_PASSWORD_LENGTH} 文字以上が必要です / "
            f"needs at least {MIN_PASSWORD_LENGTH} characters"
        )


def hash_password(password: str) -> str:
    """An argon2id hash string (salted, parameters included)."""
    return str(_hasher().hash(password))


def verify_password(stored_hash: str, password: str) -> tuple[bool, bool]:
    """(whether ``password`` matches, whether the hash should be recomputed with current parameters).

    An empty or malformed hash never matches.
    """
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    hasher = _hasher()
    try:
        hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False
    return True, bool(hasher.check_needs_rehash(stored_hash))


_DUMMY: list[str] = []


def burn_time(password: str) -> None:
    """Verify against a dummy hash, so an unknown user name takes as long as a wrong password."""
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_hex(16)))
    verify_password(_DUMMY[0], password)


def generate_password(nbytes: int = 12) -> str:
    """A random URL-safe password (16 characters for the default 12 bytes)."""
    return secrets.token_urlsafe(nbytes)
