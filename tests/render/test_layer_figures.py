"""The figures of a layer stack's derivation: what each highlights is exactly the path from the derived name to the
cost, worked out here from the graph's own wiring (not from the derivation's steps, which the figures read); a
kernel weight's pairs are the inputs it multiplies in the output cells drawn; a max pool's arg max the first
largest of each window; the figures are plain data, build into a PDF, load in Chromium without an error, and
come out the same every time.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.documents import graph_document
from symbackprop.model.layers.layer_graph import layered_spec
from symbackprop.numeric.graph_numbers import graph_numbers
from symbackprop.render import render_graph
from symbackprop.render.data import plain
from symbackprop.render.environment import render_template
from symbackprop.render.latex_build import build_pdf
from symbackprop.render.layer_figures import layer_figures
from symbackprop.render.svg_figure import layer_svg

from ..html.browser import NEEDS_CHROMIUM, Browser
from ..needs import NEEDS_TEX

STACKS = {
    "cnn": (
        {"input": [1, 5, 5], "cost": "sse", "batch": 2, "seed": 3}
        | {"layer": [{"kind": "conv2d", "out_channels": 2, "kernel": 2}, {"kind": "maxpool2d", "size": 2}]}
        | {"layer_tail": [{"kind": "flatten"}, {"kind": "dense", "size": 1}]}
    ),
    "padded": {
        "input": [1, 6],
        "cost": "sse",
        "batch": 1,
        "seed": 1,
        "layer": [
            {"kind": "conv1d", "out_channels": 1, "kernel": 3, "padding": 1},
            {"kind": "layernorm"},
            {"kind": "maxpool1d", "size": 2},
            {"kind": "flatten"},
            {"kind": "dense", "size": 1},
        ],
    },
    "bn": {"input": 2, "cost": "sse", "batch": 3, "seed": 1, "layer": [{"kind": "batchnorm"}]},
    "rnn": {"input": [4, 2], "cost": "sse", "batch": 1, "seed": 2, "layer": [{"kind": "rnn", "hidden_size": 2}]},
}
WRT = {
    "cnn": ["W^{(1)}_{1,0,1,0}", "x_{1,0,2,3}", "b^{(1)}_{0}"],
    "padded": ["W^{(1)}_{0,0,0}", "x_{0,0,2}", "\\gamma^{(2)}_{1}"],
    "bn": ["x_{0,0}", "\\gamma^{(1)}_{1}", "x_{2,1}"],
    "rnn": ["W^{(1)}_{0,1}", "U^{(1)}_{1,0}", "x_{0,1,0}"],
}
CASES = [(stack, wrt) for stack, names in WRT.items() for wrt in names]


def spec_of(stack: str):  # type: ignore[no-untyped-def]
    data = dict(STACKS[stack])
    data["layer"] = data["layer"] + data.pop("layer_tail", [])
    return layered_spec(data)


def figures(stack: str, wrt: str) -> tuple[object, list[dict]]:
    spec = spec_of(stack)
    d = derive_graph(spec.graph, wrt)
    values = graph_numbers(derive_graph(spec.graph, None)).values
    return spec, layer_figures(spec, spec.graph, [s.name for s in d.steps], wrt, values)


def the_path(graph, wrt: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The names on a path from ``wrt`` to the output, from the graph's wiring: reached from it going forward, and
    reaching the output going back."""
    inputs = {n.name: {s.name for s in n.inputs} for n in graph.nodes}
    ahead = {wrt}
    for node in graph.nodes:  # in the order made: every input before its users
        if inputs[node.name] & ahead:
            ahead.add(node.name)
    behind = {graph.output}
    for node in reversed(graph.nodes):
        if node.name in behind:
            behind |= inputs[node.name]
    return ahead & behind


@pytest.mark.parametrize(("stack", "wrt"), CASES)
def test_the_cells_highlighted_are_exactly_the_path_s(stack, wrt):
    spec, found = figures(stack, wrt)
    path = the_path(spec.graph, wrt)
    named = [c for f in found for c in f["cells"] if c["name"] is not None]
    assert named or stack == "rnn", "some cell stands for a name of the graph"
    for cell in named:
        assert cell["hot"] == (cell["name"] in path), cell["name"]
    for f in found:
        if f["kind"] == "rnn":  # a box per step stands for the step's hidden state: hot if any of it is
            for cell in f["cells"]:
                if cell["tex"].startswith("h_"):
                    t = int(cell["tex"][3:-1])
                    assert cell["hot"] == any(f"h^{{(1)}}_{{0,{t},{j}}}" in path for j in range(2)), t
    for f in found[1:]:  # each layer's figure draws some of the path, unless the path does not reach it
        assert any(c["hot"] for c in f["cells"]), f["title"]


