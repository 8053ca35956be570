"""A softmax output layer told each source's way: Nielsen's BP1 through the softmax's Jacobian (a^L - y with the
cross-entropy where the targets sum to 1), Goodfellow's g <- grad_y-hat J then the Jacobian instead of (.) f'.

Every formula the step prints is checked against sympy.diff of the cost composed with the softmax (dC/dz_j^L,
independent of the engine's chain rule), at random points, and against central finite differences; the vector
forms are the very matrix expressions printed, written out entry by entry.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.derive.backward import backward, output_cost_prime, tells_backward
from symbackprop.documents import render
from symbackprop.model.symbols import A, Y
from symbackprop.render.story import softmax_vectors

from ..needs import NEEDS_TEX
from .test_symbols_defined import undefined

COSTS = ("cross_entropy", "sse", "half_sse", "mse")
I, J = sp.symbols("i j")


def softmax_net(cost: str, preset: str, layers=(2, 3, 3), hidden: str = "sigmoid", base: int = 1) -> sbp.Network:
    acts = [hidden] * (len(layers) - 2) + ["softmax"]
    return sbp.Network(layers=list(layers), activation=acts, cost=cost, notation=preset, index_base=base)


def composed_gradient(net: sbp.Network) -> tuple[list[sp.Symbol], list[sp.Expr], dict]:
    """dC_0/dz_j^L for each output neuron j by sympy.diff of the cost of the softmax of free z's, and the
    substitution that writes each output activation a_i^L as that softmax."""
    out = list(net.neurons(net.depth))
    z = [sp.Symbol(f"zeta{i}", real=True) for i in out]
    total = sp.Add(*(sp.exp(x) for x in z))
    softmax = {A[net.depth, i]: sp.exp(x) / total for i, x in zip(out, z, strict=True)}
    cost = sp.Add(*(net.cost.term(softmax[A[net.depth, i]], Y[i], len(out)) for i in out))
    return z, [sp.diff(cost, x) for x in z], softmax


def random_point(net: sbp.Network, z: list[sp.Symbol], rng: random.Random, one_hot: bool) -> dict:
    out = list(net.neurons(net.depth))
    point = {x: sp.Float(rng.uniform(-2, 2), 30) for x in z}
    hot = rng.choice(out)
    for i in out:
        point[Y[i]] = sp.Float(1 if i == hot else 0) if one_hot else sp.Float(rng.uniform(-1, 1), 30)
    return point


def close(a: sp.Expr, b: sp.Expr) -> bool:
    return abs(complex(sp.N(a - b, 25))) < 1e-15


@settings(max_examples=10, deadline=None)
@given(
    st.sampled_from(COSTS),
    st.integers(2, 4),
    st.sampled_from([0, 1]),
    st.integers(0, 10**6),
)
def test_bp1_at_a_softmax_output_is_the_composed_costs_derivative(cost, width, base, seed):
    """The sum over i, its closed form and (cross-entropy, targets summing to 1) a_j - y_j, each for every j,
    equal sympy.diff of the composed cost by z_j^L at random points."""
    net = softmax_net(cost, "nielsen", (2, 2, width), base=base)
    step = backward(net.derive(net.parameters()[0])).errors[0]
    assert step.coupled
    z, grad, softmax = composed_gradient(net)
    rng = random.Random(seed)
    for one_hot in (False, True):
        point = random_point(net, z, rng, one_hot)
        for j, want in zip(net.neurons(net.depth), grad, strict=True):
            printed = [step.upstream, step.closed] + ([step.assumed] if one_hot and step.assumed is not None else [])
            for form in printed:
                got = form.subs(J, j).doit().subs(softmax).subs(point)
                assert close(got, want.subs(point)), (form, j)


@pytest.mark.parametrize("cost", COSTS)
def test_the_printed_vector_forms_are_the_composed_gradient(cost):
    """delta^L = (diag(a^L) - a^L (a^L)^T) grad_a C, and a^L - y for the cross-entropy with one-hot targets, written
    out entry by entry from the very matrix expressions printed, equal the composed cost's gradient by z^L."""
    net = softmax_net(cost, "nielsen", (2, 3, 3))
    vectors = softmax_vectors(net)
    z, grad, softmax = composed_gradient(net)
    out = list(net.neurons(net.depth))
    explicit = {
        sp.MatrixSymbol("a@L+0", 3, 1): sp.Matrix([A[net.depth, i] for i in out]),
        sp.MatrixSymbol("nabla", 3, 1): sp.Matrix([output_cost_prime(net, i) for i in out]),
        sp.MatrixSymbol("y", 3, 1): sp.Matrix([Y[i] for i in out]),
    }
    rng = random.Random(7)
    point = random_point(net, z, rng, one_hot=True)
    forms = [vectors["rhs"]] + ([vectors["assumed"]] if cost == "cross_entropy" else [])
    for form in forms:
        column = form.subs(explicit).as_explicit()
        for row, want in zip(column, grad, strict=True):
            assert close(row.subs(softmax).subs(point), want.subs(point))
    assert cost != "cross_entropy" or backward(net.derive(net.parameters()[0])).errors[0].assumed is not None


