"""Hypothesis strategies for the generated gradient code: networks with numbers, and points to run them at."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.numeric import numbers as numeric

from .strategies import networks


@st.composite
def points(draw, net: sbp.Network, max_samples: int = 4) -> numeric.Values:
    """A reproducible random point of ``net``: 1..max_samples samples, parameters in [-1, 1]."""
    samples = draw(st.integers(1, max_samples))
    return numeric.random_values(net, samples=samples, seed=draw(st.integers(0, 2**16)))


@st.composite
def steep_points(draw, net: sbp.Network) -> numeric.Values:
    """A point with weights scaled up to 10^4 times, so sigmoid and softmax outputs often round to 0 or 1."""
    values = draw(points(net, max_samples=3))
    scale = draw(st.sampled_from([1.0, 1e3, 1e4]))
    return replace(values, weights=tuple(w * scale for w in values.weights))


@st.composite
def logarithmic_networks(draw, max_depth: int = 2, max_width: int = 3) -> sbp.Network:
    """A random network whose cost takes a logarithm of outputs that can leave its domain: the pairs with no
    logits form (softmax with binary cross-entropy; identity, relu or tanh with either cost). Sigmoid and
    softmax outputs with cross-entropy are computed from their logits and never leave it (test_precision)."""
    net = draw(networks(max_depth=max_depth, max_width=max_width))
    cost = draw(st.sampled_from(["cross_entropy", "binary_cross_entropy"]))
    width = net.layers[-1]
    outputs = ["identity", "relu", "tanh"] + (["softmax"] if width > 1 and cost == "binary_cross_entropy" else [])
    output = draw(st.sampled_from(outputs))
    spec = net.spec
    return sbp.Network(
        layers=list(spec.layers),
        activation=[*spec.activations[:-1], output],
        cost=cost,
        bias=spec.bias,
        index_base=spec.index_base,
    )
