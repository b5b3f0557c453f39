"""`tsunagu cases …` end to end on a temporary home (SQLite). Companies and notes are TEST DATA."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tsunagu.cli.main import COMMANDS, HELP_SUMMARY, cli


def run(runner: CliRunner, home: Path, *args: str) -> str:
    result = runner.invoke(cli, ["--home", str(home), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_cases_command_is_registered() -> None:
    assert COMMANDS["cases"] == ("tsunagu.cli.cases", "cases")
    assert "ハンズオン" in HELP_SUMMARY["cases"]


def test_case_workflow_through_the_cli(tmp_home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    created = json.loads(
        run(
            runner,
            tmp_home,
            "cases",
            "create",
            "テスト樹脂成形株式会社（テストデータ）",
            "--region",
            "石川県",
            "--title",
            "販路拡大",
            "--date",
            "2024-04-10",
            "--json",
        )
    )
    cid = str(created["case"]["id"])
    assert created["case"]["status"] == "open"

    noted = json.loads(
        run(
            runner,
            tmp_home,
            "cases",
            "note",
            cid,
            "自動車部品以外にも販路を広げたい。強みを説明できない。",
            "--participant",
            "社長",
            "--date",
            "2024-04-10",
            "--json",
        )
    )
    values = {(s["kind"], s["value"]) for s in noted["suggestions"]}
    assert ("issue_tag", "market") in values and ("action", "evaluation_report") in values
    tag_id = next(s["id"] for s in noted["suggestions"] if s["value"] == "market")
    assert "課題 [1] 市場 (新規事業) を記録" in run(runner, tmp_home, "cases", "accept", cid, str(tag_id))

    run(runner, tmp_home, "cases", "tag", cid, "顧客", "--scope", "既存事業", "--date", "2024-04-10")
    run(
        runner,
        tmp_home,
        "cases",
        "propose",
        cid,
        "evaluation_report",
        "評価書で強みを明確化",
        "--date",
        "2024-04-20",
    )
    run(runner, tmp_home, "cases", "respond", cid, "1", "adopted", "--date", "2024-05-01")
    run(
        runner,
        tmp_home,
        "cases",
        "refer",
        cid,
        "INPIT 専門家派遣",
        "--org",
        "INPIT 石川県窓口",
        "--date",
        "2024-04-25",
    )
    run(
        runner,
        tmp_home,
        "cases",
        "outcome",
        cid,
        "1",
        "helpful",
        "--note",
        "評価書完成",
        "--date",
        "2024-06-10",
    )
    run(runner, tmp_home, "cases", "follow-up", cid, "進捗確認", "--due", "2024-05-31")
    run(runner, tmp_home, "cases", "follow-up", cid, "--done", "1", "--date", "2024-05-28")
    run(runner, tmp_home, "cases", "follow-up", cid, "半年後の状況確認", "--due", "2024-12-20")

    bad = runner.invoke(cli, ["--home", str(tmp_home), "cases", "close", cid, "--reason", "other"])
    assert bad.exit_code == 1 and "needs a note" in bad.output
    run(runner, tmp_home, "cases", "solve", cid, "--date", "2024-06-20", "--note", "商談開始")

    shown = json.loads(run(runner, tmp_home, "cases", "show", cid, "--json"))
    assert shown["case"]["status"] == "solved" and shown["case"]["finished_on"] == "2024-06-20"
    assert [e["kind"] for e in shown["events"]][:3] == ["created", "visit", "suggested"]
    assert shown["proposals"][0]["response"] == "adopted"
    assert shown["referrals"][0]["outcome"] == "helpful"

    due = json.loads(run(runner, tmp_home, "cases", "due", "--as-of", "2024-12-31", "--json"))
    assert [(d["follow_up"]["action"], d["days_overdue"]) for d in due["due"]] == [("半年後の状況確認", 11)]

    report = json.loads(
        run(
            runner,
            tmp_home,
            "cases",
            "report",
            "--region",
            "石川県",
            "--from",
            "2024-04-01",
            "--to",
            "2024-09-30",
            "--as-of",
            "2024-09-30",
            "--json",
        )
    )
    assert report["by_status"]["solved"] == 1
    assert report["time_to_resolution_days"]["median"] == 71.0
    assert report["issues"]["customer"] == {"existing": 1, "new": 0}
    assert report["referrals"]["inpit_expert"]["helpful"] == 1
    assert report["follow_ups"]["done_on_time"] == 1

    out = tmp_path / "report.html"
    run(runner, tmp_home, "cases", "report", "--from", "2024-04-01", "--to", "2024-09-30", "--out", str(out))
    assert out.read_text(encoding="utf-8").count("<svg") == 5
    table = run(runner, tmp_home, "cases", "report", "--from", "2024-04-01", "--to", "2024-09-30")
    assert "状況別の案件数" in table and "█" in table
    listed = json.loads(run(runner, tmp_home, "cases", "list", "--status", "解決", "--json"))
    assert [c["id"] for c in listed["cases"]] == [int(cid)]


def test_unknown_codes_are_explained(tmp_home: Path) -> None:
    runner = CliRunner()
    run(runner, tmp_home, "cases", "create", "テスト金型（テストデータ）")
    result = runner.invoke(cli, ["--home", str(tmp_home), "cases", "tag", "1", "marketing"])
    assert result.exit_code == 1
    assert "事業全体" in result.output