def test_a_planted_slip_in_the_jacobian_is_caught():
    """The check above can fail: the Jacobian without its a a^T term (as if softmax were elementwise exp) is not
    the composed gradient."""
    net = softmax_net("sse", "nielsen", (2, 3, 3))
    z, grad, softmax = composed_gradient(net)
    point = random_point(net, z, random.Random(3), one_hot=False)
    j = next(iter(net.neurons(net.depth)))
    wrong = (2 * (A[net.depth, j] - Y[j]) * A[net.depth, j]).subs(softmax).subs(point)
    assert not close(wrong, grad[0].subs(point))


@pytest.mark.parametrize("cost", COSTS)
def test_the_closed_form_agrees_with_finite_differences(cost):
    """delta_j^L as printed against central finite differences of the composed cost in z_j^L."""
    net = softmax_net(cost, "goodfellow", (2, 3, 4))
    step = backward(net.derive(net.parameters()[0])).errors[0]
    z, _, softmax = composed_gradient(net)
    out = list(net.neurons(net.depth))
    total = sp.Add(*(net.cost.term(softmax[A[net.depth, i]], Y[i], len(out)) for i in out))
    point = random_point(net, z, random.Random(11), one_hot=False)
    h = sp.Float("1e-8", 30)
    for j, x in zip(out, z, strict=True):
        numeric = (total.subs({**point, x: point[x] + h}) - total.subs({**point, x: point[x] - h})) / (2 * h)
        got = step.closed.subs(J, j).doit().subs(softmax).subs(point)
        assert abs(float(got - numeric)) < 1e-6


@pytest.mark.parametrize("cost", COSTS)
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_the_softmax_story_gives_the_proven_result(cost, hidden):
    """Every error put in (BP1 through the Jacobian, then BP2, BP3/BP4) equals the chain-rule result, which the
    element proof checks against sympy.diff of the composed cost."""
    net = softmax_net(cost, "nielsen", (2, 3, 3), hidden=hidden)
    for ref in net.parameters():
        d = net.derive(ref)
        assert tells_backward(d)
        assert sp.expand(backward(d).unrolled - d.result) == 0


def test_nielsen_tells_bp1_through_the_softmax_jacobian():
    tex = render(softmax_net("cross_entropy", "nielsen", (2, 3, 3)).derive("w_{11}^{2}"), "tex")
    story = tex[tex.index("Step 1") : tex.index("The same, in matrix form")]
    assert "BP1" in story and story.index("BP1") < story.index("BP2") < story.index("BP4")
    assert r"\delta^{3} = \bigl(\operatorname{diag}(a^{3}) - a^{3} (a^{3})^{T}\bigr) \nabla_{a} C_x" in story
    assert r"\delta^{3} = a^{3} - y" in story and r"\delta_{j}^{3} = a_{j}^{3} - y_{j}" in story
    assert r"\odot \sigma^{\prime}(z^{3})" not in story  # no activation's derivative at the softmax layer
    # the matrix section writes the same Jacobian
    assert r"\delta^{3} = (\operatorname{diag}(a^{3}) - a^{3} (a^{3})^{T}) \nabla_{a} C_x" in tex


def test_nielsen_with_another_cost_keeps_the_jacobian_and_no_a_minus_y():
    tex = render(softmax_net("sse", "nielsen", (2, 3, 3)).derive("b_{2}^{3}"), "tex")
    assert r"\bigl(\operatorname{diag}(a^{3}) - a^{3} (a^{3})^{T}\bigr) \nabla_{a} C_x" in tex
    assert "targets sum to 1," not in tex and "Nielsen's chapter 3" not in tex


