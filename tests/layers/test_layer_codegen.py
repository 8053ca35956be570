"""The vectorised NumPy module codegen writes for a layer stack: its gradient equals the layers' graph's (the
element-by-element derivation evaluate works) to 1e-12 on small stacks of every kind, and PyTorch's own modules'
(autograd through torch.nn) to 1e-10 in float64 on random stacks and shapes, larger than a graph can take."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.codegen.layer_modules import stack_gradient_function, stack_module_source
from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.model.layers.layer_graph import layer_gradients, layered_spec
from symbackprop.model.layers.numbers import StackNumbers, stack_numbers
from symbackprop.model.layers.stack import read_stack
from symbackprop.numeric.graph_numbers import graph_numbers

from .test_against_torch import cnn1d, cnn2d, dense_norms, recurrent, windows
from .torch_mirror import torch_run

GRAPH_TOLERANCE = 1e-12
TORCH_TOLERANCE = 1e-10


def generated(data: dict[str, Any], numbers: StackNumbers | None = None) -> tuple[float, dict[int, dict[str, Any]]]:
    stack = read_stack(data, graph=False)
    numbers = numbers or stack_numbers(stack, data.get("values"))
    gradient = stack_gradient_function(stack)
    return gradient(numbers.x, numbers.y, numbers.parameters, numbers.masks)


def close(ours: Any, theirs: Any, tolerance: float, where: str) -> None:
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=tolerance, atol=tolerance, err_msg=where)


def agrees_with_graph(data: dict[str, Any]) -> None:
    spec = layered_spec(data)
    assert spec.numbers is not None
    numbers = graph_numbers(derive_graph(spec.graph, None))
    cost, grads = generated(data, spec.numbers)
    close(cost, numbers.values["C"], GRAPH_TOLERANCE, "cost")
    for entry in layer_gradients(spec, numbers.gradients):
        assert set(grads.get(entry["layer"], {})) == set(entry["gradients"])
        for name, expected in entry["gradients"].items():
            close(grads[entry["layer"]][name], expected, GRAPH_TOLERANCE, f"layer {entry['layer']} {name}")


def agrees_with_torch(data: dict[str, Any]) -> None:
    stack = read_stack(data, graph=False)
    numbers = stack_numbers(stack, None)
    cost, grads = generated(data, numbers)
    theirs = torch_run(stack, numbers)
    close(cost, theirs["cost"], TORCH_TOLERANCE, "cost")
    assert set(grads) == {number for number, table in theirs["gradients"].items() if table}
    for number, table in theirs["gradients"].items():
        for name, expected in table.items():
            close(grads[number][name], expected, TORCH_TOLERANCE, f"layer {number} {name}")


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "leaky_relu:0.2", "softplus", "identity", "softmax"]
SMALL: dict[str, dict[str, Any]] = {
    "conv2d, padding and stride, avgpool2d": {
        "input": [2, 5, 5],
        "cost": "sse",
        "batch": 2,
        "layer": [
            {"kind": "conv2d", "out_channels": 2, "kernel": 3, "stride": 2, "padding": 1},
            {"kind": "avgpool2d", "size": 2, "stride": 1},
            {"kind": "flatten"},
            {"kind": "dense", "size": 2},
        ],
    },
    "conv1d, overlapping maxpool1d, batchnorm": {
        "input": [2, 7],
        "cost": "binary_cross_entropy",
        "batch": 3,
        "layer": [
            {"kind": "conv1d", "out_channels": 2, "kernel": 2, "padding": 1},
            {"kind": "maxpool1d", "size": 3, "stride": 1},
            {"kind": "batchnorm"},
            {"kind": "flatten"},
            {"kind": "dense", "size": 2, "activation": "sigmoid"},
        ],
    },
    "maxpool2d with overlapping windows, batchnorm2d, l2": {
        "input": [1, 5, 5],
        "cost": "cross_entropy",
        "batch": 2,
        "l2": 0.1,
        "layer": [
            {"kind": "conv2d", "out_channels": 2, "kernel": 2},
            {"kind": "batchnorm", "eps": 0.001},
            {"kind": "maxpool2d", "size": 2, "stride": 1},
            {"kind": "flatten"},
            {"kind": "dense", "size": 3},
            {"kind": "activation", "activation": "softmax"},
        ],
    },
    "dense, layernorm, dropout, residual": {
        "input": 3,
        "cost": "mse",
        "batch": 3,
        "seed": 4,
        "l2": 0.05,
        "layer": [
            {"kind": "dense", "size": 4, "activation": "tanh"},
            {"kind": "layernorm"},
            {"kind": "dropout", "p": 0.25},
            {"kind": "residual", "from": 1},
            {"kind": "residual", "from": 4},
            {"kind": "dense", "size": 2},
        ],
    },
    "rnn on every step, dense on each step": {
        "input": [3, 2],
        "cost": "cross_entropy",
        "batch": 2,
        "l2": 0.2,
        "layer": [
            {"kind": "rnn", "hidden_size": 3, "every_step": True},
            {"kind": "dense", "size": 2, "activation": "softmax"},
        ],
    },
    "rnn's last step, a sigmoid with cross-entropy": {
        "input": [4, 2],
        "cost": "cross_entropy",
        "batch": 2,
        "layer": [{"kind": "rnn", "hidden_size": 2}, {"kind": "dense", "size": 2, "activation": "sigmoid"}],
    },
    "cross-entropy of a softplus output (no logits form)": {
        "input": 2,
        "cost": "cross_entropy",
        "batch": 3,
        "layer": [{"kind": "dense", "size": 3, "activation": "softplus"}],
    },
    "binary cross-entropy of a softmax output (no logits form)": {
        "input": 2,
        "cost": "binary_cross_entropy",
        "batch": 3,
        "layer": [{"kind": "dense", "size": 3, "activation": "softmax"}],
    },
    "a residual from the input": {
        "input": 2,
        "cost": "half_sse",
        "batch": 2,
        "layer": [{"kind": "dense", "size": 2}, {"kind": "residual", "from": 0}, {"kind": "dense", "size": 1}],
    },
}


@pytest.mark.parametrize("name", list(SMALL))
def test_every_kind_equals_the_graphs_gradient(name: str) -> None:
    agrees_with_graph(SMALL[name])


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("cost", ["sse", "half_sse", "mse", "cross_entropy", "binary_cross_entropy"])
def test_every_activation_and_cost_equals_the_graphs_gradient(act: str, cost: str) -> None:
    """Each activation as a layer and as a dense layer's, before each cost (outputs in (0, 1) for the logarithms)."""
    last = "softmax" if cost == "cross_entropy" else "sigmoid" if cost == "binary_cross_entropy" else "tanh"
    layers = [
        {"kind": "dense", "size": 3, "activation": act},
        {"kind": "activation", "activation": act},
        {"kind": "dense", "size": 2, "activation": last},
    ]
    agrees_with_graph({"input": 2, "cost": cost, "batch": 3, "seed": 1, "layer": layers})


