"""Uploads: path traversal in file names, size limits, malformed and damaged files."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx

from api.live import DATA, LiveServer


def _wait(c: httpx.Client, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = c.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_path_traversal_in_file_names(sqlite_server: LiveServer) -> None:
    data = (DATA / "tsunagu_jsonl" / "nasa_sample.jsonl").read_bytes()
    uploads = sqlite_server.home / "uploads"
    marker = "tsunagu-traversal-" + os.urandom(4).hex()
    names = [
        f"../../../../tmp/{marker}.jsonl",
        f"..\\..\\{marker}.jsonl",
        f"/etc/{marker}.jsonl",
        f"sub/../../{marker}\x00.jsonl",
        "..",
        "",
    ]
    with sqlite_server.client("coordinator") as c:
        for name in names:
            before = _files_under(uploads) if uploads.exists() else set()
            r = c.post("/api/v1/imports", files={"file": (name, data, "application/octet-stream")})
            if r.status_code == 422:  # an empty name is refused with a clear message
                assert "file" in r.json()["detail"]
                continue
            assert r.status_code == 202, (name, r.text)
            job = _wait(c, r.json()["id"])
            assert job["status"] == "done", job
            new = _files_under(uploads) - before
            assert len(new) == 1
            saved = new.pop()
            assert saved.resolve().is_relative_to(uploads.resolve())
            assert saved.parent.parent == uploads
            assert ".." not in saved.name and "/" not in saved.name and "\\" not in saved.name
        raw = c.post("/api/v1/imports", params={"filename": f"../../{marker}.jsonl"}, content=data)
        assert raw.status_code == 202
        assert _wait(c, raw.json()["id"])["status"] == "done"
    assert not Path(f"/tmp/{marker}.jsonl").exists()
    assert not any(marker in p.name for p in sqlite_server.home.iterdir())


def test_oversize_uploads_are_refused(sqlite_server: LiveServer) -> None:
    big = b"x" * (3 * 1024 * 1024)  # the test server's limit is 2 MB
    with sqlite_server.client("coordinator") as c:
        r = c.post("/api/v1/imports", params={"filename": "big.csv"}, content=big)
        assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json")
        assert "MB" in r.json()["detail"]

        def chunks() -> Any:  # no Content-Length: the limit holds while reading
            for _ in range(6):
                yield b"y" * (512 * 1024)

        r = c.post("/api/v1/imports", params={"filename": "chunked.csv"}, content=chunks())
        assert r.status_code == 413
        r = c.post("/api/v1/imports", files={"file": ("big.csv", big, "text/csv")})
        assert r.status_code == 413
        r = c.post(
            "/api/v1/search", content=b"z" * (3 * 1024 * 1024)
        )  # any other endpoint: small bodies only
        assert r.status_code == 413
    leftovers = [
        p for p in (sqlite_server.home / "uploads").rglob("*") if p.is_file() and p.stat().st_size > 2**21
    ]
    assert not leftovers


def test_malformed_and_damaged_uploads(sqlite_server: LiveServer) -> None:
    with sqlite_server.client("coordinator") as c:
        r = c.post("/api/v1/imports", params={"filename": "random.csv"}, content=os.urandom(4096))
        assert r.status_code == 202
        job = _wait(c, r.json()["id"])
        assert job["status"] == "failed" and "random.csv" in job["message"]
        assert "Traceback" not in job["message"]
        damaged = (DATA / "damaged" / "ipg120327.truncated.xml.gz").read_bytes()
        r = c.post("/api/v1/imports", params={"filename": "truncated.xml.gz"}, content=damaged)
        assert r.status_code == 202
        job = _wait(c, r.json()["id"])
        assert job["status"] in ("done", "failed")
        text = str(job["result"]) + job["message"]
        assert "truncated.xml.gz" in text and str(sqlite_server.home) not in text
        r = c.post("/api/v1/imports", params={"filename": "empty.csv"}, content=b"")
        assert r.status_code == 422
        bad_multipart = c.post(
            "/api/v1/imports",
            content=b"--xx\r\nnot really multipart",
            headers={"content-type": "multipart/form-data; boundary=xx"},
        )
        assert bad_multipart.status_code in (400, 422)
        assert bad_multipart.headers["content-type"].startswith("application/problem+json")
        no_file = c.post("/api/v1/imports", data={"other": "field"}, files={"x": ("a.txt", b"a")})
        assert no_file.status_code == 422
