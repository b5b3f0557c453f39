"""`tsunagu demo`: the single demo entry point."""

from __future__ import annotations

import click
from rich.cells import cell_len

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, progress_bar, stdout_console
from tsunagu.cli.search import hit_to_dict
from tsunagu.demo import DEMO_SEARCHES, demo_login_file, demo_logins, demo_report, run_demo

__all__ = ["demo"]


@click.command()
@json_option
@click.pass_context
def demo(ctx: click.Context, as_json: bool) -> None:
    """デモ環境を構築してサンプルを表示 / build the demo (idempotent) and print sample searches.

    足りない部分だけを構築します。質問はしません。 / Builds only what is missing; never prompts.
    """
    app = get_app(ctx)
    with progress_bar("demo") as progress:
        results = run_demo(app, progress)
    failed = [r for r in results if r.status == "failed"]
    samples = []
    if not any(r.name in ("corpus", "indexes") for r in failed):
        for q in DEMO_SEARCHES:
            samples.append({"query": q, "hits": [hit_to_dict(h, p) for h, p in app.search(q, k=5)]})
    try:
        logins = [login.to_dict() for login in demo_logins(app)]
    except Exception:  # the summary never fails the demo: the steps above say what went wrong
        logins = []
    try:
        report = demo_report(app) if logins else None
    except Exception:  # likewise
        report = None
    if as_json:
        emit_json(
            {
                "home": str(app.settings.home),
                "steps": [vars(r) for r in results],
                "logins": logins,
                "login_file": str(demo_login_file(app)),
                "report": report,
                "samples": samples,
            }
        )
    else:
        out = stdout_console
        out.print(f"[bold]tsunagu デモ[/bold]  (TSUNAGU_HOME={app.settings.home})")
        for r in results:
            mark = {"built": "構築 / built", "present": "済 / present", "failed": "失敗 / FAILED"}[r.status]
            out.print(f"  {r.name:<10} {mark}  {r.detail}", highlight=False)
        for s in samples:
            out.print(f"\n[bold]検索例 / sample search:[/bold] {s['query']}")
            for i, h in enumerate(s["hits"], start=1):
                out.print(
                    f"  {i}. {h['publication_number']}  {h['title'][:70]}  "
                    f"[dim]({(h['applicants'] or [''])[0][:24]} {h['year'] or ''}; "
                    f"語彙 {h['lexical_rank'] or '–'} / ベクトル {h['vector_rank'] or '–'} / {h['score']:.3f})[/dim]",
                    highlight=False,
                )
        if logins:
            out.print(
                "\n[bold]デモ利用者 / demo users[/bold]  (パスワードは全員 demo-admin と同じ / "
                f"same password as demo-admin; 保存先 / saved in {demo_login_file(app)})",
                highlight=False,
            )
            for login in logins:
                role = login["role_label"] + " " * max(1, 32 - cell_len(login["role_label"]))
                out.print(f"  {login['user']:<17} {role}{login['shows']}", highlight=False)
        if report:
            out.print(
                f"\n[bold]デモ評価書 / demo evaluation report[/bold]  {report['company']}: "
                f"http://127.0.0.1:8000{report['view']}  (一覧 / list: {report['list']}; demo-bank・demo-sme・"
                "demo-coordinator が閲覧・ダウンロードできます / they can view and download it)",
                highlight=False,
            )
        out.print(
            "\n次に / next: tsunagu serve → http://127.0.0.1:8000/ に各デモ利用者でログインすると、"
            "それぞれのロールから見た画面を確認できます / log in as each demo user to see every role's view; "
            'tsunagu search "…", tsunagu show NUMBER, tsunagu --help',
            highlight=False,
        )
    if failed:
        ctx.exit(1)
