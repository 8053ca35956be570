"""Counting an expansion before doing it, and what verify does with a claim whose expansion is enormous.

A claim of a few hundred characters, (a_0 + ... + a_5)^{100}, multiplies out to about 96 million
terms: cancelling it would run until the guard stops it and take gigabytes on the way. The count
says so first, from the tree alone, and the exact points decide instead.
"""

from __future__ import annotations

import random
from fractions import Fraction
from math import comb

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.base.trees import largest_expansion
from symbackprop.prove import equivalence
from symbackprop.prove.points import ConcretePoint
from symbackprop.prove.random_identity import RationalUnknowns
from symbackprop.verify.claims import verify_claim

LETTERS = sp.symbols("p q r s t")


@st.composite
def polynomials(draw: st.DrawFn, depth: int = 3) -> sp.Expr:
    """Small sums, products and powers of a few letters, as a claim might nest them."""
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(LETTERS)) * draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["add", "mul", "pow"]))
    if kind == "pow":
        return sp.Pow(draw(polynomials(depth - 1)), draw(st.integers(2, 4)))
    parts = draw(st.lists(polynomials(depth - 1), min_size=2, max_size=3))
    return sp.Add(*parts) if kind == "add" else sp.Mul(*parts)


@settings(max_examples=60, deadline=None)
@given(polynomials())
def test_the_count_is_never_below_the_terms_expand_gives(expr):
    assert largest_expansion(expr, 10**9) >= len(sp.Add.make_args(sp.expand(expr)))


def test_a_power_of_a_sum_counts_its_multisets():
    six = sp.Add(*sp.symbols("a0:6"))
    assert largest_expansion(six**3, 10**9) == comb(8, 3) == len(sp.expand(six**3).args)
    assert largest_expansion(six**100, 10**9) == comb(105, 5)  # about 96 million


def test_the_count_stops_at_the_cap_without_big_number_work():
    six = sp.Add(*sp.symbols("a0:6"))
    assert largest_expansion(six ** (10**9), 20_000) == 20_001
    assert largest_expansion(six ** (10**9) * six ** (10**9), 20_000) == 20_001
    assert largest_expansion(sp.Symbol("x") ** 100, 5) == 1  # a power of one letter is one term


def test_what_expand_makes_anywhere_is_counted():
    six, again = sp.Add(*sp.symbols("a0:6")), sp.Add(*sp.symbols("b0:6"))
    assert largest_expansion(six ** sp.Rational(99, 2), 20_000) == 20_001  # six^49 sqrt(six), multiplied out
    assert largest_expansion(six ** (-100), 20_000) == 20_001  # expand multiplies out a denominator too
    assert largest_expansion(six**10 * again**10, 20_000) == 20_001  # 3003 terms each, 9 million together
    assert largest_expansion(sp.tanh(six**10 * again**10), 20_000) == 20_001  # inside a function as well
    assert largest_expansion(six**2 * again, 20_000) == 21 * 6


@pytest.mark.parametrize("outside", [0, 1], ids=["alone", "inside-a-sum"])
def test_exp_of_a_product_and_of_its_multiplied_out_form_agree_at_exact_points(outside):
    """exp(c + w (a + b)) exp(-c - w a - w b) = 1: the product inside a sum is multiplied out as well."""
    w, a, b, c = sp.symbols("w a b c")
    point = ConcretePoint(RationalUnknowns(random.Random(7)))
    together = sp.exp(outside * c + w * (a + b), evaluate=False)
    apart = sp.exp(-outside * c - w * a - w * b)
    assert point.value(together * apart) == Fraction(1)


def test_a_softmax_claim_with_z_inside_a_sum_in_an_exponent_is_correct():
    """Found by review: a_0 written 1/(1 + e^{z_1 - z_0}), z_0 = w a_0 a product inside the exponent's sum."""
    net = sbp.Network(layers=[2, 1, 2], activation=["identity", "softmax"], cost="cross_entropy", bias="none")
    a0 = r"\frac{1}{1 + e^{z_1^{(2)} - z_0^{(2)}}}"
    claim = (
        rf"\left({a0}(y_0+y_1) - y_0\right) w_{{00}}^{{(2)}} a_0^{{(0)}} "
        r"+ (a_1^{(2)}(y_0+y_1) - y_1) w_{10}^{(2)} a_0^{(0)}"
    )
    assert verify_claim(net, claim, "w_{00}^{(1)}").verdict == "correct"


