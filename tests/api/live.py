"""A real tsunagu server for tests: a seeded home (real records, a register, one user per role) and a
``tsunagu serve`` subprocess on a free loopback port.

Seeding uses the services themselves (import of committed real fixtures, the register store, the
account service), so what the server reads is what a user would have stored. The embedder is the
``hashing`` one (a real, small embedder of the project) to keep start-up fast; the browser tests use
the same world.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
FIXTURES = (
    DATA / "jplatpat_csv" / "jplatpat_first4.csv.gz",
    DATA / "nasa_t2_csv" / "nasa_patents_sample.csv",
    DATA / "lens_csv" / "jet_engine_lens_sample.csv.gz",
    DATA / "patentsview_csv" / "patentsview_sample.csv.gz",
    DATA / "tsunagu_jsonl" / "nasa_sample.jsonl",
)
PASSWORD = "correct-horse-battery-staple"
#: A title with markup, stored as patent text to check escaping everywhere.
EVIL_TITLE = '<script>alert("x")</script><img src=x onerror=alert(1)> 悪意のある題名'


@dataclass
class World:
    """Ids of the seeded register and the users (all with `PASSWORD`)."""

    programme: int = 0
    other_programme: int = 0
    licensor: int = 0
    other_licensor: int = 0
    offer: int = 0
    other_offer: int = 0
    company: int = 0
    private_company: int = 0
    deal: int = 0
    other_deal: int = 0
    evil_key: str = ""
    users: dict[str, str] = field(default_factory=dict)  # role key -> username
    institution: str = "つなぐ信用金庫"


@dataclass
class LiveServer:
    url: str
    home: Path
    database_url: str
    world: World
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, role: str | None = None, **kwargs: Any) -> httpx.Client:
        """An HTTP client, logged in (Bearer token) as the world's user for ``role`` when given."""
        c = httpx.Client(base_url=self.url, timeout=60, **kwargs)
        if role is not None:
            r = httpx.post(
                self.url + "/api/v1/sessions",
                timeout=60,
                json={"username": self.world.users[role], "password": PASSWORD},
            )
            assert r.status_code == 201, r.text
            c.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return c


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> dict[str, Any]:
    r = client.post("/api/v1/sessions", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def wait_job(client: httpx.Client, job_id: str, timeout: float = 240) -> dict[str, Any]:
    """Poll ``/api/v1/jobs/{id}`` until the background job is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(f"/api/v1/jobs/{job_id}")
        assert r.status_code == 200, r.text
        job: dict[str, Any] = r.json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(home: Path, database_url: str) -> World:
    """Import real fixtures, build a register (two programmes, licensors, offers, companies, deals) and
    one user per role."""
    from tsunagu.app import App
    from tsunagu.domain.matching import (
        Company,
        Deal,
        DealEvent,
        Licensor,
        Offer,
        Programme,
        ProgrammeMember,
        ReportConsent,
        Visibility,
    )
    from tsunagu.domain.patent import Patent
    from tsunagu.settings import Settings
    from tsunagu.storage.registry import SqlRegistryStore

    app = App.from_settings(Settings(home=home, database_url=database_url, embedder="hashing"))
    try:
        app.ingestion.import_paths([str(p) for p in FIXTURES[1:]], update_index=False)
        # J-PlatPat 要約 text is the applicant's copyright: keep the bibliographic fields only, so no
        # abstract of it can reach a committed screenshot.
        jp = [dataclasses.replace(p, abstract="") for p in app.ingestion.iter_records([str(FIXTURES[0])])]
        app.store.upsert_many(jp)
        evil = Patent(
            key="JP-A-2099000001",
            publication_number="JP2099000001A",
            country="JP",
            series="A",
            title=EVIL_TITLE,
            abstract='運転者の眠気を検出する装置。<b onmouseover="alert(2)">太字</b> & "引用"',
            language="ja",
            applicants=("<i>悪意</i>株式会社",),
            ipc_codes=("B60W40/08",),
        ).with_source("test")
        app.store.upsert_many([evil])
        app.update_indexes()
        reg = SqlRegistryStore(app.store.engine)
        w = World(evil_key=evil.key)
        now = "2024-01-01T00:00:00+00:00"
        w.programme = reg.add_programme(Programme(0, "kawasaki-test", "川崎モデル (テスト)", "川崎市")).id
        w.other_programme = reg.add_programme(Programme(0, "kinki-test", "近畿 知財マッチング (テスト)")).id
        w.licensor = reg.add_licensor(Licensor(0, "大手電機株式会社", kind="company")).id
        w.other_licensor = reg.add_licensor(Licensor(0, "別ライセンサー研究所", kind="public_lab")).id
        w.offer = reg.add_offer(
            Offer(
                0,
                w.licensor,
                "心拍センサーによる眠気検知技術",
                summary="運転者の心拍から眠気を推定",
                ipc_codes=("A61B5/18",),
                ipc_source="given",
                programme_id=w.programme,
                external_ref="T-1",
                created_at=now,
                updated_at=now,
            )
        ).id
        w.other_offer = reg.add_offer(
            Offer(
                0,
                w.other_licensor,
                "Thermal coating <b>for</b> turbines",
                summary="heat barrier",
                ipc_codes=("F01D5/28",),
                ipc_source="given",
                programme_id=w.other_programme,
                external_ref="T-2",
                created_at=now,
                updated_at=now,
            )
        ).id
        w.company = reg.add_company(
            Company(
                0,
                "つなぐ精密工業株式会社",
                region="神奈川県",
                industry="精密加工",
                capabilities="微細加工、センサー筐体の設計",
                products="車載センサー部品",
                visibility=Visibility(level="anonymous"),
                created_at=now,
                updated_at=now,
            )
        ).id
        w.private_company = reg.add_company(
            Company(
                0,
                "秘密工業株式会社",
                region="大阪府",
                capabilities="極秘の表面処理",
                visibility=Visibility(level="private"),
                created_at=now,
                updated_at=now,
            )
        ).id
        reg.add_member(ProgrammeMember(w.programme, "company", str(w.company), added_at=now))
        reg.add_member(ProgrammeMember(w.other_programme, "company", str(w.private_company), added_at=now))
        reg.add_member(ProgrammeMember(w.programme, "licensor", str(w.licensor), added_at=now))
        reg.grant_consent(ReportConsent(w.company, w.institution, now, granted_by="test"))
        w.deal = reg.add_deal(
            Deal(
                0,
                w.programme,
                w.offer,
                w.company,
                coordinator="coord",
                next_action="初回面談の調整",
                next_action_date="2020-01-10",
                created_by="coord",
                created_at=now,
                updated_at=now,
            ),
            DealEvent(0, 0, now, "coord", "created", to_stage="proposed"),
        ).id
        w.other_deal = reg.add_deal(
            Deal(
                0,
                w.other_programme,
                w.other_offer,
                w.private_company,
                created_by="coord2",
                created_at=now,
                updated_at=now,
            ),
            DealEvent(0, 0, now, "coord2", "created", to_stage="proposed"),
        ).id
        accounts = app.accounts
        specs: dict[str, dict[str, Any]] = {
            "admin": {"role": "admin"},
            "coordinator": {"role": "coordinator", "programmes": {w.programme: "coordinator"}},
            "other_coordinator": {"role": "coordinator", "programmes": {w.other_programme: "coordinator"}},
            "licensor": {"role": "licensor", "licensor_id": w.licensor},
            "sme": {"role": "sme", "company_id": w.company},
            "bank": {"role": "bank", "institution": w.institution},
            "other_bank": {"role": "bank", "institution": "別の銀行"},
        }
        names = {
            "admin": "admin",
            "coordinator": "coord",
            "other_coordinator": "coord2",
            "licensor": "licensor1",
            "sme": "sme1",
            "bank": "bank1",
            "other_bank": "bank2",
        }
        display = {
            "admin": "管理者 佐藤",
            "coordinator": "山田 花子",
            "other_coordinator": "鈴木 一郎",
            "licensor": "大手電機 知財部",
            "sme": "つなぐ精密 田中",
            "bank": "つなぐ信金 高橋",
            "other_bank": "別の銀行 伊藤",
        }
        for key, spec in specs.items():
            role = spec.pop("role")
            accounts.add_user(names[key], PASSWORD, role, display_name=display[key], actor="test", **spec)
            w.users[key] = names[key]
        return w
    finally:
        app.close()


def start(home: Path, database_url: str, world: World, *, workers: int = 1) -> LiveServer:
    """Start ``tsunagu serve`` on a free port and wait until it answers."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        TSUNAGU_HOME=str(home),
        TSUNAGU_DATABASE_URL=database_url,
        TSUNAGU_EMBEDDER="hashing",
        PYTHONUNBUFFERED="1",
    )
    log = home / "server.log"
    exe = Path(sys.executable).with_name("tsunagu")
    cmd = [
        str(exe),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--max-upload-mb",
        "2",
    ]
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                return LiveServer(url, home, database_url, world, proc, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_process(proc)
    raise RuntimeError(f"server did not start: {log.read_text(errors='replace')[-3000:]}")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def serve(home: Path, database_url: str) -> Iterator[LiveServer]:
    """Seed, start, yield, stop."""
    world = seed(home, database_url)
    server = start(home, database_url, world)
    try:
        yield server
    finally:
        stop_process(server.process)


def web_login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    """Log in through the login form (pre-login cookie + form token), as a browser does."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None, page.text[:500]
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/"}
    )


def page_csrf(html: str) -> str:
    """The session CSRF token a page carries (meta tag)."""
    import re

    m = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert m is not None
    return m.group(1)
