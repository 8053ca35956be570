"""Gradients written into kept buffers: ``gradient_function(reuse=True)`` and the NumPy module's ``out``.

A reusing function gives the numbers the plain one gives, bit for bit (the same products, written into the
caller's arrays instead of new ones), returns the same arrays at every call of a dtype, and is refused for the
backends that manage their own memory. The module's ``out`` is what it is built on.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.codegen.modules import module_source

from ..codegen_strategies import points
from ..strategies import networks
from .test_codegen import arguments


def _same(first: tuple, second: tuple) -> None:
    cost, grads = first[0], first[1] + first[2]
    assert cost == second[0] or (cost != cost and second[0] != second[0])
    assert len(grads) == len(second[1] + second[2])
    for ours, theirs in zip(grads, second[1] + second[2], strict=True):
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape and ours.flags.c_contiguous
        assert np.array_equal(ours, theirs, equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), net=networks(max_depth=3, max_width=4), dtype=st.sampled_from(["float64", "float32"]))
def test_reusing_gives_the_plain_numbers_in_the_same_arrays(data, net, dtype):
    values = data.draw(points(net, max_samples=5))
    x, y, w, b = arguments(net, values)
    x, y = x.astype(dtype), y.astype(dtype)
    plain, reusing = net.gradient_function(), net.gradient_function(reuse=True)
    first = reusing(x, y, w, b)
    _same(first, plain(x, y, w, b))
    assert all(g.dtype == np.dtype(dtype) for g in first[1] + first[2])
    again = reusing(x[::-1].copy(), y[::-1].copy(), [2.0 * a for a in w], b)  # new numbers, the same arrays
    assert all(ours is theirs for ours, theirs in zip(first[1] + first[2], again[1] + again[2], strict=True))
    _same(again, plain(x[::-1].copy(), y[::-1].copy(), [2.0 * a for a in w], b))


@pytest.mark.parametrize("samples", [1, 2, 70])
@pytest.mark.parametrize("layers", [[3, 256, 256, 4], [3, 300, 2]])
def test_the_modules_out_at_every_product_form(layers, samples):
    """One sample's outer products as numpy.dot and as einsum (a power-of-two width of 256), and BLAS's products
    from two samples, written into the caller's arrays: the module's numbers, into exactly those arrays."""
    net = sbp.Network(layers=layers, activation=["tanh"] * (len(layers) - 2) + ["softmax"], cost="cross_entropy")
    namespace: dict = {}
    exec(module_source(net), namespace)
    gradient = namespace["gradient"]
    rng = np.random.default_rng(samples)
    x, y = rng.normal(size=(samples, layers[0])), np.eye(layers[-1])[rng.integers(layers[-1], size=samples)]
    w = [rng.normal(size=(m, k)) / np.sqrt(k) for k, m in itertools.pairwise(layers)]
    b = [rng.normal(size=m) for m in layers[1:]]
    plain = gradient(x, y, w, b)
    out = ([np.full_like(g, np.nan) for g in plain[1]], [np.full_like(g, np.nan) for g in plain[2]])
    written = gradient(x, y, w, b, out=out)
    _same(written, plain)
    assert all(ours is theirs for ours, theirs in zip(written[1] + written[2], out[0] + out[1], strict=True))


def test_a_shared_bias_and_no_bias_are_written_too():
    for bias, shapes in [("layer", [(1,), (1,)]), ("none", [])]:
        net = sbp.Network(layers=[3, 2, 2], activation="sigmoid", cost="sse", bias=bias)
        f = net.gradient_function(reuse=True)
        rng = np.random.default_rng(0)
        args = (rng.normal(size=(4, 3)), rng.uniform(size=(4, 2)), [rng.normal(size=(2, 3)), rng.normal(size=(2, 2))])
        biases = [np.array([0.1]), np.array([-0.2])] if bias == "layer" else []
        first, again = f(*args, biases), f(*args, biases)
        assert [g.shape for g in first[2]] == shapes and all(a is b for a, b in zip(first[2], again[2], strict=True))
        _same(first, net.gradient_function()(*args, biases))


def test_reuse_is_refused_where_it_cannot_be_kept():
    net = sbp.Network(layers=[2, 2])
    for backend in ("torch", "jax"):
        with pytest.raises(sbp.SpecError, match="reuse is for the NumPy backend"):
            net.gradient_function(backend=backend, reuse=True)
    for wrong in (1, "yes", None):
        with pytest.raises(sbp.SpecError, match="reuse must be True or False"):
            net.gradient_function(reuse=wrong)  # type: ignore[arg-type]


def test_the_other_backends_modules_take_no_out():
    net = sbp.Network(layers=[2, 3, 2])
    assert "def gradient(x, y, weights, biases=(), out=None):" in module_source(net)
    for backend in ("torch", "jax"):
        source = module_source(net, backend)
        assert "def gradient(x, y, weights, biases=()):" in source and "out is None" not in source


def _inputs(samples: int) -> tuple:
    rng = np.random.default_rng(samples)
    x, y = rng.normal(size=(samples, 3)), np.eye(2)[rng.integers(2, size=samples)]
    return x, y, [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))], [rng.normal(size=4), rng.normal(size=2)]


@pytest.mark.parametrize("samples", [1, 4])
@pytest.mark.parametrize("check", [True, "once", False])
@pytest.mark.parametrize("form", ["list of float32", "big-endian float64", "torch float32", "jax float32"])
def test_the_kept_arrays_have_the_dtype_the_module_computes_in(form, check, samples):
    """x as the module reads it (numpy.asarray): another library's array or a list of float32 numbers keeps
    float32, a big-endian array computes in native order; reuse's arrays must be of that dtype, or NumPy
    refuses them at one sample and casts into them at more."""
    x, y, w, b = _inputs(samples)
    if form == "list of float32":
        given = list(x.astype(np.float32))
    elif form == "big-endian float64":
        given = x.astype(">f8")
    else:
        library = pytest.importorskip(form.split()[0])  # CI installs both
        single = x.astype(np.float32)
        given = library.device_put(single) if form.startswith("jax") else library.from_numpy(single)
    net = sbp.Network(layers=[3, 4, 2], activation=["tanh", "softmax"], cost="cross_entropy")
    plain = net.gradient_function(check=check)(given, y, w, b)
    reused = net.gradient_function(check=check, reuse=True)(given, y, w, b)
    _same(reused, plain)
    assert all(g.dtype.isnative for g in reused[1] + reused[2])


def test_the_wrappers_show_no_out():
    """The module's ``out`` is its own: the checked and reusing functions take none and do not advertise one."""
    import inspect

    net = sbp.Network(layers=[3, 4, 2])
    for function in (
        net.gradient_function(),
        net.gradient_function(reuse=True),
        net.gradient_function(check=False, reuse=True),
    ):
        assert "out" not in inspect.signature(function).parameters
        assert "With out=" not in (function.__doc__ or "") and function.__name__ == "gradient"
    assert "out" in inspect.signature(net.gradient_function(check=False)).parameters  # the module itself
