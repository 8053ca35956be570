"""verify_claim under what the spec states of the targets: a_j - y_j is right for softmax with the cross-entropy
where the targets are one-hot or sum to 1, wrong elsewhere; a claim wrong even then gets a counterexample at
targets the spec allows."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.model.network import Network
from symbackprop.render.verdict import report_context
from symbackprop.verify import verify_claim

A_MINUS_Y = r"\frac{\partial C_0}{\partial z_j^{(L)}} = a_j^{(L)} - y_j"


def softmax(targets: str | None, layers: tuple[int, ...] = (2, 3)) -> Network:
    extra = {"targets": targets} if targets else {}
    activation = ["tanh"] * (len(layers) - 2) + ["softmax"]
    return Network(list(layers), activation=activation, cost="cross_entropy", **extra)


def targets_at(report) -> list[float]:
    """The targets of the report's counterexample, in order (every one: the right answer holds them all)."""
    point = dict(report.counterexample.point)
    return [point[y] for y in report.network.targets()]


@pytest.mark.parametrize("targets", ["one-hot", "sum-to-one"])
def test_a_minus_y_is_correct_under_the_assumption_and_the_verdict_says_so(targets):
    report = verify_claim(softmax(targets), A_MINUS_Y)
    assert report.verdict == "correct"
    assert "targets summing to 1" in report.method
    assert "as the spec" in report.method
    context = report_context(report)
    assert len(context["assumptions"]) == 1
    assert ("one-hot" in context["assumptions"][0]) is (targets == "one-hot")


def test_a_minus_y_without_an_assumption_stays_incorrect_and_diagnosed():
    report = verify_claim(softmax(None), A_MINUS_Y)
    assert report.verdict == "incorrect"
    assert report.diagnosis is not None and report.diagnosis.kind == "targets_sum_to_one"
    assert report_context(report)["assumptions"] == []
    assert abs(sum(targets_at(report)) - 1) > 1e-6  # shown wrong at targets that do not sum to 1


@pytest.mark.parametrize(
    "claim",
    [
        r"\frac{\partial C_0}{\partial z_1^{(L)}} = a_1^{(L)} - 2 y_1",  # a planted 2
        r"\frac{\partial C_0}{\partial z_1^{(L)}} = a_1^{(L)}",  # a term missing
        r"\frac{\partial C_0}{\partial w_{11}^{(L)}} = (a_1^{(L)} - y_1) a_1^{(L)}",  # the wrong layer's a
    ],
)
def test_a_claim_wrong_even_for_one_hot_targets_is_shown_wrong_at_one_hot_targets(claim):
    report = verify_claim(softmax("one-hot"), claim)
    assert report.verdict == "incorrect"
    assert report.counterexample is not None
    ys = targets_at(report)
    assert sorted(ys) == [0.0, 0.0, 1.0]
    assert "one-hot" in report.method


@pytest.mark.parametrize(
    "claim",
    [
        r"\frac{\partial C_0}{\partial z_1^{(L)}} = a_1^{(L)} - 2 y_1",
        r"\frac{\partial C_0}{\partial z_1^{(L)}} = a_1^{(L)}",
    ],
)
def test_a_claim_wrong_even_for_targets_summing_to_one_is_shown_wrong_at_such_targets(claim):
    report = verify_claim(softmax("sum-to-one"), claim)
    assert report.verdict == "incorrect"
    ys = targets_at(report)
    assert math.isclose(sum(ys), 1.0, rel_tol=1e-12)
    assert not set(ys) <= {0.0, 1.0}


def test_a_mistake_is_still_named_under_the_assumption():
    report = verify_claim(softmax("one-hot"), r"\frac{\partial C_0}{\partial z_1^{(L)}} = 2(a_1^{(L)} - y_1)")
    assert report.verdict == "incorrect"
    assert report.diagnosis is not None and report.diagnosis.kind == "factor_2_added"


def test_one_hot_alone_makes_a_product_of_two_targets_vanish():
    claim = r"\frac{\partial C_0}{\partial z_1^{(L)}} = a_1^{(L)} - y_1 + y_0 y_1"
    assert verify_claim(softmax("one-hot"), claim).verdict == "correct"
    report = verify_claim(softmax("sum-to-one"), claim)
    assert report.verdict == "incorrect"
    assert math.isclose(sum(targets_at(report)), 1.0, rel_tol=1e-12)


@given(st.integers(2, 4), st.integers(2, 3), st.sampled_from(["one-hot", "sum-to-one"]), st.data())
def test_the_shortcut_through_a_hidden_layer_holds_exactly_under_an_assumption(width, hidden, targets, data):
    """dC_0/dw_jk^(L) = (a_j - y_j) a_k^(L-1) on a softmax output: right under each assumption, wrong without, and a
    planted wrong factor on y_j is wrong under it too, at targets it allows."""
    j, k = data.draw(st.integers(0, width - 1)), data.draw(st.integers(0, hidden - 1))
    factor = data.draw(st.sampled_from(["2", "3", "0"]))
    layers = (2, hidden, width)
    right = rf"\frac{{\partial C_0}}{{\partial w_{{{j},{k}}}^{{(L)}}}} = (a_{j}^{{(L)}} - y_{j}) a_{k}^{{(L-1)}}"
    wrong = right.replace(f"- y_{j})", f"- {factor} y_{j})")
    assert verify_claim(softmax(targets, layers), right).verdict == "correct"
    assert verify_claim(softmax(None, layers), right).verdict == "incorrect"
    report = verify_claim(softmax(targets, layers), wrong)
    assert report.verdict == "incorrect"
    ys = targets_at(report)
    assert math.isclose(sum(ys), 1.0, rel_tol=1e-12)
    if targets == "one-hot":
        assert sorted(ys) == [0.0] * (width - 1) + [1.0]


def test_the_assumption_changes_nothing_for_a_claim_that_needs_none():
    claim = r"\frac{\partial C_0}{\partial a_1^{(L)}} = -\frac{y_1}{a_1^{(L)}}"
    for targets in (None, "one-hot"):
        report = verify_claim(softmax(targets), claim)
        assert report.verdict == "correct"
        assert ("summing to 1" in report.method) is (targets is not None)
