"""Each preset tells a derivation its source's way, and what the new parts print is proven.

3Blue1Brown: one neuron per layer first (the three sensitivities, each checked by the element proof against
sympy.diff of that network's composed cost), then the indices. Nielsen: delta, BP1, BP2, then BP3/BP4, with the
errors put in equal to the proven result. Goodfellow: the lines of Algorithm 6.4 in its own letters.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp
from hypothesis import given, settings

import symbackprop as sbp
from symbackprop.derive.backward import backward, tells_backward
from symbackprop.derive.derivation import derive
from symbackprop.documents import render
from symbackprop.model.network import Network
from symbackprop.prove.element import prove

from ..strategies import networks
from .test_symbols_defined import document


def test_nielsen_tells_bp1_bp2_then_bp3_bp4_with_plain_layer_superscripts():
    tex = document("nielsen")
    story = tex[tex.index("Step 1") : tex.index("The same, in matrix form")]
    order = [story.index(name) for name in ("BP1", "BP2", "BP3", "BP4")]
    assert order == sorted(order)
    assert "^{(" not in story and "g^{\\prime" not in tex and "circ -1" not in tex
    assert "W^{l+1}" in tex and "W^{(l+1)}" not in tex
    assert r"\delta^{4} = \nabla_{a} C_x \odot \sigma^{\prime}(z^{4})" in story


def test_nielsen_writes_a_tanh_layers_own_derivative():
    net = sbp.Network(layers=[2, 3, 2], activation=["tanh", "sigmoid"], notation="nielsen")
    tex = render(net.derive("w_{11}^{2}"), "tex")
    assert r"\tanh^{\prime}" in tex and "g^{\\prime" not in tex


def test_goodfellow_tells_algorithm_6_4_in_its_own_symbols():
    tex = document("goodfellow")
    assert r"g \leftarrow \nabla_{\hat{y}} J" in tex and r"g \leftarrow g \odot f'(a^{(3)})" in tex
    assert r"g \leftarrow W^{(3)T} g" in tex and r"\nabla_{W^{(2)}} J" in tex
    assert not re.search(r"(?<![\\A-Za-z])z_", tex) and r"\delta" not in tex


GOODFELLOW_FIRST_LINE = {
    "text": "g ← ∇_ŷ J",
    "md": r"$g \leftarrow \nabla_{\hat{y}} J$",
    "html": "<mi>g</mi><mo>&#x02190;</mo><msub><mo>&#x02207;</mo>",  # g ← ∇ as MathML
}


@pytest.mark.parametrize("fmt", sorted(GOODFELLOW_FIRST_LINE))
def test_goodfellow_tells_the_algorithm_in_every_output(fmt):
    net = sbp.Network(layers=[2, 3, 2], notation="goodfellow")
    out = render(net.derive("W_{12}^{(1)}"), fmt)
    assert GOODFELLOW_FIRST_LINE[fmt] in out
    assert "z_" not in out and "δ" not in out and "delta" not in out


@pytest.mark.parametrize("preset", ["3b1b", "deeplizard"])
def test_3b1b_and_deeplizard_keep_the_chain_through_each_activation(preset):
    tex = document(preset)
    assert "how the cost depends on" in tex and "summed over paths" in tex and r"\sum_{" in tex
    assert "C_0" in tex and "BP1" not in tex


def test_3b1b_begins_with_one_neuron_per_layer_then_the_indices():
    tex = document("3b1b")
    first = tex.index("One neuron per layer first")
    assert first < tex.index("Step 1")
    part = tex[first : tex.index("Step 1")]
    for lhs in (r"\partial w^{(L)}", r"\partial b^{(L)}", r"\partial a^{(L-1)}"):
        assert lhs in part
    assert r"\sum_{j=0}^{2}" in part and "w_{jk}^{(L)}" in part
    assert "One neuron per layer first" not in document("deeplizard")


@settings(max_examples=6, deadline=None)
@given(networks(max_depth=3, max_width=3))
def test_the_three_sensitivities_are_proven_against_the_composed_cost(net):
    """The one-neuron-per-layer chains a 3b1b document prints, proven by the element proof (sympy.diff of the
    composed cost, or the randomized identity test)."""
    s = net.spec
    if not all(net.activation(m).elementwise for m in range(1, net.depth + 1)):
        return
    chain = Network(layers=[1] * (net.depth + 1), activation=list(s.activations), cost=s.cost, notation="3b1b")
    refs = ["w^{(L)}", "b^{(L)}"] + (["a^{(L-1)}"] if net.depth > 1 else [])
    for ref in refs:
        assert prove(derive(chain, ref)).verdict == "proven"


@settings(max_examples=8, deadline=None)
@given(networks(max_depth=3, max_width=3))
def test_the_backward_story_gives_the_proven_result(net):
    """The errors put in (BP2 down to the layer, then BP4 or BP3) equal the chain-rule result, which the element
    proof checks against sympy.diff of the composed cost."""
    for ref in net.parameters()[:: max(1, len(net.parameters()) // 3)]:
        d = net.derive(ref)
        if tells_backward(d):
            assert sp.expand(backward(d).unrolled - d.result) == 0


def _bp2_part(text: str) -> str:
    """The BP2 step of a document, from its heading to the next step's."""
    start = text.index("BP2")
    return text[start : text.index("Step 3", start)]


