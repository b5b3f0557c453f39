"""`tsunagu discover`: 用途探索 — other-field applications of a technology, grounded in patents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.panel import Panel
from rich.table import Table

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, stderr_console, stdout_console
from tsunagu.errors import NotFoundError, ValidationError

__all__ = ["discover", "discovery_service"]


def discovery_service(app: Any, llm_url: str = "", llm_model: str = "") -> Any:
    """The app's discovery service (``app.discovery``), with an LLM phraser when an endpoint is given.

    When the app has no ``discovery`` attribute, one is wired from the app's store and searcher (field
    statistics under ``<index folder>/discovery``).
    """
    from tsunagu.services.discovery.index import DiscoveryIndex
    from tsunagu.services.discovery.rationale import OpenAICompatiblePhraser
    from tsunagu.services.discovery.service import DiscoveryService

    service = getattr(app, "discovery", None)
    if service is None:
        index = DiscoveryIndex(app.store, lambda: app.searcher, app.settings.index_dir / "discovery")
        service = DiscoveryService(app.store, index)
    if llm_url:
        service = service.with_phraser(OpenAICompatiblePhraser(llm_url, llm_model or "default"))
    return service


def _resolve_patents(app: Any, numbers: tuple[str, ...]) -> list[str]:
    keys: list[str] = []
    for number in numbers:
        found = app.find_patents(number)
        if not found:
            raise NotFoundError(f"特許が見つかりません / unknown patent number: {number}")
        keys += [p.key for p in found]
    return list(dict.fromkeys(keys))


def _resolve_company(app: Any, name: str) -> tuple[str, list[str], str]:
    """(display name, patent keys, know-how text) of a company, by the matching issue's lookup."""
    companies = getattr(app, "companies", None)
    if companies is not None and hasattr(companies, "resolve"):
        resolved = companies.resolve(name)
        company = getattr(resolved, "company", None)
        parts = (
            [str(getattr(company, name, "") or "") for name in ("capabilities", "products")]
            if company
            else []
        )
        knowhow = " ".join(x for x in parts if x)
        return str(resolved.name), list(resolved.patent_keys), knowhow
    # no register: corpus applicants only, by normalised name
    from tsunagu.domain.matching import normalise_name

    target = normalise_name(name)
    keys: list[str] = []
    display = name
    for row in app.store.iter_rows(["applicants"]):
        for a in row["applicants"] or ():
            if normalise_name(a) == target:
                keys.append(row["key"])
                display = a
                break
    if not keys:
        raise NotFoundError(f"企業が見つかりません / no company or applicant called {name!r}")
    return display, keys, ""


@click.command()
@click.argument("text", required=False, default="")
@click.option(
    "--patent", "patents", multiple=True, help="特許番号 (複数可) / input patent number (repeatable)"
)
@click.option(
    "--company", default="", help="企業名・ID / company (register id or name, or a corpus applicant)"
)
@click.option(
    "--knowhow",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="ノウハウ記述ファイル / know-how text file (with --company or alone)",
)
@click.option("-n", "--ideas", type=int, default=None, help="アイデア数 / number of idea cards")
@click.option("--boldness", type=click.FloatRange(0.0, 1.0), default=None, help="大胆さ 0..1 / boldness")
@click.option("--exclude", multiple=True, help="除外する分野 (IPC前方一致) / field to exclude (IPC prefix)")
@click.option("--md", "as_md", is_flag=True, help="Markdownで出力 / Markdown output")
@click.option(
    "--llm-url", envvar="TSUNAGU_LLM_URL", default="", help="OpenAI互換APIのURL / OpenAI-compatible endpoint"
)
@click.option("--llm-model", envvar="TSUNAGU_LLM_MODEL", default="", help="LLMのモデル名 / model name")
@json_option
@click.pass_context
def discover(
    ctx: click.Context,
    text: str,
    patents: tuple[str, ...],
    company: str,
    knowhow: str | None,
    ideas: int | None,
    boldness: float | None,
    exclude: tuple[str, ...],
    as_md: bool,
    llm_url: str,
    llm_model: str,
    as_json: bool,
) -> None:
    """用途探索 / discover other-field applications of a technology, each backed by real patents.

    入力: 技術の説明文 (日本語・英語)、--patent 特許番号、または --company 企業。
    Input: a free-text description (Japanese or English), --patent NUMBER..., or --company NAME.
    """
    from tsunagu.services.discovery.model import DiscoveryRequest
    from tsunagu.services.discovery.render import to_markdown

    app = get_app(ctx)
    keys = _resolve_patents(app, patents)
    label = "自由記述 / free text" if text else ""
    body = text
    if company:
        name, company_keys, company_text = _resolve_company(app, company)
        keys = list(dict.fromkeys(keys + company_keys))
        label = name
        body = " ".join(x for x in (body, company_text) if x)
    if knowhow:
        body = " ".join(x for x in (body, Path(knowhow).read_text(encoding="utf-8")) if x)
    if patents and not label:
        label = ", ".join(patents)
    if not body.strip() and not keys:
        raise ValidationError(
            "discover: 説明文、--patent、--company のいずれかが必要です / give TEXT, --patent or --company"
        )
    request = DiscoveryRequest(
        text=body, patents=tuple(keys), ideas=ideas, boldness=boldness, exclude=tuple(exclude), label=label
    )
    service = discovery_service(app, llm_url, llm_model)
    with stderr_console.status("用途探索中 / discovering…"):
        result = service.discover(request)
    if as_json:
        emit_json(result.to_dict())
    elif as_md:
        click.echo(to_markdown(result))
    else:
        _print(result)


