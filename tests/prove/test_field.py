"""The proofs' identity test modulo the prime P: its arithmetic is the rationals' reduced modulo P, it tells a
wrong derivative from the right one, and the bound it states is the one its points and degrees give."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.prove import element, points, random_identity, tape
from symbackprop.prove.field import P, Residue
from symbackprop.prove.proof import RANDOM, agreement

from ..strategies import networks
from .test_proofs import rational_expressions, tampered


def _reduced(x: Fraction) -> int:
    return x.numerator * pow(x.denominator, -1, P) % P


@given(rational_expressions(), st.lists(st.integers(-(2**70), 2**70), min_size=3, max_size=3))
def test_residues_compute_the_rationals_modulo_the_prime(expr, values):
    """Any rational function of x, y, z evaluated with residues is its exact value reduced modulo P, wherever no
    divisor is 0 modulo P: what makes a differing point a counterexample over the rationals too."""
    x, y, z = sp.symbols("x y z")
    at = dict(zip((x, y, z), values, strict=True))
    try:
        exact = sp.Rational(expr.subs(at, simultaneous=True))
    except (ZeroDivisionError, TypeError):  # a pole over the rationals (SymPy's zoo) is no value to compare
        return
    if not exact.is_finite:
        return

    class Given(random_identity.Unknowns):
        def draw(self):
            return None

        def unknown(self, key, argument=None):
            return Residue(at[key[1]])

    try:
        residue = points.Point(Given(random.Random(0)), {}, lambda e: e).value(expr)
    except ZeroDivisionError:  # a divisor that is 0 modulo P (or 0 outright) at this point
        return
    assert residue == _reduced(Fraction(int(exact.p), int(exact.q)))


def test_residues_divide_by_inverses_and_refuse_a_division_by_0():
    seven = Residue(7)
    assert seven / 7 == 1 and 1 / seven * 7 == 1 and seven**-2 * 49 == 1 and -seven + 7 == 0
    assert Residue(P + 3) == 3 and Residue(-1) == P - 1 and str(Residue(-1)) == str(P - 1)
    for divide in (lambda: seven / 0, lambda: 1 / Residue(P), lambda: Residue(0) ** -1):
        with pytest.raises(ZeroDivisionError):
            divide()


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_the_identity_test_tells_a_planted_wrong_derivative_from_the_right_one(data):
    """On random networks, with the randomized test forced: the derivation is proven; the same derivation with one
    chain factor doubled, or one factor's value moved by 1, is disproven, with a point to show (by the chain rule's
    test, or by the Σ form's where two arguments of one function coincide at the chain rule's point)."""
    net = data.draw(networks(max_depth=3, max_width=3))
    ref = data.draw(st.sampled_from(net.parameters()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(element, "SYMBOLIC_NODES", 0)
        d = net.derive(ref)
        right = d.check()
        assert right.verdict == "proven" and right.method == RANDOM
        index = data.draw(st.integers(0, len(d.chains[0].factors) - 1))
        change = data.draw(st.sampled_from([lambda v: 2 * v, lambda v: v + 1]))
        wrong = tampered(d, index, change)
        if sp.simplify(wrong.result - d.result) == 0:  # a factor of 0 doubled: the same derivative
            return
        proof = wrong.check()
        assert proof.verdict == "disproven", str(proof)
        assert "at random point" in proof.statement and "so over the rationals they differ there too" in proof.statement


@pytest.mark.parametrize("degree", [1, 2, 3, 129, 1_000, 10**6, 2**31, 2**32 - 1])
def test_the_stated_bound_is_at_least_as_strong_as_24_points_from_two_to_the_32(degree):
    """(d/(P - e))^13 below 10^k for a k no larger than the old (d/2^32)^24 gave, even with divisors of large
    degree e."""
    for poles in (0, 10**6):
        outcome = random_identity.Outcome("proven", random_identity.POINTS, degree, poles=poles)
        old = math.ceil(24 * math.log10(degree / 2**32))
        assert outcome.exponent <= old
        assert (degree / (P - poles)) ** random_identity.POINTS < 10.0**outcome.exponent or outcome.exponent < -300


def test_the_statement_gives_the_points_degree_and_bound_the_test_used():
    x, y = sp.symbols("x y")
    expr = (x + y) ** 3 / (x - y)

    def evaluate(unknowns):
        point = points.Point(unknowns, {}, lambda e: e)
        return point.value(expr), point.value(sp.expand((x + y) ** 3) * (x - y) ** -1)

    outcome = random_identity.identity_test(evaluate)
    assert outcome.verdict == "proven" and outcome.points == random_identity.POINTS == 13
    assert outcome.degree >= 3 and outcome.poles >= 1
    k = math.ceil(13 * math.log10(outcome.degree / (P - outcome.poles)))
    assert outcome.exponent == k
    words = agreement(outcome)
    assert "at 13 random points" in words and f"degree at most {outcome.degree:,}" in words
    assert f"probability at most {outcome.degree:,} in {P:,}" in words and f"below 10^{k};" in words


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_a_recorded_evaluation_gives_the_outcome_the_walk_gives(data):
    """The tape replays the walk operation for operation: the same verdict, degree bound, divisors' degrees and
    counterexample, for a right derivation and a wrong one, as evaluating the expressions at each point."""
    net = data.draw(networks(max_depth=3, max_width=3))
    d = net.derive(data.draw(st.sampled_from(net.parameters())))
    shift = data.draw(st.sampled_from([0, 1]))
    mapping, cost = net.forward_map(d.start, False), net.cost_definition()

    def evaluate(unknowns):
        point = points.Point(unknowns, mapping, lambda e: net.compose(e, d.start), (d.symbol, None))
        derivative = point.jet(cost)[1]
        return point.value(d.result + shift * d.symbol), derivative

    walked = random_identity.identity_test(evaluate)
    assert random_identity.identity_test(tape.recorded(evaluate)) == walked
    assert walked.verdict == "proven" if shift == 0 else walked.verdict != "proven"


def test_a_recorded_division_by_0_is_passed_over_as_the_walk_passes_it():
    x = sp.Symbol("x")
    c = random.Random(random_identity.SEED).randrange(P)

    def evaluate(unknowns):
        value = unknowns.unknown(("symbol", x))
        return (value * value - c * value) / (value - c), value

    assert random_identity.identity_test(tape.recorded(evaluate)) == random_identity.identity_test(evaluate)
    assert random_identity.identity_test(tape.recorded(evaluate)).skipped == 1
