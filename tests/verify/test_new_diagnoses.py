"""The mistakes a teacher names, each planted in a claim written as a student writes it, on random networks: the
missing 1/n_L of the mean, a spurious sigma' with the cross-entropy, the derivative at the wrong neuron, the weight
written for the input it multiplies, the logistic sigma' on a tanh layer; and a missing hidden relu' named as that,
not as the identity output's id'."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symbackprop.model.network import Network
from symbackprop.model.symbols import ActivationPrimeBase
from symbackprop.verify import verify_claim

FEW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def output_weights(draw, activations=("sigmoid", "tanh", "softplus")):
    """A network (hidden tanh, output from ``activations``), and an output weight w_jk^(L)."""
    below, width = draw(st.integers(1, 3)), draw(st.integers(2, 4))
    act = draw(st.sampled_from(activations))
    j, k = draw(st.integers(0, width - 1)), draw(st.integers(0, below - 1))
    return [2, below, width], ["tanh", act], j, k


def claim(j: int, k: int, factor: str, prime: str, last: str) -> str:
    return rf"\frac{{\partial C_0}}{{\partial w_{{{j}{k}}}^{{(L)}}}} = {factor}(a_{j}^{{(L)}} - y_{j}) {prime} {last}"


def kind(report) -> str | None:
    return report.diagnosis.kind if report.diagnosis is not None else None


@FEW
@given(output_weights())
def test_the_written_right_answer_is_correct_and_the_mean_dropped_is_named(case):
    layers, activation, j, k = case
    assume(layers[-1] > 2)  # with n_L = 2 it is a factor 2 too many, the name it has always had
    net = Network(layers, activation=activation, cost="mse")
    n, prime, a = layers[-1], rf"g'^{{(L)}}(z_{j}^{{(L)}})", rf"a_{k}^{{(L-1)}}"
    assert verify_claim(net, claim(j, k, rf"\frac{{2}}{{{n}}}", prime, a)).verdict == "correct"
    report = verify_claim(net, claim(j, k, "2", prime, a))
    assert report.verdict == "incorrect" and kind(report) == "mean_missing"
    assert "1/n_L" in report.diagnosis.message


@FEW
@given(output_weights())
def test_the_weight_written_for_its_input_is_named(case):
    layers, activation, j, k = case
    net = Network(layers, activation=activation, cost="half_sse")
    report = verify_claim(net, claim(j, k, "", rf"g'^{{(L)}}(z_{j}^{{(L)}})", rf"w_{{{j}{k}}}^{{(L)}}"))
    assert report.verdict == "incorrect" and kind(report) == "weight_for_input"
    assert report.counterexample is not None


@FEW
@given(output_weights())
def test_the_derivative_at_the_wrong_neuron_is_named(case):
    layers, activation, j, k = case
    assume(j != k and k < layers[-1])
    net = Network(layers, activation=activation, cost="half_sse")
    report = verify_claim(net, claim(j, k, "", rf"g'^{{(L)}}(z_{k}^{{(L)}})", rf"a_{k}^{{(L-1)}}"))
    assert report.verdict == "incorrect" and kind(report) == "wrong_neuron"
    written = rf"\frac{{\partial C_0}}{{\partial w_{{{j}{k}}}^{{(L)}}}} = (a_{k}^{{(L)}} - y_{j}) "
    report = verify_claim(net, written + rf"g'^{{(L)}}(z_{j}^{{(L)}}) a_{k}^{{(L-1)}}")
    assert report.verdict == "incorrect" and kind(report) == "wrong_neuron"


@FEW
@given(output_weights(activations=("tanh", "softplus", "identity")))
def test_the_logistic_sigma_prime_on_another_activation_is_a_diagnosed_mistake(case):
    layers, activation, j, k = case
    net = Network(layers, activation=activation, cost="half_sse")
    report = verify_claim(net, claim(j, k, "", rf"\sigma'(z_{j}^{{(L)}})", rf"a_{k}^{{(L-1)}}"))
    assert report.verdict == "incorrect" and kind(report) == "logistic_for_activation"
    assert "logistic sigmoid's derivative" in report.diagnosis.message


@FEW
@given(output_weights(activations=("sigmoid",)))
def test_a_spurious_sigma_prime_with_binary_cross_entropy_is_named(case):
    layers, activation, j, k = case
    net = Network(layers, activation=activation, cost="binary_cross_entropy")
    assert verify_claim(net, claim(j, k, "", "", rf"a_{k}^{{(L-1)}}")).verdict == "correct"
    report = verify_claim(net, claim(j, k, "", rf"\sigma'(z_{j}^{{(L)}})", rf"a_{k}^{{(L-1)}}"))
    assert report.verdict == "incorrect" and kind(report) == "spurious_activation_derivative"


@FEW
@given(output_weights(activations=("softmax",)))
def test_a_spurious_softmax_derivative_with_one_hot_cross_entropy_is_named(case):
    layers, activation, j, k = case
    net = Network(layers, activation=activation, cost="cross_entropy", targets="one-hot")
    extra = rf"a_{j}^{{(L)}}(1 - a_{j}^{{(L)}})"
    report = verify_claim(net, claim(j, k, "", extra, rf"a_{k}^{{(L-1)}}"))
    assert report.verdict == "incorrect" and kind(report) == "spurious_activation_derivative"
    point = dict(report.counterexample.point)
    assert sorted(point[y] for y in net.targets()) == [0.0] * (layers[-1] - 1) + [1.0]  # one-hot, as the spec says


@pytest.mark.parametrize("width", [1, 2, 3])
def test_a_missing_hidden_relu_prime_is_named_not_the_identity_outputs(width):
    net = Network([2, 3, width], activation=["relu", "identity"], cost="mse")
    written = rf"\sum_j \frac{{2}}{{{width}}}(a_j^{{(L)}} - y_j) w_{{j0}}^{{(L)}} a_0^{{(0)}}"
    report = verify_claim(net, r"\frac{\partial C_0}{\partial w_{00}^{(1)}} = " + written)
    assert report.verdict == "incorrect" and kind(report) == "activation_derivative_missing"
    (named,) = report.diagnosis.symbols
    assert isinstance(named, ActivationPrimeBase) and int(named.args[0]) == 1  # ReLU'(z_0^(1)), not id'(z^(L))
    assert "ReLU" in type(named).__name__ or "relu" in type(named).__name__
