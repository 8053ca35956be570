"""A large graph told a computation at a time: each layer's equation with the indices free, held to every element
it stands for, and the backward pass's steps that differ only by an index told once, each general step held to
every member step."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.derive.step_groups import _erased, _moved, told_graph_steps
from symbackprop.model.graph import Graph
from symbackprop.model.index_free import general, instantiate, split, symbol_like
from symbackprop.model.layers.equations import layer_equations
from symbackprop.model.layers.layer_graph import layered_spec

CNN: dict[str, Any] = {
    "input": [1, 6, 6],
    "cost": "cross_entropy",
    "batch": 4,
    "seed": 7,
    "layer": [
        {"kind": "conv2d", "out_channels": 2, "kernel": 3},
        {"kind": "activation", "activation": "relu"},
        {"kind": "maxpool2d", "size": 2},
        {"kind": "flatten"},
        {"kind": "dense", "size": 3, "activation": "softmax"},
    ],
}


def _nodes(graph: Graph) -> dict[str, sp.Expr]:
    return {n.name: n.expression for n in graph.nodes}


def test_each_layer_of_the_small_cnn_is_one_equation() -> None:
    spec = layered_spec(CNN)
    equations = layer_equations(spec)
    told = {e.name: e for e in equations}
    conv = told["z^{(1)}_{n,c,i,j}"]
    assert conv.tex == "\\sum_{p,q} W^{(1)}_{c,0,p,q} \\, x_{n,0,i + p,j + q} + b^{(1)}_{c}"
    assert conv.members == 2 * 4 * 4 * 4
    assert told["p^{(3)}_{n,c,i,j}"].tex == "\\max_{p,q} a^{(2)}_{n,c,2 i + p,2 j + q}"
    assert told["z^{(5)}_{n,j}"].note is not None and "k = 4 c + 2 i + j" in told["z^{(5)}_{n,j}"].note
    assert sum(e.members for e in equations) == len(spec.graph.nodes)  # every node told, once
    assert len(equations) < 12


def test_every_renamed_equation_gives_each_member_back() -> None:
    """Independently of the check inside: each family equation with a SymPy form, instantiated at each member's
    indices, is that member's node expression."""
    spec = layered_spec(CNN)
    nodes = _nodes(spec.graph)
    for e in layer_equations(spec):
        if e.members == 1 or e.expression is None:
            continue
        base = split(e.name.replace("n", "0").replace("c", "0").replace("i", "0").replace("j", "0"))
        assert base is not None
        members = [name for name in nodes if (p := split(name)) is not None and p[0] == base[0]]
        assert len(members) == e.members
        for name in members:
            parts = split(name)
            assert parts is not None
            assert instantiate(e.expression, parts[1], symbol_like) == nodes[name]


def test_a_node_that_breaks_the_pattern_is_not_told_with_it() -> None:
    x0, x1, z1 = sp.symbols("x_{0} x_{1} z_{1}", real=True)
    assert general([("a_{0}", sp.exp(x0)), ("a_{1}", sp.exp(x1))]) is not None
    assert general([("a_{0}", sp.exp(x0)), ("a_{1}", sp.exp(z1))]) is None
    assert general([("a_{0}", sp.exp(x0)), ("a_{1}", 2 * sp.exp(x1))]) is None


def test_a_convolution_node_that_is_not_the_convolution_is_caught() -> None:
    spec = layered_spec(CNN)
    graph = spec.graph
    wrong = [replace(n, expression=n.expression + 1) if n.name == "z^{(1)}_{1,1,2,3}" else n for n in graph.nodes]
    broken = replace(spec, graph=replace(graph, nodes=tuple(wrong)))
    with pytest.raises(AssertionError, match=r"z\^\{\(1\)\}_\{1,1,2,3\}"):
        layer_equations(broken)


@st.composite
def stacks(draw: st.DrawFn) -> dict[str, Any]:
    sides = draw(st.sampled_from([1, 2]))
    size = draw(st.integers(3, 5))
    kernel = draw(st.integers(1, 2))
    conv = {
        "kind": f"conv{sides}d",
        "out_channels": draw(st.integers(1, 2)),
        "kernel": kernel,
        "stride": draw(st.integers(1, 2)),
        "padding": draw(st.integers(0, 1)),
    }
    channels = draw(st.integers(1, 2))
    shape = [channels, size] if sides == 1 else [channels, size, size]
    layers: list[dict[str, Any]] = [conv, {"kind": "activation", "activation": draw(st.sampled_from(["relu", "tanh"]))}]
    if draw(st.booleans()):
        layers.append(
            {"kind": "maxpool1d" if sides == 1 else draw(st.sampled_from(["maxpool2d", "avgpool2d"])), "size": 1}
        )
    layers += [{"kind": "flatten"}, {"kind": "dense", "size": 2, "activation": "softmax"}]
    return {"input": shape, "cost": "cross_entropy", "batch": draw(st.integers(1, 2)), "seed": 1, "layer": layers}


