"""A layer of one neuron has nothing to generalise: its quantities are printed without an index (a^2, delta^2), so
a step told "for each j = 1..1" above them, a weight w_kj^3 whose j names no neuron, or a path "one for each neuron
j of layer L" through z^(L) would speak of a letter the page never uses. Every preset and format tells such a
layer for its one neuron; the formulas are the general ones at that neuron, and they still give the proven result.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.derive.backward import J_, _delta_value, backward, tells_backward
from symbackprop.derive.general_form import DELTA
from symbackprop.documents import render
from symbackprop.render.context import summary_data
from symbackprop.render.data import Printed
from symbackprop.render.story import neuron_first

PRESETS = ("nielsen", "goodfellow", "3b1b", "deeplizard")
FORMATS = ("text", "md", "tex", "html")

# "j = 1..1" in text, "j = 1, \dots, 1" in TeX and Markdown, and the same range as MathML on a web page
RANGES = (
    re.compile(r"j = (\d+)\.\.(\d+)"),
    re.compile(r"j = (\d+), \\dots, (\d+)"),
    re.compile(
        r"<mi>j</mi><mo>&#x0003D;</mo><mn>(\d+)</mn><mo>&#x0002C;</mo><mo>&#x02026;</mo><mo>&#x0002C;</mo><mn>(\d+)</mn>"
    ),
)


def ranges(out: str) -> list[tuple[int, int]]:
    """Every range of the neuron j a document states."""
    return [(int(a), int(b)) for pattern in RANGES for a, b in pattern.findall(out)]


@st.composite
def one_neuron_networks(draw):
    """A network with at least one layer of one neuron after the input, in any preset."""
    depth = draw(st.integers(2, 3))
    layers = draw(st.lists(st.integers(1, 3), min_size=depth + 1, max_size=depth + 1))
    one = draw(st.integers(1, depth))
    layers[one] = 1
    net = sbp.Network(
        layers=layers,
        activation=draw(st.sampled_from(["sigmoid", "tanh", "relu"])),
        cost=draw(st.sampled_from(["sse", "half_sse"])),
        bias=draw(st.sampled_from(["neuron", "layer", "none"])),
        index_base=draw(st.sampled_from([0, 1])),
        notation=draw(st.sampled_from(PRESETS)),
    )
    return net, draw(st.sampled_from(net.parameters()))


@settings(max_examples=20, deadline=None)
@given(one_neuron_networks())
def test_no_document_ranges_j_over_one_neuron(sheet):
    net, ref = sheet
    d = net.derive(ref)
    told = backward(d) if net.notation.story != "chain" and tells_backward(d) else None
    story = told is not None and any(net.layers[e.layer] > 1 for e in told.errors)
    for fmt in FORMATS:
        out = render(d, fmt)
        assert all(first != last for first, last in ranges(out)), (fmt, ranges(out))
        if story and fmt != "html":  # a layer of several neurons in the story still has its range
            assert ranges(out), fmt


@settings(max_examples=20, deadline=None)
@given(one_neuron_networks())
def test_a_one_neuron_layers_story_has_no_free_j_and_still_gives_the_result(sheet):
    """The error of a one-neuron layer and the general BP3/BP4 of its weights are written at its neuron: no j
    left in them (w_k1^3, not w_kj^3); each error, with the errors above put in, is that neuron's error, and the
    story still gives the result the element proof checks against sympy.diff."""
    net, ref = sheet
    d = net.derive(ref)
    if not tells_backward(d):
        return
    told = backward(d)
    memo: dict = {}
    for e in told.errors:
        one = net.layers[e.layer] == 1
        parts = [e.delta, e.prime, e.upstream] + [x for x in (e.weight, e.cost, e.in_a) if x is not None]
        assert one == all(J_ not in p.free_symbols for p in parts), (e.layer, parts)
        if one:
            (neuron,) = net.neurons(e.layer)
            upstream = e.upstream.doit()  # the sum over k of the layer above carried out
            errors = [x for x in upstream.atoms(sp.Indexed) if x.base == DELTA]
            put_in = upstream.xreplace({x: _delta_value(d, int(x.indices[0]), x.indices[1], memo) for x in errors})
            assert sp.expand(put_in * e.prime - _delta_value(d, e.layer, neuron, memo)) == 0
    g = told.gradient
    general = [*g.general_w, *(g.general_b or ())]
    assert (net.layers[ref.layer] == 1) == all(J_ not in x.free_symbols for x in general)
    assert sp.expand(told.unrolled - d.result) == 0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("preset", "ref"), [("nielsen", "w_{11}^{2}"), ("goodfellow", "W_{11}^{(1)}")])
def test_the_issues_network_is_told_for_the_one_neuron(preset, ref, fmt):
    """derive --layers 2,1,1 --notation nielsen --wrt 'w_{11}^{2}' printed "for each j = 1..1" twice."""
    out = render(sbp.Network(layers=[2, 1, 1], notation=preset).derive(ref), fmt)
    assert not ranges(out)
    said = re.sub(r"<[^>]+>|\$", "", out)  # the words, without markup
    assert re.search(r"[Ff]or the one neuron of the output layer", said), said
    assert re.search(r"[Ff]or the one neuron of layer \(?[12]\)?", said), said
    if fmt == "tex":
        assert r"\text{in vector form:}" in out and "for all $j$ at once" not in out
        assert "for every neuron $k$ of the layer before" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_weight_above_a_one_neuron_layer_names_that_neuron(fmt):
    """3-1-2 under Nielsen: BP2 for layer 2's one neuron sums w_k1^3 delta_k^3 over k; BP4 is w_1k^2's."""
    out = render(sbp.Network(layers=[3, 1, 2], notation="nielsen").derive("w_{11}^{2}"), fmt)
    written = {"text": ("w_k1^3", "w_1k^2"), "md": ("w_{k1}^{3}", "w_{1k}^{2}"), "tex": ("w_{k1}^{3}", "w_{1k}^{2}")}
    if fmt in written:
        for name in written[fmt]:
            assert name in out
        assert "kj" not in out.replace("w_{kj}^{l", "").replace("w_kj^l", "")  # the matrix section's general w_kj^l
    assert not any(first == last for first, last in ranges(out))


@pytest.mark.parametrize("preset", ["3b1b", "deeplizard"])
def test_a_chains_path_has_no_letter_for_a_one_neuron_layer(preset):
    """The In short line: "w^(L-1) -> ... -> z^(L) -> a^(L) -> C_0" is one path, not "one for each neuron j of
    layer L"; a layer of several neurons still gets its letter."""
    for layers, letters in (([2, 1, 1], 0), ([2, 2, 1], 0), ([3, 1, 2], 1)):
        net = sbp.Network(layers=layers, notation=preset)
        d = net.derive(next(r for r in net.parameters() if r.layer == 1))  # a weight of the first layer
        summary = summary_data(d, Printed(net))
        assert len(summary["over"]) == letters
        text = render(d, "text")
        assert ("one path for each neuron" in text) == (letters > 0)


