"""Max pooling over tied entries routes the gradient as PyTorch does: all of a window's gradient to its first
maximum in scan order (row-major), in the graph's backward pass, the compact form, the generated module and the
gradient check. Inputs are small whole numbers, as a worked example's are, so that ties are the rule: 2-, 3- and
4-way ties, and ties across overlapping windows (stride < size)."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.codegen.graph_modules import graph_module_source
from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.model.graph_functions import maxgate
from symbackprop.model.layers.layer_graph import layered_spec
from symbackprop.numeric.formula import lambdified
from symbackprop.numeric.graph_check import graph_gradcheck
from symbackprop.numeric.graph_numbers import graph_numbers
from symbackprop.numeric.layer_forms import layer_forms
from symbackprop.prove.graph_proof import prove_graph
from symbackprop.render.graph_document import RULES

from .test_against_torch import TOLERANCE, agree, windows


def _ints(draw: st.DrawFn, shape: tuple[int, ...], low: int, high: int) -> list[Any]:
    flat = draw(st.lists(st.integers(low, high), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    return np.array(flat, dtype=float).reshape(shape).tolist()


@st.composite
def tied_pool(draw: st.DrawFn) -> dict[str, Any]:
    """x of whole numbers in 0..2 straight into a max pool (1d or 2d, any size and stride that tile), sse cost."""
    two = draw(st.booleans())
    batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    sides = (draw(st.integers(2, 4)), draw(st.integers(2, 4))) if two else (draw(st.integers(2, 6)),)
    shared = sorted(set.intersection(*(set(windows(n)) for n in sides)) - {(1, 1)})
    size, stride = draw(st.sampled_from(shared))
    out = channels * int(np.prod([(n - size) // stride + 1 for n in sides]))
    layers = [{"kind": "maxpool2d" if two else "maxpool1d", "size": size, "stride": stride}]
    layers.append({"kind": "flatten"})
    x = _ints(draw, (batch, channels, *sides), 0, 2)
    return {
        "input": [channels, *sides],
        "cost": "sse",
        "layer": layers,
        "values": {"x": x, "y": _ints(draw, (batch, out), -1, 1)},
    }


@st.composite
def tied_conv_pool(draw: st.DrawFn) -> dict[str, Any]:
    """A 1x1 convolution with whole-number weights (so its outputs tie) and a ReLU before a 2x2 max pool: the
    weights' gradients depend on which tied entry the pool routes to."""
    channels, side = draw(st.integers(1, 2)), draw(st.sampled_from([2, 4]))
    size, stride = draw(st.sampled_from([(2, 2), (2, 1)]))
    out_channels = draw(st.integers(1, 2))
    pooled = (side - size) // stride + 1
    layers = [
        {"kind": "conv2d", "out_channels": out_channels, "kernel": 1},
        {"kind": "activation", "activation": draw(st.sampled_from(["relu", "tanh"]))},
        {"kind": "maxpool2d", "size": size, "stride": stride},
        {"kind": "flatten"},
    ]
    parameters = {
        "weight": _ints(draw, (out_channels, channels, 1, 1), -1, 1),
        "bias": _ints(draw, (out_channels,), -1, 1),
    }
    return {
        "input": [channels, side, side],
        "cost": "sse",
        "layer": layers,
        "values": {
            "x": _ints(draw, (1, channels, side, side), 0, 2),
            "y": _ints(draw, (1, out_channels * pooled * pooled), -1, 1),
            "layer": {"1": parameters},
        },
    }


@settings(max_examples=15, deadline=None)
@given(tied_pool())
def test_tied_max_pool_forward_and_backward_as_torch(data: dict[str, Any]) -> None:
    agree(data)


@settings(max_examples=8, deadline=None)
@given(tied_conv_pool())
def test_tied_conv_relu_max_pool_as_torch(data: dict[str, Any]) -> None:
    agree(data)


