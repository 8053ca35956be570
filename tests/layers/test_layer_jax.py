"""The vectorised JAX module codegen writes for a layer stack (``--backend jax``): one function under jax.jit with
the backward pass written out, whose cost and every gradient equal PyTorch's own modules' (autograd through torch.nn)
and the NumPy module's to 1e-10 in float64, on random stacks and shapes of every kind drawn by hypothesis; max
pooling's tie to the first maximum, as PyTorch's; x's dtype kept; the same text on a second run; and the spec's
text (a title, an activation's name) kept in comments, never code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.codegen.layer_modules import stack_gradient_function, stack_module_source
from symbackprop.model.layers.numbers import StackNumbers, stack_numbers
from symbackprop.model.layers.stack import read_stack

from .test_against_torch import cnn1d, cnn2d, dense_norms, recurrent, windows
from .test_layer_codegen import ACTIVATIONS, SMALL, close, large_cnn2d, large_rnn
from .test_pool_ties import tied_conv_pool
from .torch_mirror import torch_run

jax = pytest.importorskip("jax")  # CI installs it (.ci/run); the module needs it to run

TOLERANCE = 1e-10


def numbers_of(data: dict[str, Any]) -> tuple[Any, StackNumbers]:
    stack = read_stack(data, graph=False)
    return stack, stack_numbers(stack, data.get("values"))


def jax_module(data: dict[str, Any]) -> tuple[float, dict[int, dict[str, Any]]]:
    stack, numbers = numbers_of(data)
    return stack_gradient_function(stack, "jax")(numbers.x, numbers.y, numbers.parameters, numbers.masks)


def same(ours: tuple[float, dict[int, dict[str, Any]]], theirs: tuple[float, dict[int, dict[str, Any]]]) -> None:
    """The same cost and the same gradients, parameter by parameter, to TOLERANCE; the JAX side JAX arrays."""
    close(ours[0], theirs[0], TOLERANCE, "cost")
    assert isinstance(ours[0], float)
    assert set(ours[1]) == set(theirs[1])
    for number, table in theirs[1].items():
        assert set(ours[1][number]) == set(table), number
        for name, expected in table.items():
            got = ours[1][number][name]
            assert isinstance(got, jax.Array) and got.dtype == np.float64, (number, name, type(got))
            close(np.asarray(got), expected, TOLERANCE, f"layer {number} {name}")


def agrees_with_torch_and_numpy(data: dict[str, Any]) -> None:
    stack, numbers = numbers_of(data)
    ours = stack_gradient_function(stack, "jax")(numbers.x, numbers.y, numbers.parameters, numbers.masks)
    theirs = torch_run(stack, numbers)
    same(ours, (theirs["cost"], {k: t for k, t in theirs["gradients"].items() if t}))
    same(ours, stack_gradient_function(stack)(numbers.x, numbers.y, numbers.parameters, numbers.masks))


@settings(max_examples=12, deadline=None)
@given(st.one_of(large_cnn2d(), large_rnn(), cnn1d(), cnn2d(), recurrent()))
def test_the_jax_module_equals_torch_and_numpy(data: dict[str, Any]) -> None:
    """Convolution (1d, 2d, padding, stride), max and average pooling, batch norm, flatten, dense, every activation
    the strategies draw, rnn on its last step and on every step, layer norm, the L2 term."""
    agrees_with_torch_and_numpy(data)


@st.composite
def stacked_convolutions(draw: st.DrawFn) -> dict[str, Any]:
    """Two convolutions (1d or 2d), each of any kernel, stride and padding (padding past the kernel too), and maybe a
    pool between them that overlaps or tiles: the lower convolution's parameters need the upper one's dC/dX, the full
    convolution with the flipped kernel, through every stride and padding."""
    d = draw(st.integers(1, 2))
    channels, shape = draw(st.integers(1, 2)), [draw(st.integers(2, 9)) for _ in range(d)]
    sides, layers = list(shape), []
    for conv in range(2):
        padding, stride = draw(st.integers(0, 2)), draw(st.integers(1, 3))
        kernel = draw(st.integers(1, min(sides) + 2 * padding))
        layers.append(
            {"kind": f"conv{d}d", "out_channels": draw(st.integers(1, 3)), "kernel": kernel, "stride": stride}
        )
        layers[-1]["padding"] = padding
        layers.append({"kind": "activation", "activation": draw(st.sampled_from(["tanh", "relu", "identity"]))})
        sides = [(n + 2 * padding - kernel) // stride + 1 for n in sides]
        shared = sorted(set.intersection(*(set(windows(n)) for n in sides)) - {(1, 1)})
        if conv == 0 and shared and draw(st.booleans()):
            size, pool_stride = draw(st.sampled_from(shared))
            kind = draw(st.sampled_from(["maxpool2d", "avgpool2d"])) if d == 2 else "maxpool1d"
            layers.append({"kind": kind, "size": size, "stride": pool_stride})
            sides = [(n - size) // pool_stride + 1 for n in sides]
    layers += [{"kind": "flatten"}, {"kind": "dense", "size": draw(st.integers(1, 3))}]
    return {
        "input": [channels, *shape],
        "cost": "half_sse",
        "batch": draw(st.integers(1, 3)),
        "seed": draw(st.integers(0, 999)),
        "l2": draw(st.sampled_from([0.0, 0.1])),
        "layer": layers,
    }


@settings(max_examples=15, deadline=None)
@given(stacked_convolutions())
def test_a_convolution_above_another_passes_dx_as_torch_and_numpy(data: dict[str, Any]) -> None:
    agrees_with_torch_and_numpy(data)


@settings(max_examples=6, deadline=None)
@given(dense_norms())
def test_dense_norms_dropout_residual_equal_torch_and_numpy(drawn: tuple[dict[str, Any], int]) -> None:
    """Dropout with its fixed mask (torch.nn.Dropout's own draw), batch and layer norm, a residual, l2."""
    agrees_with_torch_and_numpy(drawn[0])


@pytest.mark.parametrize("name", list(SMALL))
def test_every_small_stack_equals_torch_and_numpy(name: str) -> None:
    agrees_with_torch_and_numpy(SMALL[name])


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("cost", ["sse", "half_sse", "mse", "cross_entropy", "binary_cross_entropy"])
def test_every_activation_and_cost_equals_the_numpy_module(act: str, cost: str) -> None:
    last = "softmax" if cost == "cross_entropy" else "sigmoid" if cost == "binary_cross_entropy" else "tanh"
    layers = [
        {"kind": "dense", "size": 3, "activation": act},
        {"kind": "activation", "activation": act},
        {"kind": "dense", "size": 2, "activation": last},
    ]
    data = {"input": 2, "cost": cost, "batch": 3, "seed": 1, "layer": layers}
    stack, numbers = numbers_of(data)
    same(jax_module(data), stack_gradient_function(stack)(numbers.x, numbers.y, numbers.parameters))


@settings(max_examples=10, deadline=None)
@given(tied_conv_pool())
def test_a_tied_max_pool_routes_to_the_first_maximum_as_torch(data: dict[str, Any]) -> None:
    """Whole-number weights and inputs, so a pool's window ties: the convolution's gradients depend on which tied
    entry takes the window's gradient, and they are PyTorch's (its first maximum in row-major order)."""
    agrees_with_torch_and_numpy(data)


def test_a_tie_in_one_window_goes_to_its_first_maximum() -> None:
    """A 1x1 convolution of two channels, weight (1, -1), whose four outputs in a 2x2 max pool's window tie at 1 from
    four different inputs: the weight's gradient is the first entry's input (1, 0) times the window's gradient, as in
    PyTorch; routed to another entry it would be (2, 1), (3, 2) or (0, 1) times it."""
    x = [[[[1.0, 2.0], [3.0, 0.0]], [[0.0, 1.0], [2.0, -1.0]]]]
    data = {
        "input": [2, 2, 2],
        "cost": "sse",
        "layer": [
            {"kind": "conv2d", "out_channels": 1, "kernel": 1},
            {"kind": "maxpool2d", "size": 2},
            {"kind": "flatten"},
        ],
        "values": {"x": x, "y": [[0.0]], "layer": {"1": {"weight": [[[[1.0]], [[-1.0]]]], "bias": [0.5]}}},
    }
    cost, grads = jax_module(data)
    assert cost == pytest.approx(1.5**2, abs=1e-12)  # the window's max, 1 + 0.5, against 0
    assert np.asarray(grads[1]["weight"]).ravel().tolist() == pytest.approx([3.0, 0.0], abs=1e-12)  # 2 (1.5) (1, 0)
    assert float(grads[1]["bias"][0]) == pytest.approx(3.0, abs=1e-12)
    agrees_with_torch_and_numpy(data)


def test_the_module_is_one_jitted_function_with_the_gradient_written_out() -> None:
    stack = read_stack(SMALL["rnn on every step, dense on each step"], graph=False)
    source = stack_module_source(stack, "jax")
    assert "@jax.jit\ndef _arithmetic(x, y, W_ih1, W_hh1, b_ih1, b_hh1, W2, b2):" in source
    assert "jax.lax.scan(back," in source  # back-propagation through time, written out
    for automatic in ("jax.grad", "jax.vjp", "value_and_grad", "jax.jvp", "import numpy"):
        assert automatic not in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    assert isinstance(namespace["_arithmetic"], type(jax.jit(lambda v: v)))


def test_float32_stays_float32_and_near_float64() -> None:
    data = SMALL["maxpool2d with overlapping windows, batchnorm2d, l2"]
    stack, numbers = numbers_of(data)
    gradient = stack_gradient_function(stack, "jax")
    single = {k: {n: a.astype(np.float32) for n, a in t.items()} for k, t in numbers.parameters.items()}
    cost32, grads32 = gradient(numbers.x.astype(np.float32), numbers.y, single)
    cost64, grads64 = gradient(numbers.x.tolist(), numbers.y, numbers.parameters)  # lists: float64
    assert grads32[1]["weight"].dtype == np.float32 and grads64[1]["weight"].dtype == np.float64
    close(cost32, cost64, 1e-5, "cost")
    close(np.asarray(grads32[5]["weight"]), np.asarray(grads64[5]["weight"]), 1e-4, "dense weight")


def test_bad_arguments_name_what_is_wrong() -> None:
    data = SMALL["dense, layernorm, dropout, residual"]
    stack, numbers = numbers_of(data)
    gradient = stack_gradient_function(stack, "jax")
    with pytest.raises(ValueError, match=r"masks\[3\]: missing"):
        gradient(numbers.x, numbers.y, numbers.parameters)
    with pytest.raises(ValueError, match=r"parameters\[1\]\['weight'\]: must be shaped \(4, 3\)"):
        gradient(numbers.x, numbers.y, {1: {"weight": np.zeros((3, 4)), "bias": np.zeros(4)}}, numbers.masks)
    with pytest.raises(ValueError, match=r"x: must be shaped \(samples, 3\)"):
        gradient(numbers.x[:, :2], numbers.y, numbers.parameters, numbers.masks)
    keyed = {str(k): v for k, v in numbers.parameters.items()}  # as evaluate --json numbers them
    assert gradient(numbers.x, numbers.y, keyed, {"3": numbers.masks[3]})[0] == pytest.approx(
        gradient(numbers.x, numbers.y, numbers.parameters, numbers.masks)[0], abs=1e-12
    )


@pytest.mark.parametrize("name", list(SMALL))
def test_the_same_stack_gives_the_same_text(name: str) -> None:
    first = stack_module_source(read_stack(SMALL[name]), "jax")
    assert first == stack_module_source(read_stack(SMALL[name]), "jax")
    compile(first, "<generated>", "exec")


def test_codegen_twice_writes_the_same_bytes(tmp_path: Path, cmdline) -> None:
    outputs = [tmp_path / "one.py", tmp_path / "two.py"]
    for out in outputs:
        done = cmdline.run("codegen", "example:small-cnn", "--backend", "jax", "-o", str(out))
        assert done.returncode == 0, done.stderr
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    assert b"@jax.jit" in outputs[0].read_bytes()


def test_a_title_stays_a_comment() -> None:
    """The spec's title is the user's text: whatever it holds, it cannot end the docstring or start a statement."""
    data = {**SMALL["a residual from the input"], "title": 'x""" ; raise SystemExit  # \\ \u2028 end'}
    source = stack_module_source(read_stack(data), "jax")
    namespace: dict[str, Any] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    assert [line for line in source.splitlines() if "SystemExit" in line] == ['# x""" ; raise SystemExit # \\ end']


@pytest.mark.parametrize("end", ["\n", "\r", "\r\n", " \n  "])
def test_an_activation_name_with_a_line_end_stays_in_its_comment(end: str) -> None:
    slope = f"leaky_relu:0.2{end}"
    data = {
        "input": 3,
        "cost": "half_sse",
        "layer": [{"kind": "dense", "size": 2, "activation": slope}, {"kind": "activation", "activation": slope}],
    }
    stack = read_stack(data)
    source = stack_module_source(stack, "jax")
    assert all(line.lstrip().startswith("#") or "leaky_relu" not in line for line in source.splitlines()[5:])
    cost, grads = stack_gradient_function(stack, "jax")(
        [[1.0, -2.0, 0.5]], [[0.0, 1.0]], {1: {"weight": [[0.5, -0.5, 1.0], [1.0, 2.0, -1.0]], "bias": [0.0, 0.0]}}
    )
    z = np.array([0.5 * 1 + 1.0 + 0.5, 1.0 - 4.0 - 0.5])
    a = np.where(z > 0, z, 0.04 * z)
    assert cost == pytest.approx(0.5 * ((a - [0.0, 1.0]) ** 2).sum())
    assert np.asarray(grads[1]["bias"]).tolist() == pytest.approx((a - [0.0, 1.0]) * np.where(z > 0, 1.0, 0.04))


def test_a_stack_without_parameters_gives_its_cost() -> None:
    data = {"input": 3, "cost": "sse", "batch": 2, "layer": [{"kind": "activation", "activation": "tanh"}]}
    stack, numbers = numbers_of(data)
    assert "def _arithmetic(x, y):" in stack_module_source(stack, "jax")
    cost, grads = jax_module(data)
    assert grads == {}
    close(cost, ((np.tanh(numbers.x) - numbers.y) ** 2).sum() / 2, 1e-12, "cost")
