"""Claims on a network decided modulo p (field_network) whose output is a softmax: the forward pass takes
exp(z_j) term by term of z_j's definition, as SymPy's composed cost writes it, so a right claim is found equal
(before, even dC/dz = dC/dz came back "cannot be decided" on the 3-5-3 tanh/softmax network), and a wrong one is
still shown wrong at a real point."""

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
