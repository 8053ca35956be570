"""The circuit figure of a computation graph: plain data, the same every time, every node and wire in it, nothing
drawn over anything else, the chosen variable's path marked exactly, and a PDF pdflatex builds from it."""

from __future__ import annotations

import json
import math
import random
from itertools import combinations, pairwise
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.model import graph_spec
from symbackprop.model.graph import Graph
from symbackprop.model.graph_functions import relu, sigmoid
from symbackprop.numeric.graph_numbers import graph_numbers
from symbackprop.render.data import plain
from symbackprop.render.environment import render_template
from symbackprop.render.graph_figure import MAX_NAMES, PAGE_WIDTH, footprints, graph_figure, number, operation
from symbackprop.render.latex_build import build_pdf

from ..needs import NEEDS_TEX

SPECS = sorted((Path(__file__).resolve().parents[1] / "graphs").glob("*.toml"))
TOLERANCE = 5e-3  # cm: boxes that only touch do not overlap (coordinates are rounded to 0.001)


def random_graph(size: int, seed: int, leaves: int = 8) -> Graph:
    """A graph of ``size`` nodes over ``leaves`` inputs, each node a gate (or a small expression) of one to three
    earlier names, mostly ones nothing uses yet, the last adding up whatever is still unused."""
    rng = random.Random(seed)
    names = [f"x_{i}" for i in range(1, leaves + 1)]
    unused, nodes = list(names), []
    one = ["\\sigma({a})", "\\tanh({a})", "\\operatorname{{relu}}({a})", "{a}^{{2}}", "3 {a}", "{a} + 1", "-1 {a}"]
    two = ["{a} + {b}", "{a} {b}", "\\max({a}, {b})", "{a} {b} + {c} - 2 {a}"]
    for n in range(1, size):
        pick = []
        for _ in range(3):
            pool = [x for x in (unused if unused and rng.random() < 0.75 else names) if x not in pick]
            pick.append(rng.choice(pool or [x for x in names if x not in pick]))
        form = rng.choice(one if rng.random() < 0.4 else two)
        name = f"v_{{{n}}}"
        nodes.append((name, form.format(a=pick[0], b=pick[1], c=pick[2])))
        unused = [x for x in unused if x not in pick[: 1 + form.count("{b}") + form.count("{c}")]] + [name]
        names.append(name)
    nodes.append(("y", " + ".join(unused)))
    values = {f"x_{i}": round(rng.uniform(-2, 2), 2) for i in range(1, leaves + 1)}
    return Graph.build(nodes, values, output="y", title=f"random graph {seed}")


def spec_graph(path: Path) -> Graph:
    return graph_spec.from_toml(path).graph


def figure_of(graph: Graph, path: tuple[str, ...] | None = None, numbers: bool = True) -> dict:
    found = graph_numbers(derive_graph(graph, None)) if numbers else None
    return graph_figure(graph, found, path if path is not None else (graph.leaves[0],))


GRAPHS = {path.stem: path for path in SPECS}
CASES = [*GRAPHS, "random30", "deep30"]


def case_graph(case: str) -> Graph:
    return {"random30": lambda: random_graph(30, 7), "deep30": deep_graph}.get(case, lambda: spec_graph(GRAPHS[case]))()


def overlap(a: tuple, b: tuple) -> bool:
    return a[1] < b[3] - TOLERANCE and b[1] < a[3] - TOLERANCE and a[2] < b[4] - TOLERANCE and b[2] < a[4] - TOLERANCE


def crosses_box(p: list[float], q: list[float], box: tuple) -> bool:
    """Whether the segment pq runs through the inside of ``box`` (Liang-Barsky clipping, box shrunk a little)."""
    x0, y0, x1, y1 = box[1] + TOLERANCE, box[2] + TOLERANCE, box[3] - TOLERANCE, box[4] - TOLERANCE
    low, high = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for step, room in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if step == 0:
            if room < 0:
                return False
            continue
        t = room / step
        low, high = (max(low, t), high) if step < 0 else (low, min(high, t))
        if low > high:
            return False
    return True


def crosses_circle(p: list[float], q: list[float], node: dict) -> bool:
    (px, py), (qx, qy), (cx, cy) = p, q, (node["x"], node["y"])
    length = (qx - px) ** 2 + (qy - py) ** 2
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((cx - px) * (qx - px) + (cy - py) * (qy - py)) / length))
    return math.dist((px + t * (qx - px), py + t * (qy - py)), (cx, cy)) < node["w"] / 2 - 0.01  # both ends rounded


@pytest.mark.parametrize("case", CASES)
def test_the_figure_is_plain_data_and_the_same_every_time(case):
    graph = case_graph(case)
    figure = figure_of(graph)
    assert plain(figure) is figure
    again = figure_of(case_graph(case))
    assert json.dumps(figure, sort_keys=True) == json.dumps(again, sort_keys=True)


