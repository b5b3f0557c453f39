"""The evaluator input form: labelled fields for every input, form ↔ document, validation by field
and row, and input files (YAML/JSON) uploaded by an evaluator."""

from __future__ import annotations

import json

import pytest

from tsunagu.errors import ValidationError
from tsunagu.services.reports import parse_evaluator_input, relief_from_royalty
from tsunagu.services.reports.input_form import (
    MAX_INPUT_BYTES,
    InputErrors,
    check_document,
    decode_input_upload,
    document_from_form,
    dump_input_document,
    form_from_document,
    validate_form,
)
from tsunagu.services.reports.input_view import form_choices, form_view
from tsunagu.services.reports.inputs import COMPANY_FIELDS
from tsunagu.services.reports.templates import packaged_template_text

FORM = {
    "evaluator.name": "山田 太郎",
    "evaluator.organization": "つなぐ信用金庫",
    "company.business": "精密部品の加工",
    "summary": "総括です",
    "strengths": "微細加工\n\n短納期\n",
    "products[0].name": "センサー筐体",
    "products[0].patents": "JP2005346371A, 特開2005-343317",
    "issues[0].text": "大手1社への依存",
    "issues[0].category": "independence",
    "qualitative.effectiveness.rating": "B",
    "qualitative.effectiveness.comment": "広い",
    "valuation.royalty_rate": "３",
    "valuation.discount_rate": "10%",
    "valuation.period": "3",
    "valuation.unit": "千円",
    "valuation.revenue_forecast[0]": "1,000",
    "valuation.revenue_forecast[1]": "1200",
    "valuation.revenue_forecast[2]": "1400.5",
    "legal_status[0].number": "JP2005346371A",
    "legal_status[0].status": "登録・存続中",
}


def test_every_input_of_the_document_has_a_labelled_field() -> None:
    choices = form_choices("ja")
    view = form_view("ja", {}, {}, choices)
    names = {c["name"] for g in view["groups"] for c in g["fields"]}
    cells = {c["name"] for g in view["groups"] if g["table"] for r in g["table"]["rows"] for c in r["cells"]}
    assert {f"company.{k}" for k in COMPANY_FIELDS} <= names
    assert {"evaluator.name", "know_how", "summary", "strengths", "weaknesses", "market", "outlook"} <= names
    assert {
        "valuation.royalty_rate",
        "valuation.discount_rate",
        "valuation.period",
        "valuation.basis",
    } <= names
    assert {"products[0].name", "issues[0].category", "legal_status[0].status", "notes[0].text"} <= cells
    assert {f"qualitative.{i['code']}.rating" for i in choices["items"]} <= cells
    assert "valuation.revenue_forecast[9]" in cells  # ten years to start with
    every = [c for g in view["groups"] for c in g["fields"]]
    assert all(c["label"] for c in every) and all(
        c["help"] for c in every if c["name"].startswith("valuation.")
    )
    rate = next(c for c in every if c["name"] == "valuation.royalty_rate")
    assert (rate["label"], rate["unit"]) == ("ロイヤルティ料率", "%")
    english = form_view("en", {}, {}, form_choices("en"))
    assert english["groups"][0]["fields"][0]["label"] == "Evaluator name"


def test_form_to_document_is_what_the_report_reads() -> None:
    doc, errors = validate_form(FORM)
    assert errors == {}
    assert doc["strengths"] == ["微細加工", "短納期"]
    assert doc["products"] == [{"name": "センサー筐体", "patents": ["JP2005346371A", "特開2005-343317"]}]
    assert doc["valuation"]["royalty_rate"] == "3%" and doc["valuation"]["revenue_forecast"] == [
        1000,
        1200,
        1400.5,
    ]
    parsed = parse_evaluator_input(doc)
    assert parsed.evaluator["organization"] == "つなぐ信用金庫"
    assert parsed.issues[0].category == "independence"
    assert parsed.legal_status == {"JP2005346371A": "登録・存続中"}
    value = relief_from_royalty(parsed.valuation)  # type: ignore[arg-type]
    assert value.royalty_rate == pytest.approx(0.03) and value.discount_rate == pytest.approx(0.1)
    assert value.value == pytest.approx(30 / 1.1 + 36 / 1.1**2 + 42.015 / 1.1**3)
    # and back: the form shows what was typed (rates in percent)
    again = form_from_document(json.loads(json.dumps(doc)), form_choices("ja")["items"])
    assert again["valuation.royalty_rate"] == "3" and again["valuation.discount_rate"] == "10"
    assert again["products[0].patents"] == "JP2005346371A, 特開2005-343317"
    assert document_from_form(again) == doc