@pytest.mark.parametrize("fmt", ["tex", "md", "text", "html"])
def test_nielsen_bp2_with_one_neuron_above_prints_its_index_not_a_free_k(fmt):
    """Below a layer of one neuron the sum over k has one term: the weight is w_1j, the error delta^4, no k."""
    net = sbp.Network(layers=[2, 3, 3, 1], notation="nielsen")
    out = render(net.derive("w_{12}^{3}"), fmt)
    part = _bp2_part(out)
    assert "kj" not in part and "w_{kj}" not in part and "sum_{k" not in part and "summed over" not in part
    assert {"tex": "w_{1j}^{4}", "md": "w_{1j}^{4}", "text": "w_1j^4"}.get(fmt, "<mn>1</mn><mi>j</mi>") in part


def test_the_one_neuron_above_form_is_the_sum_over_its_one_k():
    """The error step's upstream without a sum equals the general sum over k when k runs over one neuron."""
    from symbackprop.derive.backward import K_
    from symbackprop.derive.general_form import DELTA
    from symbackprop.model.symbols import W

    d = sbp.Network(layers=[2, 3, 3, 1], notation="nielsen").derive("w_{12}^{3}")
    hidden = [e for e in backward(d).errors if not e.output]
    assert hidden and all(e.next_limits == (1, 1) for e in hidden)
    for e in hidden:
        j = e.delta.indices[-1]
        general = sp.Sum(W[e.layer + 1, K_, j] * DELTA[e.layer + 1, K_], (K_, 1, 1)).doit()
        assert sp.expand(e.upstream.doit() - general) == 0 and not e.upstream.has(K_)


@pytest.mark.parametrize("fmt", ["tex", "md", "text", "html"])
def test_nielsen_without_biases_names_only_bp4(fmt):
    """BP3 is the bias's equation: a network without biases is told with BP4 alone; with biases, both."""
    for bias, named in (("none", False), ("neuron", True)):
        net = sbp.Network(layers=[2, 3, 2], notation="nielsen", bias=bias)
        out = render(net.derive("w_{12}^{2}"), fmt)
        assert ("BP3" in out) is named and "BP4" in out


@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
def test_a_storys_in_short_is_in_its_markdown_and_web_page_too(preset):
    """The summary a story begins with in TeX is in the Markdown and the web page, the same sentence."""
    net = sbp.Network(layers=[4, 5, 5, 3], notation=preset)
    d = net.derive("w_{23}^{2}" if preset == "nielsen" else "W_{12}^{(1)}")
    tex, md, html = (render(d, fmt) for fmt in ("tex", "md", "html"))
    start = tex.index("In short}") + len("In short}")
    sentence = tex[start : tex.index(r"\section*", start)].strip()
    assert sentence.startswith("The derivative is found")
    assert "## In short\n\n" + sentence in md
    assert "<h2>In short</h2>" in html
    words = re.sub(r"\$[^$]*\$", "", sentence).split()  # the prose around the formulas, in order
    prose = re.sub(r"<math.*?</math>", "", html[html.index("<h2>In short</h2>") :], flags=re.S)
    assert " ".join(words[-4:]) in " ".join(prose.split())
