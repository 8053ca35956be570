"""Gradients written into kept buffers: ``gradient_function(reuse=True)`` and the NumPy module's ``out``.

A reusing function gives the numbers the plain one gives, bit for bit (the same products, written into the
caller's arrays instead of new ones), returns the same arrays at every call of a dtype, and is refused for the
backends that manage their own memory. The module's ``out`` is what it is built on.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.codegen import workspace
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


@pytest.mark.parametrize("kept", ["large temporaries", "every temporary"])
@settings(max_examples=40, deadline=None)
@given(data=st.data(), net=networks(max_depth=3, max_width=4), dtype=st.sampled_from(["float64", "float32"]))
def test_reusing_gives_the_plain_numbers_in_the_same_arrays(kept, data, net, dtype):
    """At these sizes the reusing function runs the printed module (its temporaries are small); with the size
    limit at 0 it runs the working variant, whose every temporary is kept: the same numbers either way."""
    values = data.draw(points(net, max_samples=5))
    x, y, w, b = arguments(net, values)
    x, y = x.astype(dtype), y.astype(dtype)
    with pytest.MonkeyPatch.context() as patch:
        if kept == "every temporary":
            patch.setattr(workspace, "SMALL", 0)
        plain, reusing = net.gradient_function(), net.gradient_function(reuse=True)
        first = reusing(x, y, w, b)
        _same(first, plain(x, y, w, b))
        assert all(g.dtype == np.dtype(dtype) for g in first[1] + first[2])
        again = reusing(x[::-1].copy(), y[::-1].copy(), [2.0 * a for a in w], b)  # new numbers, the same arrays
        assert all(ours is theirs for ours, theirs in zip(first[1] + first[2], again[1] + again[2], strict=True))
        _same(again, plain(x[::-1].copy(), y[::-1].copy(), [2.0 * a for a in w], b))


def _wide(samples: int, dtype: str, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(samples, 300)).astype(dtype), np.eye(10)[rng.integers(10, size=samples)]
    w = [rng.normal(size=(200, 300)) / 17, rng.normal(size=(10, 200)) / 14]
    return x, y, [a.astype(dtype) for a in w], [rng.normal(size=200).astype(dtype), np.zeros(10, dtype)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "softplus", "identity", "leaky_relu"])
def test_temporaries_are_kept_at_real_sizes(hidden, dtype):
    """300-200-10 at batch 400 (temporaries of 320-640 KB): after its first call, a reusing call allocates less
    than one temporary (tracemalloc sees NumPy's arrays), where the plain one allocates several; the numbers
    are the plain function's, bit for bit, for new numbers of the same shapes. leaky_relu's numpy.where, which
    takes no out, still allocates (as documented): less than the plain function, more than one temporary."""
    import tracemalloc

    net = sbp.Network(layers=[300, 200, 10], activation=[hidden, "softmax"], cost="cross_entropy")
    plain, reusing = net.gradient_function(), net.gradient_function(reuse=True)
    one = 400 * 200 * np.dtype(dtype).itemsize
    peaks = []
    for f in (plain, reusing):
        for seed in (1, 2):
            _same(f(*_wide(400, dtype, seed)), plain(*_wide(400, dtype, seed)))
        arguments = _wide(400, dtype, 3)
        tracemalloc.start()
        try:
            f(*arguments)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[0] > 2 * one and peaks[1] < (peaks[0] if hidden == "leaky_relu" else one), (peaks, one)


def test_each_batch_size_gets_its_own_workspace(monkeypatch):
    """A batch size after another (a training run's last, shorter batch) is computed in temporaries of its own
    shapes, the numbers the plain function's at each; at most LIMIT workspaces are kept, the least recently used
    going first."""
    monkeypatch.setattr(workspace, "SMALL", 0)
    net = sbp.Network(layers=[3, 4, 2], activation=["sigmoid", "sigmoid"], cost="sse")  # A - Y: y's layout
    plain, reusing = net.gradient_function(), net.gradient_function(reuse=True)
    for samples in (5, 3, 5, 1, 2, 4, 6, 7, 5, 1):
        x, y, w, b = _inputs(samples)
        _same(reusing(x, y, w, b), plain(x, y, w, b))
    _layouts_alternate()
    spaces = workspace.Workspaces(widest=4)
    made = [spaces.get(np.dtype("float64"), np.ones((n, 3)), np.ones((n, 2)), [], []) for n in range(1, 7)]
    assert len(spaces.kept) == workspace.LIMIT and len({id(w) for w in made}) == 6
    assert spaces.get(np.dtype("float64"), np.ones((3, 3)), np.ones((3, 2)), [], []) is made[2]  # used again
    assert spaces.get(np.dtype("float64"), np.ones((6, 3)), np.ones((6, 2)), [], []) is made[-1]
    assert spaces.get(np.dtype("float64"), np.ones((6, 3)), np.ones((6, 2), order="F"), [], []) is not made[-1]
    assert spaces.get(np.dtype("float64"), np.ones((3, 3)), np.ones((3, 2)), [], []) is made[2]  # 4's went
    assert spaces.get(np.dtype("float64"), np.ones((4, 3)), np.ones((4, 2)), [], []) is not made[3]


def _layouts_alternate() -> None:
    """x and y in C and Fortran order by turns, the same shapes: A - Y takes y's layout, and a product of it may
    round otherwise, so a layout has a workspace of its own (with the key blind to layouts, this network's
    numbers differ from the plain function's)."""
    net = sbp.Network(layers=[7, 9, 5, 3], activation=["sigmoid", "sigmoid", "softmax"], cost="sse")
    plain, reusing = net.gradient_function(), net.gradient_function(reuse=True)
    rng = np.random.default_rng(3)
    w = [rng.normal(size=(m, k)) for k, m in itertools.pairwise(net.layers)]
    b = [rng.normal(size=m) for m in net.layers[1:]]
    for order in ("C", "F", "C", "F", "C"):
        x, y = rng.normal(size=(65, 7)), rng.uniform(size=(65, 3))
        x, y = np.asarray(x, order=order), np.asarray(y, order=order)
        _same(reusing(x, y, w, b), plain(x, y, w, b))
        _same(reusing(list(x), list(y), w, b), plain(list(x), list(y), w, b))


@pytest.mark.parametrize("check", [True, False])
def test_a_y_the_module_converts_is_keyed_as_converted(check):
    """A broadcast y (strides 0) in the dtype computed in is used as it is, one of another dtype is copied into a
    layout of NumPy's choosing: the workspace's key is the converted y's, so the two get workspaces of their own
    (an attacker found them sharing one, and the gradients differing in the last bits); integers above 2**24 in
    a list are rounded to float32 once, as the module rounds them."""
    rng = np.random.default_rng(0)
    net = sbp.Network(layers=[6, 512, 10], activation=["tanh", "softmax"], cost="sse")
    plain, reusing = net.gradient_function(check=check), net.gradient_function(check=check, reuse=True)
    w = [(rng.normal(size=(512, 6)) * 0.5).astype(np.float32), (rng.normal(size=(10, 512)) / 23).astype(np.float32)]
    b = [rng.normal(size=512).astype(np.float32), (rng.normal(size=10) * 0.1).astype(np.float32)]
    x = rng.normal(size=(100, 6)).astype(np.float32)  # 100 x 512 float32: 200 KiB, kept
    target = np.eye(10)[0]
    wide = np.broadcast_to(target, (100, 10))  # float64: the module copies it into float32
    narrow = np.broadcast_to(target.astype(np.float32), (100, 10))  # float32: used as it is
    for y in (wide, narrow, wide, narrow, np.ascontiguousarray(narrow)):
        _same(reusing(x, y, w, b), plain(x, y, w, b))
    if not check:  # the check converts y itself
        small = sbp.Network(layers=[2, 3, 1], activation=["tanh", "identity"], cost="sse")
        x, y = np.ones((1, 2), np.float32), [[2**60 + 2**36 + 1]]
        w = [np.full((3, 2), 0.1, np.float32), np.full((1, 3), 0.1, np.float32)]
        b = [np.zeros(3, np.float32), np.zeros(1, np.float32)]
        _same(
            small.gradient_function(check=False, reuse=True)(x, y, w, b),
            small.gradient_function(check=False)(x, y, w, b),
        )


def test_no_biases_given_as_none_at_a_kept_size():
    """A network without biases takes biases=None unchecked; the workspace's key reads it as none."""
    net = sbp.Network(layers=[784, 128, 10], activation=["relu", "softmax"], cost="cross_entropy", bias="none")
    rng = np.random.default_rng(1)
    w = [rng.normal(size=(128, 784)) / 28, rng.normal(size=(10, 128)) / 11]
    x, y = rng.normal(size=(256, 784)), np.eye(10)[rng.integers(10, size=256)]
    plain, reusing = net.gradient_function(check=False), net.gradient_function(check=False, reuse=True)
    for _ in range(2):
        _same(reusing(x, y, w, None), plain(x, y, w, None))


def test_a_returned_gradient_passed_back_as_a_weight_is_refused():
    """The call writes its gradients into the arrays it returned last time, while it reads the weights: one of
    those arrays (or a view of it) as a weight would give wrong numbers without a word (an attacker's find)."""
    net = sbp.Network(layers=[3, 4, 2], activation=["sigmoid", "sigmoid"], cost="sse")
    x, y, w, b = _inputs(5)
    for check in (True, False):
        reusing = net.gradient_function(check=check, reuse=True)
        grads_w, grads_b = reusing(x, y, w, b)[1:]
        for weights, biases, named in [
            ([w[0], grads_w[1]], b, "weights[1]"),
            ([grads_w[0][:], w[1]], b, "weights[0]"),
            (w, [grads_b[0], b[1]], "biases[0]"),
        ]:
            with pytest.raises(sbp.SpecError, match=rf"{re.escape(named)} is a gradient array"):
                reusing(x, y, weights, biases)
        copied = [grads_w[0].copy(), w[1]]  # a copy is the caller's: accepted
        _same(reusing(x, y, copied, b), net.gradient_function()(x, y, copied, b))


def test_weights_whose_shape_is_a_list_are_keyed(monkeypatch):
    """An array-like whose shape is a list (not hashable) is read by its shape's numbers, as the module reads it."""
    monkeypatch.setattr(workspace, "SMALL", 0)

    class Listed:
        def __init__(self, a: np.ndarray) -> None:
            self.a, self.shape = a, list(a.shape)

        def __array__(self, dtype=None, copy=None):
            return self.a if dtype is None else self.a.astype(dtype)

    net = sbp.Network(layers=[3, 4, 2], activation=["sigmoid", "sigmoid"], cost="sse")
    x, y, w, b = _inputs(5)
    listed = [Listed(a) for a in w]
    _same(
        net.gradient_function(check=False, reuse=True)(x, y, listed, b), net.gradient_function(check=False)(x, y, w, b)
    )


def test_the_working_variant_leaves_the_results_alone():
    """Every operation of the body computes into the workspace but the cost's and the gradients' (written into
    the caller's out); a module using the variant's own names is refused."""
    net = sbp.Network(layers=[3, 5, 4, 2], activation=["tanh", "relu", "softmax"], cost="cross_entropy")
    working = workspace.working_source(module_source(net))
    body = working[working.index("    A0 = ") : working.index("    return (cost")].splitlines()
    sites = [int(site) for line in body for site in re.findall(r"_kept\(_work, (\d+),", line)]
    assert sorted(sites) == list(range(1, 14))  # 13 sites, each its own
    for line in body:
        if line.strip().startswith(("dW", "db", "cost")):
            assert "_kept(" not in line, line
        else:  # no array operation or ufunc left outside _kept (n > 64 is a test of numbers)
            rest = line.replace(" if n > 64 else ", "")
            assert not re.search(r" (@|\*\*?|-|\+|/|>=?|<=?) |numpy\.(exp|tanh|log)\(\w+\)", rest), line
    assert "def gradient(x, y, weights, biases=(), out=None, *, _work=None):" in working
    with pytest.raises(ValueError, match="already uses"):
        workspace.working_source(module_source(net).replace("Z1", "_work"))


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
