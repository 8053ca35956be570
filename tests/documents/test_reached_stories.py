"""An activation or weighted input told each source's way: under Nielsen, delta_j^l IS dC/dz_j^l and
dC/da_j^l = sum_k w_kj^(l+1) delta_k^(l+1) (BP2's sum without the activation's derivative); under Goodfellow, the
running g at that point of Algorithm 6.4's loop.

The printed lines are checked by putting every error in (each delta as BP1 and BP2 give it) and comparing with the
derivation's result, which the element proof checks against sympy.diff of the composed cost; that proof is run too.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.derive.backward import _delta_value, backward, tells_backward
from symbackprop.derive.general_form import DELTA
from symbackprop.documents import render
from symbackprop.model.references import Ref
from symbackprop.prove.element import prove

from ..strategies import networks
from .test_symbols_defined import undefined


def errors_put_in(d, expr: sp.Expr) -> sp.Expr:
    """``expr`` with every delta_k^l written out as the backward pass computes it, its sums carried out."""
    memo: dict = {}
    expr = expr.doit()
    found = {x for x in expr.atoms(sp.Indexed) if x.base == DELTA}
    return expr.xreplace({x: _delta_value(d, int(x.indices[0]), int(x.indices[1]), memo) for x in found})


def inner_refs(net: sbp.Network) -> list[Ref]:
    """An activation of every layer below the output and a weighted input of every layer."""
    first = net.spec.index_base
    refs = [Ref("a", layer, (first + net.layers[layer] - 1,)) for layer in range(net.depth)]
    return refs + [Ref("z", layer, (first,)) for layer in range(1, net.depth + 1)]


@settings(max_examples=8, deadline=None)
@given(networks(max_depth=3, max_width=3), st.sampled_from(["nielsen", "goodfellow"]))
def test_the_reached_story_gives_the_proven_result(net, preset):
    s = net.spec
    net = sbp.Network(
        layers=list(net.layers), activation=list(s.activations), cost=s.cost, bias=s.bias, notation=preset
    )
    for ref in inner_refs(net):
        d = net.derive(ref)
        if not tells_backward(d):
            assert not all(net.activation(m).elementwise for m in range(1, net.depth))
            continue
        told = backward(d)
        assert told.gradient.kind == ref.kind
        assert sp.expand(told.unrolled - d.result) == 0
        assert sp.expand(errors_put_in(d, told.gradient.target[1]) - d.result) == 0  # the line printed for it
        low = ref.layer if ref.kind == "z" else ref.layer + 1
        assert [e.layer for e in told.errors] == list(range(net.depth, low - 1, -1))


@pytest.mark.parametrize("ref", ["a_2^{3}", "z_2^{3}", "a_1^{1}", "z_1^{4}"])
def test_reached_targets_are_proven_against_the_composed_cost(ref):
    acts = ["sigmoid", "tanh", "softmax"]
    net = sbp.Network(layers=[2, 3, 3, 2], activation=acts, cost="cross_entropy", notation="nielsen")
    d = net.derive(ref)
    assert tells_backward(d) and prove(d).verdict == "proven"
    assert sp.expand(backward(d).unrolled - d.result) == 0


def test_a_planted_slip_in_the_activations_sum_is_caught():
    """The check can fail: the sum over the layer above with the activation's derivative left in (BP2 whole, as if
    the target were the weighted input) is not the activation's derivative."""
    net = sbp.Network(layers=[2, 3, 2], notation="nielsen")
    d = net.derive("a_2^{2}")
    z = net.derive("z_2^{2}")
    assert sp.expand(backward(z).unrolled - d.result) != 0


def test_nielsen_tells_an_activation_through_the_errors_above():
    net = sbp.Network(layers=[2, 3, 3, 2], notation="nielsen")
    tex = render(net.derive("a_2^{3}"), "tex")
    story = tex[tex.index("Step 1") : tex.index("The same, in matrix form")]
    assert "BP1" in story and "BP2" in story and "how the cost depends on" not in tex
    assert r"\frac{\partial C_x}{\partial a^{3}} = (W^{4})^{T} \delta^{4}" in story
    assert r"\frac{\partial C_x}{\partial a_{2}^{3}} = \sum_{k=1}^{2} w_{k2}^{4} \delta_{k}^{4}" in story
    assert "error of layer $3$" not in story  # the errors stop at the layer above


def test_nielsen_tells_a_weighted_input_as_its_error():
    net = sbp.Network(layers=[2, 3, 3, 2], notation="nielsen")
    tex = render(net.derive("z_2^{3}"), "tex")
    story = tex[tex.index("Step 1") : tex.index("The same, in matrix form")]
    assert "the error's definition" in story and "error of layer $3$" in story
    assert r"\frac{\partial C_x}{\partial z_{2}^{3}} = \delta_{2}^{3}" in story


def test_goodfellow_tells_where_g_holds_the_derivative():
    net = sbp.Network(layers=[2, 3, 3, 2], notation="goodfellow")
    h = render(net.derive("h_2^{(2)}"), "tex")
    assert r"g \leftarrow W^{(3)T} g" in h and r"\nabla_{h^{(2)}} J = (W^{(3)})^{T} g^{(3)}" in h
    a = render(net.derive("a_2^{(2)}"), "tex")
    assert r"g \leftarrow g \odot f'(a^{(2)})" in a and r"\frac{\partial J}{\partial a_{2}^{(2)}} = g_{2}^{(2)}" in a
    for tex in (h, a):
        assert r"\delta" not in tex and "z_" not in tex and "BP" not in tex


def test_an_output_activation_keeps_the_chain_story():
    net = sbp.Network(layers=[2, 3, 2], notation="nielsen")
    assert not tells_backward(net.derive("a_1^{3}"))
    assert "BP1" not in render(net.derive("a_1^{3}"), "tex")


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
@pytest.mark.parametrize(("preset", "ref"), [("nielsen", "a_2^{2}"), ("goodfellow", "a_2^{(1)}")])
def test_every_output_tells_the_reached_step(preset, ref, fmt):
    out = render(sbp.Network(layers=[2, 3, 2], notation=preset).derive(ref), fmt)
    assert ("the error's definition" in out) == (preset == "nielsen" and ref.startswith("z"))
    assert ("BP1" in out) == (preset == "nielsen")
    assert "how the cost depends on" not in out


@settings(max_examples=5, deadline=None)
@given(networks(max_depth=3, max_width=3))
def test_reached_stories_define_every_symbol(net):
    s = net.spec
    for preset in ("nielsen", "goodfellow"):
        other = sbp.Network(layers=list(net.layers), activation=list(s.activations), cost=s.cost, notation=preset)
        for ref in inner_refs(other)[:: max(1, len(inner_refs(other)) // 3)]:
            assert undefined(render(other.derive(ref), "tex")) == set(), (preset, ref)
