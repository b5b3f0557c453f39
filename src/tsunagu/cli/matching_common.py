"""Options and printing shared by the matching commands (offers, companies, needs, match, deals, kpi)."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.table import Table

from tsunagu.cli.output import stdout_console

__all__ = [
    "actor_option",
    "default_actor",
    "lang_option",
    "print_kv",
    "say",
    "table",
    "write_template",
]

F = TypeVar("F", bound=Callable[..., Any])


def default_actor() -> str:
    """Who is acting: ``$TSUNAGU_USER``, else the login name."""
    try:
        fallback = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no login name in some containers
        fallback = "cli"
    return os.environ.get("TSUNAGU_USER") or fallback


def actor_option(f: F) -> F:
    return click.option(
        "--by",
        "actor",
        default=default_actor,
        show_default="$TSUNAGU_USER or login name",
        help="操作者 / who is acting (recorded with each event)",
    )(f)


def lang_option(f: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(["ja", "en"]),
        default="ja",
        show_default=True,
        help="表示言語 / language of labels and explanations",
    )(f)


def say(text: str) -> None:
    stdout_console.print(text, highlight=False, markup=False)


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    t = Table(title=title)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*r)
    stdout_console.print(t)


def print_kv(title: str, items: list[tuple[str, str]]) -> None:
    t = Table(title=title, show_header=False)
    t.add_column("項目 / field")
    t.add_column("値 / value", overflow="fold")
    for k, v in items:
        if v not in ("", None):
            t.add_row(k, str(v))
    stdout_console.print(t)


def write_template(columns: dict[str, tuple[str, ...]], example: dict[str, str], fmt: str, lang: str) -> None:
    """Print an import template (header plus one example row) as CSV or JSONL.

    Args:
        columns: field → accepted header names (the first is Japanese; the first ASCII one is English).
        example: field → example value.
        fmt: ``"csv"`` or ``"jsonl"``.
        lang: ``"ja"`` or ``"en"`` header names.
    """
    import csv
    import io
    import json
    import sys

    headers = {
        f: (names[0] if lang == "ja" else next((n for n in names if n.isascii()), f))
        for f, names in columns.items()
    }
    if fmt == "jsonl":
        sys.stdout.write(json.dumps({headers[f]: v for f, v in example.items()}, ensure_ascii=False) + "\n")
        return
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([headers[f] for f in columns])
    writer.writerow([example.get(f, "") for f in columns])
    sys.stdout.write(buf.getvalue())
