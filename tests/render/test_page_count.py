"""A hidden weight's derivation is a handout of at most three pages, in every preset.

The per-neuron steps are told once (tests/render/test_one_step_each.py); this holds the layout to it: the figure
beside the network's description, the notation in two columns, displays with a little air and not a book's, and
"How this was checked" one short paragraph with its bound. Each document is compiled with the real pdflatex and
its pages counted (pdftotext ends each page with a form feed).
"""

from __future__ import annotations

import pytest

import symbackprop as sbp
from symbackprop.base.errors import SpecError
from symbackprop.documents import render
from symbackprop.render.latex_build import build, overfull_boxes, pdf_text

from ..needs import NEEDS_TEX

# A hidden weight and a hidden bias of the first and the last hidden layer, in each preset's own numbering: Nielsen
# numbers neurons from 1 and the input layer 1; Goodfellow counts layers from 0 (the input) and units from 1; 3b1b
# and deeplizard count from 0, and deeplizard's networks have no biases. The first hidden layer's is the longest
# document: one step more than the last's, and in 3b1b its one-neuron section first.
HIDDEN = {
    "3b1b": {"first": ["w_{12}^{(1)}", "b_{1}^{(1)}"], "last": ["w_{12}^{(2)}", "b_{1}^{(2)}"]},
    "deeplizard": {"first": ["w_{12}^{(1)}"], "last": ["w_{12}^{(2)}"]},
    "nielsen": {"first": ["w_{23}^{2}", "b_{2}^{2}"], "last": ["w_{23}^{3}", "b_{2}^{3}"]},
    "goodfellow": {"first": ["w_{12}^{(1)}", "b_{1}^{(1)}"], "last": ["w_{12}^{(2)}", "b_{1}^{(2)}"]},
}

CASES = [
    (preset, layers, ref)
    for preset, refs in HIDDEN.items()
    for layers in ([4, 5, 5, 3], [3, 4, 4, 2])
    for ref in refs["first"] + refs["last"]
]
IDS = [f"{preset}-{'-'.join(map(str, layers))}-{ref}" for preset, layers, ref in CASES]


def fits_the_page(log: str) -> bool:
    """No line of the document runs past the margin by more than TeX's hairline (a display cut at the page's edge
    loses what it says)."""
    return max(overfull_boxes(log), default=0.0) <= 2.0


def pages(pdf: bytes) -> int:
    return pdf_text(pdf).count("\f")


@NEEDS_TEX
@pytest.mark.parametrize(("preset", "layers", "ref"), CASES, ids=IDS)
def test_a_hidden_weight_or_bias_fits_in_three_pages(preset, layers, ref):
    d = sbp.Network(layers=layers, notation=preset).derive(ref)
    assert 0 < d.target.layer < len(layers) - 1  # a hidden layer, whatever the preset calls it
    result = build(render(d, "tex"))
    assert pages(result.pdf) <= 3
    assert fits_the_page(result.log)


# Every hidden activation, output and cost 3b1b and deeplizard tell, for the first hidden layer's weight of 4-5-5-3
# (the longest document of each). The output layer either applies the hidden layers' activation ("same") or its
# own; sigmoid hidden layers with a sigmoid output are listed once. A relu or tanh output can be 0 or below, where
# the spec's values give ln of it, so with the cross-entropies those specs are refused (checked below): they are
# left out of the list, not skipped.
ACTIVATIONS = ("sigmoid", "relu", "tanh")
OUTPUTS = ("same", "sigmoid", "softmax")
COSTS = ("sse", "cross_entropy", "binary_cross_entropy")
FIRST_HIDDEN_WEIGHT = "w_{12}^{(1)}"


def _refused(hidden: str, output: str, cost: str) -> bool:
    return output == "same" and hidden != "sigmoid" and cost != "sse"


def _output(hidden: str, output: str) -> str:
    return hidden if output == "same" else output


TOLD = [
    (preset, hidden, output, cost)
    for preset in ("3b1b", "deeplizard")
    for hidden in ACTIVATIONS
    for output in OUTPUTS
    for cost in COSTS
    if not (output == "same" and hidden == "sigmoid") and not _refused(hidden, output, cost)
]


def _network(preset: str, hidden: str, output: str, cost: str) -> sbp.Network:
    return sbp.Network(
        layers=[4, 5, 5, 3], notation=preset, activation=[hidden, hidden, _output(hidden, output)], cost=cost
    )


