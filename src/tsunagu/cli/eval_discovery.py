"""`tsunagu eval discovery`: protocol A (held-out cross-field) and protocol B (link prediction).

Registered on `tsunagu.cli.evaluate.eval_group`. Measures exactly what ``tsunagu discover`` does with
default settings on the corpus in ``$TSUNAGU_HOME``; query files are read with the importers, never
stored, and nothing is fitted on them.
"""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.discover import discovery_service
from tsunagu.cli.evaluate import flatten_paths, many_paths_option, print_metrics
from tsunagu.cli.output import emit_json, progress_bar, stdout_console

__all__ = ["eval_discovery"]


#: Ablations reported by ``tsunagu eval discovery --ablations`` (each changes one thing of the default).
def _ablations(base: Any) -> dict[str, Any]:
    from dataclasses import replace

    return {
        "boldness=0 (no novelty)": replace(base, boldness=0.0),
        "boldness=1 (novelty first)": replace(base, boldness=1.0),
        "no_passages": replace(base, passage_weight=0.0),
        "no_vector": replace(base, vector_weight=0.0),
        "no_lexical": replace(base, lexical_weight=0.0, vector_weight=max(base.vector_weight, 1.0)),
        "home_exclusion=none": replace(base, home_exclusion="none"),
    }


@click.command("discovery")
@many_paths_option("queries", "問い合わせ文書 (1つ以上) / query documents: one or more files or folders")
@click.option("--t-year", type=int, default=2015, show_default=True, help="protocol B: T")
@click.option("--no-protocol-b", is_flag=True, help="protocol B を省略 / skip protocol B")
@click.option(
    "--ablations", "with_ablations", is_flag=True, help="アブレーションも報告 / also report ablations"
)
@json_option
@click.pass_context
def eval_discovery(
    ctx: click.Context, queries: object, t_year: int, no_protocol_b: bool, with_ablations: bool, as_json: bool
) -> None:
    """用途探索の評価 / protocol A (held-out cross-field) and protocol B (temporal link prediction)."""
    from tsunagu.services.evaluation.discovery import DiscoveryEvaluationService
    from tsunagu.services.ingestion import read_patents

    app = get_app(ctx)
    service = discovery_service(app)
    retrieval = service._retrieval()
    query_docs = read_patents(app.ingestion, flatten_paths(queries))
    ablations = _ablations(service.config) if with_ablations else None
    ev = DiscoveryEvaluationService(
        app.store, retrieval.searcher, retrieval.stats, service, ablations=ablations
    )
    with progress_bar("eval discovery", enabled=True) as progress:
        doc = ev.evaluate(query_docs, progress=progress, t_year=t_year, with_protocol_b=not no_protocol_b)
    if as_json:
        emit_json(doc)
        return
    _print_eval(doc)


def _print_eval(doc: dict[str, Any]) -> None:
    print_metrics({k: v for k, v in doc.items() if k != "protocol_b"})
    b = doc.get("protocol_b")
    if isinstance(b, dict):
        table = Table(
            title=f"protocol B (T={b['t']}; candidates {b['candidates']:,}, positives {b['positives']:,})"
        )
        for col in ("predictor", "auc_pr", "p@100", "mean_p@5"):
            table.add_column(col, justify="right" if col != "predictor" else "left")
        for name, m in b["predictors"].items():
            table.add_row(name, f"{m['auc_pr']:.4f}", f"{m['p@100']:.4f}", f"{m['mean_p@5']:.4f}")
        stdout_console.print(table)
    stdout_console.print(f"queries {doc.get('queries')}, corpus {doc.get('corpus')}")
