"""The simplified result a document prints: the right answer as texts give it, and equal to the result."""

from __future__ import annotations

import importlib
import random

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.derive.derivation import derive
from symbackprop.derive.simplified import simplified
from symbackprop.model.network import Network
from symbackprop.model.symbols import A, Y
from symbackprop.prove.element import prove
from tests.strategies import networks


def test_binary_cross_entropy_after_a_sigmoid_is_a_minus_y():
    d = derive(Network(layers=[2, 1], activation="sigmoid", cost="binary_cross_entropy"), "w_{00}^{(L)}")
    short = simplified(d)
    assert short is not None and sp.expand(short.expr - (A[1, 0] - Y[0]) * A[0, 0]) == 0
    assert "the simplified result is the result" in prove(d).statement


def test_an_identity_layer_s_derivative_drops_out():
    d = derive(Network(layers=[2, 2, 1], activation="identity", cost="sse"), "w_{00}^{(L-1)}")
    short = simplified(d)
    assert short is not None and not short.expr.atoms(sp.Function) - short.expr.atoms(sp.Indexed)
    assert short.activations == ("identity",)


def test_a_result_that_would_only_grow_is_left_as_it_is():
    assert simplified(derive(Network(layers=[2, 3], activation="sigmoid", cost="sse"), "w_{00}^{(L)}")) is None


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_the_simplified_result_equals_the_result_at_random_points(data):
    net = data.draw(networks(max_depth=3, max_width=3))
    d = derive(net, data.draw(st.sampled_from(net.parameters())))
    short = simplified(d)
    if short is None:
        return
    left, right = (net.compose(e, None, concrete=True) for e in (short.expr, d.result))
    unknowns = sorted(
        left.free_symbols | right.free_symbols | left.atoms(sp.Indexed) | right.atoms(sp.Indexed), key=str
    )
    rng = random.Random(0)
    for _ in range(3):
        point = {u: sp.Float(rng.uniform(0.1, 0.9)) for u in unknowns}
        a, b = complex(left.xreplace(point).evalf()), complex(right.xreplace(point).evalf())
        assert abs(a - b) <= 1e-9 * max(1.0, abs(b))


def test_it_is_worked_once_for_a_derivation_its_proof_and_its_document_both_state(monkeypatch):
    module = importlib.import_module("symbackprop.derive.simplified")  # the package's name derive is the function
    worked = []
    real = module._worked
    monkeypatch.setattr(module, "_worked", lambda d: worked.append(d) or real(d))
    net = Network(layers=[2, 1], activation="sigmoid", cost="binary_cross_entropy")
    d = derive(net, "w_{01}^{(L)}")
    first = simplified(d)
    assert simplified(d) is first and prove(d).verdict == "proven"
    assert worked == [d]
    other = derive(Network(layers=[2, 1], activation="sigmoid", cost="binary_cross_entropy"), "w_{01}^{(L)}")
    assert simplified(other) is not None and len(worked) == 2  # another network's derivation is its own
