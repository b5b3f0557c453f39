"""`tsunagu consortium "コンセプト"`: choose a team of companies that covers a concept's capabilities."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, stdout_console
from tsunagu.domain.consortium import ConsortiumPlan
from tsunagu.services.consortium import ConsortiumRequest, plan_to_dict
from tsunagu.services.consortium.sheet import fit_mark, sheet_html, sheet_markdown

__all__ = ["consortium"]

_METHODS = {"ip": "整数計画法 (PuLP/CBC)", "exact": "厳密探索 (分枝限定法)", "greedy": "貪欲法 (時間切れ)"}


def _say(text: str) -> None:
    stdout_console.print(text, highlight=False)


def _print_plan(plan: ConsortiumPlan) -> None:
    caps = {c.id: c for c in plan.capabilities}
    optimal = "最適解 / proven optimal" if plan.optimal else "最適性未証明 / not proven optimal"
    _say(f"[bold]コンソーシアム案 / consortium[/bold]: {plan.concept}")
    _say(
        f"充足度 (カバレッジ) / coverage [bold]{plan.coverage:.3f}[/bold]  "
        f"{_METHODS.get(plan.method, plan.method)} — {optimal}, {plan.seconds:.2f}s, "
        f"候補 {plan.candidates} 社"
    )
    table = Table(title="必要な機能 / required capabilities")
    for col in ("ID", "機能 (コンセプトから抽出)", "関連分野 IPC (重み)", "根拠特許"):
        table.add_column(col, overflow="fold")
    for c in plan.capabilities:
        groups = "\n".join(
            f"{g} ({w:.2f}) {c.group_titles.get(g, '').split(' — ')[0][:14]}" for g, w in c.groups
        )
        table.add_row(c.id, c.phrase, groups or "–", ", ".join(c.evidence[:3]))
    stdout_console.print(table)
    team = Table(title="チーム / team (◎≥0.7 ○≥0.4 △>0.15)")
    team.add_column("企業", overflow="fold")
    for c in plan.capabilities:
        team.add_column(c.id, justify="center")
    team.add_column("担当 / covers", overflow="fold")
    for m in plan.team:
        name = m.candidate.name + (" ※特許データ由来" if m.candidate.derived else "")
        cells = [f"{fit_mark(f.fit)}{f.fit:.2f}" for f in m.fits]
        team.add_row(name, *cells, ", ".join(m.covers) or "(補強 / backup)")
    stdout_console.print(team)
    _say("[bold]担当の根拠 / evidence[/bold]")
    for m in plan.team:
        for f in m.fits:
            if f.capability_id in m.covers:
                src = "プロフィール" if f.text_source == "profile" else f.text_source or "–"
                pats = ", ".join(f.group_patents[:3]) or "–"
                _say(
                    f"  {m.candidate.name} → {f.capability_id}「{caps[f.capability_id].phrase}」 "
                    f"fit {f.fit:.2f} "
                    f"(text {f.text:.2f}: cos {f.cosine:.2f} {src}; ipc {f.ipc:.2f}: {pats})"
                )
    if plan.gaps:
        _say("[bold]不足する機能 / gaps[/bold]")
        for g in plan.gaps:
            _say(f"  {g.capability_id}「{caps[g.capability_id].phrase}」 チーム内最高 {g.best_fit:.2f}")
            for filler in g.fillers:
                kind = "開放特許 / offer" if filler.kind == "offer" else "出願人 / applicant"
                _say(f"    - {kind}: {filler.name} ({filler.score:.2f}; {', '.join(filler.evidence[:3])})")
            if not g.fillers:
                _say("    - 補完候補なし / nothing in the corpus fills it")
    if plan.alternates:
        _say("[bold]代替候補 / alternates[/bold]")
        for a in plan.alternates:
            _say(f"  {a.candidate.name}: {a.replaces} の代わり → coverage {a.coverage:.3f}")
    for n in plan.notes:
        _say(f"[yellow]注記 / note:[/yellow] {n}")
    if any(m.candidate.derived for m in plan.team):
        _say(
            "[dim]※特許データから生成したプロフィール (実在の中小企業プロフィールではありません) / "
            "derived from patent data, not real SME profiles[/dim]"
        )


@click.command()
@click.argument("concept")
@click.option("--size", default=3, show_default=True, help="チームの社数 / team size")
@click.option("--region", "regions", multiple=True, help="地域 (複数可) / region (repeatable)")
@click.option(
    "--region-min",
    type=int,
    default=None,
    help="指定地域から最低この社数 (他は地域外も可) / at least N members from --region (default: all)",
)
@click.option("--include", multiple=True, help="必ず含める企業 (名前またはID) / must-include company")
@click.option("--exclude", multiple=True, help="除外する企業 / company to exclude")
@click.option(
    "--capability",
    "capabilities",
    multiple=True,
    help="追加する必要機能 / extra required capability phrase (repeatable)",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "ip", "exact"]),
    default="auto",
    show_default=True,
    help="最適化手法 / solver",
)
@click.option(
    "--sheet",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="ワークショップシートを書き出す (.md / .html) / write the workshop sheet",
)
@json_option
@click.pass_context
def consortium(
    ctx: click.Context,
    concept: str,
    size: int,
    regions: tuple[str, ...],
    region_min: int | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    capabilities: tuple[str, ...],
    method: str,
    sheet: Path | None,
    as_json: bool,
) -> None:
    """中小企業コンソーシアムの組成 / build a team of SMEs for a product or service concept.

    コンセプトを必要な機能に分解し、登録企業から充足度が最大のチームを最適化 (整数計画法または厳密探索)
    で選びます / decomposes the concept into capabilities and picks the team with the highest coverage.
    """
    app = get_app(ctx)
    request = ConsortiumRequest(concept, size, regions, region_min, include, exclude, capabilities, method)
    plan, _matrix = app.consortium.plan(request)
    if sheet is not None:
        text = sheet_html(plan) if sheet.suffix.lower() in (".html", ".htm") else sheet_markdown(plan)
        sheet.write_text(text, encoding="utf-8")
        click.echo(f"ワークショップシート / workshop sheet: {sheet}", err=True)
    if as_json:
        emit_json(plan_to_dict(plan))
        return
    _print_plan(plan)
