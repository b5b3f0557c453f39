"""The `tsunagu` command group. Commands live one group per module and are loaded lazily."""

from __future__ import annotations

import importlib
from typing import Any

import click

from tsunagu.errors import MissingDependencyError, TsunaguError

__all__ = ["cli", "main"]

# command name -> "module:attribute" (each module is one command or command group).
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "tsunagu.cli.demo",
        "demo",
    ),
    "import": ("tsunagu.cli.ingest", "import_command"),
    "discover": ("tsunagu.cli.discover", "discover"),
    "search": ("tsunagu.cli.search", "search"),
    "show": ("tsunagu.cli.search", "show"),
    "eval": ("tsunagu.cli.evaluate", "eval_group"),
    "info": ("tsunagu.cli.info", "info"),
    "cases": ("tsunagu.cli.cases", "cases"),
    "serve": ("tsunagu.cli.serve", "serve"),
    "users": ("tsunagu.cli.users", "users"),
    "consortium": ("tsunagu.cli.consortium", "consortium"),
    "landscape": ("tsunagu.cli.landscape", "landscape"),
    "report": ("tsunagu.cli.report", "report_group"),
    "offers": ("tsunagu.cli.offers", "offers"),
    "companies": ("tsunagu.cli.companies", "companies"),
    "needs": ("tsunagu.cli.needs", "needs"),
    "match": ("tsunagu.cli.match", "match"),
    "deals": ("tsunagu.cli.deals", "deals"),
    "kpi": ("tsunagu.cli.kpi", "kpi"),
    "programmes": ("tsunagu.cli.programmes", "programmes"),
}

HELP_SUMMARY: dict[str, str] = {
    "discover": "用途探索 / discover other-field applications, grounded in patents",
    "demo": "デモ環境を構築してサンプル検索を表示 / build the demo corpus and show sample searches",
    "import": "特許データを取り込む / import patent exports (files, folders, zips)",
    "search": "日英ハイブリッド検索 / hybrid Japanese–English search",
    "show": "1件の特許を全項目と出典つきで表示 / show one patent with all fields and their sources",
    "eval": "評価 (検索・用途探索・マッチング) / evaluations",
    "info": "設定とデータの状態 / settings and corpus status",
    "cases": "ハンズオン支援の案件管理 / hands-on support cases, follow-ups and reports",
    "serve": "Web UI と REST API を起動 / start the web UI and the REST API",
    "users": "Web の利用者と役割 / users and roles of the web UI and API",
    "consortium": "中小企業コンソーシアムの組成 / build a team of SMEs for a concept (optimised)",
    "landscape": "IPランドスケープ (図表・データ・HTML) / IP landscape charts, data and an offline page",
    "report": "知財ビジネス評価書・提案書 (HTML/PDF/Markdown) / IP business evaluation reports and proposals",
    "offers": "開放特許オファーの登録・取込 / licensors and licensable offers (NASA catalogue, template)",
    "companies": "企業登録簿・公開範囲・評価書の共有同意 / the company register, visibility, report consent",
    "needs": "企業の技術ニーズ / companies' calls for technology",
    "match": "知財ビジネスマッチング (双方向・根拠つき) / two-way matching with explained scores",
    "deals": "案件の進行管理・文書 / deals through the stages, notes, due actions, NDA/term sheet",
    "kpi": "マッチングの成果指標 / programme outcome figures (offers, meetings, contracts, products)",
    "programmes": "マッチング・プログラムと参加者 / matching programmes and their members",
}


class CliError(click.ClickException):
    """A `TsunaguError` shown as one clean line on stderr (exit 1; 3 for a missing optional part)."""

    def __init__(self, exc: TsunaguError) -> None:
        super().__init__(str(exc))
        self.exit_code = 3 if isinstance(exc, MissingDependencyError) else 1

    def show(self, file: Any = None) -> None:
        click.echo(f"エラー / error: {self.format_message()}", err=True)


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used (fast start-up, no import side effects).

    Errors from `tsunagu.errors` become `CliError` here, so every entry point (the console script,
    tests through click's runner) shows them the same way.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TsunaguError as exc:
            raise CliError(exc) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module = importlib.import_module(target[0])
        command: click.Command = getattr(module, target[1])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, HELP_SUMMARY.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    envvar="TSUNAGU_HOME",
    type=click.Path(file_okay=False),
    default=None,
    help="データフォルダ / data folder ($TSUNAGU_HOME, default ~/.tsunagu)",
)
@click.option(
    "--db",
    "database_url",
    envvar="TSUNAGU_DATABASE_URL",
    default=None,
    help="データベースURL / database URL (sqlite:///… or postgresql://…; $TSUNAGU_DATABASE_URL)",
)
@click.version_option(package_name="tsunagu")
@click.pass_context
def cli(ctx: click.Context, home: str | None, database_url: str | None) -> None:
    """tsunagu (つなぐ) — 特許情報から中小企業の新事業へ / patent information into new business for SMEs."""
    ctx.obj = {"home": home, "database_url": database_url}


def main(argv: list[str] | None = None) -> Any:
    """Console entry point."""
    return cli.main(args=argv, prog_name="tsunagu")
