"""`tsunagu report evaluation|proposal|input-template`: 知財ビジネス評価書 and 提案書."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, stderr_console
from tsunagu.errors import MissingDependencyError, ValidationError

__all__ = ["report_group"]


def _options(f):  # type: ignore[no-untyped-def]
    decorators = [
        click.option(
            "--company",
            required=True,
            help="企業名・登録ID・出願人名 / company name, register id or applicant",
        ),
        click.option(
            "--out",
            type=click.Path(dir_okay=False),
            default=None,
            help="出力ファイル (.html / .pdf / .md)。省略時は Markdown を標準出力へ / output file",
        ),
        click.option(
            "--input",
            "input_path",
            type=click.Path(exists=True, dir_okay=False),
            default=None,
            help="評価者入力 (YAML/JSON) / evaluator input file (see: tsunagu report input-template)",
        ),
        click.option(
            "--know-how",
            "know_how",
            type=click.Path(exists=True, dir_okay=False),
            default=None,
            help="技術・ノウハウの説明 (テキスト) / know-how text file",
        ),
        click.option(
            "--template",
            type=click.Path(exists=True, dir_okay=False),
            default=None,
            help="機関独自のテンプレート (YAML/JSON) / institution's own section template",
        ),
        click.option(
            "--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="言語 / language"
        ),
        click.option("--date", "as_of", default=None, help="作成日 YYYY-MM-DD / report date (default today)"),
        click.option(
            "--rights-csv",
            "rights_csv",
            type=click.Path(dir_okay=False),
            default=None,
            help="企業の全権利一覧を CSV に書き出す (番号・名称・状態・満了日・IPC・出典) / "
            "also write the company's full rights list as CSV",
        ),
        json_option,
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def _run(
    ctx: click.Context,
    kind: str,
    company: str,
    out: str | None,
    input_path: str | None,
    know_how: str | None,
    template: str | None,
    lang: str,
    as_of: str | None,
    rights_csv: str | None,
    as_json: bool,
) -> None:
    import dataclasses

    from tsunagu.services.reports import load_evaluator_input, load_template, output_format
    from tsunagu.services.reports.inputs import EvaluatorInput
    from tsunagu.services.reports.render import missing_pdf_libraries, render_markdown, report_to_dict

    if out and output_format(out) == "pdf":
        missing = missing_pdf_libraries()
        if missing:  # fail before any work, naming the packages
            raise MissingDependencyError(
                "PDF出力にはシステムライブラリが必要です / PDF output needs system libraries: "
                f"sudo apt-get install {' '.join(missing)}"
            )
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise ValidationError(
            f"--date: YYYY-MM-DD で指定してください / use YYYY-MM-DD, not {as_of!r}"
        ) from exc
    inputs = load_evaluator_input(input_path) if input_path else EvaluatorInput()
    if know_how:
        text = Path(know_how).read_text(encoding="utf-8-sig").strip()
        inputs = dataclasses.replace(inputs, know_how="\n".join(t for t in (inputs.know_how, text) if t))
    tmpl = load_template(kind, lang, template) if template else None
    app = get_app(ctx)
    with stderr_console.status("作成中 / building the report…"):
        if out:
            written = app.reports.write(
                kind, company, out, inputs=inputs, lang=lang, template=tmpl, as_of=day
            )
            report = written.report
        else:
            report = app.reports.build(
                kind, company, inputs=inputs, lang=lang, template=tmpl, as_of=day, figure_formats=()
            )
    rights = None
    if rights_csv:
        from tsunagu.services.reports.rights import write_rights_csv

        service = app.reports
        rights = write_rights_csv(
            service.patents, service.directory, company, rights_csv, inputs=inputs, as_of=day, lang=lang
        )
        if not as_json:
            stderr_console.print(f"権利一覧 / rights list: {rights} → {rights_csv}")
    if as_json:
        document = report_to_dict(report)
        document["file"] = out
        if rights_csv:
            document["rights_csv"] = {"file": rights_csv, "rights": rights}
        emit_json(document)
    elif out:
        stderr_console.print(f"{report.title}: {report.company} → {out}")
    else:
        sys.stdout.write(render_markdown(report))


@click.group("report")
def report_group() -> None:
    """知財ビジネス評価書・提案書 / IP business evaluation reports and proposals.

    \b
    例 / examples:
      tsunagu report evaluation --company 日産自動車株式会社 --out 評価書.pdf
      tsunagu report evaluation --company 企業名 --input input.yaml --out r.html
      tsunagu report evaluation --company 企業名 --out r.pdf --rights-csv 権利一覧.csv
      tsunagu report proposal --company 企業名 --input input.yaml --out 提案書.pdf
      tsunagu report input-template > input.yaml
    """


@report_group.command("evaluation")
@_options
@click.pass_context
def evaluation(ctx: click.Context, **kw: object) -> None:
    """知財ビジネス評価書 / IP business evaluation report (.html, .pdf or .md by --out's extension)."""
    _run(ctx, "evaluation", **kw)  # type: ignore[arg-type]


@report_group.command("proposal")
@_options
@click.pass_context
def proposal(ctx: click.Context, **kw: object) -> None:
    """知財ビジネス提案書 / IP business proposal: the company's issues mapped to IP-based solutions."""
    _run(ctx, "proposal", **kw)  # type: ignore[arg-type]


@report_group.command("input-template")
def input_template() -> None:
    """評価者入力ファイルのひな形 (YAML) を出力 / print the documented evaluator input template."""
    from tsunagu.services.reports.templates import packaged_template_text

    sys.stdout.write(packaged_template_text("evaluator_input.ja.yaml"))
