"""Helpers shared by command modules: building the `App` from the group's options."""

from __future__ import annotations

import click

from tsunagu.app import App
from tsunagu.settings import Settings

__all__ = ["get_app", "json_option"]

json_option = click.option(
    "--json", "as_json", is_flag=True, help="JSONを1つ標準出力へ / one JSON document on stdout"
)


def get_app(ctx: click.Context) -> App:
    """The `App` for this invocation (created once per process from --home/--db and the environment)."""
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    app = obj.get("app")
    if app is None:
        settings = Settings.from_env(home=obj.get("home"), database_url=obj.get("database_url"))
        app = App.from_settings(settings)
        obj["app"] = app
        root.obj = obj
        root.call_on_close(app.close)
    assert isinstance(app, App)
    return app
