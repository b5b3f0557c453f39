"""`tsunagu eval matching`: the matching proxy (MAP, recall@10) for the matcher and two baselines.

Registered on the ``eval`` group by `tsunagu.cli.evaluate`.
"""

from __future__ import annotations

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, progress_bar, stdout_console

__all__ = ["eval_matching"]


@click.command("matching")
@click.option("--year", default=2015, show_default=True, help="基準年 T / reference year T")
@click.option("--horizon", default=5, show_default=True, help="観測期間 (年) / years after T")
@click.option(
    "--no-vectors", is_flag=True, help="索引のベクトルを使わない / TF-IDF only, without index vectors"
)
@json_option
@click.pass_context
def eval_matching(ctx: click.Context, year: int, horizon: int, no_vectors: bool, as_json: bool) -> None:
    """マッチングの評価 / MAP and recall@10: the matcher against ipc_overlap and bm25 (docs/benchmarks.md).

    コーパスの出願人を企業、T 年より前の文献をオファーとし、T 年以降に新しい分野へ出願したかで正解を
    決める代理評価です。
    """
    from tsunagu.services.evaluation.matching import MatchingEvalConfig, MatchingEvaluationService

    app = get_app(ctx)
    vectors = None
    if not no_vectors and app.store.count() and app.indexes_current():
        vectors = app.index_vectors  # the search index's vectors, as `tsunagu match` uses them
    service = MatchingEvaluationService(app.store, app.analyzer, vectors=vectors)
    with progress_bar("eval matching") as progress:
        doc = service.evaluate(MatchingEvalConfig(year=year, horizon=horizon), progress=progress)
    if as_json:
        emit_json(doc)
        return
    from rich.table import Table

    table = Table(title=f"マッチング評価 / matching (T={doc['year']}, {doc['horizon']} years)")
    for col in ("method", "MAP", "recall@10", "n"):
        table.add_column(col, justify="right" if col != "method" else "left")
    for name, m in doc["methods"].items():
        table.add_row(name, f"{m['map']:.4f}", f"{m['recall@10']:.4f}", str(m["n"]))
    stdout_console.print(table)
    left_out = doc["companies_without_relevant_offer"]
    stdout_console.print(f"companies {doc['companies']:,} (left out, no relevant offer: {left_out:,})")
    channels = ", ".join(doc["text_channels"])
    stdout_console.print(f"offers {doc['offers']:,} of {doc['offers_eligible']:,}; text channels: {channels}")
