"""`tsunagu serve`: the web UI and the REST API in one server (FastAPI under uvicorn)."""

from __future__ import annotations

import os

import click

from tsunagu.cli.common import get_app
from tsunagu.errors import MissingDependencyError

__all__ = ["serve"]


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="待ち受けアドレス / address to listen on"
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="ポート / port")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="ワーカープロセス数 / worker processes",
)
@click.option(
    "--max-upload-mb",
    default=200,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="アップロード上限 (MB) / largest upload accepted",
)
@click.option(
    "--keep-alive",
    default=65,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="アイドル接続を保つ秒数 / seconds an idle keep-alive connection stays open",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, workers: int, max_upload_mb: int, keep_alive: int, log_level: str
) -> None:
    """Web UI と REST API を起動 / start the web UI (/) and the REST API (/api/v1).

    設定なしで SQLite の既定データで起動します。TSUNAGU_DATABASE_URL で PostgreSQL を使えます。
    / Starts with zero configuration on the embedded default; PostgreSQL via TSUNAGU_DATABASE_URL.
    """
    try:
        import uvicorn
    except ImportError as exc:
        raise MissingDependencyError(
            "the web server needs the web extra: pip install 'tsunagu[web]'"
        ) from exc
    app = get_app(ctx)
    # Worker processes build their own App from the environment: hand them this invocation's choices.
    os.environ["TSUNAGU_HOME"] = str(app.settings.home)
    os.environ["TSUNAGU_DATABASE_URL"] = app.settings.database_url
    os.environ["TSUNAGU_MAX_UPLOAD_MB"] = str(max_upload_mb)
    users = app.accounts.count_users()
    click.echo(f"tsunagu: http://{host}:{port}/  (API: http://{host}:{port}/api/v1/docs)", err=True)
    if users == 0:
        click.echo(
            "利用者がいません。最初の管理者を作成してください / "
            "no users yet: create the first administrator:\n"
            "  tsunagu users add admin --role admin   (or: tsunagu demo)",
            err=True,
        )
    app.close()
    uvicorn.run(
        "tsunagu.server:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=True,
        server_header=False,
        # longer than the 60 s idle timeout of common reverse proxies and clients, so the server is
        # not the side that closes a connection a client is about to reuse (that race is an error)
        timeout_keep_alive=keep_alive,
    )
