"""A sum's index never takes a letter the preset gives to a quantity: under goodfellow h is a layer's output, so a
softmax output's coupling sum must not run over h (a reader would meet ``[h = i] - h_i`` and ``y_h`` side by side)."""

from __future__ import annotations

import re

import pytest

import symbackprop as sbp
from symbackprop.documents import render


@pytest.mark.parametrize("ref", ["w_{12}^{(1)}", "w_{12}^{(2)}", "b_{1}^{(1)}"])
def test_goodfellows_sums_never_run_over_h(ref):
    net = sbp.Network(
        layers=[4, 5, 5, 3], notation="goodfellow", activation=["relu", "relu", "softmax"], cost="cross_entropy"
    )
    tex = render(net.derive(ref), "tex")
    bound = set(re.findall(r"\\sum_\{(\w)", tex))
    assert bound, "the softmax output's derivation has sums"
    assert "h" not in bound and "a" not in bound and "g" not in bound


def test_a_preset_that_keeps_a_for_activations_may_sum_over_h():
    """The reservation is the preset's letters, not a fixed list: 3b1b's softmax sums still use h when i and j are
    taken, as before."""
    net = sbp.Network(
        layers=[4, 5, 5, 3], notation="3b1b", activation=["relu", "relu", "softmax"], cost="cross_entropy"
    )
    tex = render(net.derive("w_{12}^{(1)}"), "tex")
    assert "h" in set(re.findall(r"\\sum_\{(\w)", tex))
