"""`tsunagu info`: where the data lives and what it holds."""

from __future__ import annotations

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, stdout_console
from tsunagu.settings import SETTINGS_DOC

__all__ = ["info"]


@click.command()
@json_option
@click.pass_context
def info(ctx: click.Context, as_json: bool) -> None:
    """設定とデータの状態 / settings, corpus size and index status."""
    app = get_app(ctx)
    doc = {
        "settings": app.settings.describe(),
        "settings_help": {name: {"env": env, "help": text} for name, (env, text) in SETTINGS_DOC.items()},
        "patents": app.store.count(),
        "store_revision": app.store.revision(),
        "indexes_current": app.indexes_current(),
    }
    if as_json:
        emit_json(doc)
        return
    for name, value in doc["settings"].items():
        stdout_console.print(f"{name:<14} {value}", highlight=False)
    stdout_console.print(f"{'patents':<14} {doc['patents']:,}")
    stdout_console.print(
        f"{'indexes':<14} {'最新 / current' if doc['indexes_current'] else '要更新 / stale'}"
    )
