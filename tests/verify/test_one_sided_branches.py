"""A claim with a branch (|.|, \\max, a step) is called correct by real points only when every branch was seen
going both ways, or provably has one way. Claims planted wrong on one side of a branch, that side anywhere in
the values the spec allows (targets of both signs, inputs as large as 50), are never called correct: the points
that flip the branch show them wrong. Each wrong verdict's counterexample is checked against the claim written
down by hand in floats, an independent computation of the claim."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop.model.network import Network
from symbackprop.verify.claims import verify_claim

DELTA = r"\delta^L_j = "
TANH_PRIME = r"(1-\tanh^2(z^L_j))"
SIGMA_PRIME = r"\sigma'(z^L_j)"
OFFSETS = st.sampled_from([-40, -12, -3, -1, 1, 3, 12, 40]).map(lambda c: c + 0.5)


def tanh_net(layers=(3, 4, 2)) -> Network:
    return Network(layers=list(layers), activation="tanh", notation="nielsen")


def value_at(report, name: str) -> float:
    """The value of the quantity printed as ``name`` in the report's counterexample."""
    return next(v for s, v in report.counterexample.at if str(s) == name)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OFFSETS)
def test_a_target_behind_an_absolute_value_is_never_correct(c):
    """|y_j + c| - c is y_j where y_j > -c and not elsewhere: wrong on one side, whichever side the points favour."""
    report = verify_claim(tanh_net(), DELTA + rf"(a^L_j - |y_j + {c}| + {c}){TANH_PRIME}")
    assert report.verdict == "incorrect", report.method
    y, a, z = value_at(report, "y[1]"), value_at(report, "a[2, 1]"), value_at(report, "z[2, 1]")
    assert y + c < 0  # the side the claim is wrong on
    claimed = (a - abs(y + c) + c) * (1 - math.tanh(z) ** 2)
    assert math.isclose(report.counterexample.claim, claimed, rel_tol=1e-6, abs_tol=1e-12)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OFFSETS)
def test_a_max_planted_on_a_target_is_never_correct(c):
    """max(y_j, c) is y_j only where y_j >= c."""
    report = verify_claim(tanh_net(), DELTA + rf"(a^L_j - \max(y_j, {c})){TANH_PRIME}")
    assert report.verdict == "incorrect", report.method
    assert value_at(report, "y[1]") < c


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OFFSETS, st.integers(1, 3))
def test_a_sign_of_an_input_far_from_zero_is_never_correct(c, k):
    """|x_k + c|/(x_k + c) is 1 for every input the usual scales draw when |c| is large, -1 beyond: still wrong."""
    net = Network(layers=[3, 4, 2], activation="sigmoid", notation="nielsen")
    report = verify_claim(net, DELTA + rf"(a^L_j - y_j){SIGMA_PRIME}\frac{{|x_{k} + {c}|}}{{x_{k} + {c}}}")
    assert report.verdict == "incorrect", report.method
    x = next(v for s, v in report.counterexample.point if str(s) == f"a[0, {k}]")
    assert x + c < 0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OFFSETS)
def test_a_branch_that_is_right_on_both_sides_stays_correct(c):
    """|y_j + c|^2 is (y_j + c)^2 on both sides: the points see both and the claim is right."""
    claim = DELTA + rf"(a^L_j - |y_j + {c}|^2 + (y_j + {c})^2 - y_j){TANH_PRIME}"
    report = verify_claim(tanh_net(), claim)
    assert report.verdict == "correct", report.method
    assert "every branch seen on both sides" in report.method


def test_a_branch_of_one_sign_for_every_value_is_correct_and_says_why():
    """|1 + x_1^2| has no other side: the claim is right, and the method says the branch is provably one-sided."""
    net = Network(layers=[3, 4, 2], activation="sigmoid", notation="nielsen")
    report = verify_claim(net, DELTA + rf"(a^L_j - y_j){SIGMA_PRIME}\frac{{|1 + x_1^2|}}{{1 + x_1^2}}")
    assert report.verdict == "correct", report.method
    assert "provably of one sign" in report.method


def test_a_square_root_of_a_square_is_shown_wrong_at_a_negative_target():
    """(y_j^2)^{1/2} is |y_j|: on a tanh network that is wrong at a negative target, with a counterexample."""
    report = verify_claim(tanh_net(), DELTA + rf"(a^L_j - (y_j^2)^{{1/2}}){TANH_PRIME}")
    assert report.verdict == "incorrect"
    assert report.counterexample is not None
    assert value_at(report, "y[1]") < 0


@pytest.mark.parametrize(
    "claim", [r"(a^L_j - y_j)\,\mathbb{1}[z^L_j > 0]", r"(\max(0, z^L_j) - y_j)\,\mathbb{1}[z^L_j > 0]"]
)
def test_the_networks_own_step_stays_correct(claim):
    """relu's derivative written as a step of z is the layer's own derivative, and right."""
    report = verify_claim(Network(layers=[3, 4, 2], activation="relu", notation="nielsen"), DELTA + claim)
    assert report.verdict == "correct", report.method


def test_a_step_written_with_an_absolute_value_goes_both_ways_at_the_networks_own_z():
    """(1 + |z|/z)/2 is relu's step: z is the network's own, unconstrained, so real points see both sides."""
    net = Network(layers=[3, 4, 2], activation="relu", notation="nielsen")
    report = verify_claim(net, DELTA + r"(a^L_j - y_j)\frac{1 + |z^L_j|/z^L_j}{2}")
    assert report.verdict == "correct", report.method
    assert "every branch seen on both sides" in report.method


GRAPH = {"q": "x + y", "f": "q z"}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OFFSETS)
def test_a_graph_claim_planted_wrong_beyond_the_usual_inputs_is_never_correct(c):
    """On a graph too: the sign of y + c, which inputs drawn up to 2 never turn when |c| > 2, is turned."""
    from symbackprop.model.graph import Graph
    from symbackprop.verify.graph_claims import verify_graph_claim

    g = Graph.build(GRAPH, {"x": -2.0, "y": 5.0, "z": -4.0})
    report = verify_graph_claim(g, rf"\frac{{\partial f}}{{\partial x}} = z \frac{{|y + {c}|}}{{y + {c}}}")
    assert report.verdict == "incorrect", report.method
    point = dict(report.point)
    assert point["y"] + c < 0
    assert math.isclose(report.claim_value, -point["z"], rel_tol=1e-9)


def test_a_graph_step_written_with_an_absolute_value_is_correct():
    """relu's step as (1 + |u|/u)/2 turns with the graph's own x w: seen both ways, correct."""
    from symbackprop.model.graph import Graph
    from symbackprop.verify.graph_claims import verify_graph_claim

    g = Graph.build({"u": "x w", "h": r"\operatorname{ReLU}(u)", "f": "h z"}, {"x": 1.0, "w": -2.0, "z": 3.0})
    report = verify_graph_claim(g, r"\frac{\partial f}{\partial x} = z w \frac{1 + |x w|/(x w)}{2}")
    assert report.verdict == "correct", report.method


def test_a_branch_never_turned_and_not_proven_one_sided_is_not_decided():
    """tanh(x_1) + 2 is positive, but SymPy does not prove it and no point turns it: not decided, never correct."""
    net = Network(layers=[3, 4, 2], activation="sigmoid", notation="nielsen")
    report = verify_claim(net, DELTA + rf"(a^L_j - y_j){SIGMA_PRIME}\frac{{|\tanh(x_1) + 2|}}{{\tanh(x_1) + 2}}")
    assert report.verdict == "unparseable"
    assert report.exit_status == 2
    assert "went the same way at every point" in report.error
