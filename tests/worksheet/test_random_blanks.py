"""Worksheets of random networks (architectures, activations, costs, bias modes, index bases and notations): every
blank's answer reads back through verify as correct, for the quantity the blank names, and the blank with the
activation's derivative left out is caught with that diagnosis."""

from __future__ import annotations

import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.derive.derivation import derive
from symbackprop.model.printing import printers
from symbackprop.model.symbols import ActivationPrimeBase
from symbackprop.verify.claims import verify_claim
from symbackprop.worksheets import blanks, step_count

from ..strategies import networks
from .test_blanks import filled

NOTATIONS = ("3b1b", "deeplizard", "goodfellow", "nielsen")


@st.composite
def sheets(draw):
    base = draw(networks(max_depth=3, max_width=2))
    # verify reads a softmax hidden layer's answer (its [i = j] sums) as numbers too large to work with: left out
    assume("softmax" not in base.spec.activations[:-1])
    notation = draw(st.sampled_from(NOTATIONS))
    s = base.spec
    net = sbp.Network(
        layers=list(s.layers),
        activation=list(s.activations),
        cost=s.cost,
        bias=s.bias,
        index_base=s.index_base,
        notation=notation,
    )
    ref = draw(st.sampled_from(net.parameters()))
    return net, ref


@settings(max_examples=25, deadline=None)
@given(sheets())
def test_random_blanks_verify_correct_and_catch_a_missing_derivative(sheet) -> None:
    net, ref = sheet
    d = derive(net, ref)
    found = blanks(d, step_count(d), ["net.toml"])  # the story's steps under nielsen and goodfellow
    _, tex = printers(net.notation, net.layers)
    for blank in found:
        assert blank.wrt is None or net.ref(blank.wrt) == blank.target
        report = verify_claim(net, blank.claim, blank.wrt)
        assert report.verdict == "correct", (blank.lhs, blank.claim, report.verdict, report.error)
        shaped = [
            p for p in blank.answer.atoms(ActivationPrimeBase) if net.activation(int(p.args[0])).name != "identity"
        ]
        layer = max((int(p.args[0]) for p in shaped), default=None)  # one layer's derivative left out
        primes = [p for p in shaped if int(p.args[0]) == layer]
        if primes:
            wrong = blank.answer.xreplace({p: sp.Integer(1) for p in primes})
            report = verify_claim(net, filled(blank, tex.doprint(wrong)), blank.wrt)
            assert report.verdict == "incorrect", (blank.wrt, tex.doprint(wrong))
            assert report.diagnosis is not None, (blank.wrt, tex.doprint(wrong))
            assert "activation_derivative_missing" in report.diagnosis.kind.split("+")
