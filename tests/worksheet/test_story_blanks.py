"""Worksheets under a preset that tells the backward story (Nielsen's BP1, BP2, BP3/BP4; Goodfellow's Algorithm
6.4): the blanks are the story's steps, each layer's error then the derivative asked for. Filled with the answer
key every blank verifies correct; filled with the mistakes students make there (the sign flipped, the activation's
derivative left out, BP2's sum over k dropped, the weight's indices swapped where the transpose belongs, the
activation into the weight taken from the wrong layer) verify catches each with its diagnosis."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.derive.backward import backward, tells_backward
from symbackprop.derive.derivation import derive
from symbackprop.model.network import Network
from symbackprop.model.printing import printers
from symbackprop.model.references import Ref
from symbackprop.model.symbols import A, ActivationPrimeBase, W
from symbackprop.render.worksheet import Blank
from symbackprop.verify.claims import verify_claim
from symbackprop.worksheets import PLACEHOLDER, blanks, step_count, told_backward

from ..strategies import networks
from .test_blanks import filled

STORY = ("goodfellow", "nielsen")
# the diagnoses that name each planted mistake: where the layers are square, w_jk for w_kj is also read as the
# sum running over the wrong index of the weights, which says the same thing
SAME = {
    "sign": {"sign"},
    "activation_derivative_missing": {"activation_derivative_missing"},
    "sum_missing": {"sum_missing"},
    "indices_swapped": {"indices_swapped", "sum_wrong_index"},
    "wrong_layer": {"wrong_layer"},
}


def story_mistakes(net: Network, blank: Blank) -> list[tuple[str, sp.Expr]]:
    """The typical mistakes on a story blank, planted in the key's answer, each where it changes the answer."""
    right = blank.answer
    out = [("sign", -right)]
    primes = [p for p in right.atoms(ActivationPrimeBase) if net.activation(int(p.args[0])).name != "identity"]
    if primes:
        out.append(("activation_derivative_missing", right.xreplace({p: sp.Integer(1) for p in primes})))
    sums = [s for s in right.atoms(sp.Sum) if any(x.base == W for x in s.atoms(sp.Indexed))]
    for s in sums:  # BP2's sum over the layer above: dropped, and its weight's indices swapped (no transpose)
        out.append(("sum_missing", right.xreplace({s: s.function})))
        weights = {x: W[x.indices[0], x.indices[2], x.indices[1]] for x in s.atoms(sp.Indexed) if x.base == W}
        # (on the last step of an activation, verify names no diagnosis for the swap yet: planted on BP2 only)
        if blank.wrt is None and all(x.indices[1] != x.indices[2] for x in weights):
            out.append(("indices_swapped", right.xreplace(weights)))
    t = blank.target
    if blank.wrt is not None and t.kind == "w":  # BP4: a_k^(l-1) delta_j^(l), the activation from layer l instead
        layer, k = t.layer, t.indices[1]
        wrong = A[layer, k] if k in net.neurons(layer) else A[layer, t.indices[0]]
        out.append(("wrong_layer", right.xreplace({A[layer - 1, k]: wrong})))
    return out


def sheet(notation: str, layers: list[int], activation: list[str], cost: str, ref: Ref) -> tuple[Network, tuple]:
    net = sbp.Network(layers=layers, activation=activation, cost=cost, notation=notation)
    d = derive(net, ref)
    assert told_backward(d) and step_count(d) == len(backward(d).errors) + 1
    return net, blanks(d, step_count(d), ["--layers", ",".join(map(str, layers)), "--notation", notation])


CASES = [  # the presets number neurons from 1
    ([2, 3, 2], ["sigmoid", "sigmoid"], "sse", Ref("w", 1, (1, 2))),
    ([2, 3, 4, 2], ["tanh", "relu", "sigmoid"], "cross_entropy", Ref("w", 1, (3, 1))),
    ([3, 2, 3], ["sigmoid", "softmax"], "cross_entropy", Ref("b", 1, (2,))),
    ([2, 1, 2], ["tanh", "sigmoid"], "sse", Ref("w", 1, (1, 2))),
    ([2, 3, 2, 2], ["sigmoid", "tanh", "sigmoid"], "sse", Ref("a", 1, (2,))),
    ([2, 2, 3], ["relu", "sigmoid"], "cross_entropy", Ref("z", 1, (1,))),
]


@pytest.mark.parametrize("notation", STORY)
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c[0])))
def test_the_story_blanks_verify_and_each_mistake_is_caught(notation: str, case) -> None:
    net, found = sheet(notation, *case)
    _, tex = printers(net.notation, net.layers)
    depth, t = net.depth, case[3]
    lowest = t.layer + 1 if t.kind == "a" else t.layer  # an activation is reached from the layer above's error
    assert len(found) == depth - lowest + 2  # the errors of layers L down to that layer, then REF itself
    planted = set()
    for blank in found[:-1]:  # each layer's error, led by it as verify reads it: delta in Nielsen's, dJ/da in his
        assert blank.wrt is None and blank.command.endswith(f"= {PLACEHOLDER}'")
        assert blank.lhs.startswith(r"\delta" if notation == "nielsen" else r"\frac{\partial J}{\partial a")
    assert found[-1].wrt is not None and net.ref(found[-1].wrt) == t
    for blank in found:
        report = verify_claim(net, blank.claim, blank.wrt)
        assert report.verdict == "correct", (blank.claim, report.verdict, report.error)
        for kind, wrong in story_mistakes(net, blank):
            claim = filled(blank, tex.doprint(wrong))
            report = verify_claim(net, claim, blank.wrt)
            assert report.verdict == "incorrect", (kind, claim)
            assert report.diagnosis is not None and SAME[kind] & set(report.diagnosis.kind.split("+")), (kind, claim)
            planted.add(kind)
    assert {"sign", "activation_derivative_missing"} <= planted
    if depth - t.layer >= 1 and net.layers[t.layer + 1] > 1:
        assert {"sum_missing"} <= planted


@st.composite
def story_sheets(draw):
    base = draw(networks(max_depth=3, max_width=2))
    assume("softmax" not in base.spec.activations[:-1])
    s = base.spec
    net = sbp.Network(
        layers=list(s.layers),
        activation=list(s.activations),
        cost=s.cost,
        bias=s.bias,
        index_base=s.index_base,
        notation=draw(st.sampled_from(STORY)),
    )
    ref = draw(st.sampled_from([p for p in net.parameters()]))
    d = derive(net, ref)
    assume(tells_backward(d))
    return net, d


@settings(max_examples=15, deadline=None)
@given(story_sheets())
def test_random_story_blanks_verify_correct_and_catch_a_flipped_sign_and_a_dropped_sum(sheet_of) -> None:
    net, d = sheet_of
    found = blanks(d, step_count(d), ["net.toml"])
    _, tex = printers(net.notation, net.layers)
    assert len(found) == len(backward(d).errors) + 1
    for blank in found:
        report = verify_claim(net, blank.claim, blank.wrt)
        assert report.verdict == "correct", (blank.claim, report.verdict, report.error)
        for kind, wrong in story_mistakes(net, blank):
            if kind not in ("sign", "sum_missing"):
                continue
            report = verify_claim(net, filled(blank, tex.doprint(wrong)), blank.wrt)
            assert report.verdict == "incorrect", (kind, tex.doprint(wrong))
            assert report.diagnosis is not None and kind in report.diagnosis.kind.split("+"), (kind, report.diagnosis)
