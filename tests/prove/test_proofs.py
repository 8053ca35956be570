"""check() proves every derivation, says how, and refuses to prove a wrong one."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.base import time_guard
from symbackprop.derive.derivation import Chain, Derivation
from symbackprop.model.activations import CATALOGUE
from symbackprop.prove import element, points, random_identity
from symbackprop.prove.element import _activation_fact
from symbackprop.prove.field import P
from symbackprop.prove.proof import RANDOM, SYMBOLIC, agreement

from ..strategies import networks, references

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


def test_a_large_composed_cost_is_proven_by_a_randomized_identity_test_with_its_chance_of_error(monkeypatch):
    monkeypatch.setattr(element, "SYMBOLIC_NODES", 0)
    net = sbp.Network(layers=[2, 2, 2], activation=["g", "softmax"], cost="cross_entropy")
    d = net.derive("w_{01}^{(L-1)}")
    proof = d.check()
    assert proof.verdict == "proven" and proof.method == RANDOM
    assert "exactly equal modulo the prime 2^61 - 1 at 13 random points" in proof.statement
    assert "Schwartz-Zippel" in proof.statement
    assert re.search(r"degree at most \d+, .* is below 10\^-\d{3}", proof.statement)
    wrong = tampered(d, 2, lambda v: 2 * v).check()
    assert wrong.verdict == "disproven" and str(wrong).startswith("DISPROVEN (randomized identity test)")
    assert "differs from the derivative of the composed cost" in wrong.statement
    assert "at random point 1, where a_0^(L-2) = " in wrong.statement and "the first is " in wrong.statement
    assert "modulo 2^61 - 1 (so over the rationals they differ there too)" in wrong.statement


def test_the_method_is_chosen_by_size_and_a_guard_running_out_leaves_the_proof_undecided(monkeypatch):
    """A slow symbolic proof is not decided (exit 1), never quietly handed to another method."""

    def out_of_time(d):
        raise time_guard._OutOfTime

    monkeypatch.setattr(element, "_symbolic_difference_vanishes", out_of_time)
    proof = sbp.Network(layers=[2, 3, 2]).derive("w_{00}^{(1)}").check()
    assert proof.verdict == "undecided" and not proof and proof.method == SYMBOLIC
    assert str(proof).startswith("NOT DECIDED (symbolic): the chain-rule result: cancelling its difference")
    assert "random points" not in str(proof) and "ran past 120 s" in str(proof)


def test_the_same_input_gets_the_same_proof():
    net = sbp.Network(layers=[1, 10, 10, 10, 1])  # by random points: the seed is fixed
    first = str(net.derive("w_{00}^{(1)}").check())
    again = str(sbp.Network(layers=[1, 10, 10, 10, 1]).derive("w_{00}^{(1)}").check())
    assert first == again and "randomized identity test" in first


def test_a_division_by_0_modulo_the_prime_is_passed_over_for_another_point():
    """x - c is 0 modulo P at the first point only (c is that point's x): the point is skipped, not a crash, and
    the bound accounts for the divisor's degree."""
    x = sp.Symbol("x")
    c = random.Random(random_identity.SEED).randrange(P)  # the first point's first draw

    def evaluate(unknowns):
        value = unknowns.unknown(("symbol", x))
        return (value * value - c * value) / (value - c), value

    outcome = random_identity.identity_test(evaluate)
    assert outcome.verdict == "proven" and outcome.points == random_identity.POINTS
    assert outcome.skipped == 1 and outcome.poles >= 1
    assert "1 points where a division was by 0 modulo 2^61 - 1 were passed over" in agreement(outcome)
    strict = random_identity.identity_test(evaluate, skip_poles=False)
    assert strict.verdict == "undecided" and "point 1 of 13 falls where an expression is undefined" in strict.reason


def test_a_division_by_0_at_every_point_leaves_the_test_undecided():
    def at_a_pole(unknowns):  # defined as a rational function of degrees, 1/0 at every point
        return (unknowns.number(1) / unknowns.number(0 if unknowns.exact else 1), 0)

    outcome = random_identity.identity_test(at_a_pole)
    assert outcome.verdict == "undecided" and "52 of 52 points fell where an expression divides by 0" in outcome.reason
    always = random_identity.identity_test(lambda unknowns: (unknowns.number(1) / unknowns.number(0), 0))
    assert always.verdict == "undecided" and "0 at every point" in always.reason


def test_a_difference_at_a_point_where_two_arguments_coincide_is_not_a_counterexample():
    x, y = sp.symbols("x y")
    f = sp.Function("f")

    def evaluate(unknowns):  # f(x) and f(y) at x = y: no function takes two values there
        point = points.Point(unknowns, {x: y}, lambda e: e)
        mine = unknowns.unknown(("f", x), point.value(y))
        return mine, unknowns.unknown(("f", y), point.value(y))

    assert f(x) != f(y)
    outcome = random_identity.identity_test(evaluate)
    assert outcome.verdict == "undecided" and "coincide" in outcome.reason


@st.composite
def rational_expressions(draw, depth: int = 4):
    """A random rational function of x, y, z built by sums, products, quotients and integer powers."""
    x, y, z = sp.symbols("x y z")
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from([x, y, z, sp.Integer(draw(st.integers(-3, 3)))]))
    left, right = draw(rational_expressions(depth - 1)), draw(rational_expressions(depth - 1))
    op = draw(st.sampled_from(["add", "mul", "div", "pow"]))
    if op == "div" and right != 0:
        return sp.Mul(left, sp.Pow(right, -1, evaluate=False), evaluate=False)
    if op == "pow":
        return sp.Pow(left, draw(st.integers(-2, 3)), evaluate=False) if left != 0 else left
    return sp.Add(left, right, evaluate=False) if op == "add" else sp.Mul(left, right, evaluate=False)


