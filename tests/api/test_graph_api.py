"""The Python API on graphs and formulas: GraphBuilder, graph.derive/evaluate, d.check/latex/markdown, and
d.lambdify on graphs and dense networks, each cross-checked against the numbers ``evaluate`` gives."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import symbackprop as sbp
from symbackprop.model.symbols import A, W, Y, Z

from .test_api_errors import refused

GRAPH_EXAMPLES = ["example:circuit", "example:sigmoid-circuit", "example:micrograd", "example:neuron"]


def circuit() -> sbp.Graph:
    g = sbp.GraphBuilder("A circuit")
    x, y, z = g.inputs(x=-2.0, y=5.0, z=-4.0)
    q = g.node("q", x + y)
    g.node("f", q * z)
    return g.graph()


def test_a_built_graph_is_the_spec_graph():
    built, read = circuit(), sbp.Graph.from_toml("example:circuit")
    assert [(n.name, n.expression) for n in built.nodes] == [(n.name, n.expression) for n in read.nodes]
    assert built.leaves == read.leaves and built.values == read.values and built.output == read.output
    assert built.evaluate() == read.evaluate()


def test_cs231n_numbers_from_python():
    numbers = circuit().evaluate()
    assert numbers["values"]["f"] == -12.0
    assert numbers["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1.0}


def test_a_node_used_twice_sums_its_paths():
    g = sbp.GraphBuilder()
    (a,) = g.inputs(a=3.0)
    b = g.node("b", a * a)
    g.node("c", b + a)  # a reaches c directly and through b: dc/da = 2a + 1
    d = g.graph().derive("a")
    assert sp.simplify(d.result - (2 * a + 1)) == 0
    assert d.check().verdict == "proven"
    assert g.graph().evaluate()["gradients"]["a"] == 7.0


def test_builder_functions_and_symbolic_graphs():
    g = sbp.GraphBuilder()
    x, w, b = g.inputs("x", "w", "b")
    s = g.node("s", w * x + b)
    r = g.node("r", sbp.relu(s))
    g.node("o", sp.tanh(sbp.sigmoid(r)) + sp.Max(r, x))
    graph = g.graph()
    assert graph.values is None
    d = graph.derive("all")
    composed = graph.composed(graph.symbol("o"))
    point = {x: sp.Rational(1, 2), w: sp.Rational(3, 2), b: sp.Rational(1, 3)}  # s > 0, r > x: away from kinks
    for leaf in (x, w, b):
        expected = sp.diff(composed, leaf).subs(point)
        got = graph.composed(d.gradient(leaf.name)).subs(point)
        assert sp.N(expected - got, 30) == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g, x: g.node("x", x), "x is defined twice"),
        (lambda g, x: g.node("q", x + sp.Symbol("y")), "node q uses y"),
        (lambda g, x: g.node("q", "x + 1"), "expected a SymPy expression"),
        (lambda g, x: g.input("bad name!"), "name"),
        (lambda g, x: g.input("v", math.inf), "not a finite number"),
        (lambda g, x: g.graph(), "at least one node"),
        (lambda g, x: (g.node("q", 2 * x), g.graph(output="p")), "output: p is not a node"),
        (lambda g, x: (g.input("y"), g.node("q", 2 * x), g.graph()), "y has none"),
        (lambda g, x: g.inputs("a", b=1.0), "not both"),
    ],
)
def test_builder_errors_are_one_line(call, message):
    g = sbp.GraphBuilder()
    x = g.input("x", 1.0)
    assert message in refused(call, g, x)


@pytest.mark.parametrize("example", GRAPH_EXAMPLES)
def test_lambdify_matches_evaluate_for_every_name(example):
    graph = sbp.Graph.from_toml(example)
    numbers = graph.evaluate()
    for name in graph.names:
        f = graph.derive(name).lambdify()
        by_name = f({q: numbers["values"][q] for q in f.names})
        by_position = f(*(numbers["values"][q] for q in f.names))
        assert by_name == by_position
        assert math.isclose(float(by_name), numbers["gradients"][name], rel_tol=1e-12, abs_tol=1e-15), name


@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_lambdify_backends_agree_with_numpy(backend):
    pytest.importorskip(backend)
    graph = sbp.Graph.from_toml("example:neuron")
    values = graph.evaluate()["values"]
    for name in graph.leaves:
        d = graph.derive(name)
        given = {q: values[q] for q in d.lambdify().names}
        expected = float(d.lambdify()(given))
        assert math.isclose(float(d.lambdify(backend)(given)), expected, rel_tol=1e-6), name  # JAX: float32


def test_lambdify_works_on_arrays_elementwise():
    f = circuit().derive("z").lambdify()
    assert f.names == ("q",)
    assert np.array_equal(f(np.array([1.0, 2.0, 3.0])), np.array([1.0, 2.0, 3.0]))


def test_lambdify_refusals_are_one_line():
    f = circuit().derive("x").lambdify()
    assert "no quantity 'w'" in refused(f, w=1.0)
    assert "takes 1 values" in refused(f, 1.0, 2.0)
    assert "not both" in refused(f, 1.0, z=2.0)
    assert "backend" in refused(circuit().derive("x").lambdify, "tensorflow")
    assert "derive one name" in refused(circuit().derive("all").lambdify)


def dense_numbers(net: sbp.Network) -> dict[sp.Basic, float]:
    """Every quantity a dense gradient is written in (a, z, y, later layers' w) at the one sample, from evaluate."""
    numbers, values, base = net.evaluate(), net.spec.values, net.spec.index_base
    known: dict[sp.Basic, float] = {}
    for layer, width in enumerate(net.layers):
        for j in range(width):
            known[A[layer, j + base]] = numbers["a"][layer][j]
            if layer:
                known[Z[layer, j + base]] = numbers["z"][layer - 1][j]
                for k in range(net.layers[layer - 1]):
                    known[W[layer, j + base, k + base]] = values.weights[layer - 1][j][k]
    for j in range(net.layers[-1]):
        known[Y[j + base]] = values.y[0][j]
    return known


@pytest.mark.parametrize("example", ["example:worked", "example:mazur"])
def test_dense_lambdify_matches_evaluate_for_every_parameter(example):
    net = sbp.Network.from_toml(example)
    if net.spec.values.x.shape[0] != 1:
        pytest.fail(f"{example} must have one sample for this comparison")
    numbers, known = net.evaluate(), dense_numbers(net)
    base = net.spec.index_base
    for ref in net.parameters():
        f = net.derive(ref).lambdify()
        got = float(f(*(known[q] for q in f.quantities)))
        expected = numbers["grad_weights" if ref.kind == "w" else "grad_biases"][ref.layer - 1]
        for index in ref.indices:  # none for a bias shared by its layer
            expected = expected[index - base]
        assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-15), ref


def test_graph_documents_from_python():
    d = circuit().derive("x")
    assert d.latex(title="Gates").startswith("\\documentclass")
    assert "Gates" in d.latex(title="Gates")
    assert "$" in d.markdown() and d.markdown() == d._repr_markdown_()


def test_a_network_with_a_skip_derives_from_python_as_its_graph():
    net = sbp.Network.from_toml("example:residual")
    d = net.derive("w_{00}^{(1)}")
    assert isinstance(d, sbp.GraphDerivation) and d.check().verdict == "proven"
    f = d.lambdify()
    values = d.graph.evaluate()["values"]
    assert math.isclose(float(f({q: values[q] for q in f.names})), -0.0379812, rel_tol=1e-5)  # the example's claim
    assert isinstance(sbp.Network(layers=[2, 2]).derive("w_{00}^{(L)}"), sbp.Derivation)
