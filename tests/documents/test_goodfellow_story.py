"""Goodfellow's story of one quantity, told as Algorithm 6.4's lines: what it prints for the bias a layer shares,
what its summary names, and a hidden layer told the way the one above it was, said once.

The shared bias's gradient printed (the sum of g's entries) is checked against sympy.diff of the composed cost by
that bias, with each g_j the proven derivative by its pre-activation.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

import symbackprop as sbp
from symbackprop.derive.backward import backward
from symbackprop.derive.general_form import DELTA
from symbackprop.documents import render
from symbackprop.model.references import Ref
from symbackprop.model.symbols import B
from symbackprop.prove.element import prove


def goodfellow(layers=(3, 4, 2), **kw) -> sbp.Network:
    return sbp.Network(layers=list(layers), notation="goodfellow", **kw)


def _at_random_point(expr: sp.Expr, seed: int) -> complex:
    rng = random.Random(seed)
    point = {s: sp.Float(rng.uniform(-1.5, 1.5), 30) for s in sorted(expr.free_symbols, key=str)}
    return complex(sp.N(expr.xreplace(point), 25))


@pytest.mark.parametrize("ref", ["W_{12}^{(1)}", "b^{(1)}"])
def test_a_shared_bias_s_gradient_is_the_sum_of_g_s_entries_not_g(ref):
    net = goodfellow(bias="layer")
    d = net.derive(ref)
    tex = render(d, "tex")
    step = tex[tex.rindex("Step ") :]
    assert r"\nabla_{b^{(1)}} J = g" not in tex
    assert r"\frac{\partial J}{\partial b^{(1)}} = \sum_{j=1}^{4} g_{j}^{(1)}" in step
    assert "the sum of $g$'s entries" in step
    # the printed sum, each g_j the proven dJ/da_j, is sympy.diff of the composed cost by the shared bias
    printed = backward(d).gradient.general_b[1]
    g = {}
    for j in net.neurons(1):
        by_a = net.derive(Ref("z", 1, (j,)))
        assert prove(by_a).verdict == "proven"
        g[DELTA[1, j]] = by_a.result
    told = net.compose(printed.doit().xreplace(g), concrete=True)
    truth = sp.diff(net.composed_cost(concrete=True), B[1])
    for seed in range(3):
        assert abs(_at_random_point(told - truth, seed)) < 1e-18


def test_a_bias_per_neuron_keeps_nabla_b_j_equal_to_g():
    tex = render(goodfellow().derive("W_{12}^{(1)}"), "tex")
    assert r"\nabla_{b^{(1)}} J = g = g^{(1)}" in tex


@pytest.mark.parametrize(
    ("bias", "named"),
    [
        ("none", "of the weights."),
        ("neuron", "of the weights and biases."),
        ("layer", "and of the bias the layer shares."),
    ],
)
@pytest.mark.parametrize("fmt", ["tex", "md", "html"])  # the plain text has no summary
def test_in_short_names_the_biases_only_where_the_network_has_them(bias, named, fmt):
    out = render(goodfellow(bias=bias).derive("W_{12}^{(1)}"), fmt)
    assert named in " ".join(out.split())
    assert ("biases" in out[: out.index("Step 1")]) is (bias == "neuron")


def test_a_network_like_deeplizards_without_biases_never_speaks_of_biases_in_its_summary():
    net = sbp.Network(layers=[2, 3, 3, 2], notation="goodfellow", bias="none", activation="relu", cost="sse")
    tex = render(net.derive("W_{12}^{(1)}"), "tex")
    summary = tex[tex.index("In short") : tex.index("Step 1")]
    assert "bias" not in summary and "gradients of the weights." in summary


def _steps(tex: str) -> list[str]:
    parts = tex.split(r"\section*{Step ")[1:]
    return [p.split(r"\section*{")[0] for p in parts]


def test_a_hidden_layer_told_like_the_one_above_cites_it_and_keeps_its_own_display():
    net = goodfellow((3, 4, 4, 4, 2), activation="tanh", cost="sse")
    tex = render(net.derive("W_{12}^{(1)}"), "tex")
    steps = _steps(tex)
    assert len(steps) == 5  # the output layer, layers 3, 2 and 1, the gradient
    assert "As in Step" not in steps[1] and r"\emph{the activation's derivative}" in steps[1]
    for n in (2, 3):
        assert f"As in Step {n}, one layer down" in steps[n] and "activation's derivative" not in steps[n]
    for n, step in zip((3, 2, 1), steps[1:4], strict=True):
        assert rf"g^{{({n})}} = ((W^{{({n + 1})}})^{{T}} g^{{({n + 1})}}) \odot \tanh^{{\prime}}(a^{{({n})}})" in step


def test_a_hidden_layer_of_another_activation_says_its_own_derivative():
    net = goodfellow((3, 4, 4, 2), activation=["tanh", "relu", "sigmoid"], cost="sse")
    steps = _steps(render(net.derive("W_{12}^{(1)}"), "tex"))
    assert "As in Step" not in steps[2] and r"\emph{the activation's derivative}" in steps[2]


def test_the_softmax_step_prints_element_and_vector_forms_once():
    net = goodfellow((2, 3, 3), activation=["sigmoid", "softmax"], cost="cross_entropy")
    step = _steps(render(net.derive("W_{12}^{(1)}"), "tex"))[0]
    assert step.count(r"\bigl(\operatorname{diag}(h^{(2)}) - h^{(2)} (h^{(2)})^{T}\bigr)") == 2  # heading, display
    assert "g^{(2)} = h^{(2)} - y" in step and "one-hot targets do" in step


def test_the_notation_table_gives_the_books_name_of_a_weight_under_goodfellow_only():
    """The document writes layer l and units j, k; a reader of the book, who writes layer k and units i, j, finds
    the entry W_jk^(l) by the name the book gives it."""
    for preset, told in (("goodfellow", True), ("nielsen", False)):
        net = sbp.Network(layers=[3, 4, 2], notation=preset)
        tex = render(net.derive(net.parameters()[0]), "tex")
        rows = tex[tex.index("Symbol & Meaning") : tex.index(r"\bottomrule")]
        assert ("the book's $W_{i,j}^{(k)}$" in rows) is told
