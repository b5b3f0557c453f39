"""Every role against the company-profile, report-consent, deal-document and identity-reveal endpoints
(REST API and web forms).

Roles are checked first (anonymous 401 or the login page, forbidden role 403), then the record rules
(a company or deal one may not see is 404, whatever the body), then the values (422). The requests are
chosen so that they change nothing the other tests read: bad values, unknown records, and the reveal
of a deal whose licensor has no user.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.live import LiveServer, World, page_csrf, web_login
from security.test_authz_matrix import ROLES, Spec, _except, _send

NON_WRITERS = {"licensor": 403, "bank": 403, "other_bank": 403}


def company_matrix(w: World) -> list[Spec]:
    own = {"admin": 422, "coordinator": 422, "other_coordinator": 404, "sme": 422, **NON_WRITERS}
    private = {"admin": 422, "coordinator": 404, "other_coordinator": 422, "sme": 404, **NON_WRITERS}
    c, pc = w.company, w.private_company
    return [
        ("PATCH", f"/api/v1/companies/{c}", {"size": "huge"}, own),
        ("PATCH", f"/api/v1/companies/{pc}", {"size": "huge"}, private),
        ("PATCH", "/api/v1/companies/999999", {"size": "huge"}, _except(404, **NON_WRITERS)),
        # a malformed body is refused the same way whether or not the record exists
        ("PATCH", f"/api/v1/companies/{pc}", {"founded": 1}, own | {"other_coordinator": 422}),
        ("POST", f"/api/v1/companies/{c}/needs", {"title": "x", "exclusivity": "forever"}, own),
        ("POST", f"/api/v1/companies/{pc}/needs", {"title": "x", "exclusivity": "forever"}, private),
        (
            "POST",
            f"/api/v1/companies/{c}/needs/999999/close",
            None,
            own | {"admin": 404, "coordinator": 404, "sme": 404},
        ),
        (
            "GET",
            f"/api/v1/companies/{c}/consents",
            None,
            own | {"admin": 200, "coordinator": 200, "sme": 200},
        ),
        ("GET", f"/api/v1/companies/{pc}/consents", None, private | {"admin": 200, "other_coordinator": 200}),
        ("POST", f"/api/v1/companies/{c}/consents", {"institution": " "}, own),
        ("POST", f"/api/v1/companies/{pc}/consents", {"institution": " "}, private),
        (
            "DELETE",
            f"/api/v1/companies/{c}/consents/同意していない銀行",
            None,
            own | {"admin": 404, "coordinator": 404, "sme": 404},
        ),
        # no active consent of this company names the institution: nothing to revoke
        ("DELETE", f"/api/v1/companies/{pc}/consents/{w.institution}", None, _except(404, **NON_WRITERS)),
    ]


def deal_matrix(w: World) -> list[Spec]:
    sees_deal = {"admin": 200, "coordinator": 200, "other_coordinator": 404, "licensor": 200, "sme": 200}
    sees_other = {"admin": 200, "coordinator": 404, "other_coordinator": 200, "licensor": 404, "sme": 404}
    no_bank = {"bank": 403, "other_bank": 403}
    malformed = _except(422, **no_bank)  # checked before the record (and the same for every record)
    return [
        ("GET", f"/api/v1/deals/{w.deal}/documents/nda", None, sees_deal | no_bank),
        ("GET", f"/api/v1/deals/{w.other_deal}/documents/nda?format=pdf", None, malformed),
        ("GET", f"/api/v1/deals/{w.deal}/documents/contract", None, malformed),
        ("GET", f"/api/v1/deals/{w.other_deal}/documents/term-sheet?format=html", None, sees_other | no_bank),
        ("GET", "/api/v1/deals/999999/documents/nda", None, _except(404, bank=403, other_bank=403)),
        # the company side of a deal whose licensor has no user: staff of its programme, nobody else
        ("POST", f"/api/v1/deals/{w.other_deal}/reveal-consents", {"side": "company"}, sees_other | no_bank),
        ("POST", f"/api/v1/deals/{w.other_deal}/reveal-consents", {"side": "bank"}, malformed),
    ]


@pytest.fixture(scope="module")
def clients(sqlite_server: LiveServer) -> Any:
    made = {role: sqlite_server.client(role) for role in ROLES}
    yield made
    for c in made.values():
        c.close()


def _check(server: LiveServer, clients: dict[str, httpx.Client], rows: list[Spec]) -> list[str]:
    failures = []
    with server.client() as anonymous:
        for method, path, body, expected in rows:
            r = _send(anonymous, method, path, body)
            if r.status_code != 401:
                failures.append(f"anonymous {method} {path}: {r.status_code}")
            for role in ROLES:
                r = _send(clients[role], method, path, body)
                want = expected[role]
                if r.status_code != want:
                    failures.append(
                        f"{role} {method} {path}: {r.status_code} (expected {want}) {r.text[:160]}"
                    )
                elif r.status_code >= 400:
                    assert r.headers["content-type"].startswith("application/problem+json"), (role, path)
    return failures


def test_company_endpoints_matrix(sqlite_server: LiveServer, clients: dict[str, httpx.Client]) -> None:
    w = sqlite_server.world
    before = clients["sme"].get(f"/api/v1/companies/{w.company}").json()
    failures = _check(sqlite_server, clients, company_matrix(w))
    assert not failures, "\n".join(failures)
    assert clients["sme"].get(f"/api/v1/companies/{w.company}").json() == before  # nothing changed
    consents = clients["admin"].get(f"/api/v1/companies/{w.company}/consents").json()
    assert any(i["name"] == w.institution and i["active"] for i in consents["institutions"])


def test_deal_endpoints_matrix(sqlite_server: LiveServer, clients: dict[str, httpx.Client]) -> None:
    failures = _check(sqlite_server, clients, deal_matrix(sqlite_server.world))
    assert not failures, "\n".join(failures)
    deal = clients["admin"].get(f"/api/v1/deals/{sqlite_server.world.deal}").json()
    assert not deal["company_reveal"] and not deal["licensor_reveal"]


def test_new_operations_refuse_anonymous_in_the_schema(sqlite_server: LiveServer) -> None:
    with sqlite_server.client() as c:
        paths = c.get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/companies/{company_id}", "patch"),
        ("/companies/{company_id}/needs", "post"),
        ("/companies/{company_id}/needs/{need_id}/close", "post"),
        ("/companies/{company_id}/consents", "get"),
        ("/companies/{company_id}/consents", "post"),
        ("/companies/{company_id}/consents/{institution}", "delete"),
        ("/deals/{deal_id}/documents/{kind}", "get"),
        ("/deals/{deal_id}/reveal-consents", "post"),
    ):
        assert method in paths.get(path, {}), (method, path)


# -- web forms --------------------------------------------------------------------------------------

WebSpec = tuple[str, str, dict[str, str] | None, dict[str, int]]


def web_matrix(w: World) -> list[WebSpec]:
    own = {"admin": 422, "coordinator": 422, "other_coordinator": 404, "sme": 422, **NON_WRITERS}
    sees_other = {"admin": 303, "coordinator": 404, "other_coordinator": 303, "licensor": 404, "sme": 404}
    no_bank = {"bank": 403, "other_bank": 403}
    return [
        (
            "POST",
            f"/matching/companies/{w.company}/profile",
            {"size": "huge", "visibility": "anonymous"},
            own,
        ),
        ("POST", f"/matching/companies/{w.company}/needs", {"title": ""}, own),
        (
            "POST",
            f"/matching/companies/{w.company}/needs/999999/close",
            {},
            own | {"admin": 404, "coordinator": 404, "sme": 404},
        ),
        ("POST", f"/matching/companies/{w.company}/consents", {"institution": " "}, own),
        (
            "POST",
            f"/matching/companies/{w.company}/consents/revoke",
            {"institution": "同意していない銀行"},
            own,
        ),
        (
            "GET",
            f"/matching/deals/{w.deal}/documents/nda?format=pdf",
            None,
            {"admin": 422, "coordinator": 422, "other_coordinator": 404, "licensor": 422, "sme": 422}
            | no_bank,
        ),
        (
            "GET",
            f"/matching/deals/{w.other_deal}/documents/nda?format=md",
            None,
            {k: (200 if v == 303 else v) for k, v in sees_other.items()} | no_bank,
        ),
        ("POST", f"/matching/deals/{w.other_deal}/reveal", {"side": "company"}, sees_other | no_bank),
    ]


def test_web_forms_matrix(sqlite_server: LiveServer) -> None:
    w = sqlite_server.world
    failures = []
    rows = web_matrix(w)
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as anonymous:
        for method, path, form, _ in rows:
            r = anonymous.request(method, path, data=form, follow_redirects=False)
            login_redirect = r.status_code == 303 and r.headers["location"].startswith("/login?next=")
            if not (r.status_code == 401 or (method == "GET" and login_redirect)):
                failures.append(f"anonymous {method} {path}: {r.status_code}")
    for role in ROLES:
        with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
            assert web_login(c, w.users[role]).status_code == 303
            csrf = page_csrf(c.get("/").text)
            for method, path, form, expected in rows:
                if method == "POST":
                    # without the session's token a change is refused before anything else
                    r = c.post(path, data=form, follow_redirects=False)
                    if r.status_code != 403:
                        failures.append(f"{role} {path} without CSRF: {r.status_code}")
                    r = c.post(path, data={**(form or {}), "csrf_token": csrf}, follow_redirects=False)
                else:
                    r = c.get(path, follow_redirects=False)
                if r.status_code != expected[role]:
                    failures.append(f"{role} {method} {path}: {r.status_code} (expected {expected[role]})")
    assert not failures, "\n".join(failures)


def test_company_page_shows_forms_only_to_editors(sqlite_server: LiveServer) -> None:
    w = sqlite_server.world
    expected = {"admin": True, "coordinator": True, "sme": True, "licensor": False}
    for role, editable in expected.items():
        with httpx.Client(base_url=sqlite_server.url, timeout=60) as c:
            assert web_login(c, w.users[role]).status_code == 303
            page = c.get(f"/matching/companies/{w.company}")
            assert page.status_code == 200
            assert (f'action="/matching/companies/{w.company}/profile"' in page.text) is editable, role
            assert (f'action="/matching/companies/{w.company}/consents"' in page.text) is editable, role
            staff_fields = 'name="patent_numbers"' in page.text
            assert staff_fields is (role in ("admin", "coordinator")), role
