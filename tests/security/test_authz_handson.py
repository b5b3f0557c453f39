"""Every role against the hands-on workflow endpoints and pages (status, suggestions, follow-ups, tags,
proposals, referrals, reports).

Cases are visible to their programme's coordinators and specialists, their own specialist and admins:
other staff get 404 (the case's existence is not revealed), roles without the ``cases`` capability
get 403 before any input is read, anonymous requests 401 (API) or the login page (web).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.live import LiveServer, page_csrf, web_login
from security.test_authz_matrix import ROLES, _except, _send

STAFF_OK = ("admin", "coordinator")
NO_CASES = ("licensor", "sme", "bank", "other_bank")


def _case_codes(ok: int | tuple[int, ...], *, hidden: int = 404) -> dict[str, Any]:
    """``ok`` for those who see the case, ``hidden`` for the other programme's coordinator, 403 else."""
    return _except(403, admin=ok, coordinator=ok, other_coordinator=hidden)


@pytest.fixture(scope="module")
def clients(sqlite_server: LiveServer) -> Iterator[dict[str, httpx.Client]]:
    made = {role: sqlite_server.client(role) for role in ROLES}
    yield made
    for c in made.values():
        c.close()


@pytest.fixture(scope="module")
def case(clients: dict[str, httpx.Client]) -> dict[str, Any]:
    """A case of the coordinator's programme with a proposal, a referral, a follow-up and suggestions."""
    c = clients["coordinator"]
    r = c.post(
        "/api/v1/cases",
        json={"company": "つなぐ精密工業株式会社", "title": "販路と顧客の課題", "region": "権限県"},
    )
    if r.status_code == 503:
        pytest.skip("the hands-on service is not part of this installation")
    assert r.status_code == 201, r.text
    cid = r.json()["case"]["id"]
    proposal = c.post(f"/api/v1/cases/{cid}/proposals", json={"type": "ip_mix", "summary": "意匠も出願"})
    referral = c.post(f"/api/v1/cases/{cid}/referrals", json={"target": "yorozu"})
    follow_up = c.post(f"/api/v1/cases/{cid}/follow-ups", json={"action": "確認", "due_on": "2030-01-01"})
    suggestions = c.post(f"/api/v1/cases/{cid}/suggestions")
    assert all(x.status_code == 201 for x in (proposal, referral, follow_up, suggestions))
    c.post(f"/api/v1/cases/{cid}/follow-ups/{follow_up.json()['id']}/complete", json={})
    assert suggestions.json()["created"]
    return {
        "id": cid,
        "proposal": proposal.json()["id"],
        "referral": referral.json()["id"],
        "follow_up": follow_up.json()["id"],
        "suggestion": suggestions.json()["created"][0]["id"],
    }


def _rows(case: dict[str, Any], programme: int) -> list[tuple[str, str, Any, dict[str, Any]]]:
    url = f"/api/v1/cases/{case['id']}"
    return [
        # in progress: "open" is not an allowed move (refused after the visibility check)
        ("POST", url + "/status", {"status": "open"}, _case_codes(422)),
        ("POST", url + "/status", {}, _case_codes(422, hidden=422)),  # malformed: 422 for staff
        ("POST", url + "/suggestions", None, _case_codes(201)),
        ("POST", f"{url}/suggestions/{case['suggestion']}/decision", {"decision": "maybe"}, _case_codes(422)),
        ("POST", f"{url}/suggestions/999999/decision", {"decision": "accept"}, _case_codes(404)),
        ("POST", f"{url}/follow-ups/{case['follow_up']}/complete", {}, _case_codes(422)),  # already done
        ("POST", f"{url}/follow-ups/999999/complete", {}, _case_codes(404)),
        ("POST", url + "/tags", {"category": "market"}, _case_codes(201)),
        ("POST", url + "/proposals", {"type": "nonsense", "summary": "x"}, _case_codes(422)),
        ("POST", f"{url}/proposals/{case['proposal']}/response", {"response": "adopted"}, _case_codes(200)),
        ("POST", url + "/referrals", {"target": "patent_attorney"}, _case_codes(201)),
        ("POST", f"{url}/referrals/{case['referral']}/outcome", {"outcome": "helpful"}, _case_codes(200)),
        ("POST", "/api/v1/cases/999999/status", {"status": "solved"}, _case_codes(404)),
        ("GET", "/api/v1/case-reports", None, _case_codes(200, hidden=200)),
        ("GET", "/api/v1/case-reports?format=csv", None, _case_codes(200, hidden=200)),
        ("GET", f"/api/v1/case-reports?programme={programme}", None, _case_codes(200)),
        ("GET", "/api/v1/case-reports?from=bad", None, _case_codes(422, hidden=422)),
    ]


def test_api_roles_against_case_workflow(
    sqlite_server: LiveServer, clients: dict[str, httpx.Client], case: dict[str, Any]
) -> None:
    w = sqlite_server.world
    failures = []
    with sqlite_server.client() as anonymous:
        for method, path, body, expected in _rows(case, w.programme):
            r = _send(anonymous, method, path, body)
            if r.status_code != 401:
                failures.append(f"anonymous {method} {path}: {r.status_code}")
            for role in ROLES:
                r = _send(clients[role], method, path, body)
                if r.status_code != expected[role]:
                    failures.append(
                        f"{role} {method} {path}: {r.status_code} (want {expected[role]}) {r.text[:160]}"
                    )
                elif r.status_code >= 400:
                    assert r.headers["content-type"].startswith("application/problem+json"), (role, path)
    assert not failures, "\n".join(failures)


