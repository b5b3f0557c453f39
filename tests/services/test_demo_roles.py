"""The demo users for every role (`tsunagu demo`'s ``web_roles`` step) on a small real home.

Home: the committed J-PlatPat fixtures (real records) imported and indexed with the deterministic
hashing embedder; the ``derived_companies``, ``matching`` (the committed NASA fixture as offers),
``web_login`` and ``web_roles`` steps of the real demo then run on it. The access checks go through
the real `AccessRules` over the register, with principals built by the account service.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import tsunagu.demo as demo
from tsunagu.app import App
from tsunagu.demo import STEPS, demo_login_file, run_demo
from tsunagu.domain.matching import Programme
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.access import AccessRules
from tsunagu.services.accounts.demo import DEMO_ADMIN, saved_password
from tsunagu.services.accounts.demo_report import DEMO_EVALUATOR, DEMO_REPORT_INPUT
from tsunagu.services.accounts.demo_roles import (
    DEMO_BANK,
    DEMO_COORDINATOR,
    DEMO_INSTITUTION,
    DEMO_LICENSOR,
    DEMO_MARK,
    DEMO_SME,
    ROLE_USERS,
)
from tsunagu.services.accounts.jobs import JobRunner
from tsunagu.services.accounts.model import Principal
from tsunagu.services.accounts.portal import Portal
from tsunagu.services.consortium.candidates import DERIVED_ORIGIN
from tsunagu.settings import Settings
from tsunagu.storage.accounts import Job, UserRecord

DATA = Path(__file__).resolve().parents[1] / "data"
NASA = DATA / "nasa_t2_csv" / "nasa_patents_sample.csv"


def _settings(home: Path) -> Settings:
    return Settings(home=home, database_url=f"sqlite:///{home / 'tsunagu.db'}", embedder="hashing")


def _steps(*names: str) -> list[demo.DemoStep]:
    return [s for s in STEPS if s.name in names]


def _quiet(*_: object) -> None:
    return None


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    home = tmp_path_factory.mktemp("demo-roles-home")
    mp = pytest.MonkeyPatch()
    mp.setattr(demo, "demo_offers_path", lambda: NASA)
    app = App.from_settings(_settings(home))
    app.ingestion.import_paths(sorted((DATA / "jplatpat_csv").glob("*.csv.gz")))
    results = run_demo(app, _quiet, steps=_steps("derived_companies", "matching", "web_login", "web_roles"))
    assert [r.status for r in results] == ["built"] * 4, results
    yield app
    mp.undo()
    app.close()


def _user(app: App, name: str) -> UserRecord:
    user = app.accounts.find_user(name)
    assert user is not None, name
    return user


def _principal(app: App, name: str) -> Principal:
    return app.accounts.principal(_user(app, name))


def _programme(app: App) -> Programme:
    return app.programmes.get("demo")


def _rules(app: App) -> AccessRules:
    return AccessRules(lambda: app.registry)


def _records(app: App) -> dict[str, int]:
    """Counts of everything the step makes (to show a re-run adds nothing)."""
    company_id = _user(app, DEMO_SME).company_id
    return {
        "users": len(app.accounts.list_users()),
        "deals": len(app.registry.list_deals()),
        "cases": len(app.case_store.list_cases()),
        "consents": len(app.registry.consents()),
        "members": len(app.registry.members(_programme(app).id)),
        "visits": len(app.handson.get(app.case_store.list_cases(company_id=company_id)[0].id).visits),
        "audit": app.accounts.audit_entries(limit=1)[1],
        "reports": len(app.accounts.store.list_jobs(kind="report", limit=1000)),
    }


def test_each_demo_user_has_its_role_links_and_the_shared_password(app: App) -> None:
    login_file = demo_login_file(app)
    assert (login_file.stat().st_mode & 0o777) == 0o600
    password = saved_password(login_file)
    listed = [
        line.split(" ", 1)[1]
        for line in login_file.read_text("utf-8").splitlines()
        if line.startswith("user ")
    ]
    assert listed == [DEMO_ADMIN, *ROLE_USERS]
    programme = _programme(app)
    roles = {name: _user(app, name).role for name in ROLE_USERS}
    assert roles == {
        DEMO_COORDINATOR: "coordinator",
        DEMO_LICENSOR: "licensor",
        DEMO_SME: "sme",
        DEMO_BANK: "bank",
    }
    for name in (DEMO_ADMIN, *ROLE_USERS):
        user = _user(app, name)
        assert user.active and (name == DEMO_ADMIN or DEMO_MARK[:2] in user.display_name)
        _token, _session, principal = app.accounts.login(name, password)
        assert principal.username == name

    coordinator = _principal(app, DEMO_COORDINATOR)
    assert coordinator.coordinated_programmes == frozenset({programme.id})
    assert [m.ref for m in app.registry.members(programme.id, "coordinator")] == [DEMO_COORDINATOR]

    sme = _user(app, DEMO_SME)
    company = app.registry.get_company(sme.company_id)
    assert company.origin == DERIVED_ORIGIN and company.status == "active"
    assert company.name in sme.display_name

    bank = _user(app, DEMO_BANK)
    assert bank.institution == DEMO_INSTITUTION

    # The licensor is the one whose offer the demo company matches best (the sample deal's offer).
    (deal,) = app.registry.list_deals(company_id=company.id)
    licensor = _user(app, DEMO_LICENSOR)
    assert licensor.licensor_id == app.registry.get_offer(deal.offer_id).licensor_id
    assert app.registry.get_licensor(licensor.licensor_id).name.startswith("NASA")


def test_the_demo_company_is_the_best_match_of_the_sample(app: App) -> None:
    from tsunagu.services.accounts.demo_roles import SAMPLE_SIZE

    programme = _programme(app)
    chosen = _user(app, DEMO_SME).company_id
    derived = app.registry.list_companies(status="active", origin=DERIVED_ORIGIN)
    assert derived  # the fixture's applicants
    sample = sorted(derived, key=lambda c: (not any("\u3040" <= ch <= "\u9fff" for ch in c.name), c.id))
    scores = {
        c.id: app.matching.offers_for_company(c.id, limit=1, programme_id=programme.id, propose=0)
        .matches[0]
        .score
        for c in sample[:SAMPLE_SIZE]
    }
    best = min(scores, key=lambda cid: (-scores[cid], cid))
    assert chosen == best


def test_coordinator_sees_the_demo_company_its_deal_case_and_reports(app: App) -> None:
    rules = _rules(app)
    coordinator = _principal(app, DEMO_COORDINATOR)
    company = app.registry.get_company(_user(app, DEMO_SME).company_id)
    assert _programme(app).id in rules.company_programmes(company.id)  # a member of the demo programme
    assert rules.sees_company_fully(coordinator, company)
    assert rules.company_editable(coordinator, company)  # only through the programme membership
    admin = _user(app, DEMO_ADMIN)
    assert rules.sees_report(coordinator, company_id=company.id, owner_id=admin.id)
    (deal,) = app.registry.list_deals(company_id=company.id)
    assert rules.sees_deal(coordinator, deal) and rules.deal_editable(coordinator, deal)
    (case,) = app.case_store.list_cases(company_id=company.id)
    assert rules.sees_case(coordinator, case)
    # The SME sees its own company and deal; the licensor sees the deal on its offer.
    sme = _principal(app, DEMO_SME)
    assert rules.sees_company_fully(sme, company) and rules.sees_deal(sme, deal)
    licensor = _principal(app, DEMO_LICENSOR)
    assert rules.sees_deal(licensor, deal, app.registry.get_offer(deal.offer_id))
    # A coordinator of no programme does not get the reports or cases of the demo company.
    outsider = Principal(user_id=999, username="someone-else", role="coordinator")
    assert not rules.sees_report(outsider, company_id=company.id, owner_id=admin.id)
    assert not rules.sees_case(outsider, case)


def test_bank_reads_the_demo_company_reports_only_because_of_the_consent(app: App) -> None:
    rules = _rules(app)
    bank = _principal(app, DEMO_BANK)
    company_id = _user(app, DEMO_SME).company_id
    owner = _user(app, DEMO_ADMIN).id
    (consent,) = app.registry.consents(company_id=company_id)
    assert consent.institution == DEMO_INSTITUTION and consent.active and DEMO_MARK in consent.note
    assert rules.sees_report(bank, company_id=company_id, owner_id=owner)
    other_bank = Principal(user_id=998, username="other-bank", role="bank", institution="ほかの銀行")
    assert not rules.sees_report(other_bank, company_id=company_id, owner_id=owner)
    # Without the consent the same bank user reads nothing; the next demo run records it again.
    assert app.companies.revoke_consent(company_id, DEMO_INSTITUTION) == 1
    assert not rules.sees_report(bank, company_id=company_id, owner_id=owner)
    (result,) = run_demo(app, _quiet, steps=_steps("web_roles"))
    assert result.status == "built" and DEMO_INSTITUTION in result.detail
    assert rules.sees_report(bank, company_id=company_id, owner_id=owner)


def test_the_sample_deal_and_case_are_there_and_labelled_demo_data(app: App) -> None:
    company_id = _user(app, DEMO_SME).company_id
    (deal,) = app.registry.list_deals(programme_ids=[_programme(app).id], company_id=company_id)
    assert deal.stage == "proposed" and deal.coordinator == DEMO_COORDINATOR and deal.next_action_date
    assert deal.score is not None and app.registry.match_detail(deal.id)["offer"]["id"] == deal.offer_id
    (created,) = app.registry.events(deal.id)
    assert DEMO_MARK in created.text
    # The best-matching open offer of the programme for the company.
    best = app.matching.offers_for_company(company_id, limit=1, programme_id=_programme(app).id, propose=0)
    assert best.matches[0].offer.id == deal.offer_id
    (case,) = app.case_store.list_cases(company_id=company_id)
    assert DEMO_MARK in case.title and case.specialist == DEMO_COORDINATOR
    visits = app.handson.get(case.id).visits
    assert len(visits) == 1 and DEMO_MARK in visits[0].summary and f"#{deal.id}" in visits[0].summary


def test_running_again_changes_nothing(app: App) -> None:
    before = _records(app)
    (again,) = run_demo(app, _quiet, steps=_steps("web_login", "web_roles"))[1:]
    assert again.status == "present"
    # Building anyway (as if the check had said something was missing) creates no duplicates either.
    step = _steps("web_roles")[0]
    assert step.build(app, _quiet) == "変更なし / nothing changed"
    assert _records(app) == before


def test_a_deactivated_or_changed_demo_user_is_restored(app: App) -> None:
    password = saved_password(demo_login_file(app))
    sme = _user(app, DEMO_SME)
    app.accounts.update_user(sme.id, actor="test", active=False)
    bank = _user(app, DEMO_BANK)
    app.accounts.set_password(bank.id, "another-password-for-test", actor="test")
    coordinator = _user(app, DEMO_COORDINATOR)
    app.accounts.remove_membership(coordinator.id, _programme(app).id, actor="test")
    users = len(app.accounts.list_users())
    (result,) = run_demo(app, _quiet, steps=_steps("web_roles"))
    assert result.status == "built"
    assert "reactivated" in result.detail and "password" in result.detail
    assert len(app.accounts.list_users()) == users  # repaired, not recreated
    assert _user(app, DEMO_SME).active and _user(app, DEMO_SME).company_id == sme.company_id
    app.accounts.login(DEMO_SME, password)
    app.accounts.login(DEMO_BANK, password)
    assert _principal(app, DEMO_COORDINATOR).coordinated_programmes == frozenset({_programme(app).id})
    assert run_demo(app, _quiet, steps=_steps("web_roles"))[0].status == "present"


def test_the_demo_command_lists_every_login_without_the_password(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsunagu.cli.main import cli

    monkeypatch.setenv("TSUNAGU_HOME", str(app.settings.home))
    monkeypatch.setenv("TSUNAGU_EMBEDDER", "hashing")
    monkeypatch.delenv("TSUNAGU_DATABASE_URL", raising=False)
    monkeypatch.setattr(demo, "STEPS", _steps("web_login", "web_roles"))
    result = CliRunner().invoke(cli, ["demo", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [s["status"] for s in doc["steps"]] == ["built", "present"]
    logins = {entry["user"]: entry for entry in doc["logins"]}
    assert list(logins) == [DEMO_ADMIN, *ROLE_USERS]
    assert logins[DEMO_BANK]["role"] == "bank" and DEMO_INSTITUTION in logins[DEMO_BANK]["shows"]
    company = app.registry.get_company(_user(app, DEMO_SME).company_id)
    assert company.name in logins[DEMO_SME]["shows"]
    password = saved_password(demo_login_file(app))
    assert password not in json.dumps(doc["logins"])
    text = CliRunner().invoke(cli, ["demo"], catch_exceptions=False).stdout
    for name in (DEMO_ADMIN, *ROLE_USERS):
        assert sum(line.startswith(f"  {name} ") for line in text.splitlines()) == 1
    assert text.count(password) == 1  # only on the demo administrator's line
    (job,) = app.accounts.store.list_jobs(kind="report", limit=1000)
    assert doc["report"]["view"] == f"/reports/{job.id}/view" and doc["report"]["list"] == "/reports"
    assert f"/reports/{job.id}/view" in text and "/reports" in logins[DEMO_BANK]["shows"]


def test_without_matching_data_the_step_fails_clearly_and_the_demo_goes_on(tmp_path: Path) -> None:
    app = App.from_settings(_settings(tmp_path / "home"))
    app.ingestion.import_paths(sorted((DATA / "jplatpat_csv").glob("*.csv.gz")))
    (roles,) = _steps("web_roles")
    (login,) = _steps("web_login")
    results = run_demo(app, _quiet, steps=[roles, login])
    assert [r.status for r in results] == ["failed", "built"]
    assert "demo programme is missing" in results[0].detail and "matching" in results[0].detail
    assert app.accounts.find_user(DEMO_COORDINATOR) is None
    app.close()


def test_a_demo_programme_without_offers_gives_the_users_it_can_and_says_what_is_missing(
    tmp_path: Path,
) -> None:
    from tsunagu.services.matching.demo import DEMO_PROGRAMME

    app = App.from_settings(_settings(tmp_path / "home"))
    app.ingestion.import_paths(sorted((DATA / "jplatpat_csv").glob("*.csv.gz")))
    assert run_demo(app, _quiet, steps=_steps("derived_companies"))[0].status == "built"
    code, name, organiser = DEMO_PROGRAMME
    app.programmes.create(code, name, organiser=organiser)  # the programme, but no offers imported
    results = run_demo(app, _quiet, steps=_steps("web_login", "web_roles"))
    assert [r.status for r in results] == ["built", "failed"]
    assert "no open offers" in results[1].detail and "created demo-coordinator" in results[1].detail
    assert _user(app, DEMO_COORDINATOR).role == "coordinator" and _user(app, DEMO_BANK).role == "bank"
    assert app.accounts.find_user(DEMO_SME) is None and not app.registry.list_deals()
    app.close()


# -- the demo evaluation report ------------------------------------------------------------------------


def _portal(app: App) -> Portal:
    """A portal over the app as the web server builds one."""
    return Portal(
        app, app.accounts, jobs=JobRunner(app.accounts.store), upload_dir=app.settings.home / "uploads"
    )


def _report_jobs(app: App) -> list[Job]:
    return app.accounts.store.list_jobs(kind="report", limit=1000)


def test_the_demo_report_is_a_finished_web_report_by_the_coordinator(app: App) -> None:
    company = app.registry.get_company(_user(app, DEMO_SME).company_id)
    (job,) = _report_jobs(app)
    assert job.status == "done" and job.owner_id == _user(app, DEMO_COORDINATOR).id
    assert job.params == {
        "kind": "evaluation",
        "company_id": company.id,
        "company": company.name,
        "format": "html",
        "lang": "ja",
    }
    assert job.result["view"] == f"/reports/{job.id}/view"
    folder = app.settings.home / "web" / "reports" / job.id
    html = (folder / "report.html").read_text("utf-8")
    assert company.name in html and DEMO_EVALUATOR in html and DEMO_MARK in html and DEMO_INSTITUTION in html
    assert json.loads((folder / "inputs.json").read_text("utf-8")) == DEMO_REPORT_INPUT
    assert (folder / "rights.csv").is_file()
    entries, _total = app.accounts.audit_entries(limit=1000)
    made = [e for e in entries if e.action == "report.create" and e.target_id == job.id]
    assert [e.actor for e in made] == [DEMO_COORDINATOR]


def test_bank_sme_and_coordinator_read_the_demo_report_the_bank_only_by_consent(app: App) -> None:
    (job,) = _report_jobs(app)
    portal = _portal(app)
    try:
        for name in (DEMO_BANK, DEMO_SME, DEMO_COORDINATOR):
            p = _principal(app, name)
            assert [j.id for j in portal.reports(p)] == [job.id], name
            path, media, _download = portal.report_file(p, job.id)
            assert path.is_file() and media.startswith("text/html")
        licensor = _principal(app, DEMO_LICENSOR)
        assert portal.reports(licensor) == []
        company_id = _user(app, DEMO_SME).company_id
        bank = _principal(app, DEMO_BANK)
        assert app.companies.revoke_consent(company_id, DEMO_INSTITUTION) == 1
        assert portal.reports(bank) == []
        with pytest.raises(NotFoundError):
            portal.report_file(bank, job.id)
        (result,) = run_demo(app, _quiet, steps=_steps("web_roles"))
        assert result.status == "built" and DEMO_INSTITUTION in result.detail
        assert "evaluation report" not in result.detail  # the report is there: not made again
        assert [j.id for j in portal.reports(bank)] == [job.id]
    finally:
        portal.jobs.shutdown()
    assert [j.id for j in _report_jobs(app)] == [job.id]


def test_a_failed_or_missing_demo_report_is_made_again(app: App) -> None:
    (first,) = _report_jobs(app)
    (app.settings.home / "web" / "reports" / first.id / "report.html").unlink()
    assert run_demo(app, _quiet, steps=_steps("web_roles"))[0].status == "built"
    second = _report_jobs(app)[0]
    assert second.id != first.id and second.status == "done" and len(_report_jobs(app)) == 2
    app.accounts.store.update_job(second.id, status="failed", message="test", stage="失敗 / failed")
    (result,) = run_demo(app, _quiet, steps=_steps("web_roles"))
    assert result.status == "built" and "demo evaluation report" in result.detail
    third = _report_jobs(app)[0]
    assert third.status == "done" and f"/reports/{third.id}/view" in result.detail
    assert len(_report_jobs(app)) == 3
    assert run_demo(app, _quiet, steps=_steps("web_roles"))[0].status == "present"
    # The bank lists all three, newest first, as it would any reports (the earlier ones are not removed).
    portal = _portal(app)
    try:
        listed = [j.id for j in portal.reports(_principal(app, DEMO_BANK))]
    finally:
        portal.jobs.shutdown()
    assert listed == [third.id, second.id, first.id]


def test_a_report_that_cannot_be_made_fails_the_step_clearly_after_the_other_records(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValidationError("broken for the test")

    monkeypatch.setattr(app.reports, "write", broken)
    done = _report_jobs(app)[0]
    app.accounts.store.update_job(done.id, status="failed", message="test", stage="失敗 / failed")
    sme = _user(app, DEMO_SME)
    app.accounts.update_user(sme.id, actor="test", active=False)
    (result,) = run_demo(app, _quiet, steps=_steps("web_roles"))
    assert result.status == "failed"
    assert (
        "demo evaluation report could not be made" in result.detail and "broken for the test" in result.detail
    )
    assert "reactivated" in result.detail  # what was done is said, and was done
    assert _user(app, DEMO_SME).active
    assert _report_jobs(app)[0].status == "failed"
    monkeypatch.undo()
    assert run_demo(app, _quiet, steps=_steps("web_roles"))[0].status == "built"
    assert _report_jobs(app)[0].status == "done"
