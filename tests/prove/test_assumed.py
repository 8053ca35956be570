"""Deciding under what the spec states of the targets: summing to 1, or one-hot case by case."""

from __future__ import annotations

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.derive.derivation import derive
from symbackprop.model.network import Network
from symbackprop.model.symbols import A, Y
from symbackprop.prove.assumed import decide


def softmax(width: int, targets: str | None) -> Network:
    extra = {"targets": targets} if targets else {}
    return Network([2, width], activation="softmax", cost="cross_entropy", **extra)


@given(st.integers(2, 5), st.data())
def test_a_minus_y_is_decided_equal_only_under_an_assumption(width, data):
    j = data.draw(st.integers(0, width - 1))
    for targets, equal in ((None, False), ("one-hot", True), ("sum-to-one", True)):
        net = softmax(width, targets)
        d = derive(net, net.ref(f"z_{{{j}}}^{{(L)}}"))
        decision = decide(net, A[1, j] - Y[j], d.result, d.start)
        assert decision.equal is equal, (targets, decision.method)
        assert ("summing to 1" in decision.method) is (targets is not None)


def test_a_claim_right_only_for_one_hot_targets_is_decided_case_by_case():
    # y_0 y_1 is 0 for one-hot targets but not for others summing to 1: only one-hot makes the claim right
    for targets, equal in (("one-hot", True), ("sum-to-one", False)):
        net = softmax(3, targets)
        d = derive(net, net.ref("z_{1}^{(L)}"))
        decision = decide(net, A[1, 1] - Y[1] + Y[0] * Y[1], d.result, d.start)
        assert decision.equal is equal
    assert decision.method.startswith("with each sample's targets summing to 1, as the spec states (y_2 = 1 - y_0")
    net = softmax(3, "one-hot")
    d = derive(net, net.ref("z_{1}^{(L)}"))
    right = decide(net, A[1, 1] - Y[1] + Y[0] * Y[1], d.result, d.start)
    assert right.method.startswith("at each of the 3 one-hot targets the spec allows, in turn: ")
    wrong = decide(net, A[1, 1] - 2 * Y[1], d.result, d.start)
    assert not wrong.equal
    assert wrong.method.startswith("with one-hot targets, as the spec states: at y_1 = 1 and the others 0")


def test_no_assumption_leaves_the_decision_as_it_was():
    net = softmax(3, None)
    d = derive(net, net.ref("z_{1}^{(L)}"))
    claim = A[1, 1] * sp.Add(*net.targets()) - Y[1]
    assert decide(net, claim, d.result, d.start).method.startswith("the difference cancels to 0")