def test_refused_requests_change_nothing(
    sqlite_server: LiveServer, clients: dict[str, httpx.Client], case: dict[str, Any]
) -> None:
    url = f"/api/v1/cases/{case['id']}"
    before = clients["coordinator"].get(url).json()
    for role in ("other_coordinator", *NO_CASES):
        c = clients[role]
        c.post(url + "/status", json={"status": "closed", "reason": "duplicate"})
        c.post(f"{url}/suggestions/{case['suggestion']}/decision", json={"decision": "accept"})
        c.post(url + "/tags", json={"category": "continuity"})
    after = clients["coordinator"].get(url).json()
    assert after["case"]["status"] == before["case"]["status"] == "in_progress"
    assert [s["status"] for s in after["suggestions"]] == [s["status"] for s in before["suggestions"]]
    assert "continuity" not in {t["category"] for t in after["tags"]}
    log = clients["admin"].get("/api/v1/audit-log", params={"per_page": 200}).json()["items"]
    actors = {e["actor"] for e in log if e["target_type"] == "case" and e["target_id"] == str(case["id"])}
    assert actors <= {"coord", "admin"}, actors


def test_a_case_of_another_programme_is_hidden_from_the_coordinator(
    sqlite_server: LiveServer, clients: dict[str, httpx.Client]
) -> None:
    other = clients["other_coordinator"]
    r = other.post("/api/v1/cases", json={"company": "秘密工業株式会社", "region": "大阪府"})
    if r.status_code == 503:
        pytest.skip("the hands-on service is not part of this installation")
    cid = r.json()["case"]["id"]
    coord = clients["coordinator"]
    assert coord.post(f"/api/v1/cases/{cid}/status", json={"status": "in_progress"}).status_code == 404
    assert coord.post(f"/api/v1/cases/{cid}/suggestions").status_code == 404
    assert other.post(f"/api/v1/cases/{cid}/status", json={"status": "in_progress"}).status_code == 200
    region = coord.get("/api/v1/case-reports", params={"region": "大阪府"}).json()
    assert region["cases"] == 0  # not counted in a report of someone who may not see it
    assert other.get("/api/v1/case-reports", params={"region": "大阪府"}).json()["cases"] >= 1


WEB_PAGES = {
    "/cases/{id}": _case_codes(200),
    "/cases/report": _case_codes(200, hidden=200),
    "/cases/report.csv": _case_codes(200, hidden=200),
    "/cases/report.json": _case_codes(200, hidden=200),
    "/cases/report?programme={programme}": _case_codes(200),
}


def _web_posts(cid: int, case: dict[str, Any]) -> list[tuple[str, dict[str, str], dict[str, Any]]]:
    base = f"/cases/{cid}"
    return [
        (base + "/status", {"status": "open"}, _case_codes(422)),
        (base + "/suggestions", {}, _case_codes(303)),
        (f"{base}/suggestions/{case['suggestion']}/decision", {"decision": "maybe"}, _case_codes(422)),
        (f"{base}/follow-ups/{case['follow_up']}/complete", {}, _case_codes(422)),
        (base + "/tags", {"category": "nonsense"}, _case_codes(422)),
        (base + "/proposals", {"type": "ip_mix", "summary": ""}, _case_codes(422)),
        (f"{base}/proposals/{case['proposal']}/response", {"response": "maybe"}, _case_codes(422)),
        (base + "/referrals", {"target": "nowhere"}, _case_codes(422)),
        (f"{base}/referrals/{case['referral']}/outcome", {"outcome": "maybe"}, _case_codes(422)),
    ]


def test_web_roles_against_case_pages_and_forms(sqlite_server: LiveServer, case: dict[str, Any]) -> None:
    w = sqlite_server.world
    fill = {"id": case["id"], "programme": w.programme}
    failures = []
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as anonymous:
        for path in WEB_PAGES:
            r = anonymous.get(path.format(**fill), follow_redirects=False)
            if r.status_code != 303 or not r.headers["location"].startswith("/login?next="):
                failures.append(f"anonymous GET {path}: {r.status_code}")
        for path, data, _ in _web_posts(case["id"], case):
            if anonymous.post(path, data=data, follow_redirects=False).status_code != 401:
                failures.append(f"anonymous POST {path}")
    for role in ROLES:
        with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
            assert web_login(c, w.users[role]).status_code == 303
            token = page_csrf(c.get("/").text)
            for path, expected in WEB_PAGES.items():
                r = c.get(path.format(**fill), follow_redirects=False)
                if r.status_code != expected[role]:
                    failures.append(f"{role} GET {path}: {r.status_code} (want {expected[role]})")
            for path, data, expected in _web_posts(case["id"], case):
                r = c.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
                if r.status_code != expected[role]:
                    failures.append(f"{role} POST {path}: {r.status_code} (want {expected[role]})")
                if role in STAFF_OK and r.status_code == 422:
                    assert 'role="alert"' in r.text, (role, path)
            if role in STAFF_OK:  # without the session's CSRF token a change is refused
                r = c.post(f"/cases/{case['id']}/status", data={"status": "closed"}, follow_redirects=False)
                if r.status_code != 403:
                    failures.append(f"{role} POST without CSRF: {r.status_code}")
    assert not failures, "\n".join(failures)
