"""The evaluator's input file (YAML or JSON): what a person states in a report.

Everything here is shown as 「評価者記入」 (stated by a person), never mixed with what the machine
inferred. The documented template is ``tsunagu/data/report_templates/evaluator_input.ja.yaml``
(`tsunagu report input-template` prints it). Unknown keys are refused, so a typo never silently
drops an input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsunagu.errors import MissingDependencyError, ValidationError

__all__ = [
    "COMPANY_FIELDS",
    "EvaluatorInput",
    "IssueInput",
    "ProductInput",
    "RatingInput",
    "ValuationInput",
    "decode_input_text",
    "load_evaluator_input",
    "parse_evaluator_input",
    "parse_rate",
]

#: Company overview fields the evaluator may state (section 2), in display order.
COMPANY_FIELDS: tuple[str, ...] = (
    "name",
    "address",
    "region",
    "representative",
    "founded",
    "employees",
    "capital",
    "industry",
    "business",
    "main_customers",
)

_TOP_KEYS = frozenset(
    {
        "evaluator",
        "company",
        "know_how",
        "products",
        "summary",
        "strengths",
        "weaknesses",
        "market",
        "outlook",
        "issues",
        "qualitative",
        "valuation",
        "legal_status",
        "notes",
    }
)
_VALUATION_KEYS = frozenset(
    {"royalty_rate", "revenue_forecast", "discount_rate", "period", "currency", "basis", "unit"}
)
_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*[%％]\s*$")


@dataclass(frozen=True)
class ProductInput:
    """A product or business and the rights the evaluator says it uses (section 4)."""

    name: str
    description: str = ""
    patents: tuple[str, ...] = ()


@dataclass(frozen=True)
class IssueInput:
    """A business issue of the company (proposal); ``category`` is one of the proposal's solution types."""

    text: str
    category: str = ""


@dataclass(frozen=True)
class RatingInput:
    """The evaluator's rating and comment for one qualitative item (section 8)."""

    rating: str = ""
    comment: str = ""


@dataclass(frozen=True)
class ValuationInput:
    """Relief-from-royalty inputs (section 9); every one is supplied by the evaluator.

    Attributes:
        royalty_rate: share of revenue (0.03 for 3%).
        revenue_forecast: forecast revenue of the products using the rights, one value per year.
        discount_rate: yearly discount rate (0.1 for 10%).
        period: years valued.
        currency: currency of the revenue (``"JPY"``).
        unit: unit of the revenue figures as written (``"千円"``), shown beside them.
        basis: the evaluator's note on where the rates come from.
    """

    royalty_rate: float | None = None
    revenue_forecast: tuple[float, ...] = ()
    discount_rate: float | None = None
    period: int | None = None
    currency: str = "JPY"
    unit: str = ""
    basis: str = ""

    def missing(self) -> list[str]:
        """Names of the required inputs that were not given."""
        out = []
        if self.royalty_rate is None:
            out.append("royalty_rate")
        if not self.revenue_forecast:
            out.append("revenue_forecast")
        if self.discount_rate is None:
            out.append("discount_rate")
        if self.period is None:
            out.append("period")
        return out


@dataclass(frozen=True)
class EvaluatorInput:
    """Everything the evaluator stated. Empty values mean 「未入力」 in the report."""

    evaluator: dict[str, str] = field(default_factory=dict)
    company: dict[str, str] = field(default_factory=dict)
    know_how: str = ""
    products: tuple[ProductInput, ...] = ()
    summary: str = ""
    strengths: tuple[str, ...] = ()
    weaknesses: tuple[str, ...] = ()
    market: str = ""
    outlook: str = ""
    issues: tuple[IssueInput, ...] = ()
    qualitative: dict[str, RatingInput] = field(default_factory=dict)
    valuation: ValuationInput | None = None
    legal_status: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    source: str = ""