def _print(result: Any) -> None:
    from tsunagu.services.discovery.render import field_label

    d = result.to_dict()
    out = stdout_console
    a = d["analysis"]
    out.print(f"[bold]用途探索 / discovery[/bold]: {d['input']['label'] or d['input']['text'][:60]}")
    for key, title in (("function", "機能"), ("effect", "効果"), ("problem_terms", "課題")):
        if a.get(key):
            out.print(f"  {title}: " + "、".join(a[key]), highlight=False)
    table = Table(title="ホーム分野 / home fields")
    for col in ("IPC", "分野 / field", "WIPO", "確信度"):
        table.add_column(col, overflow="fold")
    for h in d["home_fields"]:
        wipo = h["wipo"]["name_ja"] if h["wipo"] else ""
        table.add_row(h["code"], field_label(h["name"])[:90], wipo, f"{100 * h['confidence']:.0f}%")
    out.print(table)
    if not d["cards"]:
        out.print("根拠となる特許が見つかりませんでした / no supporting patents were found")
    for c in d["cards"]:
        s = c["scores"]
        lines = [
            f"[bold]{field_label(c['field_name'])}[/bold]",
            f"{c['subclass']} {field_label(c['subclass_name'])[:80]}"
            + (f" · WIPO: {c['wipo']['name_ja']}" if c["wipo"] else ""),
        ]
        if c["function"]:
            lines.append(f"機能 / function: 「{c['function']}」")
        lines.append(
            f"関連度 {s['relevance']['value']:.2f} · 新規性 {s['novelty']['value']:.2f} · "
            f"勢い {s['momentum']['value']:.2f} · 根拠 {s['evidence']['value']:.2f}"
        )
        lines.append(c["rationale"]["text"])
        if c["rationale"]["machine_phrased"]:
            lines.append(
                f"[italic]言い換え（機械生成 / machine-phrased）: {c['rationale']['phrased']}[/italic]"
            )
        for note in c["notes"]:
            lines.append(f"[yellow]⚠ {note}[/yellow]")
        for e in c["evidence"]:
            app_name = (e["applicants"] or [""])[0]
            lines.append(f"  • {e['number']} {e['title'][:50]} ({app_name[:24]}, {e['year'] or ''})")
            lines.append(f"      入力: {e['input_passage'][:70]}")
            lines.append(f"      特許: {e['matched_passage'][:70]}")
        if c["applicants"]:
            lines.append(
                "企業 / companies: " + ", ".join(f"{x['name']} ({x['patents']})" for x in c["applicants"][:5])
            )
        if c["offers"]:
            lines.append("ライセンス案件 / offers: " + "; ".join(o["title"] for o in c["offers"]))
        out.print(Panel("\n".join(lines), title=f"{c['rank']}. {c['field']}", expand=True), highlight=False)
