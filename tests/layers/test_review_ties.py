"""Regression test from a cold review: max pooling over tied entries, as a worked example with small whole numbers
has them. PyTorch's MaxPool2d routes the window's gradient to one arg max; the graph's max gates split it
(Heaviside(0) = 1/2), so a conv weight's gradient differs from torch's although both outputs are the same. Fails on
main as merged (591f540)."""

from __future__ import annotations

from .test_against_torch import agree

TIED = {
    "input": [2, 2, 2],
    "cost": "sse",
    "layer": [
        {"kind": "conv2d", "out_channels": 1, "kernel": 1},
        {"kind": "maxpool2d", "size": 2},
        {"kind": "flatten"},
    ],
    "values": {
        "x": [[[[1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]]],  # channel 0 and channel 1 give the same z = 1
        "y": [[0.0]],
        "layer": {"1": {"weight": [[[[1.0]], [[1.0]]]], "bias": [0.0]}},
    },
}


def test_max_pooling_over_a_tie_routes_the_gradient_as_torch_does():
    agree(TIED)