def parse_rate(value: Any, where: str) -> float:
    """A rate as a fraction: ``0.03``, ``"3%"`` or ``"3％"`` → 0.03.

    Raises:
        ValidationError: not a number, or outside 0 ≤ rate < 1 (``3`` is refused as ambiguous).
    """
    if isinstance(value, str):
        m = _PERCENT.match(value)
        if m:
            rate = float(m.group(1)) / 100
        else:
            try:
                rate = float(value.replace(",", ""))
            except ValueError as exc:
                raise ValidationError(f"{where}: 数値ではありません / not a number: {value!r}") from exc
    elif isinstance(value, int | float) and not isinstance(value, bool):
        rate = float(value)
    else:
        raise ValidationError(f"{where}: 数値が必要です / a number is required, got {value!r}")
    if not 0 <= rate < 1:
        raise ValidationError(
            f"{where}: {value!r} は範囲外です。0.03 または '3%' のように書いてください / "
            "out of range: write a fraction such as 0.03 or a percentage such as '3%'"
        )
    return rate


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    raise ValidationError(f"{where}: 文字列が必要です / text is required, got {type(value).__name__}")


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list):
        return tuple(t for i, v in enumerate(value) if (t := _text(v, f"{where}[{i}]")))
    raise ValidationError(f"{where}: 文字列またはそのリストが必要です / text or a list of texts is required")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where}: 項目の対応表が必要です / a mapping is required")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError as exc:
            raise ValidationError(f"{where}: 数値ではありません / not a number: {value!r}") from exc
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise ValidationError(f"{where}: 数値が必要です / a number is required, got {value!r}")


def _valuation(raw: Mapping[str, Any]) -> ValuationInput:
    unknown = sorted(set(raw) - _VALUATION_KEYS)
    if unknown:
        raise ValidationError(
            f"valuation: 不明な項目 / unknown keys {unknown}; allowed: {sorted(_VALUATION_KEYS)}"
        )
    forecast_raw = raw.get("revenue_forecast")
    forecast: tuple[float, ...] = ()
    if forecast_raw is not None:
        if not isinstance(forecast_raw, list):
            raise ValidationError(
                "valuation.revenue_forecast: 年ごとの数値のリストが必要です / a list of yearly values"
            )
        forecast = tuple(_number(v, f"valuation.revenue_forecast[{i}]") for i, v in enumerate(forecast_raw))
        if any(v < 0 for v in forecast):
            raise ValidationError(
                "valuation.revenue_forecast: 負の売上は使えません / revenue cannot be negative"
            )
    period: int | None = None
    if raw.get("period") is not None:
        p = _number(raw["period"], "valuation.period")
        if p != int(p) or p < 1:
            raise ValidationError("valuation.period: 1以上の整数 (年) / a whole number of years, at least 1")
        period = int(p)
    if period is not None and forecast and len(forecast) < period:
        raise ValidationError(
            f"valuation.revenue_forecast: {len(forecast)} 年分しかありません (period = {period}) / "
            f"has {len(forecast)} years but the period is {period}; give one value per year"
        )
    return ValuationInput(
        royalty_rate=None
        if raw.get("royalty_rate") is None
        else parse_rate(raw["royalty_rate"], "valuation.royalty_rate"),
        revenue_forecast=forecast,
        discount_rate=None
        if raw.get("discount_rate") is None
        else parse_rate(raw["discount_rate"], "valuation.discount_rate"),
        period=period,
        currency=_text(raw.get("currency"), "valuation.currency") or "JPY",
        unit=_text(raw.get("unit"), "valuation.unit"),
        basis=_text(raw.get("basis"), "valuation.basis"),
    )


