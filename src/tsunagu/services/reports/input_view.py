"""The evaluator input form laid out for a page: groups of labelled fields and numbered table rows,
each with its value as typed and its error, and a list of every error naming its field and row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tsunagu.services.reports.input_form import _QUALITATIVE, MAX_ROWS, _numeric
from tsunagu.services.reports.input_labels import FORECAST_ROW, GROUPS, TABLES, Label

__all__ = ["form_choices", "form_view"]


def form_choices(lang: str = "ja") -> dict[str, Any]:
    """Choices the form offers from the packaged templates: qualitative items, their rating scale
    and the proposal's issue categories (empty when templates cannot be read)."""
    try:
        from tsunagu.services.reports.templates import load_template

        evaluation = load_template("evaluation", lang)
        proposal = load_template("proposal", lang)
    except Exception:  # the report extra is not installed: the form offers no choices
        return {"items": [], "scale": [], "categories": []}
    section = evaluation.section("qualitative")
    options = section.options if section is not None else {}
    return {
        "items": [dict(i) for i in options.get("items") or [] if isinstance(i, Mapping)],
        "scale": [dict(s) for s in options.get("rating_scale") or [] if isinstance(s, Mapping)],
        "categories": [
            {"value": str(c.get("code", "")), "label": str(c.get("label", ""))} for c in proposal.categories
        ],
    }


def _rows_in(form: Mapping[str, str], prefix: str) -> int:
    found = [int(m.group(1)) for k in form if (m := re.match(re.escape(prefix) + r"\[(\d+)\]", k))]
    return max(found) + 1 if found else 0


def _field_id(name: str) -> str:
    return "f-" + re.sub(r"[^\w-]+", "-", name).strip("-")


def _cell(
    name: str, label: Label, lang: str, form: Mapping[str, str], errors: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "name": name,
        "id": _field_id(name),
        "label": label.text(lang),
        "help": label.help_text(lang),
        "kind": label.kind,
        "unit": label.unit_text(lang),
        "placeholder": label.placeholder,
        "maxlength": label.maxlength,
        "value": form.get(name, ""),
        "error": errors.get(name, ""),
        "options": [],
    }


def _with_value(options: list[dict[str, str]], value: str) -> list[dict[str, str]]:
    """The options, plus the current value when it is not one of them (an uploaded file's)."""
    if value and value not in {o["value"] for o in options}:
        return [*options, {"value": value, "label": value}]
    return options


def form_view(
    lang: str,
    form: Mapping[str, str],
    errors: Mapping[str, str],
    choices: Mapping[str, Any],
    *,
    extra_rows: int = 0,
) -> dict[str, Any]:
    """The form as groups of labelled fields and tables, in the language ``lang``.

    Each field carries its value as typed and its error; table rows are numbered and their labels
    name the row. ``summary`` lists every error with the label of its field (and row), linking to
    it; errors of no field (an uploaded file's unknown keys) are listed by their path.
    """
    groups = []
    for group in GROUPS:
        groups.append(
            {
                "id": group.id,
                "title": group.label.text(lang),
                "help": group.label.help_text(lang),
                "fields": [_cell(name, label, lang, form, errors) for name, label in group.fields],
                "table": _table(group.id, lang, form, errors, choices, extra_rows),
                "error": errors.get(group.error_path, "") if group.error_path else "",
            }
        )
    shown: dict[str, tuple[str, str]] = {}
    for g in groups:
        for cell in g["fields"]:
            shown[cell["name"]] = (cell["id"], cell["label"])
        table = g["table"]
        if table is not None:
            shown[table["prefix"]] = ("t-" + g["id"], table["title"])
            for row in table["rows"]:
                for cell in row["cells"]:
                    shown[cell["name"]] = (cell["id"], cell["label"])
        if g["error"]:
            shown[GROUPS[groups.index(g)].error_path] = ("g-" + g["id"], g["title"])
    summary = []
    for path, message in errors.items():
        anchor, label = shown.get(path, ("", path))
        summary.append({"anchor": anchor, "label": label, "message": message})
    return {"groups": groups, "summary": summary}


def _table(
    group: str,
    lang: str,
    form: Mapping[str, str],
    errors: Mapping[str, str],
    choices: Mapping[str, Any],
    extra_rows: int,
) -> dict[str, Any] | None:
    spec = TABLES.get(group)
    if spec is None:
        return None
    rows: list[dict[str, Any]] = []
    if group == "qualitative":
        items = list(choices.get("items") or [])
        known = {str(i.get("code")) for i in items}
        for key in form:
            m = _QUALITATIVE.match(key)
            if m and m.group(1) not in known:
                known.add(m.group(1))
                items.append({"code": m.group(1), "label": m.group(1), "description": ""})
        scale = [
            {"value": str(s.get("value", "")), "label": f"{s.get('value', '')} {s.get('label', '')}".strip()}
            for s in choices.get("scale") or []
        ]
        for item in items:
            code, label = str(item.get("code")), str(item.get("label"))
            cells = []
            for col, col_label in spec.columns:
                cell = _cell(f"qualitative.{code}.{col}", col_label, lang, form, errors)
                cell["label"] = label if col == "rating" else f"{label} {col_label.text(lang)}"
                if col == "rating":
                    cell["options"] = _with_value(scale, cell["value"])
                cells.append(cell)
            rows.append({"label": label, "help": str(item.get("description", "")), "cells": cells})
    else:
        count = max(spec.min_rows, _rows_in(form, spec.prefix) + 1)
        period = _numeric(form.get("valuation.period", ""))
        if group == "valuation" and period.isdigit():
            count = max(count, min(int(period), 50))
        count = min(count + max(extra_rows, 0), MAX_ROWS)
        for i in range(count):
            if group == "valuation":
                row_label = FORECAST_ROW.text(lang).format(n=i + 1)
            else:
                row_label = f"{i + 1}行目" if lang == "ja" else f"row {i + 1}"
            cells = []
            for col, col_label in spec.columns:
                cell = _cell(
                    f"{spec.prefix}[{i}]" + (f".{col}" if col else ""), col_label, lang, form, errors
                )
                cell["label"] = " ".join(
                    x for x in (spec.label.text(lang), row_label, col_label.text(lang) if col else "") if x
                )
                if col == "category":
                    cell["options"] = _with_value(list(choices.get("categories") or []), cell["value"])
                cells.append(cell)
            rows.append({"label": row_label, "help": "", "cells": cells})
    return {
        "prefix": spec.prefix,
        "title": spec.label.text(lang),
        "help": spec.label.help_text(lang),
        "columns": [
            {"label": label.text(lang), "help": label.help_text(lang), "unit": label.unit_text(lang)}
            for _, label in spec.columns
        ],
        "rows": rows,
        "error": errors.get(spec.prefix, ""),
    }