NET = sbp.Network(layers=[2, 6, 1], activation="sigmoid")
SIX = "+".join(f"a_{i}^{{(1)}}" for i in range(6))
SIX_AGAIN = r"\sigma(w_{00}^{(1)} a_0^{(0)} + w_{01}^{(1)} a_1^{(0)} + b_0^{(1)})+" + "+".join(
    f"a_{i}^{{(1)}}" for i in range(1, 6)
)
RIGHT = r"2(a^{(L)} - y)\sigma'(z^{(L)}) a_0^{(1)}"


@pytest.mark.parametrize(("factor", "verdict"), [("", "correct"), ("3", "incorrect")])
def test_a_claim_with_a_hundredth_power_is_decided_without_cancelling(monkeypatch, factor, verdict):
    """The hundredth powers are equal only once a_0 is written as sigma(z_0): cancelling would multiply out
    96 million terms. The size check sends it to the exact points; the spy proves cancelling never started."""
    started = []
    monkeypatch.setattr(equivalence, "within", lambda *args: started.append(args))
    claim = f"({SIX})^{{100}} - ({SIX_AGAIN})^{{100}} + {factor}{RIGHT}"
    report = verify_claim(NET, claim, "w_{00}^{(L)}")
    assert report.verdict == verdict
    assert started == []


@pytest.mark.parametrize(
    ("spec", "wrt", "claim"),
    [
        # found by review: a fraction in an exponent split into its numerator's terms got other generators than
        # the same value written as tanh or sigma, and these right claims came out "cannot be decided"
        (
            {"layers": [1, 1, 1], "activation": "tanh"},
            "w^{(2)}",
            r"2(\tanh(w^{(2)} \frac{e^{2z^{(1)}}-1}{e^{2z^{(1)}}+1} + b^{(2)}) - y)(1-(a^{(2)})^2) a^{(1)}",
        ),
        (
            {"layers": [1, 2, 2], "activation": ["sigmoid", "softmax"], "cost": "cross_entropy"},
            "w_{00}^{(2)}",
            r"\left(\frac{e^{w_{00}^{(2)}(1 - \frac{1}{1+e^{z_0^{(1)}}}) + w_{01}^{(2)} a_1^{(1)} + b_0^{(2)}}}"
            r"{e^{z_0^{(2)}} + e^{z_1^{(2)}}}(y_0+y_1) - y_0\right) a_0^{(1)}",
        ),
    ],
    ids=["tanh-as-exp", "sigma-as-exp"],
)
def test_a_fraction_in_an_exponent_keeps_its_value_whole(spec, wrt, claim):
    assert verify_claim(sbp.Network(**spec), claim, wrt).verdict == "correct"


def test_a_difference_that_does_not_cancel_is_a_proof_only_without_exp_or_ln():
    """ln(e^a) = a: cancelling does not see it, so with every activation g the claim is not called incorrect."""
    net = sbp.Network(layers=[2, 2, 1], activation="g")
    report = verify_claim(net, r"2(\ln(e^{a^{(2)}})-y) g'^{(2)}(z^{(2)}) a_1^{(1)}", "w_{01}^{(2)}")
    assert report.verdict != "incorrect"


def test_a_reciprocal_of_a_product_counts_its_denominator_multiplied_out():
    sums = [sp.Add(*sp.symbols(f"{letter}0:6")) for letter in "abcdef"]
    assert largest_expansion(1 / sp.Mul(*sums), 20_000) == 20_001  # 6^6 = 46,656 terms in the denominator
    p, q, r, s = sp.symbols("p q r s")
    assert largest_expansion((p + q) ** sp.Rational(3, 2) * (r + s) ** sp.Rational(3, 2), 100) >= 4