@pytest.mark.parametrize("case", CASES)
def test_every_node_and_every_wire_is_drawn_once(case):
    graph = case_graph(case)
    figure = figure_of(graph)
    by_id = {n["id"]: n for n in figure["nodes"]}
    assert sorted(n["name"] for n in figure["nodes"]) == sorted(
        n if "_" not in n or "{" in n else n.replace("_", "_{") + "}" for n in graph.names
    )
    assert sum(n["leaf"] for n in figure["nodes"]) == len(graph.leaves)
    wires = sorted((by_id[e["source"]]["name"], by_id[e["target"]]["name"]) for e in figure["edges"])
    assert len(wires) == len(set(wires)) == sum(len(n.inputs) for n in graph.nodes)
    out = by_id[figure["output"]]
    assert out["output"] and out["band"] == max(n["band"] for n in by_id.values())
    assert out["x"] == max(n["x"] for n in by_id.values() if n["band"] == out["band"])
    assert all(len(piece) >= 2 for e in figure["edges"] for piece in e["pieces"])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("numbers", [True, False])
def test_no_box_or_label_overlaps_another_and_no_wire_runs_through_one(case, numbers):
    figure = figure_of(case_graph(case), numbers=numbers)
    boxes = list(footprints(figure))
    clashes = [(a[0], b[0]) for a, b in combinations(boxes, 2) if overlap(a, b)]
    assert not clashes
    circles = {n["id"]: n for n in figure["nodes"] if n["shape"] == "circle"}
    for edge in figure["edges"]:
        for piece in edge["pieces"]:
            for p, q in pairwise(piece):
                through = [b[0] for b in boxes if b[0].removeprefix("nodes:") not in circles and crosses_box(p, q, b)]
                through += [i for i, node in circles.items() if crosses_circle(p, q, node)]
                assert not through, f"the wire {edge['source']} -> {edge['target']} runs through {through}"


@pytest.mark.parametrize("case", CASES)
def test_the_figure_fits_the_page_at_a_readable_scale(case):
    figure = figure_of(case_graph(case))
    assert figure["width"] * figure["scale"] <= PAGE_WIDTH + 1e-9
    assert figure["scale"] >= 0.8
    assert all(0 <= n["x"] <= figure["width"] and 0 <= n["y"] <= figure["height"] for n in figure["nodes"])


def on_a_path(graph: Graph, chosen: str) -> set[str]:
    """Names n with the chosen name at or below n, and n at or below the output, told by depends_on alone."""
    below_output = {s.name for s in graph.depends_on(graph.output)}
    return {n for n in graph.names if graph.symbol(chosen) in graph.depends_on(n) and n in below_output}


@pytest.mark.parametrize("case", CASES)
def test_the_path_from_each_leaf_to_the_output_is_marked_exactly(case):
    graph = case_graph(case)
    for leaf in graph.leaves:
        figure = figure_of(graph, (leaf,))
        names = {n["id"]: n["name"] for n in figure["nodes"]}
        expected = {graph_figure_name(n) for n in on_a_path(graph, leaf)}
        assert {n["name"] for n in figure["nodes"] if n["on_path"]} == expected
        for edge in figure["edges"]:
            assert edge["on_path"] == (names[edge["source"]] in expected and names[edge["target"]] in expected)


def graph_figure_name(name: str) -> str:
    return name.replace("_", "_{") + "}" if "_" in name and "{" not in name else name


def test_the_names_of_a_derivation_s_steps_mark_the_same_path():
    graph = spec_graph(GRAPHS["cs231n_sigmoid_circuit"])
    steps = [step.name for step in derive_graph(graph, "x_0").steps]
    assert figure_of(graph, tuple(steps)) == figure_of(graph, ("x_0",))
    assert not any(n["on_path"] for n in figure_of(graph, ()).get("nodes"))


def test_the_wires_carry_the_published_numbers():
    graph = spec_graph(GRAPHS["cs231n_add_mul_xyz"])
    figure = figure_of(graph, ("x",))
    names = {n["id"]: n["name"] for n in figure["nodes"]}
    wires = {(names[e["source"]], names[e["target"]]): (e["value"], e["gradient"]) for e in figure["edges"]}
    assert wires == {("x", "q"): ("-2.00", "-4.00"), ("y", "q"): ("5.00", "-4.00"), ("q", "f"): ("3.00", "-4.00"),
                     ("z", "f"): ("-4.00", "3.00")}  # fmt: skip
    shown = {(label["kind"], label["text"]) for label in figure["labels"]}
    assert {("value", "-12.00"), ("gradient", "1.00"), ("value", "-2.00"), ("gradient", "3.00")} <= shown


def test_a_fork_shows_the_whole_gradient_on_its_stem_and_each_share_on_its_branch():
    graph = spec_graph(GRAPHS["micrograd_lecture_d_e_f"])  # a and b each feed d = a b and e = a + b
    figure = figure_of(graph)
    numbers = graph_numbers(derive_graph(graph, None))
    names = {n["id"]: n["name"] for n in figure["nodes"]}
    shares = [float(e["gradient"]) for e in figure["edges"] if names[e["source"]] == "a"]
    assert len(shares) == 2 and math.isclose(sum(shares), numbers.gradients["a"], abs_tol=0.01)
    assert number(numbers.gradients["a"]) in {
        label["text"] for label in figure["labels"] if label["kind"] == "gradient"
    }