@pytest.mark.parametrize(("stack", "wrt"), CASES)
def test_the_stack_figure_lights_the_layers_the_path_runs_through(stack, wrt):
    spec, found = figures(stack, wrt)
    path = the_path(spec.graph, wrt)
    boxes = [c for c in found[0]["cells"]]
    assert len(boxes) == len(spec.stack.layers) + 2  # the input, each layer, the cost
    for number, box in enumerate(boxes[:-1]):
        names = set(np.asarray(spec.outputs[number]).ravel().tolist())
        if number:
            names |= {str(s) for a in spec.parameters[number].values() for s in np.asarray(a).ravel()}
        assert box["hot"] == bool(names & path), number
    marked = [n for n, b in enumerate(boxes) if b["mark"] == "source"]
    assert len(marked) == 1


def test_a_kernel_weight_marks_every_input_it_multiplies_in_the_cells_drawn():
    spec, found = figures("cnn", "W^{(1)}_{1,0,1,0}")
    conv = next(f for f in found if f["kind"] == "conv2d")
    nodes = {n.name: n.expression for n in spec.graph.nodes}
    weight = sp.Symbol("W^{(1)}_{1,0,1,0}", real=True)
    outputs = [c for c in conv["cells"] if c["name"] and c["name"].startswith("z^{(1)}")]
    expected = {str(sp.expand(nodes[c["name"]]).coeff(weight)) for c in outputs}
    pairs = [c for c in conv["cells"] if c["mark"] == "pair"]
    assert {c["name"] for c in pairs} == expected
    assert len(pairs) == len(outputs) == 16  # a 4 x 4 output of a 5 x 5 input and a 2 x 2 kernel
    numbered = {c["tex"] for c in pairs}
    assert numbered == {c["tex"] for c in outputs} == {str(k) for k in range(1, 17)}
    assert [c["name"] for c in conv["cells"] if c["mark"] == "source"] == ["W^{(1)}_{1,0,1,0}"]


@pytest.mark.parametrize("stack", ["cnn", "padded"])
def test_a_max_pool_marks_each_window_s_first_largest_value(stack):
    spec, found = figures(stack, "x_{0,0,2,3}" if stack == "cnn" else "x_{0,0,2}")
    pool = next(f for f in found if f["kind"].startswith("maxpool"))
    values = graph_numbers(derive_graph(spec.graph, None)).values
    layer = next(layer for layer in spec.stack.layers if layer.kind.startswith("maxpool"))
    grid = np.asarray(spec.outputs[layer.number - 1])
    size = layer["size"]
    sample = 0
    drawn = {c["name"] for c in pool["cells"]}
    expected = set()
    for channel in range(grid.shape[1]):
        plane = grid[sample, channel].reshape((1, -1) if grid.ndim == 3 else grid.shape[2:])
        rows = size if grid.ndim == 4 else 1
        for i in range(0, plane.shape[0] - rows + 1, rows):
            for j in range(0, plane.shape[1] - size + 1, size):
                window = plane[i : i + rows, j : j + size].ravel().tolist()
                if set(window) <= drawn:
                    numbers = [values[w] for w in window]
                    expected.add(window[int(np.argmax(numbers))])
    assert expected
    assert {c["name"] for c in pool["cells"] if c["mark"] == "argmax"} == expected


def test_a_large_input_is_drawn_as_an_excerpt_and_says_so():
    data = {"input": [1, 12, 12], "cost": "sse", "batch": 1, "seed": 5}
    data["layer"] = [
        {"kind": "conv2d", "out_channels": 1, "kernel": 3},
        {"kind": "flatten"},
        {"kind": "dense", "size": 1},
    ]
    spec = layered_spec(data)
    d = derive_graph(spec.graph, "W^{(1)}_{0,0,0,0}")
    found = layer_figures(spec, spec.graph, [s.name for s in d.steps], d.wrt, spec.graph.values)
    conv = found[1]
    assert len(conv["cells"]) == 8 * 8 + 3 * 3 + 6 * 6  # not the 144 + 9 + 100 cells of the whole grids
    assert "rows 0 to 5 and columns 0 to 5 of the 10 x 10 output" in "".join(
        p.get("words", "") for p in conv["caption"]
    )
    assert conv["scale"] == 1.0