def test_3b1bs_general_sensitivity_has_no_letter_k_for_a_one_neuron_layer():
    """With more neurons the sensitivity sums over j; layer L-1 of one neuron makes its weight w_j0, not w_jk."""
    net = sbp.Network(layers=[3, 1, 2], notation="3b1b")
    first = neuron_first(net.derive("w_{00}^{(L-1)}"), Printed(net))
    assert first is not None and first["general"] is not None
    lhs, rhs = first["general"]
    assert "w_j0^(L)" in rhs["text"] and "k" not in rhs["text"] + lhs["text"]


@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
def test_every_weight_document_and_worksheet_tell_a_one_neuron_layer_for_that_neuron(preset):
    """--wrt all (LaTeX and web page) and the worksheets (sheet and key, LaTeX and web page) of 2-1-1."""
    from symbackprop.documents import all_document
    from symbackprop.render import render_all
    from symbackprop.render.worksheet import worksheet_html, worksheet_tex
    from symbackprop.worksheets import step_count, worksheet

    net = sbp.Network(layers=[2, 1, 1], notation=preset)
    doc = all_document(net)
    outs = {f"all {fmt}": render_all(doc, fmt=fmt) for fmt in ("tex", "html")}
    d = net.derive(net.parameters()[-1])  # a weight of the first layer: every layer's error on the way
    for fade in range(step_count(d) + 1):
        for key in (False, True):
            sheet = worksheet(d, fade, ["--layers", "2,1,1", "--notation", preset], key=key)
            outs[f"sheet {fade} {key} tex"] = worksheet_tex(sheet)
            outs[f"sheet {fade} {key} html"] = worksheet_html(sheet)
    for name, out in outs.items():
        assert not ranges(out), name
        assert "for all $j$ at once" not in out and "for each neuron $j$ of" not in out, name
        assert "the one neuron of" in out, name


@pytest.mark.parametrize(
    ("layers", "preset", "ref"),
    [
        ([2, 1, 1], "3b1b", "w_{01}^{(1)}"),
        ([2, 1, 1], "nielsen", "w_{11}^{2}"),
        ([3, 1, 2], "goodfellow", "w_{12}^{(1)}"),
        ([3, 1, 2], "deeplizard", "w_{02}^{(1)}"),
    ],
)
def test_forward_equations_of_a_one_neuron_layer_name_no_j(layers, preset, ref):
    """A forward equation whose left side has no index j (a layer of one neuron) has none on its right either: the
    weights into the one neuron are w_{0k} (or w_{1k}), not w_{jk} with a j the page never introduces."""
    tex = render(sbp.Network(layers=layers, notation=preset).derive(ref), "tex")
    block = tex.split("forward equations", 1)[1].split(r"\end{align", 1)[0]
    equations = [eq for row in block.split(r"\\") for eq in row.split(r"&\qquad")]
    checked = 0
    for equation in equations:
        if "&=" not in equation:
            continue
        lhs, rhs = equation.split("&=", 1)
        if "_{j" not in lhs and "C" not in lhs and "J " not in lhs:
            checked += 1
            assert "_{j" not in rhs, equation
    assert checked >= 2  # the one neuron's z and a
