"""The --wrt all document under Nielsen's preset, told through each neuron's error: BP1, BP2 layer by layer as
numbered equations, then each layer's BP3 and BP4; under Goodfellow's, as Algorithm 6.4's backward pass runs,
each layer's g then its gradients; the other presets keep the chain through each activation.

Every formula the story prints is checked: each layer's error, with the errors above put in, equals the engine's
derivative by that neuron's weighted input, which the element proof holds to sympy.diff of the composed cost;
each weight's and bias's BP3/BP4 line, with its error put in, equals that parameter's proven result.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp
from hypothesis import given, settings

import symbackprop as sbp
from symbackprop.derive.backward import backward, tells_backward
from symbackprop.derive.derivation import derive
from symbackprop.derive.general_form import DELTA
from symbackprop.documents import all_document
from symbackprop.model.references import Ref
from symbackprop.prove.element import prove
from symbackprop.render import render_all
from symbackprop.render.data import Printed

from ..needs import NEEDS_TEX
from ..render.test_documents import assert_fits_the_page, compile_tex
from ..render.test_one_step_each import MD_INDEX, _abstracted
from ..strategies import networks
from .test_symbols_defined import undefined


def all_tex(net: sbp.Network, fmt: str = "tex") -> str:
    return render_all(all_document(net), fmt=fmt)


def nielsen(layers=(2, 3, 2), **kw) -> sbp.Network:
    return sbp.Network(layers=list(layers), notation="nielsen", **kw)


def goodfellow(layers=(2, 3, 2), **kw) -> sbp.Network:
    return sbp.Network(layers=list(layers), notation="goodfellow", **kw)


def test_nielsen_tells_the_errors_once_then_bp3_and_bp4_by_layer():
    tex = all_tex(nielsen((2, 3, 3, 2)))
    errors = tex.index(r"\section{The error of each neuron}")
    assert "How the cost depends on each activation" not in tex
    steps = [tex.index(f"Step {n} (BP{b}") for n, b in ((1, 1), (2, 2), (3, 2))]
    assert errors < steps[0] < steps[1] < steps[2] < tex.index(r"\section{Layer $4$}")
    layers = [tex.index(rf"\section{{Layer ${n}$}}") for n in (4, 3, 2)]
    assert layers == sorted(layers)
    for n, layer in enumerate((3, 2, 1), start=0):  # each layer's BP3/BP4 cites its own error's equation
        label = f"sbp:delta:{layer}"
        assert tex.count(rf"\label{{{label}}}") == 1
        part = tex[layers[n] : layers[n + 1] if n + 1 < len(layers) else len(tex)]
        assert rf"\eqref{{{label}}}" in part and "(BP3)" in part and "(BP4)" in part
    assert r"\delta^{3} = ((W^{4})^{T} \delta^{4}) \odot \sigma^{\prime}(z^{3})" in tex


def test_without_biases_only_bp4_and_with_a_shared_bias_the_sum_of_the_errors():
    none = all_tex(nielsen(bias="none"))
    assert "(BP4)" in none and "(BP3)" not in none and "b_{" not in none[none.index("The error of each") :]
    shared = all_tex(nielsen(bias="layer"))
    assert r"\frac{\partial C_x}{\partial b^{3}} &= \sum_{j=1}^{2} \delta_{j}^{3}" in shared


def _values(net: sbp.Network) -> dict[tuple[int, int], sp.Expr]:
    """Each neuron's error as the story prints it, with the errors of the layers above put in, worked from the
    printed steps alone: BP1's formula at the output, BP2's below."""
    first = min(r.layer for r in net.parameters())  # a parameter of the first hidden layer: the pass runs through all
    low = next(derive(net, r) for r in net.parameters() if r.layer == first)
    j = sp.Symbol("j")
    found: dict[tuple[int, int], sp.Expr] = {}
    for e in backward(low).errors:  # from the output layer down
        formula = e.closed if e.coupled else e.upstream * e.prime
        for n in net.neurons(e.layer):
            value = formula.subs(j, n).doit()
            found[e.layer, n] = value.subs({DELTA[e.layer + 1, k]: found[e.layer + 1, k] for k in _above(net, e)})
    return found


def _above(net: sbp.Network, e) -> list[int]:
    return list(net.neurons(e.layer + 1)) if e.layer < net.depth else []


@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
@settings(max_examples=6, deadline=None)
@given(drawn=networks(max_depth=3, max_width=3))
def test_every_error_and_every_bp3_bp4_line_printed_is_the_proven_derivative(preset, drawn):
    """Nielsen's errors and BP3/BP4 lines; Goodfellow's g of each layer and its gradients' entries."""
    s = drawn.spec
    net = sbp.Network(
        layers=list(drawn.layers),
        activation=list(s.activations),
        cost=s.cost,
        bias=s.bias,
        index_base=s.index_base,
        notation=preset,
    )
    doc = all_document(net)
    tex = render_all(doc)
    told = "The error of each neuron" in tex or "The backward pass of Algorithm 6.4" in tex
    assert told == all(tells_backward(d) for d, _ in doc.derivations)  # else the chain through each activation
    if not told:
        return
    errors = _values(net)
    p = Printed(net)
    for (layer, n), value in errors.items():
        by_z = derive(net, Ref("z", layer, (n,)))
        assert prove(by_z).verdict == "proven"
        assert sp.simplify(sp.expand(value - by_z.result)) == 0
    for d, proof in doc.derivations:
        g = backward(d).gradient
        assert p.expr(g.target[1])["tex"] in tex
        put_in = g.target[1].subs(
            {DELTA[d.target.layer, k]: errors[d.target.layer, k] for k in net.neurons(d.target.layer)}
        )
        assert sp.simplify(sp.expand(put_in - d.result)) == 0 and proof.verdict == "proven"


