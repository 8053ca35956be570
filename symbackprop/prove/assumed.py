"""Deciding a claim under what the spec states of the targets: one-hot, or each sample's summing to 1.

Summing to 1 is one equation, y_{n-1} = 1 - (y_0 + ... + y_{n-2}): written into both formulas, the
decision is then on every target the assumption allows, and none other. It is what makes softmax with
the cross-entropy give a_j - y_j (its right answer is a_j (y_0 + ... + y_{n-1}) - y_j), and it is what
the claims people write lean on, so it is tried first for one-hot targets too: one-hot targets sum to 1,
so a claim equal under it is equal under one-hot.

One-hot says more: y_j^2 = y_j and y_j y_k = 0 for j != k. Rather than reduce by those relations, a
claim not equal under summing to 1 is decided at each one-hot target in turn (y_k = 1, the others 0):
those n targets are every one the assumption allows, so equal at each is equal under it, exactly, and
each case is decided as any claim is (cancelling, or exact random points).
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ..model.network import Network
from ..model.printing import printers
from ..model.references import Ref
from ..model.targets import ONE_HOT, last_from_others, one_hot_cases
from . import equivalence
from .equivalence import Decision, Given


def given(net: Network) -> Given | None:
    """The substitution under which a claim is decided: the last target as 1 minus the others; None without an
    assumption, or with one output (whose one target is then 1)."""
    if net.spec.targets is None:
        return None
    return last_from_others(net.targets())


def decide(net: Network, claim: sp.Expr, expected: sp.Expr, start: Ref | None) -> Decision:
    """``equivalence.decide``, on the targets the spec allows; the method then says what was assumed."""
    sums = given(net)
    if sums is None:
        return equivalence.decide(net, claim, expected, start)
    text = printers(net.notation, net.layers)[0].doprint
    *others, last = net.targets()
    rest = " - ".join(["1", *(text(y) for y in others)])
    decision = equivalence.decide(net, claim, expected, start, sums)
    one_hot = net.spec.targets == ONE_HOT
    stated = "as the spec's one-hot targets do" if one_hot else "as the spec states"
    if decision.equal or not one_hot:
        method = f"with each sample's targets summing to 1, {stated} ({text(last)} = {rest}): {decision.method}"
        return replace(decision, method=method)
    for case in one_hot_cases(net.targets()):
        decision = equivalence.decide(net, claim, expected, start, case)
        if not decision.equal:
            one = next(y for y, v in case.items() if v == 1)
            method = f"with one-hot targets, as the spec states: at {text(one)} = 1 and the others 0, {decision.method}"
            return replace(decision, method=method)
    count = len(net.targets())
    return replace(
        decision, method=f"at each of the {count} one-hot targets the spec allows, in turn: {decision.method}"
    )
