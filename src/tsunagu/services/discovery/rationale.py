"""Rationales of idea cards: assembled from the card's facts, optionally phrased by a language model.

`assemble_rationale` writes the rationale from facts only (the function, the evidence, the
co-classification counts, the filings). `OpenAICompatiblePhraser` can rewrite that text through an
OpenAI-compatible ``/chat/completions`` endpoint that the user configures (a local or LAN server;
there is no default endpoint and it is off unless configured). Its output is kept apart from the
assembled text and marked as machine-phrased; when the call fails the card keeps the assembled text.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from tsunagu.errors import ConfigurationError, TsunaguError

__all__ = [
    "OpenAICompatiblePhraser",
    "PhrasingError",
    "RationaleFacts",
    "RationalePhraser",
    "assemble_rationale",
]


class PhrasingError(TsunaguError):
    """The language-model endpoint could not phrase a rationale."""


@dataclass(frozen=True)
class RationaleFacts:
    """The facts a rationale is built from (all taken from the corpus)."""

    language: str
    function: str
    field: str
    field_label: str
    supporting: int
    closest_number: str
    closest_title: str
    closest_applicant: str
    closest_year: int | None
    home_label: str
    cooc_with_home: int
    home_docs: int
    cooc_rank: int
    in_home_section: bool
    recent: int
    prior: int
    years: int
    little_evidence: bool


def assemble_rationale(f: RationaleFacts) -> str:
    """A short rationale in the input's language, every clause traceable to the card's figures."""
    who = ", ".join(x for x in (f.closest_applicant, str(f.closest_year or "")) if x)
    if f.language == "ja":
        func = f"「{f.function}」という機能" if f.function else "入力技術"
        parts = [
            f"{func}に近い記述が {f.field_label}（{f.field}）の特許 {f.supporting} 件に見られます"
            f"（最も近いもの: {f.closest_number}「{f.closest_title}」{('、' + who) if who else ''}）。"
        ]
        if f.in_home_section:
            parts.append("ホーム分野と同じセクションの分野です。")
        elif f.home_docs:
            parts.append(
                f"ホーム分野（{f.home_label}）の文献 {f.home_docs} 件のうち、"
                f"この分野と同時に分類されたものは {f.cooc_with_home} 件です"
                f"（ホーム分野と共起の多い分野の中で {f.cooc_rank + 1} 位）。"
            )
        parts.append(f"直近 {f.years} 年の出願は {f.recent} 件（その前の {f.years} 年は {f.prior} 件）。")
        if f.little_evidence:
            parts.append(f"この分野の根拠はコーパス内に {f.supporting} 件しかありません。")
        return "".join(parts)
    func = f'The function "{f.function}"' if f.function else "The input technology"
    parts = [
        f"{func} has close counterparts in {f.supporting} patent(s) of {f.field_label} ({f.field}); "
        f'closest: {f.closest_number} "{f.closest_title}"{(" (" + who + ")") if who else ""}.'
    ]
    if f.in_home_section:
        parts.append("This field is in the same IPC section as the home fields.")
    elif f.home_docs:
        parts.append(
            f"Of {f.home_docs} documents in the home fields ({f.home_label}), {f.cooc_with_home} are also "
            f"classified here (rank {f.cooc_rank + 1} among fields co-classified with them)."
        )
    parts.append(
        f"Filings in the last {f.years} years of data: {f.recent} (the {f.years} years before: {f.prior})."
    )
    if f.little_evidence:
        parts.append(
            f"The corpus holds little evidence for this field: only {f.supporting} supporting patent(s)."
        )
    return " ".join(parts)


@runtime_checkable
class RationalePhraser(Protocol):
    """Rewrites an assembled rationale in plain language (never adds facts)."""

    model: str

    def phrase(self, facts_text: str, language: str) -> str: ...


class OpenAICompatiblePhraser:
    """Phrases rationales through an OpenAI-compatible ``POST {base_url}/chat/completions`` endpoint.

    Args:
        base_url: the endpoint's base URL, for example ``http://127.0.0.1:8080/v1`` (required; there
            is no default endpoint).
        model: the model name to request.
        api_key: optional bearer token.
        timeout: seconds per request.
        max_tokens: reply length cap.
    """

    def __init__(
        self, base_url: str, model: str, *, api_key: str = "", timeout: float = 20.0, max_tokens: int = 300
    ) -> None:
        if not base_url.strip():
            raise ConfigurationError("an LLM endpoint URL is required to phrase rationales")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(f"LLM endpoint must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.max_tokens = max_tokens

    def _messages(self, facts_text: str, language: str) -> list[dict[str, str]]:
        if language == "ja":
            system = (
                "あなたは特許情報の専門家です。次の根拠文を、中小企業の経営者に分かりやすい日本語2〜3文に"
                "言い換えてください。数字・特許番号・分野名は変えず、新しい事実を加えないでください。"
            )
        else:
            system = (
                "You are a patent analyst. Rewrite the following rationale in 2-3 plain English sentences "
                "for a small-business owner. Keep every number, patent number and field name; add no facts."
            )
        return [{"role": "system", "content": system}, {"role": "user", "content": facts_text}]

    def phrase(self, facts_text: str, language: str) -> str:
        """The model's phrasing of ``facts_text``.

        Raises:
            PhrasingError: the endpoint is unreachable, answers with an error or an unexpected body.
        """
        body = json.dumps(
            {
                "model": self.model,
                "messages": self._messages(facts_text, language),
                "temperature": 0,
                "max_tokens": self.max_tokens,
            }
        ).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(
            f"{self.base_url}/chat/completions", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data: Any = json.loads(resp.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise PhrasingError(f"LLM endpoint {self.base_url} failed: {exc}") from exc
        try:
            text = str(data["choices"][0]["message"]["content"]).strip()
        except (KeyError, IndexError, TypeError) as exc:
            raise PhrasingError(f"LLM endpoint {self.base_url} gave an unexpected reply") from exc
        if not text:
            raise PhrasingError(f"LLM endpoint {self.base_url} gave an empty reply")
        return text
