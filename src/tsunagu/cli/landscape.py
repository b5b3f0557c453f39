"""`tsunagu landscape`: IP landscape charts, data and an offline interactive page for a scope."""

from __future__ import annotations

from pathlib import Path

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, stderr_console, stdout_console
from tsunagu.errors import ValidationError

__all__ = ["landscape"]


@click.command()
@click.argument("query", required=False, default="")
@click.option("--ipc", "ipc_prefix", default="", help="IPC/FI 前方一致 / code prefix (B60W, A61B5/18)")
@click.option("--applicant", default="", help="出願人 (正規化して完全一致) / applicant name")
@click.option(
    "--company", default="", help="強調表示とホワイトスペースの対象 / company to highlight (white space)"
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="landscape",
    show_default=True,
    help="出力フォルダ / output folder",
)
@click.option(
    "--format", "formats", default="png,svg", show_default=True, help="画像形式 / image formats (png,svg)"
)
@click.option("--no-html", is_flag=True, help="HTMLページを作らない / no interactive page")
@click.option("--no-map", is_flag=True, help="文献マップを作らない / skip the document map")
@click.option("--limit", default=2000, show_default=True, help="最大文献数 / most documents (sampled beyond)")
@click.option(
    "--map-limit", default=2000, show_default=True, help="マップの最大文献数 / most documents on the map"
)
@click.option(
    "--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="表示言語 / labels"
)
@click.option(
    "--basis",
    type=click.Choice(["filing", "publication"]),
    default="filing",
    show_default=True,
    help="年の基準 / year basis of the filings chart",
)
@json_option
@click.pass_context
def landscape(
    ctx: click.Context,
    query: str,
    ipc_prefix: str,
    applicant: str,
    company: str,
    out_dir: str,
    formats: str,
    no_html: bool,
    no_map: bool,
    limit: int,
    map_limit: int,
    lang: str,
    basis: str,
    as_json: bool,
) -> None:
    """IPランドスケープ / IP landscape for a query, an IPC prefix or an applicant.

    出願人ランキング、出願件数推移、出願人×分野、IPC構成、共分類ネットワーク、文献マップ、
    ホワイトスペースを PNG/SVG・CSV・JSON と、オフラインで動く HTML ページ (index.html) に出力します。
    Writes applicant ranking, filings per year, applicant × field matrix, IPC shares, co-classification
    network, a clustered document map and white space as PNG/SVG, CSV and JSON, plus an interactive
    offline page (index.html).

    \b
    例 / examples:
      tsunagu landscape "運転者の眠気検出" --out out/drowsiness
      tsunagu landscape --ipc B60W40 --company トヨタ自動車株式会社
      tsunagu landscape --applicant 日産自動車株式会社 --out out/nissan
    """
    given = [s for s in (query.strip(), ipc_prefix.strip(), applicant.strip()) if s]
    if len(given) != 1:
        raise ValidationError(
            "QUERY、--ipc、--applicant のどれか1つを指定してください / give exactly one of "
            "QUERY, --ipc or --applicant"
        )
    kinds = [f.strip().lower() for f in formats.split(",") if f.strip()]
    bad = [f for f in kinds if f not in ("png", "svg")]
    if bad:
        raise ValidationError(f"--format: png と svg のみ / only png and svg, not {', '.join(bad)}")
    from tsunagu.services.landscape import LandscapeScope, write_landscape

    app = get_app(ctx)
    scope = (
        LandscapeScope("query", query.strip())
        if query.strip()
        else LandscapeScope("ipc", ipc_prefix.strip())
        if ipc_prefix.strip()
        else LandscapeScope("applicant", applicant.strip())
    )
    with stderr_console.status("分析中 / analysing…"):
        result = app.landscape.analyse(
            scope,
            company=company.strip(),
            lang=lang,
            basis=basis,  # type: ignore[arg-type]
            with_map=not no_map,
            map_limit=map_limit,
            limit=limit,
        )
        files = write_landscape(result, Path(out_dir), formats=kinds, html=not no_html)
    if as_json:
        document = result.to_dict()
        document["files"] = [str(f) for f in files]
        emit_json(document)
        return
    stdout_console.print(f"[bold]{scope.describe(lang)}[/bold]: {result.documents:,} 件 / documents")
    for a in result.ranking[:5]:
        stdout_console.print(f"  {a.name}: {a.documents}")
    if result.map is not None:
        labels = ", ".join(c.label for c in result.map.clusters[:5])
        stdout_console.print(f"  クラスタ / clusters: {labels}")
    if result.company:
        spaces = ", ".join(f"{w.field} {w.name[:30]}" for w in result.white_space[:3])
        stdout_console.print(f"  ホワイトスペース / white space ({result.company}): {spaces or '—'}")
    page = next((f for f in files if f.name == "index.html"), None)
    stdout_console.print(f"{len(files)} files → {Path(out_dir)}" + (f" (open {page})" if page else ""))
