"""Claims decided at random points state what they rest on, and find right claims right. On a network decided
modulo p (field_network) whose output is a softmax, the forward pass takes exp(z_j) term by term of z_j's
definition, as SymPy's composed cost writes it, so a right claim is found equal (before, even dC/dz = dC/dz came
back "cannot be decided" on a 3-5-3 tanh/softmax network), and a wrong one is still shown wrong at a real
point."""

from __future__ import annotations

import pytest

import symbackprop as sbp
from symbackprop.prove import field_network
from symbackprop.verify.claims import verify_claim


@pytest.fixture(scope="module")
def iris() -> sbp.Network:
    net = sbp.Network(layers=[4, 5, 3], activation=["tanh", "softmax"], cost="cross_entropy", notation="nielsen")
    assert field_network.is_large(net)  # decided modulo p, the path this file is about
    return net


@pytest.mark.parametrize(
    "claim",
    [
        r"\frac{\partial C}{\partial z^{2}_{1}} = \frac{\partial C}{\partial z^{2}_{1}}",
        r"\frac{\partial C}{\partial b^{2}_{j}} = \delta^{2}_j",
        r"\frac{\partial C}{\partial w^{l}_{jk}} = a^{l-1}_k \delta^{l}_j",
        r"\delta^{2}_j = \sum_k w^{3}_{kj} \delta^{3}_k (1 - \tanh^2(z^{2}_j))",
    ],
)
def test_nielsens_equations_on_the_iris_network_are_correct(iris, claim):
    report = verify_claim(iris, claim)
    assert report.verdict == "correct", (report.error, report.method)
    assert "modulo p" in report.method


@pytest.mark.parametrize(
    ("claim", "kind"),
    [
        (r"\delta^{2}_j = \sum_k w^{3}_{kj} \delta^{3}_k", "activation_derivative_missing"),
        (r"\frac{\partial C}{\partial w^{2}_{jk}} = a^{1}_j \delta^{2}_k", None),
    ],
)
def test_a_wrong_claim_on_it_is_incorrect_with_a_real_counterexample(iris, claim, kind):
    report = verify_claim(iris, claim)
    assert report.verdict == "incorrect"
    assert report.counterexample is not None
    if kind is not None:
        assert report.diagnosis is not None and report.diagnosis.kind == kind


def test_a_claim_decided_at_rational_points_states_its_chance_of_error():
    """Every "correct" is a proof or an identity test with its error bound stated, on small networks too: a
    claim that writes the logistic out (it does not cancel against the catalogue's sigma as an arbitrary g)."""
    net = sbp.Network(layers=[2, 3, 2], activation=["softplus", "sigmoid"], cost="binary_cross_entropy")
    claim = (
        r"\frac{\partial C_0}{\partial w_{00}^{(1)}} = "
        r"\sum_j (a_j^{(2)} - y_j) w_{j0}^{(2)} \frac{1}{1 + e^{-z_0^{(1)}}} a_0^{(0)}"
    )
    report = verify_claim(net, claim)
    assert report.verdict == "correct"
    assert "exact random rational points" in report.method and "probability at most (" in report.method
