"""The pre-scan rules on hand-made cases."""

import pytest

from weerbaar.privacy.prescan import Outcome, Transfer, evaluate, validate


@pytest.mark.parametrize(
    ("ap", "edpb", "expected"),
    [
        ([], [], Outcome.NOT_NEEDED),
        ([], ["vulnerable"], Outcome.ADVISED),
        ([], ["vulnerable", "large_scale"], Outcome.REQUIRED),
        (["camera"], [], Outcome.REQUIRED),
        (["camera"], ["vulnerable"], Outcome.REQUIRED),
        ([], ["vulnerable", "vulnerable"], Outcome.ADVISED),  # a criterion counts once
    ],
)
def test_dpia_rule(ap, edpb, expected):
    result = evaluate(ap, edpb, [])
    assert result.dpia == expected
    assert result.dpia_reasons  # always says why


def test_reasons_name_the_list_item_and_the_criteria():
    result = evaluate(["profiling"], ["vulnerable", "systematic_monitoring"], [])
    text = " ".join(str(r) for r in result.dpia_reasons)
    assert "profiling" in text
    assert "2 EDPB criteria" in text
    assert "systematic monitoring" in text


@pytest.mark.parametrize(
    ("transfers", "dtia"),
    [
        ([], False),
        ([Transfer("NL", "scc")], False),  # inside the EEA: no transfer at all
        ([Transfer("NO", "other")], False),  # Norway is in the EEA
        ([Transfer("US", "dpf")], False),  # Data Privacy Framework is adequacy
        ([Transfer("CH", "adequacy")], False),
        ([Transfer("US", "scc")], True),
        ([Transfer("IN", "other")], True),
        ([Transfer("US", "dpf"), Transfer("IN", "scc")], True),
    ],
)
def test_dtia_rule(transfers, dtia):
    result = evaluate([], [], transfers)
    assert result.dtia is dtia
    assert result.dtia_reasons


def test_dtia_reason_names_country_and_mechanism():
    result = evaluate([], [], [Transfer("US", "scc")])
    assert "US" in str(result.dtia_reasons[0])
    assert "standard contractual clauses" in str(result.dtia_reasons[0])


def test_unknown_answers_are_refused():
    assert set(validate(["nope"], ["nada"], [Transfer("USA", "scc")])) == {"ap_types", "edpb_criteria", "transfers"}
    with pytest.raises(ValueError, match="unknown"):
        evaluate(["nope"], [], [])
