"""Generated gradient code at every precision, from logits, compiled, and without its argument checks.

- The caller's dtype is kept: float32 in, float32 out (NumPy, PyTorch, JAX), float16 in NumPy, bfloat16 in
  PyTorch; the numbers are the float64 ones to the precision's own accuracy.
- A softmax or sigmoid output with a logarithmic cost is computed from its logits: at logit gaps of 10^3 and
  10^6 the cost and gradient are finite and equal PyTorch autograd through ``F.cross_entropy``,
  ``binary_cross_entropy_with_logits`` and ``logsigmoid``, where the probabilities round to 0 and 1.
- The JAX module runs under jax.jit and gives the NumPy module's numbers.
- ``check=False`` and ``check="once"`` give the same numbers; "once" checks the first call only.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.codegen.modules import module_source
from symbackprop.numeric import numbers as numeric

from ..codegen_strategies import points
from ..strategies import networks

LOGITS = [("softmax", "cross_entropy"), ("sigmoid", "cross_entropy"), ("sigmoid", "binary_cross_entropy")]


def args(values: numeric.Values, dtype=np.float64) -> tuple:
    return (
        values.x.astype(dtype),
        values.y.astype(dtype),
        [w.astype(dtype) for w in values.weights],
        [b.astype(dtype) for b in values.biases],
    )


def assert_near(ours: list, theirs: list, rtol: float, floor: float = 1e-2) -> None:
    """Equal to ``rtol`` of the largest entry of each array, or of ``floor``: a gradient that is 0 but for
    rounding (a dead relu, softmax's terms cancelling) is rounding at the scale of its terms, which are about
    1 here (inputs, targets and weights in [-1, 1])."""
    for g, r in zip(ours, theirs, strict=True):
        g, r = np.asarray(g, dtype=np.float64), np.asarray(r, dtype=np.float64)
        assert g.shape == r.shape
        scale = max(float(np.max(np.abs(r))) if r.size else 0.0, floor)
        np.testing.assert_allclose(g, r, rtol=rtol, atol=rtol * scale)


@given(st.data())
def test_float32_in_float32_out_with_the_float64_numbers(data):
    net = data.draw(networks(max_depth=3, max_width=4))
    values = data.draw(points(net))
    cost64, w64, b64 = net.gradient_function()(*args(values))
    cost32, w32, b32 = net.gradient_function()(*args(values, np.float32))
    assert {g.dtype for g in w32 + b32} == {np.dtype(np.float32)}
    assert type(cost32) is float and cost32 == pytest.approx(cost64, rel=1e-4, abs=1e-6)
    assert_near(w32 + b32, w64 + b64, rtol=1e-3)


def test_lists_and_integers_are_computed_in_float64():
    net = sbp.Network(layers=[2, 2], activation="sigmoid", cost="sse")
    _, grad_w, grad_b = net.gradient_function()([[1, 2]], [[0, 1]], [[[1, 0], [0, 1]]], [[0, 0]])
    assert grad_w[0].dtype == np.float64 and grad_b[0].dtype == np.float64


def test_float16_stays_float16_in_numpy():
    net = sbp.Network(layers=[3, 4, 2], activation=["tanh", "softmax"], cost="cross_entropy")
    values = numeric.random_values(net, samples=5, seed=3)
    _, w16, b16 = net.gradient_function()(*args(values, np.float16))
    _, w64, b64 = net.gradient_function()(*args(values))
    assert {g.dtype for g in w16 + b16} == {np.dtype(np.float16)}
    assert_near(w16 + b16, w64 + b64, rtol=2e-2)


@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_each_backend_keeps_float32(backend):
    pytest.importorskip(backend)
    net = sbp.Network(layers=[4, 5, 3], activation=["relu", "softmax"], cost="cross_entropy")
    values = numeric.random_values(net, samples=6, seed=5)
    cost, grad_w, grad_b = net.gradient_function(backend=backend)(*args(values, np.float32))
    ref_cost, ref_w, ref_b = net.gradient_function()(*args(values))
    assert {str(g.dtype).removeprefix("torch.") for g in grad_w + grad_b} == {"float32"}
    assert cost == pytest.approx(ref_cost, rel=1e-5)
    assert_near([np.asarray(g) for g in grad_w + grad_b], ref_w + ref_b, rtol=1e-4)


def test_torch_keeps_bfloat16():
    torch = pytest.importorskip("torch")
    net = sbp.Network(layers=[4, 5, 3], activation=["sigmoid", "softmax"], cost="cross_entropy")
    values = numeric.random_values(net, samples=6, seed=5)
    x, y = (torch.as_tensor(a).to(torch.bfloat16) for a in (values.x, values.y))
    weights = [torch.as_tensor(a).to(torch.bfloat16) for a in values.weights]
    biases = [torch.as_tensor(a).to(torch.bfloat16) for a in values.biases]
    _, grad_w, grad_b = net.gradient_function(backend="torch")(x, y, weights, biases)
    _, ref_w, ref_b = net.gradient_function()(*args(values))
    assert {g.dtype for g in grad_w + grad_b} == {torch.bfloat16}
    assert_near([g.float().numpy() for g in grad_w + grad_b], ref_w + ref_b, rtol=5e-2)


def torch_reference(net: sbp.Network, values: numeric.Values):
    """Mean cost and gradients by PyTorch autograd in float64, the output's cost from its logits as PyTorch
    users write it: F.cross_entropy with probability targets, binary_cross_entropy_with_logits, logsigmoid."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    ws = [torch.tensor(w, requires_grad=True) for w in values.weights]
    bs = [torch.tensor(b, requires_grad=True) for b in values.biases]
    a, y, n = torch.tensor(values.x), torch.tensor(values.y), values.x.shape[0]
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "identity": lambda z: z}
    for layer, (w, b) in enumerate(zip(ws, bs, strict=True), start=1):
        z = a @ w.T + b
        a = z if layer == net.depth else act[net.spec.activations[layer - 1]](z)
    pair = (net.spec.activations[-1], net.spec.cost)
    if pair == ("softmax", "cross_entropy"):
        cost = functional.cross_entropy(a, y, reduction="sum") / n
    elif pair == ("sigmoid", "binary_cross_entropy"):
        cost = functional.binary_cross_entropy_with_logits(a, y, reduction="sum") / n
    else:
        cost = -(y * functional.logsigmoid(a)).sum() / n
    cost.backward()
    return cost.item(), [w.grad.numpy() for w in ws], [b.grad.numpy() for b in bs]


