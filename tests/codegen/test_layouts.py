"""The NumPy module's faster forms compute the same numbers as the plain ones, at every batch size.

The module chooses some products and layouts by the batch size and the widths (measured in issue 20): BP3's
1^T Delta as a product with a vector of ones, a sum of squares as ``vdot``, relu against a row of zeros, a
softmax output's logits laid out by columns, the first layer's products transposed at a batch of 64 or fewer
(not in float64 when that layer is 256 wide or wider),
and a one-sample outer product by einsum where a row of A is a power of two of 2 KiB or more. Each is held here
to the engine's element formulas on both sides of its switch, and its results stay plain C-ordered arrays of
the caller's dtype.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.codegen.modules import module_source
from symbackprop.numeric import numbers as numeric

from .test_codegen import arguments, assert_close

PAIRS = [
    (["relu", "relu", "softmax"], "cross_entropy"),
    (["sigmoid", "sigmoid", "sigmoid"], "sse"),
    (["sigmoid", "tanh", "sigmoid"], "binary_cross_entropy"),
    (["softplus", "leaky_relu", "softmax"], "sse"),
]


def assert_like_the_engine(net: sbp.Network, values: numeric.Values, rtol: float = 1e-12) -> None:
    cost, grad_w, grad_b = net.gradient_function()(*arguments(net, values))
    ref_w, ref_b = numeric.gradient_of_mean_cost(net)(values)
    assert cost == pytest.approx(numeric.mean_cost(net, values), rel=rtol, abs=1e-300)
    assert_close(grad_w, ref_w, rtol=rtol)
    assert_close(grad_b, ref_b, rtol=rtol)
    assert all(g.flags.c_contiguous and g.dtype == np.float64 for g in grad_w + grad_b)


def assert_float32_like_float64(net: sbp.Network, values: numeric.Values) -> None:
    """The module in float32 gives float32 arrays, C-ordered, close to its float64 numbers."""
    x, y, w, b = arguments(net, values)
    cost32, w32, b32 = net.gradient_function()(x.astype(np.float32), y.astype(np.float32), w, b)
    cost64, w64, b64 = net.gradient_function()(x, y, w, b)
    assert cost32 == pytest.approx(cost64, rel=1e-5)
    for g32, g64 in zip(w32 + b32, w64 + b64, strict=True):
        assert g32.dtype == np.float32 and g32.flags.c_contiguous
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-5 * max(1.0, float(np.abs(g64).max())))


@pytest.mark.parametrize("activation,cost", PAIRS)
@pytest.mark.parametrize("samples", [1, 2, 64, 65, 130])
def test_every_batch_size_gives_the_element_formulas(activation, cost, samples):
    """64 and 65 sit on either side of the first layer's transposed products."""
    net = sbp.Network(layers=[7, 5, 4, 3], activation=activation, cost=cost)
    assert_like_the_engine(net, numeric.random_values(net, samples=samples, seed=samples))


@pytest.mark.parametrize("samples", [1, 64, 65])
def test_a_wide_first_layer_chooses_its_products_by_dtype_and_gives_the_same_numbers(samples):
    """256 wide: plain products in float64 at any batch, transposed ones in float32 up to 64 (the switch's
    two conditions), each held to the engine's numbers (float64) or to float64's result (float32)."""
    net = sbp.Network(layers=[5, 256, 3, 2], activation=["tanh", "relu", "softmax"], cost="cross_entropy")
    assert "Z1 = A0 @ W1.T if n > 64 or A0.itemsize == 8 else (W1 @ A0.T).T" in module_source(net)
    values = numeric.random_values(net, samples=samples, seed=samples)
    assert_like_the_engine(net, values)
    assert_float32_like_float64(net, values)


@settings(max_examples=10, deadline=None)
@given(samples=st.integers(1, 140), seed=st.integers(0, 2**16))
def test_relu_and_softmax_at_any_batch_in_float32_and_float64(samples, seed):
    net = sbp.Network(layers=[9, 6, 4], activation=["relu", "softmax"], cost="cross_entropy")
    values = numeric.random_values(net, samples=samples, seed=seed)
    assert_like_the_engine(net, values)
    assert_float32_like_float64(net, values)


