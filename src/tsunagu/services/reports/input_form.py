"""The evaluator input form: one labelled field per input of `inputs.py`, in both directions.

The form's field names are the paths of the input document (``valuation.royalty_rate``,
``products[2].name``), so an error `parse_evaluator_input` reports lands on the field it names.
`document_from_form` turns submitted fields into the input document (the YAML/JSON shape the CLI's
``--input`` reads), `form_from_document` fills the form from one (a previous report, an uploaded
file), and `check_document` validates field by field, so every wrong field is named at once, and
then as a whole, with the very parser the report uses. `input_view` lays the form out, with the
labels of `input_labels`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from tsunagu.errors import ValidationError
from tsunagu.services.reports.input_labels import COMPANY, EVALUATOR_KEYS
from tsunagu.services.reports.inputs import decode_input_text, parse_evaluator_input, parse_rate

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_ROWS",
    "InputErrors",
    "check_document",
    "decode_input_upload",
    "document_from_form",
    "dump_input_document",
    "form_from_document",
    "validate_form",
]

#: The largest input file accepted (a filled-in document is a few kilobytes).
MAX_INPUT_BYTES = 512 * 1024
#: Rows read from a table of the form (products, issues, yearly forecast…); more are ignored.
MAX_ROWS = 200
#: Values an uploaded document may hold in all (YAML anchors can make a small file huge).
_MAX_NODES = 20_000

_TEXT_KEYS = ("know_how", "summary", "market", "outlook")
_LINE_KEYS = ("strengths", "weaknesses")
_RATE_KEYS = ("royalty_rate", "discount_rate")
_VALUATION_TEXT = ("unit", "currency", "basis")
_ROW = re.compile(r"^(products|issues|legal_status|notes)\[(\d+)\]\.(\w+)$")
_FORECAST = re.compile(r"^valuation\.revenue_forecast\[(\d+)\]$")
_QUALITATIVE = re.compile(r"^qualitative\.(.+)\.(rating|comment)$")
_PATH = re.compile(r"^([^\s:]+): (.*)$", re.S)


class InputErrors(ValidationError):
    """Evaluator input errors, by field path (``""`` for the document as a whole)."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.fields.items()))


# -- form → document ---------------------------------------------------------------------------------


def _clean(value: Any) -> str:
    return str(value or "").strip()


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _numeric(value: str) -> str:
    return unicodedata.normalize("NFKC", value).replace(",", "").replace(" ", "")


def _number_or_text(value: str) -> Any:
    """``"1,200"`` → 1200, ``"1.5"`` → 1.5; anything else stays as typed (and fails validation)."""
    text = _numeric(value)
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return value


def _percent(value: str) -> str:
    """A rate typed in percent (``"3"``, ``"3%"``, ``"３％"``) as the document writes it (``"3%"``)."""
    text = _numeric(value)
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?%?", text):
        return text if text.endswith("%") else text + "%"
    return value


def _rows(form: Mapping[str, str], table: str) -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        m = _ROW.match(key)
        if m and m.group(1) == table and int(m.group(2)) < MAX_ROWS and _clean(value):
            rows.setdefault(int(m.group(2)), {})[m.group(3)] = _clean(value)
    return dict(sorted(rows.items()))


