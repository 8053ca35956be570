"""Every layer kind's numbers equal PyTorch's own modules' to 1e-10 in float64, forward (the mean cost) and
backward (every parameter's gradient, by torch.nn's names and shapes, and the input's), on random stacks and
shapes drawn by hypothesis: Conv1d/Conv2d, MaxPool1d/MaxPool2d, AvgPool2d, BatchNorm1d/BatchNorm2d in training,
LayerNorm, Dropout with the same mask, RNN, Linear, and the L2 term as weight decay."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.model.layers.layer_graph import layer_gradients, layered_spec
from symbackprop.model.layers.stack import read_stack
from symbackprop.model.layers.wiring import element_name
from symbackprop.numeric.graph_numbers import graph_numbers

from .torch_mirror import dropout_mask, torch_run

TOLERANCE = 1e-10
EXAMPLES = 5  # each example builds, derives and evaluates a graph of up to a few hundred nodes: about a second


def agree(data: dict[str, Any], dropout_seed: int | None = None) -> None:
    spec = layered_spec(data)
    assert spec.stack is not None and spec.numbers is not None
    numbers = graph_numbers(derive_graph(spec.graph, None))
    ours = layer_gradients(spec, numbers.gradients)
    theirs = torch_run(spec.stack, spec.numbers, dropout_seed)
    assert abs(numbers.values["C"] - theirs["cost"]) <= TOLERANCE * max(1.0, abs(theirs["cost"]))
    for entry in ours:
        for name, gradient in entry["gradients"].items():
            expected = theirs["gradients"][entry["layer"]][name]
            np.testing.assert_allclose(np.array(gradient), expected, rtol=TOLERANCE, atol=TOLERANCE, err_msg=f"{entry}")
    x = spec.numbers.x
    dx = np.array([numbers.gradients[element_name("x", None, i)] for i in itertools.product(*map(range, x.shape))])
    np.testing.assert_allclose(dx.reshape(x.shape), theirs["x"], rtol=TOLERANCE, atol=TOLERANCE)


def windows(side: int) -> list[tuple[int, int]]:
    """(size, stride) pairs that tile a side of ``side``."""
    return [(k, s) for k in range(1, side + 1) for s in range(1, k + 1) if (side - k) % s == 0]


@st.composite
def cnn2d(draw: st.DrawFn) -> dict[str, Any]:
    channels, height, width = draw(st.integers(1, 2)), draw(st.integers(2, 4)), draw(st.integers(2, 4))
    kernel = draw(st.integers(1, min(height, width, 3)))
    padding = draw(st.integers(0, 1)) if kernel > 1 else 0
    stride = draw(st.integers(1, 2))
    conv = {"kind": "conv2d", "out_channels": draw(st.integers(1, 2)), "kernel": kernel, "stride": stride}
    conv["padding"] = padding
    out = [(n + 2 * padding - kernel) // stride + 1 for n in (height, width)]
    norm = draw(st.booleans())
    layers: list[dict[str, Any]] = [conv, *([{"kind": "batchnorm"}] if norm else [])]
    layers.append({"kind": "activation", "activation": draw(st.sampled_from(["relu", "tanh", "sigmoid"]))})
    shared = sorted(set(windows(out[0])) & set(windows(out[1])))
    size, pool_stride = draw(st.sampled_from(shared))
    if size > 1:
        layers.append({"kind": draw(st.sampled_from(["maxpool2d", "avgpool2d"])), "size": size, "stride": pool_stride})
    layers += [{"kind": "flatten"}, {"kind": "dense", "size": draw(st.integers(2, 3)), "activation": "softmax"}]
    batch = draw(st.integers(2 if norm else 1, 3))
    l2 = draw(st.sampled_from([0.0, 0.1]))
    return {
        "input": [channels, height, width],
        "cost": "cross_entropy",
        "batch": batch,
        "seed": draw(st.integers(0, 99)),
        "l2": l2,
        "layer": layers,
    }


@st.composite
def cnn1d(draw: st.DrawFn) -> dict[str, Any]:
    channels, length = draw(st.integers(1, 2)), draw(st.integers(3, 6))
    kernel = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 2))
    out = (length - kernel) // stride + 1
    size, pool_stride = draw(st.sampled_from(windows(out)))
    norm = draw(st.booleans())
    layers: list[dict[str, Any]] = [
        {"kind": "conv1d", "out_channels": draw(st.integers(1, 2)), "kernel": kernel, "stride": stride},
        {"kind": "activation", "activation": "tanh"},
        {"kind": "maxpool1d", "size": size, "stride": pool_stride},
        *([{"kind": "batchnorm", "eps": 0.001}] if norm else []),
        {"kind": "flatten"},
        {"kind": "dense", "size": draw(st.integers(1, 2)), "activation": "sigmoid"},
    ]
    batch = draw(st.integers(2 if norm else 1, 3))
    return {
        "input": [channels, length],
        "cost": "binary_cross_entropy",
        "batch": batch,
        "seed": draw(st.integers(0, 99)),
        "layer": layers,
    }


@st.composite
def dense_norms(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """Dense, batch norm, dropout (torch's own mask), layer norm and a residual, with the l2 term."""
    size, width, batch = draw(st.integers(1, 4)), draw(st.integers(2, 4)), draw(st.integers(2, 4))
    p, seed = draw(st.sampled_from([0.2, 0.5])), draw(st.integers(0, 99))
    layers = [
        {"kind": "dense", "size": width, "activation": draw(st.sampled_from(["tanh", "leaky_relu:0.1", "softplus"]))},
        {"kind": "batchnorm"},
        {"kind": "dropout", "p": p, "mask": dropout_mask(p, (batch, width), seed).tolist()},
        {"kind": "layernorm"},
        {"kind": "residual", "from": 1},
        {"kind": "dense", "size": draw(st.integers(1, 3))},
    ]
    cost = draw(st.sampled_from(["sse", "half_sse", "mse"]))
    return {"input": size, "cost": cost, "batch": batch, "seed": seed, "l2": 0.05, "layer": layers}, seed


@st.composite
def recurrent(draw: st.DrawFn) -> dict[str, Any]:
    steps, size, hidden = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    every = draw(st.booleans())
    layers: list[dict[str, Any]] = [{"kind": "rnn", "hidden_size": hidden, "every_step": every}]
    if draw(st.booleans()):
        layers.append({"kind": "layernorm"})
    layers.append({"kind": "dense", "size": draw(st.integers(1, 2))})
    batch = draw(st.integers(1, 2))
    return {
        "input": [steps, size],
        "cost": "half_sse",
        "batch": batch,
        "seed": draw(st.integers(0, 99)),
        "l2": draw(st.sampled_from([0.0, 0.2])),
        "layer": layers,
    }


@settings(max_examples=EXAMPLES)
@given(cnn2d())
def test_conv2d_pooling_batchnorm2d_as_torch(data: dict[str, Any]) -> None:
    agree(data)


@settings(max_examples=EXAMPLES)
@given(cnn1d())
def test_conv1d_maxpool1d_batchnorm1d_as_torch(data: dict[str, Any]) -> None:
    agree(data)


@settings(max_examples=EXAMPLES)
@given(dense_norms())
def test_dense_batchnorm_dropout_layernorm_residual_as_torch(drawn: tuple[dict[str, Any], int]) -> None:
    data, seed = drawn
    agree(data, dropout_seed=seed)


@settings(max_examples=EXAMPLES)
@given(recurrent())
def test_rnn_through_time_as_torch(data: dict[str, Any]) -> None:
    agree(data)


def test_the_issue_example_as_torch() -> None:
    """The spec the issue gives: conv2d, relu, maxpool2d, flatten, dense softmax, cross-entropy."""
    data = {
        "input": [1, 6, 6],
        "cost": "cross_entropy",
        "batch": 4,
        "seed": 7,
        "layer": [
            {"kind": "conv2d", "out_channels": 2, "kernel": 3},
            {"kind": "activation", "activation": "relu"},
            {"kind": "maxpool2d", "size": 2},
            {"kind": "flatten"},
            {"kind": "dense", "size": 3, "activation": "softmax"},
        ],
    }
    assert read_stack(data).output_shape == (3,)
    agree(data)