def test_errors_name_the_field_and_the_row_and_keep_what_was_typed() -> None:
    form = dict(FORM)
    form.update(
        {
            "valuation.royalty_rate": "abc",
            "valuation.revenue_forecast[1]": "",
            "valuation.revenue_forecast[2]": "-5",
            "products[3].description": "名前のない製品",
        }
    )
    _doc, errors = validate_form(form)
    assert set(errors) == {
        "valuation.royalty_rate",
        "valuation.revenue_forecast[1]",
        "valuation.revenue_forecast[2]",
        "products[3].name",
    }
    assert "negative" in errors["valuation.revenue_forecast[2]"]
    view = form_view("ja", form, errors, form_choices("ja"))
    labels = {e["label"]: e["anchor"] for e in view["summary"]}
    assert labels["売上予測 3年目"] == "f-valuation-revenue_forecast-2"
    assert labels["製品・事業 4行目 製品・事業名"] == "f-products-3-name"
    rate = next(c for g in view["groups"] for c in g["fields"] if c["name"] == "valuation.royalty_rate")
    assert rate["value"] == "abc" and "not a number" in rate["error"]


def test_cross_field_error_is_shown_on_the_forecast_table() -> None:
    form = {"valuation.period": "5", "valuation.revenue_forecast[0]": "100"}
    _doc, errors = validate_form(form)
    assert list(errors) == ["valuation.revenue_forecast"]
    view = form_view("en", form, errors, form_choices("en"))
    table = next(g["table"] for g in view["groups"] if g["id"] == "valuation")
    assert "period is 5" in table["error"] and len(table["rows"]) == 10


def test_api_documents_are_checked_field_by_field() -> None:
    with pytest.raises(InputErrors) as info:
        check_document(
            {
                "company": {"address": "川崎市", "phone": "x"},
                "products": [{"name": "A"}, {"description": "no name"}],
                "valuation": {"royalty_rate": 3, "period": 0},
                "nonsense": 1,
            }
        )
    assert set(info.value.fields) == {
        "company.phone",
        "products[1].name",
        "valuation.royalty_rate",
        "valuation.period",
        "nonsense",
    }
    assert isinstance(info.value, ValidationError)
    check_document(None)
    check_document({})


def test_uploaded_files() -> None:
    template = packaged_template_text("evaluator_input.ja.yaml").encode("utf-8")
    assert decode_input_upload(template, "input.yaml")["valuation"]["currency"] == "JPY"
    doc, _ = validate_form(FORM)
    for fmt in ("yaml", "json"):
        text, _media = dump_input_document(doc, fmt)
        assert decode_input_upload(text.encode("utf-8"), f"in.{fmt}") == doc
    with pytest.raises(ValidationError, match="too large"):
        decode_input_upload(b"a: 1\n" * (MAX_INPUT_BYTES // 5 + 1), "big.yaml")
    with pytest.raises(ValidationError, match=r"bad\.json:1: .*not JSON"):
        decode_input_upload(b'{"summary": ', "bad.json")
    with pytest.raises(ValidationError, match="not YAML"):
        decode_input_upload(b"summary: [unclosed\n", "bad.yaml")
    with pytest.raises(ValidationError, match="mapping"):
        decode_input_upload(b"- a\n- b\n", "list.yaml")
    with pytest.raises(ValidationError, match="UTF-8"):
        decode_input_upload("summary: 総括".encode("cp932"), "sjis.yaml")
    with pytest.raises(ValidationError, match="YAML or JSON"):
        decode_input_upload(b"summary: x", "input.txt")
    bomb = b'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + b"".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n".encode()
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    with pytest.raises(ValidationError, match="too many values"):
        decode_input_upload(bomb, "bomb.yaml")
