"""Output conventions shared by every command.

- ``--json`` prints exactly one JSON document on stdout (`emit_json`).
- Progress bars and logs go to stderr (`stderr_console`, `progress_bar`).
- Errors from `tsunagu.errors` become a clean message and exit code 1 (see `cli.main`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["ProgressFn", "emit_json", "progress_bar", "stderr_console", "stdout_console"]

ProgressFn = Callable[[int, int, str], None]

stderr_console = Console(stderr=True)
stdout_console = Console(soft_wrap=True)


def emit_json(document: Any) -> None:
    """Write one JSON document (UTF-8, not ASCII-escaped) to stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


@contextmanager
def progress_bar(description: str = "", *, enabled: bool = True) -> Iterator[ProgressFn]:
    """A progress bar on stderr; yields ``update(done, total, stage)``.

    Each distinct ``stage`` gets its own bar line, so multi-step work (read, store, index) shows as a list.
    """
    if not enabled:
        yield lambda done, total, stage: None
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console,
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def update(done: int, total: int, stage: str) -> None:
        label = stage or description
        if label not in tasks:
            tasks[label] = progress.add_task(label, total=total or None)
        progress.update(tasks[label], completed=done, total=total or None)

    with progress:
        yield update
