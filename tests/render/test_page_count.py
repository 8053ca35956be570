"""A hidden weight's derivation is a handout of at most three pages, in every preset.

The per-neuron steps are told once (tests/render/test_one_step_each.py); this holds the layout to it: the figure
beside the network's description, the notation in two columns, displays with a little air and not a book's, and
"How this was checked" one short paragraph with its bound. Each document is compiled with the real pdflatex and
its pages counted (pdftotext ends each page with a form feed).
"""

from __future__ import annotations

import pytest

import symbackprop as sbp
from symbackprop.documents import render
from symbackprop.render.latex_build import build, pdf_text

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


def pages(pdf: bytes) -> int:
    return pdf_text(pdf).count("\f")


@NEEDS_TEX
@pytest.mark.parametrize(("preset", "layers", "ref"), CASES, ids=IDS)
def test_a_hidden_weight_or_bias_fits_in_three_pages(preset, layers, ref):
    d = sbp.Network(layers=layers, notation=preset).derive(ref)
    assert 0 < d.target.layer < len(layers) - 1  # a hidden layer, whatever the preset calls it
    result = build(render(d, "tex"))
    assert pages(result.pdf) <= 3


@NEEDS_TEX
def test_the_page_count_is_read_from_the_pdf():
    """The counter counts: a document forced onto two pages has two."""
    source = "\\documentclass{article}\\begin{document}One.\\newpage Two.\\end{document}"
    assert pages(build(source).pdf) == 2
