"""Hypothesis strategies: random architectures, activations, costs, bias modes and index bases."""

from __future__ import annotations

from hypothesis import strategies as st

import symbackprop as sbp

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "leaky_relu:0.2", "softplus", "identity", "softmax"]
# Costs with the output activations that keep them defined (ln needs a > 0, or 0 < a < 1).
OUTPUT = {
    "sse": HIDDEN,
    "half_sse": HIDDEN,
    "mse": HIDDEN,
    "cross_entropy": ["sigmoid", "softmax", "softplus"],
    "binary_cross_entropy": ["sigmoid", "softmax"],
}


def _fitting(names: list[str], width: int) -> list[str]:
    """Softmax over a single neuron is the constant 1, which a spec refuses."""
    return [n for n in names if width > 1 or n != "softmax"]


@st.composite
def networks(draw, max_depth: int = 3, max_width: int = 3, generic: bool = False) -> sbp.Network:
    """A random network: depth 1..max_depth layers after the input, widths 1..max_width."""
    depth = draw(st.integers(1, max_depth))
    layers = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    cost = draw(st.sampled_from(sorted(OUTPUT)))
    hidden = HIDDEN + (["g"] if generic else [])
    acts = [draw(st.sampled_from(_fitting(hidden, layers[k]))) for k in range(1, depth)]
    acts.append(draw(st.sampled_from(_fitting(OUTPUT[cost] + (["g"] if generic else []), layers[-1]))))
    return sbp.Network(
        layers=layers,
        activation=acts,
        cost=cost,
        bias=draw(st.sampled_from(["neuron", "layer", "none"])),
        index_base=draw(st.sampled_from([0, 1])),
    )


@st.composite
def references(draw, net: sbp.Network):
    """Any weight, bias, activation or weighted input of the network."""
    from symbackprop.model.references import Ref

    kind = draw(st.sampled_from(["param", "a", "z"]))
    if kind == "param":
        return draw(st.sampled_from(net.parameters()))
    low = 0 if kind == "a" else 1
    layer = draw(st.integers(low, net.depth))
    return Ref(kind, layer, (draw(st.sampled_from(list(net.neurons(layer)))),))