def test_without_numbers_nothing_is_labelled_but_the_names():
    figure = figure_of(spec_graph(GRAPHS["cs231n_sigmoid_circuit"]), numbers=False)
    assert {label["kind"] for label in figure["labels"]} == {"name"}
    assert all(e["value"] is None and e["gradient"] is None for e in figure["edges"])


def deep_graph(size: int = 30) -> Graph:
    """A chain of ``size`` gates, x feeding every other one: too deep for one band across the page."""
    forms = ["\\tanh({p})", "{p} x", "2 {p}", "{p} + x", "\\sigma({p})", "\\max({p}, x)"]
    nodes = [(f"v_{{{n}}}", forms[n % len(forms)].format(p=f"v_{{{n - 1}}}" if n > 1 else "y")) for n in range(1, size)]
    return Graph.build(nodes, {"x": 0.5, "y": -1.0})


def test_a_deep_graph_is_cut_into_bands_that_fit_the_page_and_its_wires_jump_between_them():
    figure = figure_of(deep_graph(), ("y",))
    bands = {n["band"] for n in figure["nodes"]}
    assert len(bands) > 1 and figure["scale"] >= 0.8 and figure["width"] * figure["scale"] <= PAGE_WIDTH
    outs = sorted(t["name"] for t in figure["tags"] if t["side"] == "out")
    assert outs and set(outs) == {t["name"] for t in figure["tags"] if t["side"] == "in"}
    names = {n["id"]: n for n in figure["nodes"]}
    for edge in figure["edges"]:
        source, target = names[edge["source"]], names[edge["target"]]
        assert len(edge["pieces"]) == (1 if source["band"] == target["band"] else 2)
    assert all(t["on_path"] for t in figure["tags"] if t["name"].startswith("v"))  # the chain from y is the path


def test_a_graph_too_large_to_read_gets_no_figure():
    nodes = [(f"v_{{{n}}}", f"x v_{{{n - 1}}}" if n > 1 else "x") for n in range(1, MAX_NAMES + 1)]
    figure = graph_figure(Graph.build(nodes, ["x"]))
    assert plain(figure) and not figure["shown"] and not figure["nodes"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(3.0, "3.00"), (-12.0, "-12.00"), (0.0, "0.00"), (-0.0, "0.00"), (0.001234, "0.00123"), (-0.004, "-0.00400"),
     (0.005, "0.01"), (6.8813735870195432, "6.88"), (1.5e7, "1.50 \\cdot 10^{7}"), (2e-6, "2.00 \\cdot 10^{-6}"),
     (math.inf, "--"), (-math.inf, "--"), (math.nan, "--"), (None, None)],
)  # fmt: skip
def test_numbers_are_written_as_a_circuit_writes_them(value, shown):
    assert number(value) == shown


s, t, u, v = sp.symbols("s t u v", real=True)


@pytest.mark.parametrize(
    ("expr", "op"),
    [(s + t, "+"), (s * t, "\\times"), (-s, "\\times -1"), (2 * s, "\\times 2"), (s / 2, "/2"), (1 / s, "1/x"),
     (s**2, "x^{2}"), (sp.sqrt(s), "\\sqrt{x}"), (sp.Max(s, t), "\\max"), (sp.Min(s, t), "\\min"),
     (sigmoid(s), "\\sigma"), (sp.exp(s), "\\exp"), (sp.tanh(s), "\\tanh"), (sp.log(s), "\\ln"), (sp.Abs(s), "|x|"),
     (relu(s), "\\operatorname{ReLU}"), (s + 1, "+1"), (s - 3, "-3"), (s * t * u, "\\times"), (s + t + u, "+")],
)  # fmt: skip
def test_each_gate_is_marked_by_its_operation(expr, op):
    assert operation(expr) == op


def test_a_node_that_is_not_one_gate_shows_its_expression_shortened():
    assert operation(3 * s**2 - 4 * s + 5) == "3 s^{2} - 4 s + 5"
    long = operation(s * t + u * v + s * u + t * v + 2 * s)
    assert "\\cdots" in long and long.count("+") + long.count("-") <= 4
    assert "\\cdots" in operation(sigmoid(s * t + u * v + s * u + t * v))


FIGURE_DOCUMENT = r"""\documentclass[11pt]{article}
\BLOCK{ include "preamble.tex.j2" }
\BLOCK{ from "graph_figure.tex.j2" import graph_figure }
\begin{document}
\VAR{ graph_figure(figure) }
\end{document}
"""


@NEEDS_TEX
@pytest.mark.parametrize("case", CASES)
def test_the_figure_builds_into_a_pdf(case, tmp_path):
    (tmp_path / "figure-test.tex.j2").write_text(FIGURE_DOCUMENT, encoding="utf-8")
    source = render_template("figure-test.tex.j2", {"figure": figure_of(case_graph(case))}, tmp_path)
    assert "\\begin{tikzpicture}" in source
    assert build_pdf(source).startswith(b"%PDF")
