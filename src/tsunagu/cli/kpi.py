"""`tsunagu kpi`: outcome figures of matching programmes per programme, licensor or year."""

from __future__ import annotations

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.matching_common import lang_option, say, table
from tsunagu.cli.output import emit_json
from tsunagu.services.matching.kpi import FIGURES

__all__ = ["kpi"]


@click.command("kpi")
@click.option(
    "--period",
    default="all",
    show_default=True,
    help="期間: 2025, 2025-Q1, 2025-03, 2024..2025, all / period",
)
@click.option(
    "--by",
    type=click.Choice(["programme", "licensor", "year"]),
    default="programme",
    show_default=True,
    help="集計単位 / rows per programme, licensor or year",
)
@click.option("--programme", default=None, help="プログラムに限定 / only this programme")
@lang_option
@json_option
@click.pass_context
def kpi(ctx: click.Context, period: str, by: str, programme: str | None, lang: str, as_json: bool) -> None:
    """成果指標 / outcome figures: offers, matches proposed, meetings, NDAs, contracts, products launched.

    期間内の件数と、期間末までの累計 (川崎モデルの報告形式: 累計の契約件数・製品化件数) を示します。
    """
    app = get_app(ctx)
    pid = app.programmes.get(programme).id if programme else None
    report = app.kpi.report(period, by=by, programme_id=pid)
    if as_json:
        emit_json(report.to_dict())
        return
    names = [FIGURES[f][0 if lang == "ja" else 1] for f in FIGURES]
    header = {
        "programme": "プログラム / programme",
        "licensor": "ライセンサー / licensor",
        "year": "年 / year",
    }[by]
    rows = [[str(r[by]), *[str(r[f]) for f in FIGURES]] for r in report.rows]
    rows.append(["計 / total", *[str(report.total[f]) for f in FIGURES]])
    rows.append(["累計 / cumulative", *[str(report.cumulative[f]) for f in FIGURES]])
    table(f"成果指標 / KPI — {report.period.label}", [header, *names], rows)
    if not report.rows:
        say("この期間の記録はありません / no records in this period")
