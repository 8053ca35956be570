"""check() proves every derivation, says how, and refuses to prove a wrong one."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop import checks
from symbackprop.activations import CATALOGUE
from symbackprop.derivation import Chain, Derivation

from .strategies import networks, references

ACTIVATIONS = [a for a in CATALOGUE if a != "softmax"] + ["leaky_relu:0.25"]
COSTS = ["sse", "half_sse", "mse", "cross_entropy", "binary_cross_entropy"]


def tampered(d: Derivation, factor_index: int, change) -> Derivation:
    """The same derivation with one factor's value changed, as a student's slip would."""
    chains = list(d.chains)
    factors = list(chains[0].factors)
    factors[factor_index] = dataclasses.replace(factors[factor_index], value=change(factors[factor_index].value))
    chains[0] = Chain(tuple(factors))
    return dataclasses.replace(d, chains=tuple(chains))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("bias", ["neuron", "layer", "none"])
def test_every_activation_and_bias_mode_is_proven(activation, bias):
    net = sbp.Network(layers=[2, 2, 2], activation=activation, cost="sse", bias=bias)
    for ref in [*net.parameters(), net.ref("a_1^{(1)}"), net.ref("a_0^{(0)}"), net.ref("z_1^{(1)}")]:
        proof = net.derive(ref).check()
        assert proof, f"{ref}: {proof}"
        assert proof.method == "symbolic"


@pytest.mark.parametrize("cost", COSTS)
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_every_cost_is_proven_with_elementwise_and_coupled_outputs(cost, output):
    net = sbp.Network(layers=[2, 3, 2], activation=["tanh", output], cost=cost, bias="neuron", index_base=1)
    for ref in ["w_{21}^{(L)}", "b_{2}^{(L)}", "w_{32}^{(L-1)}", "a_{3}^{(L-1)}", "a_{1}^{(L-2)}", "z_{1}^{(L)}"]:
        proof = net.derive(ref).check()
        assert proof, f"{ref}: {proof}"


def test_softmax_in_a_hidden_layer_is_proven():
    net = sbp.Network(layers=[2, 3, 2], activation=["softmax", "sigmoid"], cost="sse", bias="layer")
    for ref in ["w_{21}^{(1)}", "b^{(1)}", "a_{1}^{(0)}"]:
        assert net.derive(ref).check()


@given(st.data())
def test_random_architectures_are_proven(data):
    net = data.draw(networks(max_depth=3, max_width=3, generic=True))
    ref = data.draw(references(net))
    proof = net.derive(ref).check()
    assert proof, f"{net.spec.layers} {net.spec.activations} {net.spec.cost} {net.spec.bias} {ref}: {proof}"


@pytest.mark.parametrize(
    "slip",
    [
        lambda v: v / 2,  # the factor 2 dropped
        lambda v: -v,  # a sign flipped
        lambda v: v + 1,  # something added
    ],
)
def test_a_wrong_cost_factor_is_not_proven(slip):
    d = sbp.Network(layers=[2, 3, 2]).derive("w_{12}^{(L)}")
    assert not tampered(d, 0, slip).check()


def test_a_missing_activation_derivative_is_not_proven():
    d = sbp.Network(layers=[2, 3, 2], activation="tanh").derive("w_{11}^{(L-1)}")
    assert not tampered(d, 1, lambda v: sp.Integer(1)).check()


def test_the_wrong_previous_activation_is_not_proven():
    net = sbp.Network(layers=[2, 3, 2])
    d = net.derive("w_{12}^{(L)}")
    wrong = net.symbol(net.ref("a_{1}^{(L-1)}"))
    assert not tampered(d, 2, lambda v: wrong).check()


def test_large_differences_fall_back_to_exact_rational_points_and_say_so(monkeypatch):
    monkeypatch.setattr(checks, "SYMBOLIC_SECONDS", 1e-6)
    net = sbp.Network(layers=[2, 2, 2], activation=["g", "softmax"], cost="cross_entropy")
    d = net.derive("w_{01}^{(L-1)}")
    proof = d.check()
    assert proof and proof.method == "rational points"
    assert "exact rational arithmetic" in proof.statement
    assert not tampered(d, 2, lambda v: 2 * v).check()


def test_proof_says_how_it_was_made_and_proves_the_activation_derivative():
    proof = sbp.Network(layers=[1, 1]).derive("w^{(L)}").check()
    text = str(proof)
    assert text.startswith("proven (symbolic)")
    assert "sympy.diff" in text and "derivative of sigmoid used here is proven equal" in text


@pytest.mark.parametrize("name", [a for a in CATALOGUE if CATALOGUE[a].form is not None] + ["leaky_relu:0.3"])
def test_catalogue_derivatives_are_proven(name):
    from symbackprop.activations import activation

    fact = checks._activation_fact(activation(name))
    assert "NOT" not in fact and "proven" in fact


def test_a_wrong_catalogue_derivative_would_be_caught():
    from symbackprop.activations import CATALOGUE as cat

    wrong = dataclasses.replace(cat["tanh"], prime=lambda z: 1 + sp.tanh(z) ** 2)
    assert "NOT proven" in checks._activation_fact(wrong)


def test_a_failed_activation_fact_fails_the_proof(monkeypatch):
    monkeypatch.setattr(checks, "_activation_fact", lambda act: "the derivative of x used here is NOT proven equal")
    assert not sbp.Network(layers=[1, 1]).derive("w^{(L)}").check()


def test_a_network_too_large_for_sympy_diff_is_proven_by_dual_numbers():
    d = sbp.Network(layers=[6, 12, 12, 3]).derive("w_{0,0}^{(1)}")
    proof = d.check()
    assert proof and proof.method == "rational points" and "dual numbers" in proof.statement
    assert not tampered(d, 1, lambda v: v * 2).check()