def test_a_softmax_output_layer_numbers_bp1_through_the_jacobian():
    net = sbp.Network(layers=[3, 4, 3], activation=["sigmoid", "softmax"], cost="cross_entropy", notation="nielsen")
    tex = all_tex(net)
    assert "summed over the softmax's outputs" in tex and r"\operatorname{diag}(a^{3})" in tex
    assert r"\delta_{j}^{3} = \left(\sum_{i=1}^{3} y_{i}\right) a_{j}^{3} - y_{j}." in tex
    assert undefined(tex) == set()


@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
@pytest.mark.parametrize("layers", [(2, 3, 2), (4, 5, 5, 3), (2, 3, 3, 1)])
def test_every_symbol_of_the_story_all_document_is_in_its_notation_table(layers, preset):
    assert undefined(all_tex(sbp.Network(layers=list(layers), notation=preset))) == set()


@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
def test_the_story_all_document_is_byte_identical_twice(preset):
    net = sbp.Network(layers=[2, 3, 3, 2], notation=preset)
    for fmt in ("tex", "html"):
        assert all_tex(net, fmt) == all_tex(net, fmt)


@pytest.mark.parametrize("preset", ["3b1b", "deeplizard"])
def test_the_other_presets_keep_the_chain_through_each_activation(preset):
    tex = all_tex(sbp.Network(layers=[2, 3, 2], notation=preset))
    assert "How the cost depends on each activation" in tex and "BP1" not in tex
    assert "The error of each neuron" not in tex


def test_the_web_page_tells_the_same_story_and_links_each_layer_to_its_error():
    html = all_tex(nielsen((2, 3, 3, 2)), "html")
    assert "<h2>The error of each neuron</h2>" in html and "How the cost depends" not in html
    assert [int(n) for n in re.findall(r'<span id="error-(\d)"></span>', html)] == [1, 2, 3]
    for n in (1, 2, 3):
        assert f'href="#error-{n}"' in html
    assert "(BP3)" in html and "(BP4)" in html


NETWORKS = {
    "sigmoid": dict(layers=[2, 3, 3, 2]),
    "softmax": dict(layers=[3, 4, 3], activation=["tanh", "softmax"], cost="cross_entropy"),
    "one-output": dict(layers=[2, 3, 3, 1], index_base=0, bias="layer"),
}


@NEEDS_TEX
@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_the_story_all_document_compiles_fits_the_page_and_resolves_every_reference(name, preset):
    from symbackprop.render.latex_build import pdf_text

    source = all_tex(sbp.Network(**NETWORKS[name], notation=preset))
    labels = set(re.findall(r"\\label\{([^}]*)\}", source))
    refs = set(re.findall(r"\\(?:eq)?ref\{([^}]*)\}", source))
    assert refs and refs <= labels
    result = compile_tex(source)
    assert_fits_the_page(result.log)
    text = pdf_text(result.pdf)
    assert "??" not in text and ("The error of each neuron" if preset == "nielsen" else "Algorithm 6.4") in text


@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_no_two_parts_of_the_story_all_document_differ_only_by_an_index(name, preset):
    """Each error step and each worked weight or bias is a different computation: with every digit of a neuron
    index made '#', no two (sub)sections read the same."""
    source = all_tex(sbp.Network(**NETWORKS[name], notation=preset))
    body = source[source.index(r"\label{sbp:errors}") :]
    parts = re.split(r"(?m)^\\(?:sub)?section\{", body)[1:]
    seen = [_abstracted(p, MD_INDEX) for p in parts]
    assert len(parts) > 3
    repeated = [n for n, s in enumerate(seen) if s in seen[:n]]
    assert not repeated, parts[repeated[0]] if repeated else ""


def test_goodfellow_tells_algorithm_6_4_layer_by_layer_in_its_own_symbols():
    tex = all_tex(goodfellow((2, 3, 3, 2)))
    body = tex[tex.index(r"\section{The backward pass of Algorithm 6.4}") :]
    assert "How the cost depends on each activation" not in tex and "BP1" not in tex
    assert not re.search(r"(?<![\\A-Za-z])z_", body) and r"\delta" not in body
    order = [
        body.index(line)
        for line in (
            r"\section{Layer $3$}",
            r"$g \leftarrow \nabla_{\hat{y}} J$, $g \leftarrow g \odot f'(a^{(3)})$",
            r"$\nabla_{b^{(3)}} J = g$, $\nabla_{W^{(3)}} J = g\, (h^{(2)})^{T}$",
            r"\section{Layer $2$}",
            r"$g \leftarrow W^{(3)T} g$, $g \leftarrow g \odot f'(a^{(2)})$",
            r"\section{Layer $1$}",
            r"$\nabla_{W^{(1)}} J = g\, (h^{(0)})^{T}$",
        )
    ]
    assert order == sorted(order)
    assert r"\frac{\partial J}{\partial W_{jk}^{(1)}} &= h_{k}^{(0)} g_{j}^{(1)}" in body
    assert undefined(tex) == set()
