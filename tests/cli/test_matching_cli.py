"""The matching commands end to end through the real CLI on a small real corpus.

programmes → offers import (NASA fixture and a template written here, labelled test data) → companies
and needs → match both ways → deals through the stages (an illegal move refused) → documents → due → kpi.
Every ``--json`` run must print exactly one JSON document on stdout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tsunagu.cli.main import cli

DATA = Path(__file__).resolve().parents[1] / "data"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> object:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)  # exactly one document: json.loads fails on anything else


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("matching-cli")
    mp = pytest.MonkeyPatch()
    mp.setenv("TSUNAGU_HOME", str(home))
    mp.setenv("TSUNAGU_EMBEDDER", "hashing")
    mp.setenv("TSUNAGU_USER", "coordinator-sato")
    mp.delenv("TSUNAGU_DATABASE_URL", raising=False)
    report = run_json("import", str(DATA / "jplatpat_csv"), str(DATA / "lens_csv"), str(DATA / "uspto_xml"))
    assert isinstance(report, dict) and report["indexed"] is True
    yield home
    mp.undo()


def test_matching_workflow(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(home))
    programme = run_json("programmes", "add", "kawasaki", "川崎モデル（テスト用）", "--organiser", "川崎市")
    assert isinstance(programme, dict) and programme["code"] == "kawasaki"

    nasa = run_json(
        "offers", "import", str(DATA / "nasa_t2_csv" / "nasa_patents_sample.csv"), "--programme", "kawasaki"
    )
    assert isinstance(nasa, dict) and (nasa["new"], nasa["duplicates"], nasa["licensors"]) == (7, 1, 5)
    template = tmp_path / "offers.csv"
    template.write_text(
        "権利者,管理番号,技術名称,概要,提供形態,開発段階,IPC\n"
        "テスト電機（テスト用）,TE-1,運転者の眠気検知装置,心拍と操舵から眠気を検出して警報する,ライセンス,試作,B60K28/00\n",
        encoding="utf-8",
    )
    assert run_json("offers", "import", str(template))["new"] == 1  # type: ignore[index]
    offers = run_json("offers", "list")
    assert isinstance(offers, dict) and offers["count"] == 8
    te1 = next(o for o in offers["offers"] if o["external_ref"] == "TE-1")
    assert te1["fields_inferred"] is False and te1["availability_label"] == "ライセンス"

    company = run_json(
        "companies",
        "add",
        "株式会社テスト精工（テスト用）",
        "--capabilities",
        "車載センサの組立",
        "--region",
        "神奈川県",
        "--visibility",
        "anonymous",
        "--programme",
        "kawasaki",
    )
    assert isinstance(company, dict)
    need = run_json("needs", "add", "--company", str(company["id"]), "--title", "運転者の眠気を検知したい")
    assert isinstance(need, dict) and need["company_id"] == company["id"]

    matches = run_json("match", "--company", "株式会社テスト精工（テスト用）", "-k", "3")
    assert isinstance(matches, dict) and matches["direction"] == "offers_for_company"
    top = matches["matches"][0]
    assert top["offer"]["id"] == te1["id"]
    assert set(top["components"]) == {"capability_fit", "need_fit", "field_proximity"}
    assert any(r["component"] == "need_fit" for r in top["reasons"])
    back = run_json("match", "--offer", str(te1["id"]), "--as-licensor")
    assert isinstance(back, dict)
    assert back["matches"][0]["company"]["name"] == f"企業 #{company['id']}"  # anonymous to the licensor
    code, _, err = run("match", "--company", "x", "--offer", "1")
    assert code == 1 and "どちらか一方" in err

    deal = run_json(
        "deals",
        "create",
        "--offer",
        str(te1["id"]),
        "--company",
        str(company["id"]),
        "--next-action",
        "面談日程の調整",
        "--due",
        "2020-01-31",
    )
    assert isinstance(deal, dict) and deal["stage"] == "proposed" and deal["score"] is not None
    deal_id = str(deal["id"])
    code, _, err = run("deals", "advance", deal_id, "licensed")
    assert code == 1 and "meeting (面談)" in err and "closed_lost (見送り)" in err
    assert run_json("deals", "advance", deal_id, "面談", "--note", "先方訪問")["stage"] == "meeting"  # type: ignore[index]
    code, out, _ = run("deals", "note", deal_id, "試作品の評価を依頼")
    assert code == 0 and "メモ" in out
    due = run_json("deals", "due", "--as-of", "2020-02-01")
    assert (
        isinstance(due, dict)
        and [d["id"] for d in due["deals"]] == [deal["id"]]
        and due["deals"][0]["overdue"]
    )
    out_md = tmp_path / "nda.md"
    code, out, _ = run("deals", "document", deal_id, "--kind", "nda", "--out", str(out_md))
    assert code == 0 and "検討用チェックリスト（法的助言ではありません）" in out_md.read_text(
        encoding="utf-8"
    )
    html = run_json("deals", "document", deal_id, "--kind", "term-sheet", "--format", "html")
    assert isinstance(html, dict) and '<html lang="ja">' in html["content"]
    shown = run_json("deals", "show", deal_id)
    assert isinstance(shown, dict)
    assert [e["kind"] for e in shown["events"]] == ["created", "stage", "note", "document"]
    assert all(e["actor"] == "coordinator-sato" and e["at"] for e in shown["events"])
    closed = run_json("deals", "close", deal_id, "--reason", "benefit_unclear")
    assert isinstance(closed, dict) and closed["stage"] == "closed_lost" and closed["allowed_next"] == []

    kpi = run_json("kpi", "--by", "programme")
    assert isinstance(kpi, dict)
    assert kpi["cumulative"]["matches_proposed"] == 1 and kpi["cumulative"]["meetings"] == 1
    assert kpi["cumulative"]["closed_lost"] == 1 and kpi["cumulative"]["offers"] == 8
    code, out, _ = run("kpi")
    assert code == 0 and "累計" in out


def test_company_lookup_errors_name_near_matches(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(home))
    code, _, err = run("companies", "show", "日産自動車")
    assert code == 1 and "日産自動車株式会社" in err
    shown = run_json("companies", "show", "日産自動車株式会社")
    assert isinstance(shown, dict) and shown["resolved"]["kind"] == "applicant"


def test_templates_print_importable_headers(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSUNAGU_HOME", str(home))
    for group in ("offers", "companies"):
        for fmt, name in (("csv", "t.csv"), ("jsonl", "t.jsonl")):
            code, out, _ = run(group, "template", "--format", fmt, "--lang", "en")
            assert code == 0
            (tmp_path / name).write_text(out, encoding="utf-8")
        code, out, err = run(group, "import", str(tmp_path / "t.csv"), "--json")
        assert code == 0, err
        assert json.loads(out)["new"] == 1
