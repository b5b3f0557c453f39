"""Rules of the matching domain: name normalisation, codes, stage transitions, what licensors see."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from tsunagu.domain.matching import (
    CLOSED_LOST,
    LOST_REASONS,
    STAGE_LABELS,
    STAGES,
    TRANSITIONS,
    Company,
    Deal,
    Need,
    Offer,
    StageTransitionError,
    Visibility,
    allowed_transitions,
    check_transition,
    label,
    licensor_view,
    normalise_name,
    parse_code,
)
from tsunagu.errors import ValidationError


def test_normalise_name_nfkc_casefold_and_all_spaces() -> None:
    # The applicant spelling of the J-PlatPat exports, with a full-width space.
    assert normalise_name("ルノー　エス．ア．エス．") == "ルノーエス.ア.エス."
    assert normalise_name("ＮＡＳＡ　Ａｍｅｓ Research\tCenter") == "nasaamesresearchcenter"
    assert normalise_name("ﾄﾖﾀ自動車株式会社") == "トヨタ自動車株式会社"
    # Nothing else is merged.
    assert normalise_name("トヨタ自動車(株)") != normalise_name("トヨタ自動車株式会社")


def test_stage_codes_are_complete_and_labelled() -> None:
    assert STAGES == (
        "proposed",
        "meeting",
        "nda",
        "evaluation",
        "negotiation",
        "licensed",
        "commercialised",
        "follow_up",
    )
    assert set(STAGE_LABELS) == {*STAGES, CLOSED_LOST}
    assert set(TRANSITIONS) == set(STAGE_LABELS)
    assert label("stage", "nda") == "秘密保持契約"
    assert label("stage", "nda", "en") == "NDA"
    assert set(LOST_REASONS) == {"too_early", "benefit_unclear", "terms", "capacity", "other"}


@pytest.mark.parametrize(("current", "target"), list(itertools.pairwise(STAGES)))
def test_each_forward_step_is_allowed(current: str, target: str) -> None:
    check_transition(current, target)


def test_skipping_or_going_back_is_refused_with_the_allowed_moves() -> None:
    with pytest.raises(StageTransitionError) as info:
        check_transition("proposed", "licensed")
    err = info.value
    assert err.allowed == ("meeting", CLOSED_LOST)
    assert "meeting (面談)" in str(err) and "closed_lost (見送り)" in str(err)
    with pytest.raises(StageTransitionError):
        check_transition("nda", "meeting")
    with pytest.raises(StageTransitionError, match="すでに"):
        check_transition("nda", "nda")


def test_terminal_stages_allow_nothing() -> None:
    for stage in ("follow_up", CLOSED_LOST):
        assert allowed_transitions(stage) == ()
        with pytest.raises(StageTransitionError, match="終了段階"):
            check_transition(stage, "proposed")


def test_closing_needs_a_known_reason_and_only_before_the_contract() -> None:
    with pytest.raises(ValidationError, match="理由コード"):
        check_transition("meeting", CLOSED_LOST)
    with pytest.raises(ValidationError, match="unknown reason"):
        check_transition("meeting", CLOSED_LOST, "bored")
    check_transition("negotiation", CLOSED_LOST, "terms")
    with pytest.raises(StageTransitionError):
        check_transition("licensed", CLOSED_LOST, "terms")
    with pytest.raises(ValidationError, match="見送り"):
        check_transition("proposed", "meeting", "terms")


def test_unknown_stage_lists_every_code() -> None:
    with pytest.raises(ValidationError, match="follow_up"):
        check_transition("proposed", "signed")


def test_parse_code_accepts_codes_labels_and_synonyms() -> None:
    assert parse_code("availability", "ライセンス") == "licence"
    assert parse_code("availability", "license") == "licence"
    assert parse_code("availability", "両方") == "both"
    assert parse_code("tech_stage", "試作") == "prototype"
    assert parse_code("tech_stage", "In production") == "production"
    assert parse_code("stage", "Follow-up") == "follow_up"
    assert parse_code("visibility", "") == ""
    with pytest.raises(ValidationError, match=r"availability.*licence"):
        parse_code("availability", "rent", field_name="availability")
    with pytest.raises(ValidationError, match="required"):
        parse_code("reason", " ", allow_empty=False)


def test_offer_text_and_inferred_flag() -> None:
    offer = Offer(
        id=1,
        licensor_id=1,
        title="Flame suppression",
        summary="A foam",
        uses=("fire", "ships"),
        ipc_codes=("A62D1/00",),
        ipc_source="inferred",
    )
    assert offer.text() == "Flame suppression A foam fire ships"
    assert offer.fields_inferred
    assert not dataclasses.replace(offer, ipc_source="patents").fields_inferred


def test_deal_due_and_identity_rule() -> None:
    deal = Deal(id=1, programme_id=1, offer_id=1, company_id=1, next_action_date="2025-03-01")
    assert deal.is_due("2025-03-01") and deal.is_due("2025-04-01") and not deal.is_due("2025-02-28")
    assert not dataclasses.replace(deal, stage=CLOSED_LOST, lost_reason="terms").is_due("2025-04-01")
    assert not deal.identities_revealed
    assert not dataclasses.replace(deal, company_reveal=True).identities_revealed
    assert dataclasses.replace(deal, company_reveal=True, licensor_reveal=True).identities_revealed


def test_licensor_view_hides_identity_and_unshared_fields() -> None:
    company = Company(
        id=7,
        name="株式会社テスト精工",
        capabilities="精密切削",
        equipment="5軸MC",
        products="治具",
        patent_numbers=("特許5944598",),
        visibility=Visibility("anonymous", frozenset({"capabilities", "patents", "needs"})),
    )
    needs = (
        Need(id=1, company_id=7, title="軽量化"),
        Need(id=2, company_id=7, title="秘密", visibility="private"),
    )
    view = licensor_view(company, needs=needs)
    assert view is not None
    assert view["name"] == "企業 #7" and view["identity_revealed"] is False
    assert view["capabilities"] == "精密切削"
    assert "equipment" not in view and "patent_numbers" not in view
    assert view["needs"] == [{"title": "軽量化", "problem": "", "wanted_capability": ""}]
    revealed = licensor_view(company, revealed=True, needs=needs)
    assert revealed is not None and revealed["name"] == "株式会社テスト精工"
    assert revealed["patent_numbers"] == ["特許5944598"]
    private = dataclasses.replace(company, visibility=Visibility("private", frozenset()))
    assert licensor_view(private) is None


def test_company_name_keys_cover_aliases_and_applicant_names() -> None:
    company = Company(
        id=1,
        name="日産自動車株式会社",
        aliases=("NISSAN MOTOR CO LTD",),
        applicant_names=("日産自動車株式会社",),
    )
    assert company.name_keys() == ("日産自動車株式会社", "nissanmotorcoltd")
