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