def document_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The input document from the form's fields (empty fields are left out)."""
    get = lambda key: _clean(form.get(key))  # noqa: E731
    doc: dict[str, Any] = {}
    evaluator = {k: get(f"evaluator.{k}") for k in EVALUATOR_KEYS if get(f"evaluator.{k}")}
    if evaluator:
        doc["evaluator"] = evaluator
    company = {k: get(f"company.{k}") for k, _ in COMPANY if get(f"company.{k}")}
    if company:
        doc["company"] = company
    for key in _TEXT_KEYS:
        if get(key):
            doc[key] = get(key)
    for key in _LINE_KEYS:
        if _lines(get(key)):
            doc[key] = _lines(get(key))
    products = []
    for row in _rows(form, "products").values():
        item: dict[str, Any] = {"name": row.get("name", "")}
        if row.get("description"):
            item["description"] = row["description"]
        numbers = [n for n in re.split(r"[,、\s]+", row.get("patents", "")) if n]
        if numbers:
            item["patents"] = numbers
        products.append(item)
    if products:
        doc["products"] = products
    issues = []
    for row in _rows(form, "issues").values():
        issue = {"text": row.get("text", "")}
        if row.get("category"):
            issue["category"] = row["category"]
        issues.append(issue)
    if issues:
        doc["issues"] = issues
    qualitative: dict[str, dict[str, str]] = {}
    for key, value in form.items():
        m = _QUALITATIVE.match(key)
        if m and _clean(value):
            qualitative.setdefault(m.group(1), {})[m.group(2)] = _clean(value)
    if qualitative:
        doc["qualitative"] = qualitative
    valuation: dict[str, Any] = {}
    for key in _RATE_KEYS:
        if get(f"valuation.{key}"):
            valuation[key] = _percent(get(f"valuation.{key}"))
    if get("valuation.period"):
        valuation["period"] = _number_or_text(get("valuation.period"))
    years: dict[int, str] = {}
    for key, value in form.items():
        m = _FORECAST.match(key)
        if m and int(m.group(1)) < MAX_ROWS and _clean(value):
            years[int(m.group(1))] = _clean(value)
    if years:
        # a blank year between filled ones stays blank, so the check names that row
        valuation["revenue_forecast"] = [
            _number_or_text(years[i]) if i in years else "" for i in range(max(years) + 1)
        ]
    for key in _VALUATION_TEXT:
        if get(f"valuation.{key}"):
            valuation[key] = get(f"valuation.{key}")
    if valuation:
        doc["valuation"] = valuation
    for table, key_col, value_col in (("legal_status", "number", "status"), ("notes", "id", "text")):
        mapping = {
            row[key_col]: row.get(value_col, "") for row in _rows(form, table).values() if row.get(key_col)
        }
        if mapping:
            doc[table] = mapping
    return doc


# -- document → form ---------------------------------------------------------------------------------


def _show_number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _show_rate(value: Any) -> str:
    """A document rate (``0.03``, ``"3%"``) as the form shows it, in percent (``"3"``)."""
    try:
        return _show_number(parse_rate(value, "rate") * 100)
    except ValidationError:
        return _clean(value)