def test_a_stack_without_parameters_gives_its_cost() -> None:
    data = {"input": 3, "cost": "sse", "batch": 2, "layer": [{"kind": "activation", "activation": "tanh"}]}
    cost, grads = generated(data)
    numbers = stack_numbers(read_stack(data), None)
    assert grads == {}
    close(cost, ((np.tanh(numbers.x) - numbers.y) ** 2).sum() / 2, GRAPH_TOLERANCE, "cost")


@st.composite
def large_cnn2d(draw: st.DrawFn) -> dict[str, Any]:
    """A convolution, a norm, a pooling and a dense layer on inputs past the graph's limits."""
    channels, height, width = draw(st.integers(1, 3)), draw(st.integers(5, 12)), draw(st.integers(5, 12))
    kernel, stride, padding = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(0, 2))
    out = [(n + 2 * padding - kernel) // stride + 1 for n in (height, width)]
    shared = sorted(set(windows(out[0])) & set(windows(out[1])))
    size, pool_stride = draw(st.sampled_from(shared))
    act = draw(st.sampled_from(["relu", "tanh", "sigmoid", "softplus", "leaky_relu:0.1"]))
    layers: list[dict[str, Any]] = [
        {"kind": "conv2d", "out_channels": draw(st.integers(1, 4)), "kernel": kernel, "stride": stride},
        *([{"kind": "batchnorm"}] if draw(st.booleans()) else []),
        {"kind": "activation", "activation": act},
        {"kind": draw(st.sampled_from(["maxpool2d", "avgpool2d"])), "size": size, "stride": pool_stride},
        {"kind": "flatten"},
        {"kind": "dense", "size": draw(st.integers(2, 5)), "activation": "softmax"},
    ]
    layers[0]["padding"] = padding
    return {
        "input": [channels, height, width],
        "cost": "cross_entropy",
        "batch": draw(st.integers(2, 9)),
        "seed": draw(st.integers(0, 999)),
        "l2": draw(st.sampled_from([0.0, 0.3])),
        "layer": layers,
    }


@st.composite
def large_rnn(draw: st.DrawFn) -> dict[str, Any]:
    steps, size, hidden = draw(st.integers(1, 12)), draw(st.integers(1, 6)), draw(st.integers(1, 12))
    every = draw(st.booleans())
    layers: list[dict[str, Any]] = [{"kind": "rnn", "hidden_size": hidden, "every_step": every}]
    if draw(st.booleans()):
        layers.append({"kind": "layernorm"})
    layers.append({"kind": "dense", "size": draw(st.integers(1, 4))})
    return {
        "input": [steps, size],
        "cost": draw(st.sampled_from(["sse", "half_sse", "mse"])),
        "batch": draw(st.integers(1, 6)),
        "seed": draw(st.integers(0, 999)),
        "l2": draw(st.sampled_from([0.0, 0.2])),
        "layer": layers,
    }


@settings(max_examples=15, deadline=None)
@given(st.one_of(large_cnn2d(), large_rnn(), cnn1d(), cnn2d(), recurrent()))
def test_the_generated_gradient_equals_torch(data: dict[str, Any]) -> None:
    agrees_with_torch(data)


@settings(max_examples=10, deadline=None)
@given(dense_norms())
def test_dense_norms_dropout_residual_equal_torch(drawn: tuple[dict[str, Any], int]) -> None:
    agrees_with_torch(drawn[0])


def test_float32_stays_float32_and_near_float64() -> None:
    data = SMALL["maxpool2d with overlapping windows, batchnorm2d, l2"]
    stack = read_stack(data)
    numbers = stack_numbers(stack, None)
    gradient = stack_gradient_function(stack)
    single = {k: {n: a.astype(np.float32) for n, a in t.items()} for k, t in numbers.parameters.items()}
    cost32, grads32 = gradient(numbers.x.astype(np.float32), numbers.y, single)
    cost64, grads64 = gradient(numbers.x, numbers.y, numbers.parameters)
    assert grads32[1]["weight"].dtype == np.float32 and grads64[1]["weight"].dtype == np.float64
    close(cost32, cost64, 1e-5, "cost")
    close(grads32[5]["weight"], grads64[5]["weight"], 1e-4, "dense weight")


def test_bad_arguments_name_what_is_wrong() -> None:
    data = SMALL["dense, layernorm, dropout, residual"]
    stack = read_stack(data)
    numbers = stack_numbers(stack, None)
    gradient = stack_gradient_function(stack)
    with pytest.raises(ValueError, match=r"masks\[3\]: missing"):
        gradient(numbers.x, numbers.y, numbers.parameters)
    with pytest.raises(ValueError, match=r"parameters\[1\]\['weight'\]: must be shaped \(4, 3\)"):
        gradient(numbers.x, numbers.y, {1: {"weight": np.zeros((3, 4)), "bias": np.zeros(4)}}, numbers.masks)
    with pytest.raises(ValueError, match=r"x: must be shaped \(samples, 3\)"):
        gradient(numbers.x[:, :2], numbers.y, numbers.parameters, numbers.masks)
    empty = {k: m[:0] for k, m in numbers.masks.items()}
    for backend in ("numpy", "torch", "jax"):  # an empty batch has no mean cost: the same ValueError, every backend
        with pytest.raises(ValueError, match=r"x: must be shaped \(samples, 3\), at least one sample, got "):
            stack_gradient_function(stack, backend)(numbers.x[:0], numbers.y[:0], numbers.parameters, empty)
    keyed = {str(k): v for k, v in numbers.parameters.items()}  # as evaluate --json numbers them
    assert gradient(numbers.x, numbers.y, keyed, {"3": numbers.masks[3]})[0] == pytest.approx(
        gradient(numbers.x, numbers.y, numbers.parameters, numbers.masks)[0]
    )


def test_the_same_stack_gives_the_same_text() -> None:
    data = SMALL["conv1d, overlapping maxpool1d, batchnorm"]
    first = stack_module_source(read_stack(data))
    assert first == stack_module_source(read_stack(data))
    compile(first, "<generated>", "exec")


def test_a_title_stays_a_comment() -> None:
    """The spec's title is the user's text: whatever it holds, it cannot end the docstring or start a statement."""
    data = {**SMALL["a residual from the input"], "title": 'x""" ; raise SystemExit  # \\ \u2028 end'}
    source = stack_module_source(read_stack(data))
    namespace: dict[str, Any] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    assert [line for line in source.splitlines() if "SystemExit" in line] == ['# x""" ; raise SystemExit # \\ end']


@pytest.mark.parametrize("end", ["\n", "\r", "\r\n", " \n  "])
def test_an_activation_name_with_a_line_end_stays_in_its_comment(end: str) -> None:
    """leaky_relu's slope is read with the spaces around it stripped, so "leaky_relu:0.2\\n" is a valid name: the
    line end must not break the comment that names the layer (it did: the module did not compile, and evaluate of a
    large stack stopped on an internal SyntaxError)."""
    slope = f"leaky_relu:0.2{end}"
    data = {
        "input": 3,
        "cost": "half_sse",
        "layer": [{"kind": "dense", "size": 2, "activation": slope}, {"kind": "activation", "activation": slope}],
    }
    stack = read_stack(data)
    source = stack_module_source(stack)
    compile(source, "<generated>", "exec")
    cost, grads = stack_gradient_function(stack)(
        [[1.0, -2.0, 0.5]], [[0.0, 1.0]], {1: {"weight": [[0.5, -0.5, 1.0], [1.0, 2.0, -1.0]], "bias": [0.0, 0.0]}}
    )
    z = np.array([0.5 * 1 + 1.0 + 0.5, 1.0 - 4.0 - 0.5])
    a = np.where(z > 0, z, 0.04 * z)
    assert cost == pytest.approx(0.5 * ((a - [0.0, 1.0]) ** 2).sum())
    assert grads[1]["bias"].tolist() == pytest.approx((a - [0.0, 1.0]) * np.where(z > 0, 1.0, 0.04))


@settings(max_examples=10, deadline=None)
@given(st.one_of(large_cnn2d(), large_rnn(), cnn1d(), dense_norms().map(lambda drawn: drawn[0])))
def test_the_torch_module_equals_the_numpy_one(data: dict[str, Any]) -> None:
    """--backend torch writes the same statements in PyTorch: the same numbers, as tensors of x's dtype."""
    import torch

    stack = read_stack(data, graph=False)
    numbers = stack_numbers(stack, None)
    cost, grads = stack_gradient_function(stack)(numbers.x, numbers.y, numbers.parameters, numbers.masks)
    args = (torch.tensor(numbers.x), numbers.y, numbers.parameters, numbers.masks)
    tcost, tgrads = stack_gradient_function(stack, "torch")(*args)
    close(tcost, cost, GRAPH_TOLERANCE, "cost")
    for number, table in grads.items():
        for name, gradient in table.items():
            assert isinstance(tgrads[number][name], torch.Tensor) and tgrads[number][name].dtype == torch.float64
            close(tgrads[number][name].numpy(), gradient, GRAPH_TOLERANCE, f"layer {number} {name}")


def test_the_torch_module_keeps_float32() -> None:
    import torch

    data = SMALL["maxpool2d with overlapping windows, batchnorm2d, l2"]
    stack = read_stack(data)
    numbers = stack_numbers(stack, None)
    x = torch.tensor(numbers.x, dtype=torch.float32)
    _, grads = stack_gradient_function(stack, "torch")(x, numbers.y, numbers.parameters)
    assert grads[1]["weight"].dtype == torch.float32
