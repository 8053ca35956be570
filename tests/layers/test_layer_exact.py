"""A layer claim's "correct" is decided exactly, with its bound stated: every entry at once at random points modulo
p = 2^61 - 1 (square roots adjoined as letters of their own), never by agreement at a few real points alone. A claim
that agrees at the spec's values, or to five digits everywhere, is still incorrect; a claim that rests on what a
max is (max pooling's routing) is decided at real points and says it is evidence there, not a proof."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.model.layers.layer_graph import layered_spec
from symbackprop.prove.field import P, Residue
from symbackprop.render.layer_verdict import render_layer_report
from symbackprop.verify.graph_claims import CORRECT, INCORRECT
from symbackprop.verify.layer_claims import verify_layer_claim
from symbackprop.verify.surds import Roots, Surd

from .test_layer_claims import BATCHNORM, BPTT, COMPACT, CONV, FLIPPED, POOL, RNN, ROUTED


def _report(data, claim):  # type: ignore[no-untyped-def]
    report = verify_layer_claim(layered_spec(data), claim)
    assert report is not None
    return report


def test_a_correct_claim_states_its_bound_in_the_verdict_and_in_json() -> None:
    for data, claim in [(BATCHNORM, COMPACT), (CONV, FLIPPED), (RNN, BPTT)]:
        report = _report(data, claim)
        assert report.verdict == CORRECT, (claim, report.method)
        assert "modulo p = 2^61 - 1" in report.method and "/p)^13" in report.method
        shown = json.loads(render_layer_report(report, "json"))
        assert shown["bound"].startswith("(") and "/p)^13 with p = 2^61 - 1, below 10^-" in shown["bound"]
        assert "chance of error:" in render_layer_report(report)


def test_a_claim_right_at_the_specs_values_alone_is_incorrect() -> None:
    # gamma is 1 at the spec's values (torch's init), so gamma sum_i g_i equals dL/dbeta there, and only there
    planted = r"\frac{\partial L}{\partial \beta} = \gamma \sum_i \frac{\partial L}{\partial y_i}"
    report = _report(BATCHNORM, planted)
    assert report.verdict == INCORRECT and report.point
    assert report.claim_value != report.answer_value


def test_a_claim_off_by_the_epsilon_alone_is_incorrect() -> None:
    # without eps the compact form agrees with the right answer to about five digits at every point
    report = _report(BATCHNORM, COMPACT.replace(r"\sqrt{\sigma^2+\epsilon}", r"\sqrt{\sigma^2}"))
    assert report.verdict == INCORRECT


def test_routing_through_a_max_is_decided_at_real_points_and_says_so() -> None:
    report = _report(POOL, ROUTED)
    assert report.verdict == CORRECT
    assert "not a proof" in report.method and report.bound.startswith("none")


@settings(max_examples=40, deadline=None)
@given(st.integers(1, P - 1), st.integers(0, P - 1), st.integers(0, P - 1), st.integers(1, 4))
def test_surds_are_the_ring_with_the_root_adjoined(a: int, b: int, c: int, n: int) -> None:
    roots = Roots()
    t = roots.root("a", Surd.of(Residue(a), roots))
    assert t * t == Surd.of(Residue(a), roots)
    x = Surd.of(Residue(b), roots) + Surd.of(Residue(c), roots) * t
    norm = (b * b - c * c * a) % P
    if norm:
        assert x * x**-1 == Surd.of(Residue(1), roots)
        assert (x**n) * (x ** (-n)) == Surd.of(Residue(1), roots)
    # a value that holds the root is not a residue: t is not any number b
    assert t != Surd.of(Residue(b), roots)


def test_two_roots_multiply_as_letters_of_their_own() -> None:
    rng = random.Random(1)
    roots = Roots()
    a, b = (Residue(rng.randrange(1, P)) for _ in range(2))
    s, t = roots.root("a", Surd.of(a, roots)), roots.root("b", Surd.of(b, roots))
    product = s * t
    assert product * product == Surd.of(a * b, roots)
    assert (s + t) * (s + t) ** -1 == Surd.of(Residue(1), roots)