@given(rational_expressions())
def test_the_degree_bound_is_at_least_the_numerators_degree(expr):
    """The Schwartz-Zippel bound is sound: the degrees the arithmetic works out bound the true numerator's."""
    try:
        bound = points.Point(random_identity.Degrees(), {}, lambda e: e).value(expr)
    except ZeroDivisionError:
        return
    numerator, _ = sp.fraction(sp.cancel(sp.together(expr)))
    if numerator != 0:
        assert bound.top >= sp.Poly(numerator, *sp.symbols("x y z")).total_degree()


def test_proof_says_how_it_was_made_and_proves_the_activation_derivative():
    proof = sbp.Network(layers=[1, 1]).derive("w^{(L)}").check()
    text = str(proof)
    assert text.startswith("proven (symbolic)")
    assert "sympy.diff" in text and "derivative of sigmoid used here is proven equal" in text


@pytest.mark.parametrize("name", [a for a in CATALOGUE if CATALOGUE[a].form is not None] + ["leaky_relu:0.3"])
def test_catalogue_derivatives_are_proven(name):
    from symbackprop.model.activations import activation

    fact = _activation_fact(activation(name))
    assert "NOT" not in fact and "proven" in fact


def test_a_wrong_catalogue_derivative_would_be_caught():
    from symbackprop.model.activations import CATALOGUE as cat

    wrong = dataclasses.replace(cat["tanh"], prime=lambda z: 1 + sp.tanh(z) ** 2)
    assert "NOT proven" in _activation_fact(wrong)


def test_a_failed_activation_fact_fails_the_proof(monkeypatch):
    monkeypatch.setattr(element, "_activation_check", lambda act: element._ActivationCheck(act.name, False))
    assert not sbp.Network(layers=[1, 1]).derive("w^{(L)}").check()


def test_a_network_too_large_for_sympy_diff_is_proven_by_dual_numbers():
    d = sbp.Network(layers=[6, 12, 12, 3]).derive("w_{0,0}^{(1)}")
    proof = d.check()
    assert proof and proof.method == RANDOM and "dual numbers" in proof.statement
    assert "37,705 nodes, more than 3,000, so it is not cancelled symbolically" in proof.statement
    assert tampered(d, 1, lambda v: v * 2).check().verdict == "disproven"
