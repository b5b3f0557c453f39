"""The web session secret: generated once, kept in a file only its owner can read."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from tsunagu.errors import ConfigurationError

__all__ = ["load_or_create_secret"]


def load_or_create_secret(path: Path) -> bytes:
    """The secret stored at ``path``, created (32 random bytes, hex, mode 0600) when absent.

    Several worker processes may start at once: the file is created exclusively, and a process that
    loses the race reads the winner's secret.

    Raises:
        ConfigurationError: the file exists but is empty or unreadable.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
    for _ in range(50):  # another worker may be writing it right now
        try:
            text = path.read_text(encoding="ascii").strip()
        except OSError as exc:
            raise ConfigurationError(f"cannot read the session secret {path}: {exc}") from exc
        if len(text) >= 32:
            return text.encode("ascii")
        import time

        time.sleep(0.05)
    raise ConfigurationError(f"the session secret {path} is empty or too short; delete it to regenerate")
