"""A graph spec read into a Graph: the contract's layout, its names, and one-line errors for bad graphs."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from symbackprop.base.errors import SpecError
from symbackprop.model import graph_spec
from symbackprop.model.graph import Graph
from symbackprop.model.graph_functions import relu, sigmoid

PUBLISHED = sorted((Path(__file__).resolve().parents[1] / "graphs").glob("*.toml"))
CIRCUIT = """title = "A circuit"
output = "f"            # the node whose gradient is taken
[graph]                 # nodes in order
q = 'x + y'
f = 'q z'
[values]                # every name that is not a node
x = -2.0
y = 5.0
z = -4.0
"""


def spec_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "graph.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_contracts_layout_reads_as_written(tmp_path):
    spec = graph_spec.from_toml(spec_file(tmp_path, CIRCUIT))
    g = spec.graph
    assert g.title == "A circuit" and g.output == "f" and g.leaves == ("x", "y", "z")
    assert [(n.name, n.expression) for n in g.nodes] == [
        ("q", g.symbol("x") + g.symbol("y")),
        ("f", g.symbol("q") * g.symbol("z")),
    ]
    assert g.values == {"x": -2.0, "y": 5.0, "z": -4.0}


@pytest.mark.parametrize("path", PUBLISHED, ids=lambda p: p.stem)
def test_every_published_example_reads(path):
    spec = graph_spec.from_toml(path)
    assert spec.graph.nodes and spec.claims is not None and len(spec.claims) > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + y", "x + y"),
        ("x y", "x*y"),
        (r"x \cdot y", "x*y"),
        (r"\frac{x}{y}", "x/y"),
        ("x / y", "x/y"),
        ("x^{2}", "x**2"),
        ("x^{0.5}", "sqrt(x)"),
        ("x^{1.5}", "x**(3/2)"),
        (r"\exp(x)", "exp(x)"),
        ("e^{x y}", "exp(x*y)"),
        (r"\ln x", "log(x)"),
        (r"\log(x)", "log(x)"),
        (r"\sqrt{x}", "sqrt(x)"),
        (r"\sigma(x)", "sigmoid(x)"),
        (r"\tanh(x)", "tanh(x)"),
        (r"\operatorname{relu}(x)", "relu(x)"),
        (r"\operatorname{ReLU}(x)", "relu(x)"),
        (r"\max(x, y)", "Max(x, y)"),
        (r"\min(x, y)", "Min(x, y)"),
        ("|x - y|", "Abs(x - y)"),
        ("-x", "-x"),
        ("2.5 x - 0.5", "2.5*x - 0.5"),
    ],
)
def test_each_operation_of_the_contract_reads_into_sympy(text, expected):
    g = Graph.build({"f": text}, {"x": 1.0, "y": 2.0})
    want = sp.sympify(expected, locals={"x": g.symbol("x"), "y": g.symbol("y"), "sigmoid": sigmoid, "relu": relu})
    assert sp.simplify(g.nodes[0].expression - sp.nsimplify(want)) == 0


@pytest.mark.parametrize("name", ["x", "w_0", "x_{1}", "x_1", r"\alpha", "W_{12}", "x_{in}"])
def test_names_are_a_letter_with_a_subscript_or_a_greek_letter(name):
    g = Graph.build({"f": f"2 {name}"}, {name: 1.0})
    assert g.nodes[0].expression == 2 * g.symbol(name)


def test_x_1_and_x_braced_1_are_one_name():
    g = Graph.build({"f": "x_{1} + x_1"}, {"x_1": 3.0})
    assert g.nodes[0].expression == 2 * g.symbol("x_{1}")


def test_a_node_named_e_is_the_node_and_e_otherwise_is_eulers_number():
    as_node = Graph.build({"e": "a b", "f": "e^{2}"}, {"a": 1.0, "b": 2.0})
    assert as_node.nodes[1].expression == as_node.symbol("e") ** 2
    as_number = Graph.build({"f": "e^{a}"}, {"a": 1.0})
    assert as_number.nodes[0].expression == sp.exp(as_number.symbol("a"))


def test_a_shared_node_is_used_by_several_nodes():
    g = Graph.build({"e": "a b", "d": "e + c", "L": "d e"}, {"a": 2.0, "b": -3.0, "c": 10.0})
    assert [n.name for n in g.consumers[g.symbol("e")]] == ["d", "L"]


def test_nodes_written_out_of_order_are_placed_after_what_they_use():
    g = Graph.build({"f": "q z", "q": "x + y"}, {"x": 1.0, "y": 2.0, "z": 3.0}, output="f")
    assert [n.name for n in g.nodes] == ["q", "f"]


@pytest.mark.parametrize(
    ("nodes", "values", "words"),
    [
        ({"f": "q z", "q": "f + x"}, {"x": 1.0, "z": 1.0}, "cycle, f -> q -> f"),
        ({"f": "f + 1"}, {}, "cycle, f -> f"),
        ({"f": "k z"}, {"z": 1.0}, "k is neither a node above nor a name in [values] at column 1"),
        ({"f": "x_{1} + x_1"}, {"x_1": 1.0, "x_{1}": 2.0}, "x_1 is given twice"),
        ({"x": "z"}, {"x": 1.0, "z": 1.0}, "x is defined in [values] and in [graph]"),
        ({"f": r"\cos(z)"}, {"z": 1.0}, "unknown function or command \\cos"),
        ({"f": r"\operatorname{foo}(z)"}, {"z": 1.0}, "unknown function or command foo"),
        ({"f": "z^{y}"}, {"z": 1.0, "y": 1.0}, "an exponent is a number here"),
        ({"f": r"\max(z)"}, {"z": 1.0}, "\\max takes two values"),
        ({"f": r"\sigma"}, {"z": 1.0}, "\\sigma needs its argument"),
        ({"f": "z'"}, {"z": 1.0}, "a prime has no meaning in a node"),
        ({"f": "z +"}, {"z": 1.0}, "ends too early"),
        ({"f": "a = b"}, {"a": 1.0, "b": 1.0}, "an expression has no '='"),
        ({"xy": "z"}, {"z": 1.0}, "'xy' is not a name"),
        ({"f": ""}, {"z": 1.0}, "the expression is empty"),
        ({"f": "z^{1000}"}, {"z": 1.0}, "an exponent beyond 100"),
        ({}, {"z": 1.0}, "a graph has at least one node"),
    ],
)
def test_a_bad_graph_is_one_line_naming_the_problem(nodes, values, words):
    with pytest.raises(SpecError) as err:
        Graph.build(nodes, values)
    message = str(err.value)
    assert words in message and "\n" not in message, message


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("[claims.values]\nk = 1.0\n", "[claims.values] k: no node or value of that name"),
        ('[claims.local]\n"f/x" = 1.0\n', "node f's expression does not use x; it uses q, z"),
        ('[claims.local]\n"q" = 1.0\n', 'keyed "node/input"'),
        ("[claims.gradients]\nx = 'one'\n", "a number as the source printed it"),
        ("[claims.other]\nx = 1.0\n", "unknown table [claims.other]"),
    ],
)
def test_a_bad_claim_is_one_line_naming_it(tmp_path, extra, words):
    with pytest.raises(SpecError, match=None) as err:
        graph_spec.from_toml(spec_file(tmp_path, CIRCUIT + extra))
    assert words in str(err.value), str(err.value)


def test_an_output_that_is_not_a_node_is_refused(tmp_path):
    with pytest.raises(SpecError, match="output: g is not a node"):
        graph_spec.from_toml(spec_file(tmp_path, CIRCUIT.replace('output = "f"', 'output = "g"')))


def test_claimed_numbers_keep_the_digits_they_were_written_with(tmp_path):
    spec = graph_spec.from_toml(spec_file(tmp_path, CIRCUIT + "[claims.values]\nq = 3.00\n"))
    assert str(spec.claims.values["q"]) == "3.00"