@NEEDS_TEX
@pytest.mark.parametrize(("preset", "hidden", "output", "cost"), TOLD, ids=["-".join(told) for told in TOLD])
def test_a_first_hidden_weight_fits_in_three_pages_whatever_the_activations_and_cost(preset, hidden, output, cost):
    d = _network(preset, hidden, output, cost).derive(FIRST_HIDDEN_WEIGHT)
    assert d.target.layer == 1
    result = build(render(d, "tex"))
    assert pages(result.pdf) <= 3
    assert fits_the_page(result.log)


@pytest.mark.parametrize("preset", ["3b1b", "deeplizard"])
def test_the_combinations_left_out_are_the_ones_the_spec_refuses(preset):
    """A relu or tanh output of the spec's values is 0 or below for some sample, which ln refuses: those are the
    combinations the list above leaves out, and only those (every other one renders, as the test above shows)."""
    left_out = [(h, o, c) for h in ACTIVATIONS for o in OUTPUTS for c in COSTS if _refused(h, o, c)]
    assert len(left_out) == 4
    for hidden, output, cost in left_out:
        with pytest.raises(sbp.SpecError, match="ln needs it"):
            render(_network(preset, hidden, output, cost).derive(FIRST_HIDDEN_WEIGHT), "tex")


@NEEDS_TEX
def test_the_page_count_is_read_from_the_pdf():
    """The counter counts: a document forced onto two pages has two."""
    source = "\\documentclass{article}\\begin{document}One.\\newpage Two.\\end{document}"
    assert pages(build(source).pdf) == 2


# Goodfellow's first hidden weight of 4-5-5-3 over every hidden activation, output and cost the network accepts:
# Algorithm 6.4's story with a softmax output (its Jacobian's step) or a cross-entropy cost (a longer result) is
# the longest. An output of relu or tanh ("same") under a cost that takes the log of the output is refused (its
# outputs reach 0 or below), and a sigmoid network's "same" output is its sigmoid one.
GOODFELLOW_HIDDEN = ("sigmoid", "relu", "tanh")
GOODFELLOW_OUTPUTS = ("same", "sigmoid", "softmax")
GOODFELLOW_COSTS = ("sse", "cross_entropy", "binary_cross_entropy")
LOGGED = ("cross_entropy", "binary_cross_entropy")


def _goodfellow_refused(hidden: str, output: str, cost: str) -> bool:
    return output == "same" and hidden != "sigmoid" and cost in LOGGED


GOODFELLOW_CASES = [
    (hidden, output, cost)
    for hidden in GOODFELLOW_HIDDEN
    for output in GOODFELLOW_OUTPUTS
    for cost in GOODFELLOW_COSTS
    if not _goodfellow_refused(hidden, output, cost) and not (hidden == "sigmoid" and output == "same")
]


def _goodfellow_net(hidden: str, output: str, cost: str) -> sbp.Network:
    top = hidden if output == "same" else output
    return sbp.Network(layers=[4, 5, 5, 3], notation="goodfellow", activation=[hidden, hidden, top], cost=cost)


def test_the_goodfellow_combinations_left_out_are_the_refused_ones():
    refused = [
        (hidden, output, cost)
        for hidden in GOODFELLOW_HIDDEN
        for output in GOODFELLOW_OUTPUTS
        for cost in GOODFELLOW_COSTS
        if _goodfellow_refused(hidden, output, cost)
    ]
    for hidden, output, cost in refused:  # the numbers of the spec's sample put a 0 or less into the log
        d = _goodfellow_net(hidden, output, cost).derive("W_{12}^{(1)}")
        with pytest.raises(SpecError, match="ln needs it"):
            render(d, "tex")
    assert len(GOODFELLOW_CASES) == 3 * 3 * 3 - 4 - 3


@NEEDS_TEX
@pytest.mark.parametrize(("hidden", "output", "cost"), GOODFELLOW_CASES, ids=["-".join(c) for c in GOODFELLOW_CASES])
def test_goodfellows_first_hidden_weight_fits_in_three_pages_for_every_activation_and_cost(hidden, output, cost):
    d = _goodfellow_net(hidden, output, cost).derive("W_{12}^{(1)}")
    result = build(render(d, "tex"))
    assert pages(result.pdf) <= 3
    assert fits_the_page(result.log)


@NEEDS_TEX
@pytest.mark.parametrize("ref", ["b^{(1)}", "b^{(2)}", "w_{12}^{(1)}"])
def test_goodfellow_with_a_shared_bias_fits_the_page(ref):
    """A bias the layer shares is told as the sum of g's entries, beside grad_W J on one display line: that line
    ran 5 pt past the margin before its separator was narrowed."""
    d = sbp.Network(layers=[4, 5, 5, 3], notation="goodfellow", bias="layer").derive(ref)
    result = build(render(d, "tex"))
    assert pages(result.pdf) <= 3
    assert fits_the_page(result.log)
