"""Regression test from a cold review: a claim with a branch (|.|) that is wrong only where the points tried never
go. A tanh network's targets are as often negative as positive, yet |y_j| for y_j is called "correct": the real
points draw every target positive ("1 of those branches went the same way at every point"). Fails on main as
merged (591f540)."""

from __future__ import annotations

from symbackprop.model.network import Network
from symbackprop.verify.claims import verify_claim

CLAIM = r"\delta^L_j = (a^L_j - |y_j|)(1-\tanh^2(z^L_j))"


def test_an_absolute_value_of_a_target_is_not_the_target():
    """At y_j = -1/2 the claim has a_j - 1/2 where the right answer has a_j + 1/2."""
    report = verify_claim(Network(layers=[3, 4, 2], activation="tanh", notation="nielsen"), CLAIM)
    assert report.verdict != "correct", report.method
