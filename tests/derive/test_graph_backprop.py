"""The backward pass on a graph: upstream times local at each node, sums where the graph forks, and the result
equal to sympy.diff of the output written in its inputs."""

from __future__ import annotations

import sympy as sp

from symbackprop.derive.graph_backprop import Upstream, derive_graph, rule_of
from symbackprop.model.graph import Graph


def circuit() -> Graph:
    return Graph.build({"q": "x + y", "f": "q z"}, {"x": -2.0, "y": 5.0, "z": -4.0})


def test_each_step_is_the_upstream_gradient_times_the_local_one():
    d = derive_graph(circuit(), "x")
    g = d.graph
    assert [s.name for s in d.steps] == ["f", "q", "x"]
    f, q, x = d.steps
    assert f.formula == 1 and not f.uses
    (use,) = q.uses
    assert (use.node, use.name, use.value, use.rule) == ("f", "q", g.symbol("z"), "multiply")
    assert q.formula == Upstream("f", "f") * g.symbol("z")
    assert x.uses[0].rule == "add" and x.uses[0].value == 1
    assert d.result == g.symbol("z")


def test_gradients_add_where_a_value_is_used_twice():
    g = Graph.build({"e": "a b", "d": "e + c", "L": "d e"}, {"a": 2.0, "b": -3.0, "c": 10.0})
    d = derive_graph(g, "a")
    step = d.step_of["e"]
    assert step.forks and {u.node for u in step.uses} == {"d", "L"}
    a, b, c = (g.symbol(n) for n in "abc")
    assert sp.expand(g.composed(d.result) - sp.diff((a * b + c) * a * b, a)) == 0


def test_a_name_the_output_does_not_depend_on_has_gradient_0():
    g = Graph.build({"q": "x + y", "f": "2 z"}, {"x": 1.0, "y": 1.0, "z": 1.0})
    d = derive_graph(g, "x")
    assert d.steps == () and d.result == 0


def test_every_name_at_once_covers_each_input_and_parameter():
    g = circuit()
    d = derive_graph(g, None)
    out = g.composed(g.symbol("f"))
    for leaf in g.leaves:
        assert sp.expand(g.composed(d.gradient(leaf)) - sp.diff(out, g.symbol(leaf))) == 0


def test_the_rule_names_the_kind_of_gate():
    g = Graph.build(
        {"a": "x + y", "m": "x y", "h": r"\max(x, y)", "s": r"\sigma(x)", "r": r"\operatorname{relu}(x)", "p": "x^{3}"},
        {"x": 1.0, "y": 2.0},
        output="a",
    )
    x = g.symbol("x")
    kinds = [rule_of(node.expression, x) for node in g.nodes]
    assert kinds == ["add", "multiply", "max", "sigmoid", "relu", "power"]
