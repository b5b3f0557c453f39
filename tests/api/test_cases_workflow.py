"""Working a hands-on case through the API: status moves, suggestions, follow-ups, proposals, referrals,
tags and the region/period report, each change in the audit log and only on cases one may see."""

from __future__ import annotations

import csv
import io
import secrets
from typing import Any

import httpx
import pytest

from api.live import LiveServer, page_csrf, web_login


def _open_case(c: httpx.Client, *, title: str = "知財戦略の相談", region: str = "") -> dict[str, Any]:
    r = c.post(
        "/api/v1/cases",
        json={"company": "つなぐ精密工業株式会社", "title": title, "region": region or "神奈川県"},
    )
    if r.status_code == 503:
        pytest.skip("the hands-on service is not part of this installation")
    assert r.status_code == 201, r.text
    case: dict[str, Any] = r.json()["case"]
    return case


def _audit(server: LiveServer, action: str, case_id: int) -> list[dict[str, Any]]:
    with server.client("admin") as admin:
        r = admin.get("/api/v1/audit-log", params={"action": action, "per_page": 200})
        assert r.status_code == 200, r.text
        return [e for e in r.json()["items"] if e["target_type"] == "case" and e["target_id"] == str(case_id)]


def _moves(case: dict[str, Any]) -> list[str]:
    return [m["code"] for m in case["next_statuses"]]


def test_status_moves_follow_the_rules(server: LiveServer) -> None:
    with server.client("coordinator") as c:
        case = _open_case(c)
        url = f"/api/v1/cases/{case['id']}"
        assert _moves(c.get(url).json()) == ["in_progress", "closed"]

        refused = c.post(url + "/status", json={"status": "solved"})
        assert refused.status_code == 422
        detail = refused.json()["detail"]
        assert "変更できません" in detail and "cannot move" in detail
        assert "allowed: closed (終了), in_progress (対応中)" in detail
        assert c.get(url).json()["case"]["status"] == "open"  # nothing changed

        unknown = c.post(url + "/status", json={"status": "finished"})
        assert unknown.status_code == 422 and "in_progress" in unknown.json()["detail"]

        started = c.post(url + "/status", json={"status": "in_progress"})
        assert started.status_code == 200, started.text
        assert started.json()["case"]["status"] == "in_progress"
        assert _moves(started.json()) == ["solved", "closed"]

        no_reason = c.post(url + "/status", json={"status": "closed"})
        assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]

        solved = c.post(url + "/status", json={"status": "solved", "note": "出願方針が決まった"})
        assert solved.status_code == 200, solved.text
        assert solved.json()["case"]["finished_on"] and _moves(solved.json()) == ["in_progress"]

        silent_reopen = c.post(url + "/status", json={"status": "in_progress"})
        assert silent_reopen.status_code == 422 and "note" in silent_reopen.json()["detail"]
        reopened = c.post(url + "/status", json={"status": "対応中", "note": "追加の相談"})  # Japanese label
        assert reopened.status_code == 200 and reopened.json()["case"]["status"] == "in_progress"

        closed = c.post(
            url + "/status", json={"status": "closed", "reason": "handed_over", "note": "よろずへ"}
        )
        assert closed.status_code == 200 and closed.json()["case"]["close_reason"] == "handed_over"

        history = [e["detail"]["to"] for e in c.get(url).json()["events"] if e["kind"] == "status"]
        assert history == ["in_progress", "solved", "in_progress", "closed"]
    logged = _audit(server, "case.status", case["id"])
    assert [e["detail"]["to"] for e in sorted(logged, key=lambda e: e["id"])] == [
        "in_progress",
        "solved",
        "in_progress",
        "closed",
    ]
    assert all(e["actor"] == "coord" for e in logged)


