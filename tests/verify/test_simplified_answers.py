"""The right answer a verdict shows, simplified as a text prints it: a_j - y_j for a sigmoid with the binary
cross-entropy and for softmax with the cross-entropy under one-hot targets, the identity's derivative left out;
the textbook forms written here by hand, compared symbolically with what is shown."""

from __future__ import annotations

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop.model.network import Network
from symbackprop.model.symbols import A, ActivationPrimeBase, Y
from symbackprop.verify import verify_claim

FEW = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OUTPUTS = st.sampled_from(
    [
        ("sigmoid", "binary_cross_entropy", None),
        ("softmax", "cross_entropy", "one-hot"),
        ("softmax", "cross_entropy", "sum-to-one"),
        ("identity", "half_sse", None),
    ]
)


@FEW
@given(OUTPUTS, st.integers(1, 3), st.integers(2, 3), st.data())
def test_an_output_weights_right_answer_is_shown_as_the_textbook_writes_it(output, below, width, data):
    act, cost, targets = output
    extra = {"targets": targets} if targets else {}
    net = Network([2, below, width], activation=["tanh", act], cost=cost, **extra)
    j, k = data.draw(st.integers(0, width - 1)), data.draw(st.integers(0, below - 1))
    report = verify_claim(net, rf"\frac{{\partial C_0}}{{\partial w_{{{j}{k}}}^{{(L)}}}} = 0")
    shown = report.answer.shown
    assert sp.expand(shown.doit() - (A[2, j] - Y[j]) * A[1, k]) == 0, shown
    assert not shown.atoms(ActivationPrimeBase)  # no sigma'(z), no id'(z)


def test_without_the_assumption_softmax_keeps_its_general_form():
    net = Network([2, 2, 3], activation=["tanh", "softmax"], cost="cross_entropy")
    shown = verify_claim(net, r"\frac{\partial C_0}{\partial z_1^{(L)}} = 0").answer.shown
    assert shown.has(sp.Sum)  # sum_i ([i = j] - a_j) y_i: a_j - y_j only when the targets sum to 1


def test_a_hidden_weight_shows_the_error_terms_inside_its_sum():
    net = Network([2, 3, 2], activation=["tanh", "sigmoid"], cost="binary_cross_entropy")
    report = verify_claim(net, r"\frac{\partial C_0}{\partial w_{01}^{(1)}} = 0")
    shown = report.answer.shown
    primes = {int(p.args[0]) for p in shown.atoms(ActivationPrimeBase)}
    assert primes == {1}  # tanh'(z^(1)) stays; the output's sigma' went into a_j - y_j
    written = shown.doit().xreplace({p: sp.Symbol("t") for p in shown.doit().atoms(ActivationPrimeBase)})
    textbook = sum((A[2, j] - Y[j]) * sp.Symbol(f"w{j}") for j in range(2))
    by_hand = written.subs({sp.Indexed("w", 2, j, 0): sp.Symbol(f"w{j}") for j in range(2)})
    assert sp.expand(by_hand - textbook * sp.Symbol("t") * sp.Indexed("a", 0, 1)) == 0, shown