@pytest.mark.parametrize(
    ("x", "size", "stride"),
    [
        ([[[1.0, 1.0, 1.0, 0.0]]], 3, 1),  # a 3-way tie, overlapping windows
        ([[[2.0, 2.0, 2.0, 2.0]]], 4, 1),  # a 4-way tie in one window
        ([[[0.0, 1.0, 1.0, 1.0, 0.0, 1.0]]], 3, 1),  # ties shared by overlapping windows
        ([[[[1.0, 1.0], [1.0, 1.0]]]], 2, 2),  # a 4-way tie in a 2x2 window
        ([[[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]], 2, 1),  # every window tied, overlapping
        ([[[[0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [1.0, 0.0, 1.0]]]], 2, 1),
    ],
)
def test_tie_patterns_route_to_the_first_maximum_as_torch(x: list[Any], size: int, stride: int) -> None:
    array = np.array(x)
    kind = "maxpool2d" if array.ndim == 4 else "maxpool1d"
    sides = array.shape[2:]
    out = array.shape[1] * int(np.prod([(n - size) // stride + 1 for n in sides]))
    agree(
        {
            "input": list(array.shape[1:]),
            "cost": "sse",
            "layer": [{"kind": kind, "size": size, "stride": stride}, {"kind": "flatten"}],
            "values": {"x": x, "y": np.full((1, out), 0.5).tolist()},
        }
    )


def test_the_compact_form_routes_a_tie_to_the_first_maximum() -> None:
    data = {
        "input": [1, 3, 3],
        "cost": "sse",
        "layer": [{"kind": "maxpool2d", "size": 2, "stride": 1}, {"kind": "flatten"}],
        "values": {"x": [[[[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]]], "y": [[0.0, 0.5, -1.0, 2.0]]},
    }
    spec = layered_spec(data)
    forms = layer_forms(spec, graph_numbers(derive_graph(spec.graph, None)))
    pooled = [form for form in forms if form.kind == "maxpool2d"]
    assert pooled and all(form.agrees for form in pooled), [(f.what, f.difference) for f in pooled]
    assert "the first, at a tie" in pooled[0].text


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_the_generated_module_routes_a_tie_as_torch(tmp_path: Path, backend: str) -> None:
    x = [[[[1.0, 1.0, 2.0], [1.0, 1.0, 2.0], [0.0, 2.0, 2.0]]]]
    data = {
        "input": [1, 3, 3],
        "cost": "sse",
        "layer": [{"kind": "maxpool2d", "size": 2, "stride": 1}, {"kind": "flatten"}],
        "values": {"x": x, "y": [[0.0, 0.5, -1.0, 2.0]]},
    }
    spec = layered_spec(data)
    assert spec.graph.values is not None
    path = tmp_path / "tied_module.py"
    path.write_text(graph_module_source(spec.graph, backend), encoding="utf-8")
    found = importlib.util.spec_from_file_location("tied_module", path)
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    generated = module.gradients(dict(spec.graph.values))
    engine = graph_numbers(derive_graph(spec.graph, None)).gradients
    for i, j in np.ndindex(3, 3):
        name = f"x_{{0,0,{i},{j}}}"
        assert float(generated[name]) == pytest.approx(engine[name], abs=TOLERANCE)
    # the tied 2x2 window of ones sends it all to (0, 0); [1, 2, 1, 2] to (0, 2); [1, 1, 0, 2] to (2, 1); the last
    # window's max (1, 2) = its target 2 sends 0
    routed = {(i, j) for i, j in np.ndindex(3, 3) if float(generated[f"x_{{0,0,{i},{j}}}"]) != 0}
    assert routed == {(0, 0), (0, 2), (2, 1)}
    agree(data)  # and the engine's numbers are torch's


def test_gradcheck_says_a_tie_is_not_compared_rather_than_fail() -> None:
    data = {
        "input": [1, 2, 2],
        "cost": "sse",
        "layer": [{"kind": "maxpool2d", "size": 2}, {"kind": "flatten"}],
        "values": {"x": [[[[1.0, 1.0], [0.0, -1.0]]]], "y": [[0.0]]},
    }
    result = graph_gradcheck(layered_spec(data).graph)
    assert result.passed
    assert "tie" in result.note and "x_{0,0,0,0}" in result.note and "as PyTorch does" in result.note
    untied = graph_gradcheck(layered_spec(data).graph, seed=3)  # random values: no tie, everything compared
    assert untied.passed and untied.note == "" and untied.parameters == 5  # x's four and y


@pytest.mark.parametrize("backend", ["numpy", "jax"])  # lambdify's torch printer refuses the engine's own
def test_the_gate_and_its_derivative_as_numbers_in_numpy_and_jax(backend: str) -> None:
    p, q = sp.symbols("p q", real=True)
    exprs = [maxgate(p, q), sp.diff(maxgate(p, q), p), sp.diff(maxgate(p, q), q)]
    f = lambdified(exprs, [p, q], backend)
    for a, b, expected in [(1.0, 1.0, [1.0, 1.0, 0.0]), (2.0, 1.0, [2.0, 1.0, 0.0]), (-1.0, 3.0, [3.0, 0.0, 1.0])]:
        assert [float(v) for v in f(a, b)] == expected


def test_the_gate_derivative_is_max_away_from_ties_and_the_first_at_a_tie() -> None:
    p, q = sp.symbols("p q", real=True)
    mine = [sp.diff(maxgate(p, q), p), sp.diff(maxgate(p, q), q)]
    sympys = [sp.diff(sp.Max(p, q), p), sp.diff(sp.Max(p, q), q)]
    rng = random.Random(5)
    for _ in range(50):
        a, b = rng.uniform(-3, 3), rng.uniform(-3, 3)
        at = {p: a, q: b}
        assert [m.subs(at) for m in mine] == [s.subs(at) for s in sympys]
    for v in (-1, 0, 2):
        assert [m.subs({p: v, q: v}) for m in mine] == [1, 0]  # torch: the first of a tie takes all
        assert [s.subs({p: v, q: v}) for s in sympys] == [sp.S.Half, sp.S.Half]  # SymPy's Max splits it


def test_the_derivation_says_how_a_tie_routes_and_is_proven() -> None:
    data = {
        "input": [1, 2, 2],
        "cost": "sse",
        "layer": [{"kind": "maxpool2d", "size": 2}, {"kind": "flatten"}],
        "values": {"x": [[[[1.0, 1.0], [0.0, -1.0]]]], "y": [[0.0]]},
    }
    spec = layered_spec(data)
    d = derive_graph(spec.graph, None)
    rules = {use.rule for step in d.steps for use in step.uses}
    assert "max_first" in rules
    assert RULES["max_first"].endswith("at a tie, to the first, as PyTorch does")
    assert prove_graph(d).verdict == "proven"
