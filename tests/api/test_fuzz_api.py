"""Fuzzing the Python API: generated keywords, spec files, references, claims, values and arrays.

The package documents one error for anything a user got wrong, ``symbackprop.SpecError`` (a
ValueError), with a one-line message. The property: every call either returns or raises that,
never an IndexError, KeyError, TypeError, AttributeError, RecursionError or ZeroDivisionError
from deep inside. HYPOTHESIS_PROFILE=long runs five times as many examples.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.model.references import Ref
from symbackprop.verify.claims import verify_claim

from ..fuzz_inputs import COSTS, HOSTILE, NAMES, NUMBERS, claims, fuzz, references, specs, valid_specs
from ..strategies import networks

SCALARS = st.none() | st.booleans() | NUMBERS | st.text(max_size=12) | st.binary(max_size=4)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)


def nested(depth: int) -> Any:
    value: Any = 1.0
    for _ in range(depth):
        value = [value]
    return value


DEEP = st.sampled_from([nested(40), nested(3000)])  # past any spec, and past Python's recursion limit


@contextlib.contextmanager
def only_spec_errors():
    """The call returns, or raises SpecError with a one-line message; anything else fails the test."""
    try:
        yield
    except sbp.SpecError as err:
        message = str(err)
        assert message and "\n" not in message, repr(message)


def returned_or_refused(call: Any, *args: Any) -> Any:
    """``call(*args)``, or None when it raised SpecError with a one-line message."""
    with only_spec_errors():
        return call(*args)
    return None


def layer_sizes() -> st.SearchStrategy[Any]:
    sizes = st.integers(-2, 4) | st.sampled_from([0, 5000, 10**9, 10**400, True, 2.0, "2", None])
    return st.lists(sizes, max_size=5) | st.tuples(sizes, sizes) | JUNK | DEEP


@st.composite
def keywords(draw) -> dict[str, Any]:
    """Keywords for ``Network(...)``: plausible and implausible, every one optional but the layers."""
    kw: dict[str, Any] = {"layers": draw(layer_sizes())}
    choices = {
        "activation": st.sampled_from(NAMES + HOSTILE) | st.lists(st.sampled_from(NAMES), max_size=4) | JUNK | DEEP,
        "cost": st.sampled_from([*COSTS, "nope"]) | JUNK,
        "bias": st.sampled_from(["neuron", "layer", "none", "both"]) | JUNK,
        "index_base": st.sampled_from([0, 1, 2, -1, 1.0, "1", True]) | JUNK,
        "notation": st.sampled_from(["3b1b", "deeplizard", "nielsen", "x.toml", "/etc/passwd", "/dev/zero"]) | JUNK,
        "values": JUNK | DEEP | st.fixed_dictionaries({"x": JUNK, "y": JUNK, "weights": JUNK | DEEP}),
        "title": st.sampled_from(HOSTILE) | JUNK,
        "claims": JUNK,
    }
    for key, strategy in choices.items():
        if draw(st.booleans()):
            kw[key] = draw(strategy)
    if draw(st.integers(0, 9)) == 0:
        kw[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
    return kw


@fuzz(500)
@given(kw=keywords())
def test_any_keywords_make_a_network_or_a_spec_error(kw):
    with only_spec_errors():
        sbp.Network(**kw)


@fuzz(300)
@given(spec=specs())
def test_any_spec_file_makes_a_network_or_a_spec_error(spec, tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "spec.toml"
    path.write_text(spec, encoding="utf-8", errors="surrogatepass")
    with only_spec_errors():
        sbp.Network.from_toml(path)
    with only_spec_errors():
        sbp.Network.from_toml(str(path))


@fuzz(40)
@given(path=JUNK | st.sampled_from(["", ".", "/", "/dev/zero", "a\x00b", "example:nope", "example:", Path("/")]))
def test_any_path_argument_makes_a_network_or_a_spec_error(path):
    with only_spec_errors():
        sbp.Network.from_toml(path)


def hand_made_refs() -> st.SearchStrategy[Any]:
    """What a caller may pass for a reference: a Ref built by hand with any fields, or something else."""
    fields = st.sampled_from(["w", "b", "a", "z", "q", ""]) | JUNK
    layer = st.integers(-3, 5) | JUNK
    indices = st.lists(st.integers(-2, 5), max_size=3).map(tuple) | JUNK
    return st.builds(Ref, fields, layer, indices) | JUNK


@fuzz(300)
@given(net=networks(max_depth=2, max_width=2, generic=True), ref=references() | hand_made_refs())
def test_any_reference_derives_or_is_a_spec_error(net, ref):
    with only_spec_errors():
        net.ref(ref)
    with only_spec_errors():
        d = net.derive(ref)
        assert d.result is not None


@fuzz(200)
@given(
    example=st.sampled_from(["deeplizard", "3b1b", "worked", "mazur"]),
    claim=claims() | JUNK,
    wrt=references() | hand_made_refs() | st.none(),
)
def test_any_claim_is_a_verdict_or_a_spec_error(example, claim, wrt):
    net = sbp.Network.from_toml(f"example:{example}")
    with only_spec_errors():
        report = verify_claim(net, claim, wrt)
        assert report.verdict in ("correct", "incorrect", "unparseable")


@fuzz(150)
@given(spec=valid_specs(), data=st.data())
def test_any_values_evaluate_or_are_a_spec_error(spec, data, tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "spec.toml"
    path.write_text(spec, encoding="utf-8")
    net = returned_or_refused(sbp.Network.from_toml, path)  # values with NaN or inf are refused here
    assume(net is not None and net.spec.values is not None)
    with only_spec_errors():
        numbers = net.evaluate()
        assert np.isfinite(numbers["cost"])


def arrays_for(shapes: list[tuple[int, ...]]) -> st.SearchStrategy[list[Any]]:
    """Arrays of these shapes holding any numbers, NaN, inf and 1e308 among them."""
    return st.tuples(*(st.lists(NUMBERS, min_size=int(np.prod(s)), max_size=int(np.prod(s))) for s in shapes)).map(
        lambda flat: [np.array(v, dtype=float).reshape(s) for v, s in zip(flat, shapes, strict=True)]
    )


@st.composite
def gradient_arguments(draw, net: sbp.Network) -> tuple[Any, Any, Any, Any]:
    """(x, y, weights, biases): the right shapes with any numbers, or a shape, a count or a type wrong."""
    n = draw(st.integers(0, 3))
    layers = net.layers
    shapes = [(n, layers[0]), (n, layers[-1])]
    shapes += [(layers[m], layers[m - 1]) for m in range(1, net.depth + 1)]
    bias = {"neuron": [(layers[m],) for m in range(1, net.depth + 1)], "layer": [(1,)] * net.depth, "none": []}
    shapes += bias[net.spec.bias]
    if draw(st.booleans()):  # one shape off by one, or transposed
        k = draw(st.integers(0, len(shapes) - 1))
        shapes[k] = draw(st.sampled_from([shapes[k][::-1], (*shapes[k][:-1], shapes[k][-1] + 1), ()]))
    arrays = draw(arrays_for(shapes))
    x, y, weights, biases = arrays[0], arrays[1], arrays[2 : 2 + net.depth], arrays[2 + net.depth :]
    slot = draw(st.integers(0, 8))
    if slot < 4:  # one argument replaced by anything at all
        args = [x, y, weights, biases]
        args[slot] = draw(JUNK | DEEP | st.sampled_from([[], "x", {"a": 1}, np.array(["a"]), np.array([1j])]))
        x, y, weights, biases = args
    return x, y, weights, biases


@fuzz(300)
@given(
    net=networks(max_depth=2, max_width=3),
    backend=st.sampled_from(["numpy", "numpy", "numpy", "torch", "jax", "tensorflow"]) | JUNK,
    data=st.data(),
)
def test_any_gradient_arguments_compute_or_are_a_spec_error(net, backend, data):
    gradient = returned_or_refused(net.gradient_function, backend)
    if gradient is None:
        return
    x, y, weights, biases = data.draw(gradient_arguments(net))
    with only_spec_errors(), np.errstate(all="ignore"):
        cost, grad_w, _ = gradient(x, y, weights, biases)
        assert len(grad_w) == net.depth and np.ndim(cost) == 0
