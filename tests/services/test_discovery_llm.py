"""Rationale phrasing through an OpenAI-compatible endpoint: a real HTTP server process started here.

The server (a few lines of http.server, no model) answers ``POST /v1/chat/completions`` with a
deterministic reply built from the request, and ``500`` on ``/broken/v1/chat/completions``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from discovery_corpus import SHARED, Corpus, build_corpus

from tsunagu.errors import ConfigurationError
from tsunagu.services.discovery.model import DiscoveryRequest
from tsunagu.services.discovery.rationale import OpenAICompatiblePhraser, PhrasingError

SERVER = r"""
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path.startswith("/broken"):
            self.send_response(500); self.end_headers(); return
        user = body["messages"][-1]["content"]
        content = "PHRASED[" + body["model"] + "]: " + user[:40]
        reply = {"id": "x", "object": "chat.completion", "model": body["model"],
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": content}}]}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"""


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_phraser_talks_to_the_endpoint(endpoint: str) -> None:
    p = OpenAICompatiblePhraser(f"{endpoint}/v1", "tiny-model")
    assert p.phrase("根拠の文です。", "ja") == "PHRASED[tiny-model]: 根拠の文です。"
    with pytest.raises(PhrasingError):
        OpenAICompatiblePhraser(f"{endpoint}/broken/v1", "m").phrase("x", "en")
    with pytest.raises(PhrasingError):
        OpenAICompatiblePhraser("http://127.0.0.1:9/v1", "m", timeout=2).phrase("x", "en")


def test_no_default_endpoint() -> None:
    with pytest.raises(ConfigurationError):
        OpenAICompatiblePhraser("", "m")
    with pytest.raises(ConfigurationError):
        OpenAICompatiblePhraser("file:///etc/passwd", "m")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent")
    return build_corpus(tmp_path_factory.mktemp("discovery-llm"))


@pytest.mark.shared
def test_cards_mark_machine_phrased_text(corpus: Corpus, endpoint: str) -> None:
    request = DiscoveryRequest(text="心拍から運転者の眠気を推定する装置", ideas=2)
    plain = corpus.service.discover(request)
    assert all(not c.rationale.machine_phrased and c.rationale.phrased == "" for c in plain.cards)
    svc = corpus.service.with_phraser(OpenAICompatiblePhraser(f"{endpoint}/v1", "tiny-model"))
    phrased = svc.discover(request)
    for before, after in zip(plain.cards, phrased.cards, strict=True):
        r = after.rationale
        assert r.text == before.rationale.text  # the facts stay the corpus's own
        assert r.machine_phrased and r.model == "tiny-model"
        assert r.phrased == "PHRASED[tiny-model]: " + r.text[:40]
        assert json.loads(json.dumps(after.to_dict()))["rationale"]["machine_phrased"] is True
    broken = corpus.service.with_phraser(OpenAICompatiblePhraser(f"{endpoint}/broken/v1", "m"))
    fallback = broken.discover(request)
    assert all(not c.rationale.machine_phrased and c.rationale.text for c in fallback.cards)
