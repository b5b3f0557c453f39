"""Several worker processes: an import through one worker is searchable through every worker (each
reloads the index files when their generation changes)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from api.live import PASSWORD, World, start, stop_process


def test_import_in_one_worker_is_seen_by_all(tmp_path: Path) -> None:
    from tsunagu.app import App
    from tsunagu.settings import Settings

    home = tmp_path / "home"
    url = f"sqlite:///{home / 'tsunagu.db'}"
    app = App.from_settings(Settings(home=home, database_url=url, embedder="hashing"))
    try:
        app.accounts.add_user("admin", PASSWORD, "admin")
        first = tmp_path / "first.jsonl"
        first.write_text(
            json.dumps(
                {
                    "publication_number": "US1000001A",
                    "title": "Bicycle bell with a spring",
                    "abstract": "A bell for bicycles.",
                    "language": "en",
                }
            )
            + "\n",
            "utf-8",
        )
        app.ingestion.import_paths([first])
    finally:
        app.close()
    server = start(home, url, World(users={"admin": "admin"}), workers=2)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            token = c.post("/api/v1/sessions", json={"username": "admin", "password": PASSWORD}).json()[
                "token"
            ]
            c.headers["Authorization"] = f"Bearer {token}"
            for _ in range(6):  # both workers load the first generation
                assert c.get("/api/v1/search", params={"q": "bicycle bell"}).json()["items"]
            doc = (
                json.dumps(
                    {
                        "publication_number": "US1000002A",
                        "title": "Zeppelin mooring mast",
                        "abstract": "A mast for mooring airships.",
                        "language": "en",
                    }
                )
                + "\n"
            )
            r = c.post("/api/v1/imports", params={"filename": "second.jsonl"}, content=doc.encode())
            assert r.status_code == 202
            for _ in range(300):
                job = c.get(f"/api/v1/jobs/{r.json()['id']}").json()
                if job["status"] in ("done", "failed"):
                    break
                time.sleep(0.2)
            assert job["status"] == "done", job
            for _ in range(20):  # new connections: spread over the workers
                with httpx.Client(base_url=server.url, timeout=60, headers=dict(c.headers)) as fresh:
                    hits = fresh.get("/api/v1/search", params={"q": "zeppelin mooring mast"}).json()["items"]
                    assert hits and hits[0]["publication_number"] == "US1000002A"
    finally:
        stop_process(server.process)