def test_suggestions_generate_accept_reject(server: LiveServer) -> None:
    title = "販路の拡大と顧客ニーズの把握。大学との共同開発も検討している"
    with server.client("coordinator") as c:
        case = _open_case(c, title=title)
        url = f"/api/v1/cases/{case['id']}"
        r = c.post(url + "/suggestions")
        assert r.status_code == 201, r.text
        created = r.json()["created"]
        tags = [s for s in created if s["kind"] == "issue_tag"]
        assert {"market", "customer", "partner"} <= {s["value"] for s in tags}
        assert all(s["status"] == "pending" and s["rationale"] for s in created)
        assert all("case" in s["evidence"] for s in tags)  # the title is the evidence
        again = c.post(url + "/suggestions")
        assert again.status_code == 201 and again.json()["created"] == []  # never suggested twice
        assert len(again.json()["suggestions"]) == len(created)

        market = next(s for s in tags if s["value"] == "market")
        partner = next(s for s in tags if s["value"] == "partner")
        accepted = c.post(
            f"{url}/suggestions/{market['id']}/decision",
            json={"decision": "accept", "comment": "販路開拓が主課題"},
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["suggestion"]["status"] == "accepted"
        assert accepted.json()["suggestion"]["decided_by"] == "coord"
        assert (
            accepted.json()["tag"]["category"] == "market"
            and accepted.json()["tag"]["note"] == "販路開拓が主課題"
        )
        rejected = c.post(f"{url}/suggestions/{partner['id']}/decision", json={"decision": "reject"})
        assert rejected.status_code == 200 and rejected.json()["suggestion"]["status"] == "rejected"
        assert rejected.json()["tag"] is None

        twice = c.post(f"{url}/suggestions/{market['id']}/decision", json={"decision": "reject"})
        assert twice.status_code == 422 and "accepted" in twice.json()["detail"]
        maybe = c.post(f"{url}/suggestions/{partner['id']}/decision", json={"decision": "maybe"})
        assert maybe.status_code == 422
        assert c.post(f"{url}/suggestions/999999/decision", json={"decision": "accept"}).status_code == 404

        got = c.get(url).json()
        states = {s["id"]: s["status"] for s in got["suggestions"]}
        assert states[market["id"]] == "accepted" and states[partner["id"]] == "rejected"
        assert [(t["category"], t["origin"]) for t in got["tags"]] == [("market", "suggestion")]

        other = _open_case(c, title="別の相談")
        foreign = c.post(
            f"/api/v1/cases/{other['id']}/suggestions/{partner['id']}/decision", json={"decision": "accept"}
        )
        assert foreign.status_code == 404  # a suggestion of another case
    decisions = _audit(server, "case.suggestion", case["id"])
    assert {(e["detail"]["suggestion"], e["detail"]["decision"]) for e in decisions} == {
        (market["id"], "accepted"),
        (partner["id"], "rejected"),
    }
    assert any(e["detail"].get("comment") == "販路開拓が主課題" for e in decisions)
    assert _audit(server, "case.suggest", case["id"])


def test_complete_a_follow_up(server: LiveServer) -> None:
    with server.client("coordinator") as c:
        case = _open_case(c)
        url = f"/api/v1/cases/{case['id']}"
        item = c.post(url + "/follow-ups", json={"action": "出願方針の確認", "due_on": "2030-04-01"}).json()
        done = c.post(
            f"{url}/follow-ups/{item['id']}/complete", json={"note": "電話で確認", "on": "2030-03-15"}
        )
        assert done.status_code == 200, done.text
        assert done.json()["done_on"] == "2030-03-15" and done.json()["note"] == "電話で確認"
        again = c.post(f"{url}/follow-ups/{item['id']}/complete", json={})
        assert again.status_code == 422 and "完了済み" in again.json()["detail"]
        assert c.post(f"{url}/follow-ups/999999/complete", json={}).status_code == 404
        bad_day = c.post(url + "/follow-ups", json={"action": "x", "due_on": "2030-01-01"}).json()
        assert (
            c.post(f"{url}/follow-ups/{bad_day['id']}/complete", json={"on": "15/03/2030"}).status_code == 422
        )
        assert c.get(url).json()["follow_ups"][0]["done_on"] == "2030-03-15"
    assert [e["detail"]["follow_up"] for e in _audit(server, "case.follow_up_done", case["id"])] == [
        item["id"]
    ]


def test_tags_proposals_and_referrals(server: LiveServer) -> None:
    with server.client("coordinator") as c:
        case = _open_case(c)
        url = f"/api/v1/cases/{case['id']}"
        tag = c.post(url + "/tags", json={"category": "competitor", "scope": "new", "note": "模倣品"})
        assert tag.status_code == 201 and tag.json()["origin"] == "specialist"
        assert c.post(url + "/tags", json={"category": "weather"}).status_code == 422

        proposal = c.post(
            url + "/proposals",
            json={"type": "ip_mix", "summary": "意匠と商標も合わせて出願", "rights": ["design"]},
        )
        assert proposal.status_code == 201, proposal.text
        assert c.get(url).json()["case"]["status"] == "in_progress"  # a proposal starts an open case
        bad_right = c.post(url + "/proposals", json={"type": "ip_mix", "summary": "x", "rights": ["castle"]})
        assert bad_right.status_code == 422
        answered = c.post(f"{url}/proposals/{proposal.json()['id']}/response", json={"response": "adopted"})
        assert answered.status_code == 200 and answered.json()["response"] == "adopted"

        referral = c.post(
            url + "/referrals", json={"target": "patent_attorney", "organisation": "ABC 特許事務所"}
        )
        assert referral.status_code == 201, referral.text
        outcome = c.post(f"{url}/referrals/{referral.json()['id']}/outcome", json={"outcome": "helpful"})
        assert outcome.status_code == 200 and outcome.json()["outcome"] == "helpful"
        assert c.post(f"{url}/referrals/999999/outcome", json={"outcome": "helpful"}).status_code == 404

        c.post(url + "/status", json={"status": "solved"})
        late = c.post(url + "/proposals", json={"type": "overseas", "summary": "海外出願"})
        assert late.status_code == 422 and "reopen" in late.json()["detail"]
    for action in (
        "case.tag",
        "case.proposal",
        "case.proposal_response",
        "case.referral",
        "case.referral_outcome",
    ):
        assert _audit(server, action, case["id"]), action


def test_case_report_counts_visible_cases_only(server: LiveServer) -> None:
    region = "テスト県" + secrets.token_hex(3)
    w = server.world
    with server.client("coordinator") as c:
        first = _open_case(c, region=region)
        _open_case(c, region=region)
        c.post(f"/api/v1/cases/{first['id']}/status", json={"status": "in_progress"})
        r = c.get("/api/v1/case-reports", params={"region": region})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["cases"] == 2 and body["by_status"]["open"] == 1 and body["by_status"]["in_progress"] == 1
        assert body["scope"]["regions"] == [region] and list(body["by_region"]) == [region]
        assert {t["title"] for t in body["tables"]} >= {"状況別の案件数", "月別の推移"}
        mine = c.get("/api/v1/case-reports", params={"region": region, "programme": w.programme}).json()
        assert mine["cases"] == 2 and mine["scope"]["programme_name"] == "川崎モデル (テスト)"
        assert c.get("/api/v1/case-reports", params={"programme": w.other_programme}).status_code == 404
        backwards = c.get("/api/v1/case-reports", params={"from": "2030-01-01", "to": "2020-01-01"})
        assert backwards.status_code == 422
        assert c.get("/api/v1/case-reports", params={"from": "yesterday"}).status_code == 422
        assert c.get("/api/v1/case-reports", params={"format": "pdf"}).status_code == 422
        before = c.get("/api/v1/case-reports", params={"region": region, "to": "2000-01-01"}).json()
        assert before["cases"] == 0  # opened after the period

        got = c.get("/api/v1/case-reports", params={"region": region, "format": "csv"})
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        assert "attachment" in got.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
        status_at = rows.index(["状況別の案件数"])
        assert rows[status_at + 1] == ["状況", "件数"]
        assert ["合計", "2"] in rows[status_at + 2 : status_at + 8]
    with server.client("other_coordinator") as c:
        assert c.get("/api/v1/case-reports", params={"region": region}).json()["cases"] == 0
    with server.client("admin") as c:
        assert c.get("/api/v1/case-reports", params={"region": region}).json()["cases"] == 2


def test_the_case_page_forms_record_proposals_referrals_and_tags(server: LiveServer) -> None:
    """The same changes through the case page's forms (form posts with the session's CSRF token)."""
    with server.client("coordinator") as api:
        case = _open_case(api)
    with httpx.Client(base_url=server.url, timeout=60) as c:
        assert web_login(c, server.world.users["coordinator"]).status_code == 303
        page = c.get(f"/cases/{case['id']}")
        assert page.status_code == 200
        token = page_csrf(page.text)
        base = f"/cases/{case['id']}"

        def post(path: str, data: dict[str, Any]) -> httpx.Response:
            return c.post(base + path, data={**data, "csrf_token": token}, follow_redirects=False)

        r = post(
            "/proposals", {"type": "ip_mix", "summary": "意匠と商標も出願", "rights": ["design", "trademark"]}
        )
        assert r.status_code == 303 and r.headers["location"] == base + "#proposals"
        r = post("/tags", {"category": "competitor", "scope": "new", "note": "模倣品対策"})
        assert r.status_code == 303
        r = post("/referrals", {"target": "yorozu", "organisation": "神奈川県よろず支援拠点"})
        assert r.status_code == 303
        with server.client("coordinator") as api:
            api_case = api.get(f"/api/v1/cases/{case['id']}").json()
        assert api_case["proposals"][0]["rights"] == ["design", "trademark"]
        proposal, referral = api_case["proposals"][0]["id"], api_case["referrals"][0]["id"]
        assert post(f"/proposals/{proposal}/response", {"response": "implemented"}).status_code == 303
        assert post(f"/referrals/{referral}/outcome", {"outcome": "not_used"}).status_code == 303
        refused = post("/status", {"status": "open"})
        assert refused.status_code == 422 and "cannot move a case from in_progress to open" in refused.text
        got = c.get(base).text
        for text in (
            "意匠・商標",
            "競合",
            "新規事業",
            "模倣品対策",
            "よろず支援拠点",
            "神奈川県よろず支援拠点",
        ):
            assert text in got, text
        assert '<option value="implemented" selected>' in got and '<option value="not_used" selected>' in got
        assert 'data-status-move="solved"' in got and 'data-status-move="open"' not in got