@pytest.mark.parametrize("hidden", ["relu", "sigmoid"])
def test_a_one_sample_outer_product_of_a_power_of_two_width_is_the_same_numbers(hidden):
    """Layers of 256 in float64 take ``_outer``'s einsum; each entry is one multiplication, as numpy.dot's."""
    net = sbp.Network(layers=[3, 256, 256, 4], activation=[hidden, hidden, "softmax"], cost="cross_entropy")
    source = module_source(net)
    assert "else _outer(Delta2, A1)" in source and "else _outer(Delta3, A2)" in source
    assert "else numpy.dot(Delta1.T, A0)" in source  # 3 inputs: not a power of two of 256 or more
    values = numeric.random_values(net, samples=1, seed=5)
    x, y, w, b = arguments(net, values)
    one = net.gradient_function()(x, y, w, b)
    two = net.gradient_function()(np.vstack([x, x]), np.vstack([y, y]), w, b)  # n = 2: Delta^T A, no _outer
    assert one[0] == pytest.approx(two[0], rel=1e-14)
    assert_close(one[1] + one[2], two[1] + two[2], rtol=1e-13)
    namespace: dict = {}
    exec(source, namespace)
    rng = np.random.default_rng(0)
    for dtype, m, k in [(np.float64, 256, 256), (np.float64, 512, 512), (np.float32, 1024, 1024), (np.float32, 8, 4)]:
        d, a = rng.normal(size=(1, m)).astype(dtype), rng.normal(size=(1, k)).astype(dtype)
        ours = namespace["_outer"](d, a)
        assert ours.dtype == dtype and ours.flags.c_contiguous
        assert np.array_equal(ours, np.dot(d.T, a))


def test_the_written_forms():
    """The faster forms are the ones written: the bias gradient as 1^T Delta, the sum of squares as a dot
    product, relu against zeros, the softmax logits by columns, the first layer's products chosen by batch."""
    relu = module_source(sbp.Network(layers=[784, 128, 64, 10], activation=["relu", "relu", "softmax"]))
    assert "ones = numpy.ones(n, dtype=A0.dtype)" in relu and "db1 = ones @ Delta1" in relu
    assert "A1 = _relu(Z1, out=Z1)" in relu and "Z3 = numpy.asfortranarray(A2 @ W3.T)" in relu
    assert "Z1 = A0 @ W1.T if n > 64 else (W1 @ A0.T).T" in relu
    assert "Delta1 = Delta2 @ W2 if n > 64 else (W2.T @ Delta2.T).T" in relu
    wide = module_source(sbp.Network(layers=[784, 512, 512, 10], activation=["relu", "relu", "softmax"]))
    assert "Delta1 = Delta2 @ W2 if n > 64 or A0.itemsize == 8 else (W2.T @ Delta2.T).T" in wide
    sse = module_source(sbp.Network(layers=[784, 128, 64, 10], activation="sigmoid", cost="sse"))
    assert "cost = float((1/n) * numpy.vdot(S1, S1))" in sse


def test_relu_is_numpys_maximum_with_zero_bit_for_bit():
    namespace: dict = {}
    exec(module_source(sbp.Network(layers=[3, 4, 2], activation=["relu", "sigmoid"])), namespace)
    z = np.array([[-2.0, -0.0, 0.0, 3.5, np.nan, -np.inf, np.inf, 1e-310]])
    for dtype in (np.float64, np.float32, np.float16):
        expected = np.maximum(z.astype(dtype), 0.0)
        ours = namespace["_relu"](z.astype(dtype))
        assert ours.dtype == dtype and np.array_equal(ours, expected, equal_nan=True)
        assert np.array_equal(np.signbit(ours), np.signbit(expected))
        inplace = z.astype(dtype)
        assert namespace["_relu"](inplace, out=inplace) is inplace
