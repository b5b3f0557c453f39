"""`tsunagu import PATH...`."""

from __future__ import annotations

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, progress_bar, stderr_console, stdout_console

__all__ = ["import_command", "print_import_report"]


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format", "fmt", default=None, help="形式を指定 / force a format (e.g. jplatpat_csv, lens_csv)"
)
@click.option("--no-index", is_flag=True, help="索引を更新しない / store only; do not update the indexes")
@json_option
@click.pass_context
def import_command(
    ctx: click.Context, paths: tuple[str, ...], fmt: str | None, no_index: bool, as_json: bool
) -> None:
    """特許データを取り込む / import exports: files, folders (recursive) and zips.

    形式は内容から自動判定します (J-PlatPat CSV, Google Patents CSV + abstracts NDJSON, Lens CSV,
    PATENTSCOPE xls, PatentsView CSV, USPTO XML, NASA T2 CSV, tsunagu JSONL)。
    """
    app = get_app(ctx)
    with progress_bar("import") as progress:
        report = app.ingestion.import_paths(
            list(paths), fmt=fmt, progress=progress, update_index=not no_index
        )
    if as_json:
        emit_json(report.to_dict())
    else:
        print_import_report(report.to_dict())


def print_import_report(d: dict) -> None:  # type: ignore[type-arg]
    """Human-readable import summary (stdout) with skip reasons."""
    out = stdout_console
    out.print(
        f"取込完了 / done: files {d['files_read']} read, {d['files_skipped']} skipped · "
        f"records read {d['read']:,} · new {d['new']:,} · merged {d['merged']:,} · "
        f"unchanged {d['unchanged']:,} · skipped {d['skipped']:,}"
    )
    if d["skip_reasons"]:
        out.print(
            "スキップした記録 / skipped records: "
            + ", ".join(f"{k} {v:,}" for k, v in d["skip_reasons"].items())
        )
        for line in d["skip_examples"][:5]:
            out.print(f"  - {line}", markup=False, highlight=False)
    if d["google_abstract_join"]:
        out.print(
            "Google Patents 要約の結合 / abstract join: "
            + ", ".join(f"{k} {v:,}" for k, v in d["google_abstract_join"].items())
        )
    if d["skipped_files"]:
        out.print("読み込まなかったファイル / files not read:")
        for s in d["skipped_files"]:
            out.print(f"  - {s['path']}: {s['reason']}", markup=False, highlight=False)
    if not d["indexed"]:
        stderr_console.print("索引は未更新です / indexes not updated (--no-index)")