def _show(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float):
        return _show_number(value)
    return str(value).strip() if isinstance(value, str | int) else ""


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def form_from_document(doc: Any, qualitative_items: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """The form's fields filled from an input document (parts the form cannot show are left out).

    Qualitative items written by their label (``有効性``) land on the item's code.
    """
    doc = _map(doc)
    form: dict[str, str] = {}
    for k, v in _map(doc.get("evaluator")).items():
        if k in EVALUATOR_KEYS or k == "organisation":
            form["evaluator.organization" if k == "organisation" else f"evaluator.{k}"] = _show(v)
    for k, v in _map(doc.get("company")).items():
        form[f"company.{k}"] = _show(v)
    for key in _TEXT_KEYS:
        form[key] = _show(doc.get(key))
    for key in _LINE_KEYS:
        value = doc.get(key)
        form[key] = "\n".join(_show(v) for v in value) if isinstance(value, list) else _show(value)
    for i, item in enumerate(_list(doc.get("products"))[:MAX_ROWS]):
        m = _map(item) if not isinstance(item, str) else {"name": item}
        form[f"products[{i}].name"] = _show(m.get("name"))
        form[f"products[{i}].description"] = _show(m.get("description"))
        patents = m.get("patents")
        form[f"products[{i}].patents"] = (
            ", ".join(_show(n) for n in patents) if isinstance(patents, list) else _show(patents)
        )
    for i, item in enumerate(_list(doc.get("issues"))[:MAX_ROWS]):
        m = _map(item) if not isinstance(item, str) else {"text": item}
        form[f"issues[{i}].text"] = _show(m.get("text"))
        form[f"issues[{i}].category"] = _show(m.get("category"))
    codes = {}
    for item in qualitative_items or []:
        codes[str(item.get("label", ""))] = str(item.get("code", ""))
        codes[str(item.get("code", ""))] = str(item.get("code", ""))
    for k, v in _map(doc.get("qualitative")).items():
        code = codes.get(str(k)) or str(k)
        m = _map(v) if not isinstance(v, str | int | float) else {"rating": v}
        form[f"qualitative.{code}.rating"] = _show(m.get("rating"))
        form[f"qualitative.{code}.comment"] = _show(m.get("comment"))
    valuation = _map(doc.get("valuation"))
    for key in _RATE_KEYS:
        if valuation.get(key) is not None:
            form[f"valuation.{key}"] = _show_rate(valuation[key])
    for key in ("period", *_VALUATION_TEXT):
        form[f"valuation.{key}"] = _show(valuation.get(key))
    for i, v in enumerate(_list(valuation.get("revenue_forecast"))[:MAX_ROWS]):
        form[f"valuation.revenue_forecast[{i}]"] = _show(v)
    for table, key_col, value_col in (("legal_status", "number", "status"), ("notes", "id", "text")):
        for i, (k, v) in enumerate(list(_map(doc.get(table)).items())[:MAX_ROWS]):
            form[f"{table}[{i}].{key_col}"] = _show(k)
            form[f"{table}[{i}].{value_col}"] = _show(v)
    return {k: v for k, v in form.items() if v}


# -- validation --------------------------------------------------------------------------------------


def _split(message: str, fallback: str) -> tuple[str, str]:
    m = _PATH.match(message)
    return (m.group(1), m.group(2)) if m else (fallback, message)


def check_document(doc: Any) -> None:
    """Validate an input document field by field, then as a whole.

    Raises:
        InputErrors: every field at fault, by its path (``valuation.revenue_forecast[2]``).
    """
    errors: dict[str, str] = {}

    def check(part: Any, where: str, *, row: tuple[str, str] | None = None, fixed: bool = False) -> None:
        try:
            parse_evaluator_input(part)
        except ValidationError as exc:
            path, text = _split(str(exc), where)
            if fixed or (where.startswith(path) and len(where) > len(path)):
                path = where  # the most precise place known (``company.phone`` for an unknown key)
            elif row is not None:
                path = path.replace(row[0], row[1], 1)
            errors.setdefault(path, text)

    if doc is None:
        return
    if not isinstance(doc, Mapping):
        check(doc, "")
        raise InputErrors(errors)
    for key, value in doc.items():
        if key in ("evaluator", "company", "legal_status", "notes", "qualitative") and isinstance(
            value, Mapping
        ):
            for k, v in value.items():
                check({key: {k: v}}, f"{key}.{k}")
        elif key in ("products", "issues") and isinstance(value, list):
            for i, item in enumerate(value):
                check({key: [item]}, f"{key}[{i}]", row=(f"{key}[0]", f"{key}[{i}]"))
        elif key == "valuation" and isinstance(value, Mapping):
            for k, v in value.items():
                if k != "revenue_forecast" or not isinstance(v, list):
                    check({key: {k: v}}, f"valuation.{k}")
                    continue
                for i, year in enumerate(v):
                    where = f"valuation.revenue_forecast[{i}]"
                    if year in ("", None):
                        errors[where] = (
                            "空欄です。1年ごとに値を入れてください / blank: give a value for every year"
                        )
                    else:
                        check({key: {k: [year]}}, where, fixed=True)
        else:
            check({key: value}, str(key))
    if not errors:
        check(doc, "")
    if errors:
        raise InputErrors(errors)


def validate_form(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """``(document, errors)`` of the submitted form; errors are keyed by the form's field names.

    Table rows the form left blank are dropped from the document, so an error of the document's
    ``products[0]`` is put back on the row it was typed in (``products[2]``).
    """
    doc = document_from_form(form)
    try:
        check_document(doc)
    except InputErrors as exc:
        return doc, _form_paths(form, exc.fields)
    return doc, {}


def _form_paths(form: Mapping[str, str], errors: Mapping[str, str]) -> dict[str, str]:
    rows = {table: list(_rows(form, table)) for table in ("products", "issues")}
    keyed = {
        table: {r.get(col, ""): i for i, r in _rows(form, table).items()}
        for table, col in (("legal_status", "number"), ("notes", "id"))
    }
    out: dict[str, str] = {}
    for path, message in errors.items():
        m = re.match(r"^(products|issues)\[(\d+)\](.*)$", path)
        k = re.match(r"^(legal_status|notes)\.(.+)$", path)
        if m and int(m.group(2)) < len(rows[m.group(1)]):
            path = f"{m.group(1)}[{rows[m.group(1)][int(m.group(2))]}]{m.group(3) or '.name'}"
        elif k and k.group(2) in keyed[k.group(1)]:
            column = "status" if k.group(1) == "legal_status" else "text"
            path = f"{k.group(1)}[{keyed[k.group(1)][k.group(2)]}].{column}"
        out.setdefault(path, message)
    return out


# -- files -------------------------------------------------------------------------------------------


def _count(value: Any, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise ValidationError("ファイルの項目が多すぎます / the file holds too many values")
    if isinstance(value, Mapping):
        for k, v in value.items():
            _count(k, budget)
            _count(v, budget)
    elif isinstance(value, list):
        for v in value:
            _count(v, budget)


def decode_input_upload(data: bytes, filename: str) -> dict[str, Any]:
    """An uploaded input file (YAML or JSON, as ``tsunagu report … --input`` reads) as a document.

    Raises:
        ValidationError: too large, not UTF-8, not YAML/JSON, not a mapping, or too many values.
    """
    name = filename or "upload"
    if len(data) > MAX_INPUT_BYTES:
        raise ValidationError(
            f"{name}: ファイルが大きすぎます (上限 {MAX_INPUT_BYTES // 1024} KB) / "
            f"the file is too large (at most {MAX_INPUT_BYTES // 1024} KB)"
        )
    if not data.strip():
        raise ValidationError(f"{name}: ファイルが空です / the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{name}: UTF-8 のテキストではありません / not UTF-8 text (YAML or JSON expected)"
        ) from exc
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in ("json", "yaml", "yml"):
        raise ValidationError(
            f"{name}: .yaml / .yml / .json のファイルを選んでください / choose a YAML or JSON file"
        )
    doc = decode_input_text(text, name, json_format=suffix == "json")
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        raise ValidationError(
            f"{name}: 評価者入力は項目の対応表です (tsunagu report input-template を参照) / "
            "an input document is a mapping (see tsunagu report input-template)"
        )
    _count(doc, [_MAX_NODES])
    return dict(doc)


def dump_input_document(doc: Mapping[str, Any], fmt: str = "yaml") -> tuple[str, str]:
    """``(text, media type)`` of an input document as YAML (with a usage header) or JSON."""
    import json

    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n", "application/json"
    import yaml

    header = (
        "# tsunagu 評価者入力 / evaluator input (tsunagu report input-template に説明があります)\n"
        "# 使い方 / usage: tsunagu report evaluation --company 企業名 --input このファイル --out 評価書.pdf\n"
        "#   またはウェブの「評価者入力」ページで読み込み / or load it on the web's evaluator input page\n"
    )
    body = yaml.safe_dump(dict(doc), allow_unicode=True, sort_keys=False, default_flow_style=False)
    return header + (body if doc else "{}\n"), "application/yaml"