def test_batch_norm_names_the_three_paths_from_x_i():
    _, found = figures("bn", "x_{0,0}")
    norm = found[1]
    words = {t["words"] for t in norm["texts"] if t["words"]}
    assert {"direct", "through the mean", "through the variance"} <= words
    _, found = figures("bn", "\\gamma^{(1)}_{1}")  # from gamma there is one way only: no three paths
    assert not {t["words"] for t in found[1]["texts"]} & {"direct", "through the mean"}


def test_an_rnn_marks_its_shared_weight_at_every_step():
    _, found = figures("rnn", "W^{(1)}_{0,1}")
    rnn = found[1]
    weights = [c for c in rnn["cells"] if c["tex"] == "W"]
    assert len(weights) == 4 and all(c["mark"] == "source" for c in weights)
    recurrent = [c for c in rnn["cells"] if c["tex"] == "U"]
    assert len(recurrent) == 3 and not any(c["mark"] for c in recurrent)  # none into the first step: h before it is 0
    _, found = figures("rnn", "U^{(1)}_{1,0}")
    assert [c["mark"] for c in found[1]["cells"] if c["tex"] == "U"] == ["source"] * 3
    assert [c["tex"] for c in found[1]["cells"] if c["hot"]] == ["h_{1}", "h_{2}", "h_{3}"]  # U does not reach h_0
    hot_steps = [c["tex"] for c in rnn["cells"] if c["hot"] and c["tex"].startswith("h_")]
    assert hot_steps == ["h_{0}", "h_{1}", "h_{2}", "h_{3}"]


@pytest.mark.parametrize(("stack", "wrt"), CASES[::3])
def test_the_figures_are_plain_data_and_the_same_every_time(stack, wrt):
    _, first = figures(stack, wrt)
    _, second = figures(stack, wrt)
    assert plain(first) == first == second


DOCUMENT = r"""\documentclass[11pt]{article}
\BLOCK{ include "preamble.tex.j2" }
\BLOCK{ from "layer_figure.tex.j2" import layer_figure }
\begin{document}
\BLOCK{ for f in figures }
\VAR{ layer_figure(f) }
\BLOCK{ endfor }
\end{document}
"""


@NEEDS_TEX
@pytest.mark.parametrize("stack", list(STACKS))
def test_the_figures_build_into_a_pdf(stack, tmp_path):
    (tmp_path / "layer-test.tex.j2").write_text(DOCUMENT, encoding="utf-8")
    _, found = figures(stack, WRT[stack][0])
    source = render_template("layer-test.tex.j2", {"figures": found}, tmp_path)
    assert source.count("\\begin{tikzpicture}") == len(found)
    assert build_pdf(source).startswith(b"%PDF")


PAGE = """\\BLOCK{ extends "page.html.j2" }
\\BLOCK{ from "figures.html.j2" import layer_figure }
\\BLOCK{ block content }
\\BLOCK{ for f in figures }\\VAR{ layer_figure(f, "f" ~ loop.index) }\\BLOCK{ endfor }
\\BLOCK{ endblock }
"""


@NEEDS_CHROMIUM
def test_the_figures_load_in_chromium_with_titles_and_no_error(tmp_path):
    (tmp_path / "layer-test.html.j2").write_text(PAGE, encoding="utf-8")
    found = [layer_svg(f) for stack in STACKS for f in figures(stack, WRT[stack][0])[1]]
    page = render_template("layer-test.html.j2", {"figures": found, "page_title": "figures"}, tmp_path)
    assert page == render_template("layer-test.html.j2", {"figures": found, "page_title": "figures"}, tmp_path)
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    with Browser() as browser:
        browser.load(tmp_path / "page.html")
        assert browser.errors() == []
        count = browser.evaluate("document.querySelectorAll('figure.layer-figure svg[role=img]').length")
        titled = browser.evaluate(
            "[...document.querySelectorAll('figure.layer-figure svg')].filter(s => "
            "s.querySelector('title').textContent && s.querySelector('desc').textContent).length"
        )
        assert count == titled == len(found)
        drawn = browser.evaluate("document.querySelectorAll('figure.layer-figure rect.lcell.hot').length")
        assert drawn == sum(1 for f in found for c in f["cells"] if c["hot"])