@settings(max_examples=60)
@given(st.data())
def test_saturated_logits_give_pytorchs_finite_cost_and_gradient(data):
    net = data.draw(networks(max_depth=2, max_width=3))
    output, cost = data.draw(st.sampled_from(LOGITS if net.layers[-1] > 1 else LOGITS[1:]))
    hidden = [a if a in ("sigmoid", "tanh", "relu", "identity") else "tanh" for a in net.spec.activations[:-1]]
    net = sbp.Network(layers=list(net.layers), activation=[*hidden, output], cost=cost)
    values = data.draw(points(net, max_samples=3))
    gap = data.draw(st.sampled_from([1.0, 1e3, 1e6]))
    values = numeric.Values(values.x, values.y, (*values.weights[:-1], values.weights[-1] * gap), values.biases)
    ours = net.gradient_function()(*args(values))
    theirs = torch_reference(net, values)
    assert np.isfinite(ours[0]) and all(np.all(np.isfinite(g)) for g in ours[1] + ours[2])
    assert ours[0] == pytest.approx(theirs[0], rel=1e-9, abs=1e-12)
    assert_near(ours[1] + ours[2], theirs[1] + theirs[2], rtol=1e-9)


@pytest.mark.parametrize("output,cost", LOGITS)
def test_a_logit_gap_of_a_million_is_finite_in_every_backend(output, cost):
    net = sbp.Network(layers=[2, 2], activation=output, cost=cost)
    x, y, w, b = [[1.0, -1.0]], [[0.0, 1.0]], [np.array([[5e5, -5e5], [-5e5, 5e5]])], [np.zeros(2)]
    numbers = {backend: net.gradient_function(backend=backend)(x, y, w, b) for backend in ("numpy", "torch", "jax")}
    reference = torch_reference(net, numeric.Values(np.array(x), np.array(y), tuple(w), tuple(b)))
    for got in numbers.values():
        assert got[0] == pytest.approx(reference[0], rel=1e-12)
        assert_near([np.asarray(g) for g in got[1] + got[2]], reference[1] + reference[2], rtol=1e-12)


def test_softmax_cross_entropy_keeps_the_targets_sum_so_any_targets_are_right():
    """The delta is a sum_k y_k - y: a - y only when each row of targets sums to 1, and right either way."""
    net = sbp.Network(layers=[2, 3], activation="softmax", cost="cross_entropy")
    source = module_source(net)
    assert "Delta1 = A1 * _row_sums(Y)" in source and "Delta1 -= Y" in source
    values = numeric.random_values(net, samples=3, seed=4)
    unnormalised = numeric.Values(values.x, values.y * 3.0, values.weights, values.biases)
    _, grad_w, _ = net.gradient_function()(*args(unnormalised))
    ref_w, _ = numeric.gradient_of_mean_cost(net)(unnormalised)
    assert_near(grad_w, ref_w, rtol=1e-12)


