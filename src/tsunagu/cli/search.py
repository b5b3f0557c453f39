"""`tsunagu search QUERY` and `tsunagu show NUMBER`."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, stdout_console
from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError
from tsunagu.retrieval.base import SearchFilters, SearchHit

__all__ = ["hit_to_dict", "print_hits", "search", "show"]


def hit_to_dict(hit: SearchHit, p: Patent) -> dict[str, Any]:
    return {
        "key": p.key,
        "publication_number": p.publication_number,
        "title": p.title,
        "applicants": list(p.applicants),
        "year": p.year,
        "language": p.language,
        "ipc_codes": list(p.ipc_codes),
        "score": round(hit.score, 6),
        "lexical_rank": hit.lexical_rank,
        "vector_rank": hit.vector_rank,
        "lexical_score": None if hit.lexical_score is None else round(hit.lexical_score, 4),
        "vector_score": None if hit.vector_score is None else round(hit.vector_score, 4),
        "explain": {k: round(v, 6) for k, v in hit.explain.items()},
    }


@click.command()
@click.argument("query")
@click.option("-k", "--limit", default=10, show_default=True, help="件数 / number of hits")
@click.option("--ipc", "ipc_prefix", default="", help="IPC/CPC 前方一致 / code prefix (e.g. B60W, A61B5/18)")
@click.option("--applicant", default="", help="出願人 (部分一致) / applicant substring")
@click.option("--year-from", type=int, default=None, help="開始年 / from year")
@click.option("--year-to", type=int, default=None, help="終了年 / to year")
@click.option("--language", default="", help="言語 / language (ja, en, …)")
@click.option("--source", default="", help="出典形式 / source format (jplatpat_csv, uspto_xml, …)")
@json_option
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    limit: int,
    ipc_prefix: str,
    applicant: str,
    year_from: int | None,
    year_to: int | None,
    language: str,
    source: str,
    as_json: bool,
) -> None:
    """日英ハイブリッド検索 / hybrid search (BM25 + multilingual vectors, fused).

    各ヒットに語彙順位・ベクトル順位・統合スコアを表示します / each hit shows its lexical rank,
    vector rank and fused score.
    """
    app = get_app(ctx)
    filters = SearchFilters(
        ipc_prefix=ipc_prefix,
        applicant=applicant,
        year_from=year_from,
        year_to=year_to,
        language=language,
        source=source,
    )
    results = app.search(query, k=limit, filters=filters)
    if as_json:
        emit_json({"query": query, "filters": vars(filters), "hits": [hit_to_dict(h, p) for h, p in results]})
        return
    if not results:
        stdout_console.print("該当なし / no hits")
        return
    print_hits(results)


def print_hits(results: list[tuple[SearchHit, Patent]]) -> None:
    """One block per hit: number, title, applicant and year, then the score breakdown."""
    out = stdout_console
    for i, (hit, p) in enumerate(results, start=1):
        who = ", ".join(p.applicants[:2]) + (" ほか" if len(p.applicants) > 2 else "")
        out.print(f"[bold]{i:>2}. {p.publication_number}[/bold]  {p.title}", highlight=False)
        lex = f"{hit.lexical_rank}位" if hit.lexical_rank else "圏外"
        vec = f"{hit.vector_rank}位" if hit.vector_rank else "圏外"
        out.print(
            f"    {who or '出願人不明'} · {p.year or '年不明'} · {', '.join(p.ipc_codes[:3])}\n"
            f"    [dim]語彙 lexical {lex} · ベクトル vector {vec} · 統合スコア fused {hit.score:.4f}[/dim]",
            highlight=False,
        )


@click.command()
@click.argument("number")
@json_option
@click.pass_context
def show(ctx: click.Context, number: str, as_json: bool) -> None:
    """1件の特許を全項目と出典つきで表示 / one record with all fields and the source of each."""
    app = get_app(ctx)
    records = app.find_patents(number)
    if not records:
        raise NotFoundError(f"特許が見つかりません / unknown patent number: {number}")
    if as_json:
        emit_json(records[0].to_dict() if len(records) == 1 else [p.to_dict() for p in records])
        return
    for p in records:
        table = Table(title=f"{p.publication_number}  ({p.key})", show_header=True)
        table.add_column("項目 / field")
        table.add_column("値 / value", overflow="fold")
        table.add_column("出典 / source")
        d = p.to_dict()
        for name, value in d.items():
            if name in ("field_sources", "extra") or value in ("", [], None):
                continue
            text = ", ".join(value) if isinstance(value, list) else str(value)
            table.add_row(name, text, p.field_sources.get(name, ""))
        for src, cols in p.extra.items():
            if isinstance(cols, dict):
                for col, value in cols.items():
                    if value not in ("", None, [], {}):
                        table.add_row(f"{col}", str(value), src)
        stdout_console.print(table)