def test_goodfellow_starts_the_loop_then_applies_the_softmax_jacobian():
    tex = render(softmax_net("cross_entropy", "goodfellow", (2, 3, 3)).derive("W_{12}^{(1)}"), "tex")
    assert r"g \leftarrow \nabla_{\hat{y}} J" in tex
    assert r"g \leftarrow \bigl(\operatorname{diag}(h^{(2)}) - h^{(2)} (h^{(2)})^{T}\bigr) g" in tex
    assert r"f'(a^{(2)})" not in tex and r"g \leftarrow g \odot f'(a^{(1)})" in tex
    assert r"\delta" not in tex and "z_" not in tex


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
def test_every_output_tells_the_softmax_step(preset, fmt):
    ref = "b_{1}^{2}" if preset == "nielsen" else "b_{1}^{(1)}"
    out = render(softmax_net("cross_entropy", preset, (2, 3, 3)).derive(ref), fmt)
    assert "summed over the softmax's outputs" in out
    assert ("BP1" in out) == (preset == "nielsen")
    assert "how the cost depends on" not in out  # not the generic chain story


@settings(max_examples=6, deadline=None)
@given(st.sampled_from(COSTS), st.lists(st.integers(1, 3), min_size=1, max_size=2), st.integers(2, 3))
def test_softmax_stories_define_every_symbol(cost, hidden, width):
    for preset in ("nielsen", "goodfellow"):
        net = softmax_net(cost, preset, (2, *hidden, width))
        for ref in (net.parameters()[0], net.parameters()[-1]):
            assert undefined(render(net.derive(ref), "tex")) == set(), (preset, ref)


def test_softmax_story_is_byte_identical_on_a_second_run():
    net = softmax_net("cross_entropy", "nielsen", (2, 3, 3))
    for fmt in ("tex", "html", "md", "text"):
        assert render(net.derive("w_{11}^{2}"), fmt) == render(net.derive("w_{11}^{2}"), fmt)


@NEEDS_TEX
@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
def test_softmax_stories_compile_with_pdflatex(preset):
    from symbackprop.render.latex_build import build

    net = softmax_net("cross_entropy", preset, (2, 3, 3))
    assert build(render(net.derive(net.parameters()[-1]), "tex")).pdf.startswith(b"%PDF")


@pytest.mark.parametrize("cost", [*COSTS, "binary_cross_entropy"])
def test_the_closed_form_is_printed_with_one_sign_per_term(cost):
    """BP1's closed form at a softmax layer prints each term's sign once: the binary cross-entropy's a_i dC_0/da_i
    is negative, and a minus before a sum of negative terms printed as "- -sum" in every format."""
    net = softmax_net(cost, "nielsen", (2, 3, 3))
    d = net.derive("z_{2}^{3}")
    step = backward(d).errors[0]
    assert sp.expand((step.closed - step.upstream).subs(J, 2).doit()) == 0
    for fmt in ("text", "md", "tex"):
        out = render(d, fmt)
        assert "- -" not in out and "+ -" not in out, fmt


@pytest.mark.parametrize("fmt", ["text", "md", "tex", "html"])
def test_goodfellow_at_the_softmax_layer_reaches_g_by_the_jacobian(fmt):
    """The pre-activation of a softmax output neuron: g there comes from the softmax's Jacobian (Step 1), so no
    line says g <- g (.) f'(a^(L)), and no g <- W^T g carries it down to the layer it started at."""
    net = softmax_net("cross_entropy", "goodfellow", (2, 3, 3))
    out = render(net.derive("a_{1}^{(2)}"), fmt)
    for odot in (r"g \odot f'(a^{(2)})", "g ⊙ f'(a^(2))", r"\odot f'(a^{(2)})"):
        assert odot not in out
    if fmt == "text":  # the terminal's text has no summary
        return
    short = out[out.index("In short") : out.index("Step 1")]
    assert "W^{(l)T} g$ carries it" not in short and "one layer down, and at layer" not in short


@pytest.mark.parametrize("ref", ["z_{1}^{3}", "w_{11}^{3}", "b_{2}^{3}"])
def test_nielsen_in_short_names_no_bp2_for_the_output_layer(ref):
    """BP2 carries errors down; for a quantity of the output layer the story tells BP1 alone, and so does its
    summary."""
    out = render(softmax_net("cross_entropy", "nielsen", (2, 3, 3)).derive(ref), "md")
    short = out[out.index("In short") : out.index("Step 1")]
    assert "BP1" in short and "BP2" not in short and "BP2" not in out[out.index("Step 1") :].split("The result")[0]