def stack_document(stack: str, wrt: str):  # type: ignore[no-untyped-def]
    spec = spec_of(stack)
    return graph_document(derive_graph(spec.graph, wrt), spec)


def test_a_stack_s_web_page_draws_its_figures_the_same_every_time():
    doc = stack_document("padded", "W^{(1)}_{0,0,0}")
    page = render_graph(doc, "html")
    assert page == render_graph(doc, "html")
    assert page.count('<figure class="scroll fit layer-figure">') == 1  # the stack, shrunk to the page's width
    assert page.count('<figure class="scroll layer-figure">') == 3  # conv1d, layernorm, maxpool1d
    source = render_graph(doc, "tex")
    assert source == render_graph(doc, "tex")
    assert source.count("\\begin{tikzpicture}") >= 4


@NEEDS_TEX
def test_a_stack_s_document_with_its_figures_builds_into_a_pdf():
    source = render_graph(stack_document("rnn", "U^{(1)}_{1,0}"), "tex")
    assert "the state before the first step being 0" in source
    assert build_pdf(source).startswith(b"%PDF")


@st.composite
def small_stacks(draw: st.DrawFn) -> dict:
    """A small stack of one of the drawn kinds, its sizes and numbers drawn."""
    seed, batch = draw(st.integers(0, 50)), draw(st.integers(1, 2))
    kind = draw(st.sampled_from(["conv2d", "conv1d", "maxpool2d", "avgpool2d", "batchnorm", "layernorm", "rnn"]))
    tail = [{"kind": "flatten"}, {"kind": "dense", "size": 1}]
    if kind == "conv2d":
        side, pad = draw(st.integers(3, 5)), draw(st.integers(0, 1))
        layer = {"kind": kind, "out_channels": draw(st.integers(1, 2)), "kernel": 2, "padding": pad}
        data = {"input": [1, side, side], "layer": [layer, *tail]}
    elif kind == "conv1d":
        layer = {"kind": kind, "out_channels": 1, "kernel": draw(st.integers(2, 3)), "stride": draw(st.integers(1, 2))}
        data = {"input": [2, draw(st.integers(4, 7))], "layer": [layer, *tail]}
    elif kind in ("maxpool2d", "avgpool2d"):
        data = {"input": [draw(st.integers(1, 2)), 4, 4], "layer": [{"kind": kind, "size": 2}, *tail]}
    elif kind == "batchnorm":
        data = {"input": draw(st.integers(1, 3)), "layer": [{"kind": kind}]}
        batch = draw(st.integers(2, 3))
    elif kind == "layernorm":
        data = {"input": [2, draw(st.integers(2, 4))], "layer": [{"kind": kind}, *tail]}
    else:
        every = draw(st.booleans())
        layer = {"kind": "rnn", "hidden_size": draw(st.integers(1, 2)), "every_step": every}
        data = {
            "input": [draw(st.integers(2, 8)), 2],
            "layer": [layer] if every else [layer, {"kind": "dense", "size": 1}],
        }
    return data | {"cost": "sse", "batch": batch, "seed": seed}


@settings(max_examples=25, deadline=None)
@given(small_stacks(), st.data())
def test_on_random_stacks_the_cells_highlighted_are_the_path_s(data, draw):
    spec = layered_spec(data)
    leaves = [name for name in spec.graph.leaves if not name.startswith("y")]
    wrt = draw.draw(st.sampled_from(leaves))
    d = derive_graph(spec.graph, wrt)
    found = layer_figures(
        spec, spec.graph, [s.name for s in d.steps], wrt, graph_numbers(derive_graph(spec.graph, None)).values
    )
    path = the_path(spec.graph, wrt)
    for f in found:
        for cell in f["cells"]:
            if cell["name"] is not None:
                assert cell["hot"] == (cell["name"] in path), (f["title"], cell["name"])
        if f["kind"] == "rnn":  # a step's box: hot when any of the drawn sample's state at that step is
            sample = int(wrt[3:].split(",")[0]) if wrt.startswith("x") else 0
            for cell in f["cells"]:
                if cell["tex"].startswith("h_"):
                    t = int(cell["tex"][3:-1])
                    states = [f"h^{{(1)}}_{{{sample},{t},{j}}}" for j in range(data["layer"][0]["hidden_size"])]
                    assert cell["hot"] == any(h in path for h in states), (wrt, t)
    assert plain(found) == found