def test_the_jax_module_is_compiled_by_jit():
    jax = pytest.importorskip("jax")
    net = sbp.Network(layers=[3, 4, 2], activation=["relu", "identity"], cost="cross_entropy")
    source = module_source(net, "jax")
    assert "@jax.jit\ndef _arithmetic(x, y, weights, biases):" in source
    namespace: dict = {}
    exec(source, namespace)
    assert isinstance(namespace["_arithmetic"], type(jax.jit(lambda v: v)))
    with pytest.raises(ValueError, match=r"output a_0\^\(L\) = -?\d.* but ln needs it above 0"):
        weights, biases = [-np.ones((4, 3)), np.ones((2, 4))], [np.zeros(4), np.zeros(2)]
        namespace["gradient"]([[1.0, 1.0, 1.0]], [[1.0, 0.0]], weights, biases)


def test_check_false_and_once_give_the_checked_numbers():
    net = sbp.Network(layers=[3, 4, 2], activation="tanh", cost="sse")
    values = numeric.random_values(net, samples=4, seed=1)
    checked = net.gradient_function()(*args(values))
    for check in (False, "once"):
        fast = net.gradient_function(check=check)
        for _ in range(2):
            got = fast(*args(values))
            assert got[0] == checked[0]
            assert_near(got[1] + got[2], checked[1] + checked[2], rtol=0.0)


def test_once_checks_the_first_call_and_then_trusts_the_caller():
    net = sbp.Network(layers=[3, 2], activation="tanh", cost="sse")
    values = numeric.random_values(net, samples=1, seed=1)
    fast = net.gradient_function(check="once")
    with pytest.raises(sbp.SpecError, match=r"weights\[0\]: must be shaped \(2, 3\)"):
        fast(values.x, values.y, [np.ones((3, 2))], list(values.biases))  # the first call: checked
    fast(*args(values))  # checked, and right
    with pytest.raises(ValueError, match="matmul"):  # trusted now: NumPy's own error, not a SpecError
        fast(values.x, values.y, [np.ones((3, 2))], list(values.biases))
    with pytest.raises(sbp.SpecError, match="check must be True, False or 'once'"):
        net.gradient_function(check="sometimes")


@given(st.data())
def test_the_exact_shapes_fast_path_passes_only_what_the_full_check_passes(data):
    from symbackprop.codegen import arguments

    net = data.draw(networks(max_depth=2, max_width=3))
    values = data.draw(points(net, max_samples=2))
    dtype = data.draw(st.sampled_from([np.float64, np.float32, np.int64]))
    x, y, weights, biases = args(values, dtype)
    if data.draw(st.booleans()):  # one argument transposed, flattened or dropped
        which = data.draw(st.integers(0, 3))
        if which == 0:
            x = x.T
        elif which == 1:
            y = y.reshape(-1)
        elif which == 2:
            weights = [w.T for w in weights]
        else:
            biases = biases[:-1]
    if arguments.Shapes(net).exact(x, y, weights, biases):
        passed = arguments.checked(net, x, y, weights, biases)  # passes the full check, each array unchanged
        assert all(a is b for a, b in zip(passed[2] + passed[3], weights + biases, strict=True))


def test_other_libraries_arrays_reach_every_backend_and_odd_dtypes_are_named():
    """A tensor into the JAX code, a longdouble into PyTorch's, each computed (longdouble in float64); complex or
    boolean tensors are a SpecError naming the argument, as the same numbers as NumPy arrays are."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("jax")
    net = sbp.Network(layers=[2, 3, 2], activation=["tanh", "sigmoid"], cost="sse")
    values = numeric.random_values(net, samples=2, seed=3)
    reference = net.gradient_function()(*args(values))[0]
    tensors = (torch.tensor(values.x), torch.tensor(values.y), [torch.tensor(w) for w in values.weights])
    assert net.gradient_function(backend="jax")(*tensors, [torch.tensor(b) for b in values.biases])[0] == pytest.approx(
        reference, rel=1e-12
    )
    for backend in ("numpy", "torch", "jax"):
        cost, grad_w, _ = net.gradient_function(backend=backend)(values.x.astype(np.longdouble), *args(values)[1:])
        assert cost == pytest.approx(reference, rel=1e-12) and str(grad_w[0].dtype).endswith("float64")
    for odd in (torch.tensor(values.x, dtype=torch.complex128), torch.tensor(values.x) > 0):
        with pytest.raises(sbp.SpecError, match=r"x: must be an array .* of real numbers, got torch"):
            net.gradient_function(backend="torch")(odd, *tensors[1:], [torch.tensor(b) for b in values.biases])


@pytest.mark.parametrize("check", [0, 1, np.False_, "never", None])
def test_check_is_true_false_or_once_exactly(check):
    with pytest.raises(sbp.SpecError, match="check must be True, False or 'once'"):
        sbp.Network(layers=[2, 2]).gradient_function(check=check)
