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

# The weight into neuron 1 of the last hidden layer from its neuron 2, in each preset's own numbering: Nielsen
# numbers neurons from 1 and the input layer 1.
# Goodfellow counts layers from 0 (the input) and units from 1.
HIDDEN_WEIGHT = {
    "3b1b": "w_{12}^{(2)}",
    "deeplizard": "w_{12}^{(2)}",
    "nielsen": "w_{23}^{3}",
    "goodfellow": "w_{12}^{(2)}",
}
HIDDEN_BIAS = {"3b1b": "b_{1}^{(2)}", "nielsen": "b_{2}^{3}"}  # deeplizard's networks have no biases
# The first hidden layer's weight: one step more. Nielsen's and Goodfellow's stories fit it in three pages; 3b1b's
# (its one-neuron section first) and deeplizard's still take a fourth (docs/presets-and-templates.md says so).
FIRST_HIDDEN_WEIGHT = {"nielsen": "w_{23}^{2}", "goodfellow": "w_{12}^{(1)}"}

CASES = [(preset, layers, ref) for preset, ref in HIDDEN_WEIGHT.items() for layers in ([4, 5, 5, 3], [3, 4, 4, 2])]
CASES += [(preset, [4, 5, 5, 3], ref) for preset, ref in HIDDEN_BIAS.items()]
CASES += [(preset, [4, 5, 5, 3], ref) for preset, ref in FIRST_HIDDEN_WEIGHT.items()]
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
