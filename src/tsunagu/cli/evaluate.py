"""`tsunagu eval …`: evaluations that measure exactly what the default commands do.

Query files are read with the importers and never stored; nothing is fitted on them.
Each capability registers its subcommand on `eval_group` in this module.
"""

from __future__ import annotations

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, progress_bar, stdout_console

__all__ = ["eval_group", "print_metrics"]


class _ManyAfterFlag(click.Option):
    """An option that takes every following argument up to the next option (``--queries a b c``)."""

    def add_to_parser(self, parser, ctx):  # type: ignore[no-untyped-def]
        result = super().add_to_parser(parser, ctx)
        our_opt = parser._long_opt.get(self.opts[0])
        if our_opt is None:  # pragma: no cover - defensive
            return result
        previous = our_opt.process

        def process(value, state):  # type: ignore[no-untyped-def]
            values = [value]
            while state.rargs and not state.rargs[0].startswith("-"):
                values.append(state.rargs.pop(0))
            previous(tuple(values), state)

        our_opt.process = process
        return result


def many_paths_option(name: str, help_text: str):  # type: ignore[no-untyped-def]
    """``--NAME PATH [PATH ...]``: one flag followed by one or more paths."""
    return click.option(
        f"--{name}", name, cls=_ManyAfterFlag, required=True, help=help_text, type=click.UNPROCESSED
    )


def flatten_paths(value: object) -> list[str]:
    """The paths given to a `many_paths_option` (a tuple, or a string when given once)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (tuple, list)):
        out: list[str] = []
        for v in value:
            out.extend(flatten_paths(v))
        return out
    return []


def print_metrics(doc: dict) -> None:  # type: ignore[type-arg]
    """Print ``{"methods": {name: {metric: value}}}`` (and other method tables) as tables."""
    from rich.table import Table

    for section, title in (
        ("methods", "全クエリ / all queries"),
        ("cross_language", "言語横断 / cross-language"),
        ("ablations", "アブレーション / ablations"),
        ("protocol_b", "protocol B"),
    ):
        methods = doc.get(section)
        if not isinstance(methods, dict) or not methods:
            continue
        rows = {k: v for k, v in methods.items() if isinstance(v, dict)}
        if not rows:
            continue
        metrics = sorted({m for v in rows.values() for m in v if isinstance(v.get(m), (int, float))})
        table = Table(title=title)
        table.add_column("method")
        for m in metrics:
            table.add_column(m, justify="right")
        for name, values in rows.items():
            table.add_row(name, *[_fmt(values.get(m)) for m in metrics])
        stdout_console.print(table)
    if doc.get("skipped"):
        stdout_console.print("skipped: " + ", ".join(f"{k} {v}" for k, v in doc["skipped"].items()))


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4f}"
    return "" if v is None else str(v)


@click.group("eval")
def eval_group() -> None:
    """評価 / evaluations (retrieval, discovery, matching) on the corpus in $TSUNAGU_HOME."""


@eval_group.command("retrieval")
@many_paths_option("queries", "問い合わせ文書 (1つ以上) / query documents: one or more files or folders")
@json_option
@click.pass_context
def eval_retrieval(ctx: click.Context, queries: object, as_json: bool) -> None:
    """検索の評価 / nDCG@10, P@10, MRR of hybrid search against the bm25 and vector baselines."""
    from tsunagu.services.evaluation.retrieval import RetrievalEvaluationService
    from tsunagu.services.ingestion import read_patents

    app = get_app(ctx)
    query_docs = read_patents(app.ingestion, flatten_paths(queries))
    service = RetrievalEvaluationService(app.store, app.searcher)
    with progress_bar("eval") as progress:
        doc = service.evaluate(query_docs, progress=progress)
    if as_json:
        emit_json(doc)
    else:
        print_metrics(doc)


def _register_matching() -> None:
    from tsunagu.cli.eval_matching import eval_matching

    eval_group.add_command(eval_matching)


_register_matching()


def _register_discovery() -> None:
    from tsunagu.cli.eval_discovery import eval_discovery

    eval_group.add_command(eval_discovery)


_register_discovery()