def parse_evaluator_input(data: Any, source: str = "") -> EvaluatorInput:
    """Validate a decoded input document (a mapping) and build an `EvaluatorInput`.

    Raises:
        ValidationError: naming the key at fault.
    """
    if data is None:
        return EvaluatorInput(source=source)
    raw = _mapping(data, "input")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ValidationError(f"不明な項目 / unknown keys {unknown}; allowed: {sorted(_TOP_KEYS)}")
    company = {str(k): _text(v, f"company.{k}") for k, v in _mapping(raw.get("company"), "company").items()}
    bad = sorted(set(company) - set(COMPANY_FIELDS))
    if bad:
        raise ValidationError(f"company: 不明な項目 / unknown keys {bad}; allowed: {list(COMPANY_FIELDS)}")
    products = []
    for i, item in enumerate(raw.get("products") or []):
        where = f"products[{i}]"
        if isinstance(item, str):
            products.append(ProductInput(item.strip()))
            continue
        m = _mapping(item, where)
        name = _text(m.get("name"), f"{where}.name")
        if not name:
            raise ValidationError(
                f"{where}.name: 製品・事業名が必要です / a product or business name is required"
            )
        products.append(
            ProductInput(
                name,
                _text(m.get("description"), f"{where}.description"),
                _texts(m.get("patents"), f"{where}.patents"),
            )
        )
    issues = []
    for i, item in enumerate(raw.get("issues") or []):
        where = f"issues[{i}]"
        if isinstance(item, str):
            issues.append(IssueInput(item.strip()))
            continue
        m = _mapping(item, where)
        text = _text(m.get("text"), f"{where}.text")
        if not text:
            raise ValidationError(f"{where}.text: 課題の内容が必要です / the issue text is required")
        issues.append(IssueInput(text, _text(m.get("category"), f"{where}.category")))
    qualitative = {}
    for key, value in _mapping(raw.get("qualitative"), "qualitative").items():
        where = f"qualitative.{key}"
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            qualitative[str(key)] = RatingInput(rating=str(value).strip())
            continue
        m = _mapping(value, where)
        qualitative[str(key)] = RatingInput(
            _text(m.get("rating"), f"{where}.rating"), _text(m.get("comment"), f"{where}.comment")
        )
    valuation = None
    if raw.get("valuation") is not None:
        valuation = _valuation(_mapping(raw["valuation"], "valuation"))
    return EvaluatorInput(
        evaluator={
            str(k): _text(v, f"evaluator.{k}") for k, v in _mapping(raw.get("evaluator"), "evaluator").items()
        },
        company={k: v for k, v in company.items() if v},
        know_how=_text(raw.get("know_how"), "know_how"),
        products=tuple(products),
        summary=_text(raw.get("summary"), "summary"),
        strengths=_texts(raw.get("strengths"), "strengths"),
        weaknesses=_texts(raw.get("weaknesses"), "weaknesses"),
        market=_text(raw.get("market"), "market"),
        outlook=_text(raw.get("outlook"), "outlook"),
        issues=tuple(issues),
        qualitative=qualitative,
        valuation=valuation,
        legal_status={
            str(k): _text(v, f"legal_status.{k}")
            for k, v in _mapping(raw.get("legal_status"), "legal_status").items()
        },
        notes={str(k): _text(v, f"notes.{k}") for k, v in _mapping(raw.get("notes"), "notes").items()},
        source=source,
    )


def decode_input_text(text: str, source: str, *, json_format: bool) -> Any:
    """Decode the text of an input document: JSON when ``json_format``, else YAML (needs PyYAML).

    Raises:
        ValidationError: not JSON/YAML (the message names ``source`` and the line).
        MissingDependencyError: YAML without PyYAML installed.
    """
    if json_format:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{source}:{exc.lineno}: JSONではありません / not JSON: {exc.msg}") from exc
    try:
        import yaml
    except ImportError as exc:
        raise MissingDependencyError("YAML input needs PyYAML (pip install 'tsunagu[report]')") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ValidationError(f"{source}{line}: YAMLではありません / not YAML: {exc}") from exc


def load_evaluator_input(path: str | Path) -> EvaluatorInput:
    """Read an input file: ``.json``, or YAML (``.yaml``/``.yml``, needs PyYAML).

    Raises:
        ValidationError: unreadable, not YAML/JSON, or invalid (the message names file and key).
        MissingDependencyError: a YAML file without PyYAML installed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(f"{p}: 読めません / cannot read: {exc}") from exc
    data = decode_input_text(text, str(p), json_format=p.suffix.lower() == ".json")
    try:
        return parse_evaluator_input(data, source=str(p))
    except ValidationError as exc:
        raise ValidationError(f"{p}: {exc}") from exc