@settings(max_examples=15, deadline=None)
@given(stacks())
def test_random_stacks_are_told_once_per_layer_and_every_node_is_told(data: dict[str, Any]) -> None:
    spec = layered_spec(data)
    equations = layer_equations(spec)  # raises where an equation fails at an element
    assert sum(e.members for e in equations) == len(spec.graph.nodes)
    conv = [e for e in equations if e.name.startswith("z^{(1)}")]
    assert len(conv) == 1
    assert conv[0].members == 1 or (conv[0].tex is not None and "\\sum" in conv[0].tex)  # one element: as it is


def test_the_backward_pass_tells_each_computation_once_and_every_step_is_told() -> None:
    spec = layered_spec(CNN)
    d = derive_graph(spec.graph, "W^{(1)}_{0,0,1,1}")
    told = told_graph_steps(d)
    names = [m for t in told for m in t.members]
    assert sorted(names) == sorted(s.name for s in d.steps if s.uses)  # each step once
    assert len(told) < 20
    for t in told:
        if t.general:  # instantiated at each member's indices, it is that member's step
            for member in t.members:
                parts = split(member)
                assert parts is not None
                again = _moved(t.step, parts[1], False)
                step = d.step_of[member]
                assert (again.name, again.uses, again.formula) == (step.name, step.uses, step.formula)
        else:  # the others differ from the one told only in their indices
            assert all(_erased(d.step_of[m]) == _erased(t.step) for m in t.members)
    assert any(t.general and t.step.name == "z^{(1)}_{n,c,i,j}" and len(t.members) == 64 for t in told)


def test_the_small_cnn_page_is_small_and_the_same_twice(tmp_path: Path, cmdline) -> None:
    sizes = {}
    for fmt, limit in (("md", 30_000), ("html", 300_000)):
        out = tmp_path / f"page.{fmt}"
        for _ in range(2):
            done = cmdline.run("derive", "example:small-cnn", "--wrt", "W^{(1)}_{0,0,1,1}", "--to", fmt, "-o", str(out))
            assert done.returncode == 0, done.stderr
            sizes.setdefault(fmt, []).append(out.read_bytes())
        assert sizes[fmt][0] == sizes[fmt][1]
        assert len(sizes[fmt][0]) < limit
    page = sizes["md"][0].decode()
    assert "\\sum_{p,q} W^{(1)}_{c,0,p,q}" in page and "for each of the 64 elements" in page
    assert "**Check.** proven" in page


def test_text_and_latex_tell_the_same_equations(cmdline) -> None:
    """The four formats show the same: the terminal's text and the LaTeX body tell the layer's equation once and
    the step for all 64 elements once, as the Markdown and the web page do."""
    argv = ("derive", "example:small-cnn", "--wrt", "W^{(1)}_{0,0,1,1}", "--to")
    text = cmdline.run(*argv, "text").stdout
    assert "z^{(1)}_n,c,i,j = Σ_p,q W^{(1)}_c,0,p,q · x_n,0,i+p,j+q + b^{(1)}_c" in text
    assert "for each of the 64 elements of z^{(1)} on the path" in text
    tex = cmdline.run(*argv, "tex-body").stdout
    assert "\\sum_{p,q} W^{(1)}_{c,0,p,q} \\, x_{n,0,i + p,j + q} + b^{(1)}_{c}" in tex
    assert "for each of the 64 elements $z^{(1)}$ on the path" in tex
    assert text.count("z^{(1)}_0,0,0,0 =") <= 1 and tex.count("z^{(1)}_{0,1,2,3} &=") == 0


PADDED = """input = [1, 6, 6]
cost = "sse"
batch = 2
seed = 3
[[layer]]
kind = "conv2d"
out_channels = 1
kernel = 3
padding = 1
[[layer]]
kind = "flatten"
[[layer]]
kind = "dense"
size = 2
"""


def test_a_padded_convolution_says_so_in_words_in_every_format(tmp_path: Path, cmdline) -> None:
    """The padding note is words inside the formula (``\\text``), so LaTeX keeps their spaces (in math mode they ran
    together, "apositionoutsidetheinputis0"), the terminal shows them without the command and the page as MathML."""
    spec = tmp_path / "padded.toml"
    spec.write_text(PADDED)
    argv = ("derive", str(spec), "--wrt", "W^{(1)}_{0,0,1,1}", "--to")
    assert "; a position outside the input is 0 (padding)" in cmdline.run(*argv, "text").stdout
    assert "$\\text{a position outside the input is 0 (padding)}$" in cmdline.run(*argv, "tex-body").stdout
    page = cmdline.run(*argv, "html").stdout
    assert "<mtext>a&#x000A0;position&#x000A0;outside" in page and "\\text" not in page
