"""The scoring formula on cases computed by hand."""

import pytest

from weerbaar.assessments.scoring import NormAnswer, score_assessment


def a(code, domain, level=None, na=False, auditor=None):
    return NormAnswer(code, domain, level=level, not_applicable=na, auditor_level=auditor)


def test_domain_mean_and_overall_as_mean_of_domain_means():
    # GO: (2 + 3 + 4) / 3 = 3.0; SM: (1 + 2) / 2 = 1.5; overall (3.0 + 1.5) / 2 = 2.25
    # (a mean over all five norms would give 2.4: domains weigh the same, not norms)
    result = score_assessment(
        [a("GO.01", "GO", 2), a("GO.02", "GO", 3), a("GO.03", "GO", 4), a("SM.01", "SM", 1), a("SM.02", "SM", 2)],
        ["GO", "SM"],
    )
    assert [(d.domain_code, d.score) for d in result.domains] == [("GO", 3.0), ("SM", 1.5)]
    assert result.overall == pytest.approx(2.25)


def test_not_applicable_and_unanswered_norms_do_not_count():
    result = score_assessment([a("GO.01", "GO", 4), a("GO.02", "GO", na=True), a("GO.03", "GO")], ["GO"])
    domain = result.domains[0]
    assert domain.score == 4.0
    assert (domain.counted, domain.not_applicable, domain.unanswered) == (1, 1, 1)
    assert (result.answered, result.total) == (2, 3)
    assert result.progress == pytest.approx(2 / 3)


def test_domain_without_counted_norms_has_no_score_and_is_left_out_of_overall():
    result = score_assessment([a("GO.01", "GO", na=True), a("SM.01", "SM", 2)], ["GO", "SM"])
    assert result.domains[0].score is None
    assert result.domains[0].meets_target is None
    assert result.overall == 2.0


def test_nothing_answered_gives_no_scores():
    result = score_assessment([a("GO.01", "GO")], ["GO"])
    assert result.overall is None
    assert result.gaps == ()


def test_gaps_are_norms_below_their_domains_target():
    answers = [a("GO.01", "GO", 2), a("GO.02", "GO", 3), a("SM.01", "SM", 3), a("SM.02", "SM", 4)]
    assert score_assessment(answers, ["GO", "SM"]).gaps == ("GO.01",)
    # A risk profile raising SM's target to 4 makes SM.01 a gap, and SM no longer meets target.
    raised = score_assessment(answers, ["GO", "SM"], targets={"SM": 4})
    assert raised.gaps == ("GO.01", "SM.01")
    assert [d.meets_target for d in raised.domains] == [False, False]


def test_auditor_level_replaces_own_level_where_given():
    # Own levels 4 and 3, auditor lowers the first to 2: domain (2 + 3) / 2 = 2.5, GO.01 becomes a gap.
    result = score_assessment([a("GO.01", "GO", 4, auditor=2), a("GO.02", "GO", 3)], ["GO"])
    assert result.domains[0].score == 2.5
    assert result.gaps == ("GO.01",)


def test_domains_keep_the_frameworks_order_even_when_empty():
    result = score_assessment([a("SM.01", "SM", 3)], ["GO", "SM", "BC"])
    assert [d.domain_code for d in result.domains] == ["GO", "SM", "BC"]


def test_invalid_target_is_refused():
    with pytest.raises(ValueError, match="1-5"):
        score_assessment([a("GO.01", "GO", 3)], ["GO"], targets={"GO": 6})
