"""Company profiles, needs, report-sharing consents, deal documents and identity reveal through the REST
API of a real server (SQLite and PostgreSQL).

The seeded world is shared with other tests in the process, so each test leaves it as it found it
where others read it: the company keeps its name, visibility and capabilities; consents for the
seeded bank stay; deals revealed here are the test's own.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.live import LiveServer, wait_job

PROBLEM = "application/problem+json"


def _audited(server: LiveServer, action: str) -> list[dict[str, Any]]:
    """Audit-log entries of one action (newest first)."""
    with server.client("admin") as c:
        r = c.get("/api/v1/audit-log", params={"action": action, "per_page": 200})
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items


def _problem(r: httpx.Response, status: int, field: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    fields = {e.get("field") for e in body.get("errors", [])}
    assert field in fields or body["detail"].startswith(f"{field}:"), body


def test_sme_edits_its_profile_and_it_is_audited(server: LiveServer) -> None:
    w = server.world
    with server.client("sme") as c:
        r = c.patch(
            f"/api/v1/companies/{w.company}",
            json={
                "equipment": "5軸マシニングセンタ <b>2台</b>",
                "employees": 42,
                "size": "中小企業",  # a label is accepted and stored as its code
                "visible_fields": ["region", "industry", "size", "capabilities", "equipment", "needs"],
            },
        )
        assert r.status_code == 200, r.text
        company = r.json()
        assert company["equipment"] == "5軸マシニングセンタ <b>2台</b>"
        assert company["employees"] == 42 and company["size"] == "small"
        assert (
            "needs" in company["visibility"]["fields"] and "products" not in company["visibility"]["fields"]
        )
        again = c.get(f"/api/v1/companies/{w.company}").json()
        assert again["equipment"] == company["equipment"] and again["name"] == "つなぐ精密工業株式会社"
        assert again["visibility"]["level"] == "anonymous"
        # the SME may not edit another company (it cannot see it)
        assert c.patch(f"/api/v1/companies/{w.private_company}", json={"note": "x"}).status_code == 404
    with server.client("licensor") as c:  # licensors see what the company chose to show
        seen = c.get(f"/api/v1/companies/{w.company}").json()
        assert "equipment" in seen and "products" not in seen
    with server.client("sme") as c:  # back to the seeded field choice
        r = c.patch(
            f"/api/v1/companies/{w.company}",
            json={"visible_fields": ["region", "industry", "size", "capabilities", "equipment", "products"]},
        )
        assert r.status_code == 200
    entries = _audited(server, "company.update")
    assert any(
        e["target_id"] == str(w.company) and e["actor"] == "sme1" and "employees" in e["detail"]["fields"]
        for e in entries
    )


def test_profile_errors_name_the_field_and_write_nothing(server: LiveServer) -> None:
    w = server.world
    with server.client("sme") as c:
        before = c.get(f"/api/v1/companies/{w.company}").json()
        _problem(c.patch(f"/api/v1/companies/{w.company}", json={"founded": 1999}), 422, "founded")
        _problem(c.patch(f"/api/v1/companies/{w.company}", json={"employees": -1}), 422, "employees")
        _problem(c.patch(f"/api/v1/companies/{w.company}", json={"employees": "many"}), 422, "employees")
        _problem(c.patch(f"/api/v1/companies/{w.company}", json={"size": "huge"}), 422, "size")
        _problem(
            c.patch(f"/api/v1/companies/{w.company}", json={"visible_fields": ["secrets"]}),
            422,
            "visible_fields",
        )
        _problem(c.patch(f"/api/v1/companies/{w.company}", json={"visibility": ""}), 422, "visibility")
        _problem(c.patch(f"/api/v1/companies/{w.company}", json={"name": "乗っ取り株式会社"}), 422, "name")
        _problem(c.patch(f"/api/v1/companies/{w.company}", json={}), 422, "body")
        # a good value next to a bad one: nothing is written
        r = c.patch(f"/api/v1/companies/{w.company}", json={"note": "書かれないはず", "size": "huge"})
        _problem(r, 422, "size")
        # patent links are the coordinator's to change
        r = c.patch(f"/api/v1/companies/{w.company}", json={"patent_numbers": ["JP2099000001A"]})
        assert r.status_code == 403 and "patent_numbers" in r.json()["detail"]
        after = c.get(f"/api/v1/companies/{w.company}").json()
        assert after == before
    with server.client("coordinator") as c:  # the programme's coordinator may link patents
        r = c.patch(f"/api/v1/companies/{w.company}", json={"patent_numbers": ["JP2099000001A"]})
        assert r.status_code == 200 and r.json()["patent_numbers"] == ["JP2099000001A"]
        r = c.patch(f"/api/v1/companies/{w.company}", json={"patent_numbers": []})
        assert r.status_code == 200 and r.json()["patent_numbers"] == []
    with server.client("other_coordinator") as c:  # not their programme: not even visible
        assert c.patch(f"/api/v1/companies/{w.company}", json={"note": "x"}).status_code == 404


def test_needs_add_and_close(server: LiveServer) -> None:
    w = server.world
    with server.client("sme") as c:
        r = c.post(
            f"/api/v1/companies/{w.company}/needs",
            json={
                "title": "筐体の軽量化技術",
                "problem": "センサー筐体を2割軽くしたい",
                "exclusivity": "非独占",
                "visibility": "anonymous",
            },
        )
        assert r.status_code == 201, r.text
        need = r.json()
        assert need["exclusivity"] == "non_exclusive" and need["status"] == "open"
        needs = c.get(f"/api/v1/companies/{w.company}").json()["needs"]
        assert any(n["id"] == need["id"] and n["status"] == "open" for n in needs)
        _problem(c.post(f"/api/v1/companies/{w.company}/needs", json={"title": ""}), 422, "title")
        _problem(
            c.post(f"/api/v1/companies/{w.company}/needs", json={"title": "x", "exclusivity": "forever"}),
            422,
            "exclusivity",
        )
        _problem(
            c.post(f"/api/v1/companies/{w.company}/needs", json={"title": "x", "colour": "red"}),
            422,
            "colour",
        )
        closed = c.post(f"/api/v1/companies/{w.company}/needs/{need['id']}/close")
        assert closed.status_code == 200 and closed.json()["status"] == "closed"
        needs = c.get(f"/api/v1/companies/{w.company}").json()["needs"]
        assert next(n for n in needs if n["id"] == need["id"])["status"] == "closed"
    with server.client("admin") as c:
        other = c.post(f"/api/v1/companies/{w.private_company}/needs", json={"title": "別企業のニーズ"})
        assert other.status_code == 201
    with server.client("sme") as c:  # another company's need, even under its own company's path
        r = c.post(f"/api/v1/companies/{w.company}/needs/{other.json()['id']}/close")
        assert r.status_code == 404
    assert _audited(server, "company.need.add") and _audited(server, "company.need.close")


def test_report_consent_grant_and_revoke_decide_what_a_bank_reads(server: LiveServer) -> None:
    w = server.world
    with server.client("sme") as c:
        r = c.post("/api/v1/reports", json={"company_id": w.company, "format": "md"})
        if r.status_code == 503:
            pytest.skip("the report service is not part of this installation yet")
        assert r.status_code == 202, r.text
        job = wait_job(c, r.json()["id"])
        assert job["status"] == "done", job
        report_id = job["id"]
        listing = c.get(f"/api/v1/companies/{w.company}/consents").json()
        names = {i["name"]: i["active"] for i in listing["institutions"]}
        assert names.get(w.institution) is True and names.get("別の銀行") is False
    with server.client("other_bank") as bank:  # 別の銀行: no consent yet
        assert bank.get(f"/api/v1/reports/{report_id}").status_code == 404
        assert bank.get(f"/api/v1/reports/{report_id}/download").status_code == 404
        assert bank.get(f"/api/v1/companies/{w.company}/consents").status_code == 403
        with server.client("sme") as c:
            granted = c.post(
                f"/api/v1/companies/{w.company}/consents",
                json={"institution": "別の銀行", "note": "融資の相談"},
            )
            assert granted.status_code == 201, granted.text
            assert granted.json()["active"] and granted.json()["granted_by"] == "sme1"
        assert bank.get(f"/api/v1/reports/{report_id}").status_code == 200
        assert bank.get(f"/api/v1/reports/{report_id}/download").status_code == 200
        assert report_id in {x["id"] for x in bank.get("/api/v1/reports").json()["items"]}
        with server.client("sme") as c:
            revoked = c.delete(f"/api/v1/companies/{w.company}/consents/別の銀行")
            assert revoked.status_code == 200 and revoked.json()["revoked"] == 1
            again = c.delete(f"/api/v1/companies/{w.company}/consents/別の銀行")
            assert again.status_code == 404
            history = c.get(f"/api/v1/companies/{w.company}/consents").json()["items"]
            assert any(h["institution"] == "別の銀行" and h["revoked_at"] for h in history)
        assert bank.get(f"/api/v1/reports/{report_id}").status_code == 404
        assert bank.get(f"/api/v1/reports/{report_id}/download").status_code == 404
    with server.client("bank") as bank:  # the seeded consent of the other bank is untouched
        assert bank.get(f"/api/v1/reports/{report_id}").status_code == 200
    with server.client("sme") as c:
        _problem(
            c.post(f"/api/v1/companies/{w.company}/consents", json={"institution": " "}), 422, "institution"
        )
    granted_entries = _audited(server, "company.consent.grant")
    assert any(e["detail"] == {"institution": "別の銀行"} for e in granted_entries)
    assert any(e["detail"] == {"institution": "別の銀行"} for e in _audited(server, "company.consent.revoke"))


def _own_deal(server: LiveServer, title: str) -> int:
    w = server.world
    with server.client("coordinator") as c:
        offer = c.post(
            "/api/v1/offers",
            json={
                "title": title,
                "licensor_id": w.licensor,
                "programme_id": w.programme,
                "summary": "試験用",
            },
        )
        assert offer.status_code == 201, offer.text
        deal = c.post(
            "/api/v1/deals",
            json={"programme_id": w.programme, "offer_id": offer.json()["id"], "company_id": w.company},
        )
        assert deal.status_code == 201, deal.text
        return int(deal.json()["id"])


def test_deal_documents_follow_deal_visibility(server: LiveServer) -> None:
    w = server.world
    deal_id = _own_deal(server, "文書試験用の開放特許")
    with server.client("sme") as c:  # a need the company hides from licensors
        hidden = c.post(
            f"/api/v1/companies/{w.company}/needs",
            json={"title": "社外秘の独占ニーズ", "exclusivity": "exclusive", "visibility": "private"},
        ).json()
    try:
        with server.client("coordinator") as c:
            md = c.get(f"/api/v1/deals/{deal_id}/documents/nda", params={"format": "md"})
            assert md.status_code == 200, md.text
            assert md.headers["content-type"].startswith("text/markdown")
            assert md.headers["content-disposition"] == f'attachment; filename="deal-{deal_id}-nda.md"'
            assert md.text.startswith("# 秘密保持契約") and "法的助言ではありません" in md.text
            html = c.get(f"/api/v1/deals/{deal_id}/documents/term-sheet", params={"format": "html"})
            assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
            assert html.text.startswith("<!DOCTYPE html>") and "社外秘の独占ニーズ" in html.text
            en = c.get(f"/api/v1/deals/{deal_id}/documents/nda", params={"lang": "en"})
            assert en.text.startswith("# NDA checklist")
            _problem(c.get(f"/api/v1/deals/{deal_id}/documents/nda", params={"format": "pdf"}), 422, "format")
            _problem(c.get(f"/api/v1/deals/{deal_id}/documents/contract"), 422, "kind")
            events = c.get(f"/api/v1/deals/{deal_id}").json()["events"]
            documents = [e for e in events if e["kind"] == "document"]
            assert len(documents) == 3 and all(e["actor"] == "coord" for e in documents)
            assert f"deal-{deal_id}-nda.md" in documents[0]["text"]
        with server.client("licensor") as c:  # the licensor of the offer: no company name, no hidden need
            sheet = c.get(f"/api/v1/deals/{deal_id}/documents/term-sheet")
            assert sheet.status_code == 200
            assert "つなぐ精密工業株式会社" not in sheet.text and "社外秘の独占ニーズ" not in sheet.text
            assert f"企業 #{w.company}" in sheet.text
        with server.client("sme") as c:
            assert c.get(f"/api/v1/deals/{deal_id}/documents/nda").status_code == 200
            assert c.get(f"/api/v1/deals/{w.other_deal}/documents/nda").status_code == 404
        with server.client("other_coordinator") as c:
            assert c.get(f"/api/v1/deals/{deal_id}/documents/nda").status_code == 404
        with server.client("bank") as c:
            assert c.get(f"/api/v1/deals/{deal_id}/documents/nda").status_code == 403
        assert any(e["target_id"] == str(deal_id) for e in _audited(server, "deal.document"))
    finally:
        with server.client("sme") as c:
            c.post(f"/api/v1/companies/{w.company}/needs/{hidden['id']}/close")


def test_identity_reveal_needs_both_sides(server: LiveServer) -> None:
    w = server.world
    deal_id = _own_deal(server, "社名開示試験用の開放特許")
    with server.client("licensor") as lic:
        assert lic.get(f"/api/v1/deals/{deal_id}").json()["company_name"] == f"企業 #{w.company}"
        with server.client("sme") as c:
            assert (
                c.post(f"/api/v1/deals/{deal_id}/reveal-consents", json={"side": "licensor"}).status_code
                == 403
            )
            r = c.post(f"/api/v1/deals/{deal_id}/reveal-consents", json={})
            assert r.status_code == 200, r.text
            assert r.json()["company_reveal"] and not r.json()["identities_revealed"]
            _problem(c.post(f"/api/v1/deals/{deal_id}/reveal-consents", json={"side": "bank"}), 422, "side")
        assert lic.get(f"/api/v1/deals/{deal_id}").json()["company_name"] == f"企業 #{w.company}"
        assert (
            lic.post(f"/api/v1/deals/{deal_id}/reveal-consents", json={"side": "company"}).status_code == 403
        )
        r = lic.post(f"/api/v1/deals/{deal_id}/reveal-consents", json={})
        assert r.status_code == 200 and r.json()["identities_revealed"]
        assert lic.get(f"/api/v1/deals/{deal_id}").json()["company_name"] == "つなぐ精密工業株式会社"
        nda = lic.get(f"/api/v1/deals/{deal_id}/documents/nda")
        assert "つなぐ精密工業株式会社" in nda.text
    with server.client("other_coordinator") as c:
        assert c.post(f"/api/v1/deals/{deal_id}/reveal-consents", json={"side": "company"}).status_code == 404
    with server.client("coordinator") as c:
        events = c.get(f"/api/v1/deals/{deal_id}").json()["events"]
        assert [e["actor"] for e in events if e["kind"] == "consent"] == ["sme1", "licensor1"]
    sides = {
        e["detail"]["side"] for e in _audited(server, "deal.reveal_consent") if e["target_id"] == str(deal_id)
    }
    assert sides == {"company", "licensor"}
