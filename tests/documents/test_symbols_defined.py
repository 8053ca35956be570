"""Every preset's document defines every symbol it uses, tells the derivation its source's way, and compiles.

A symbol is a letter (or \\delta, \\sigma, \\nabla, ...) written with a subscript or superscript in the document's
mathematics; it is defined when the notation table writes the same letter so. The table is read from the very TeX
a user gets, so a step that brings in a letter the table does not give (z in Goodfellow's notation, an
undefined g'^l) fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings

import symbackprop as sbp
from symbackprop.documents import render

from ..needs import NEEDS_TEX
from ..strategies import networks

HEAD = re.compile(r"(?<![\\A-Za-z_])(\\(?:delta|Delta|sigma|nabla|tanh|phi)|[A-Za-z])(?=\s*[_^'])")
HAT = re.compile(r"\\hat\{[A-Za-z]\}")  # a hatted letter is a symbol of its own, indexed or not (y-hat)
PRESETS = ("3b1b", "deeplizard", "nielsen", "goodfellow")
REFS = {"3b1b": "w_{12}^{(L-1)}", "deeplizard": "w_{12}^{(L-1)}", "nielsen": "w_{12}^{3}", "goodfellow": "W_{12}^{(2)}"}
EXAMPLES = {"3b1b": "w^{(L)}", "deeplizard": "w_{22}^{(L-1)}", "worked": "w_{11}^{(1)}"}


def table(tex: str) -> str:
    """The notation table's rows, as the document prints them."""
    start = tex.index("Symbol & Meaning")
    return tex[start : tex.index(r"\bottomrule", start)]


def maths(tex: str) -> list[str]:
    """The mathematics of a TeX text: $...$, \\[...\\] and align environments."""
    found = re.findall(r"\$([^$]+)\$|\\\[(.+?)\\\]|\\begin\{align\*\}(.+?)\\end\{align\*\}", tex, re.S)
    return ["".join(parts) for parts in found]


def heads(math: str) -> set[str]:
    """The letters written with an index in some mathematics; the letters under a sum or derivative's limits and
    the transpose's T are not symbols."""
    math = re.sub(r"\\(?:sum|prod)_\{[^}]*\}\^\{[^}]*\}", " ", math)
    math = re.sub(r"\^\{?T\}?", " ", math)
    math = re.sub(r"(?<![\\A-Za-z_])e(?=\^)", " ", math)  # e^{z}: Euler's number, softmax's, not a symbol
    return set(HEAD.findall(math)) | set(HAT.findall(math))


DEFINING = re.compile(
    r"(?:Collect a layer's errors|into a column|its activations into|into the matrix|one per row of|and)\s+\$([^$]+)\$"
    r"|\$([^$]+)\$ is the (?:column|activation)"
)


def undefined(tex: str) -> set[str]:
    """The indexed letters the document uses and neither its notation table nor a sentence of the matrix section
    that defines them ("Collect a layer's errors ... into a column ...", "one per row of A and Delta") writes."""
    body = tex[tex.index(r"\begin{document}") :]
    used = set().union(*(heads(m) for m in maths(body)))
    rows = table(tex)
    cells = [m for m in maths(rows)]
    # a hatted letter is defined by its own row, not by a row that writes it inside another symbol (nabla_y-hat J)
    defined = {h for m in cells for h in heads(m) if not HAT.fullmatch(h) or m.strip() == h}
    defined |= {re.match(r"\\?[A-Za-z]+|.", c.strip()).group(0) for c in cells if c.strip()}
    if "The same, in matrix form" in body:
        matrix = body[body.index("The same, in matrix form") :]
        # a sentence defining nabla_y-hat J defines the gradient, not what y-hat is
        defined |= {h for m in DEFINING.findall(matrix) for h in heads("".join(m)) if not HAT.fullmatch(h)}
    return used - defined


def document(preset: str, layers: tuple[int, ...] = (4, 5, 5, 3), ref: str | None = None) -> str:
    net = sbp.Network(layers=list(layers), notation=preset)
    return render(net.derive(ref or REFS[preset]), "tex")


@pytest.mark.parametrize("preset", PRESETS)
def test_every_symbol_a_preset_uses_is_in_its_notation_table(preset):
    assert undefined(document(preset)) == set()


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_symbol_of_a_built_in_example_is_in_its_notation_table(name):
    run = subprocess.run(
        [sys.executable, "-m", "symbackprop", "derive", f"example:{name}", "--wrt", EXAMPLES[name], "--to", "tex"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert undefined(run.stdout) == set()


def test_a_softmax_network_in_goodfellow_defines_y_hat():
    """The matrix section writes the output's gradient as nabla_y-hat J: the table says what y-hat is, though a
    softmax layer is not elementwise and the algorithm's own rows are not given."""
    net = sbp.Network(layers=[3, 4, 3], activation=["sigmoid", "softmax"], cost="cross_entropy", notation="goodfellow")
    tex = render(net.derive("W_{12}^{(1)}"), "tex")
    assert r"\hat{y}" in tex
    assert undefined(tex) == set()


def test_a_hatted_symbol_missing_from_the_table_is_found():
    tex = document("goodfellow")
    rows = table(tex)
    without = tex.replace(rows, "\n".join(line for line in rows.split("\n") if r"$\hat{y}$ &" not in line))
    assert r"\hat{y}" in undefined(without) and r"\hat{y}" not in undefined(tex)


def test_a_symbol_missing_from_the_table_is_found():
    tex = document("nielsen")
    rows = table(tex)
    without = tex.replace(rows, "\n".join(line for line in rows.split("\n") if not line.startswith("$b")))
    assert "b" in undefined(without)


@settings(max_examples=6, deadline=None)
@given(networks(max_depth=3, max_width=3))
def test_random_networks_in_every_preset_define_their_symbols(net):
    for preset in PRESETS:
        other = sbp.Network(layers=list(net.layers), notation=preset)
        d = other.derive(other.parameters()[-1])
        assert undefined(render(d, "tex")) == set(), preset


@NEEDS_TEX
@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_compiles_with_pdflatex(preset):
    from symbackprop.render.latex_build import build

    assert build(document(preset)).pdf.startswith(b"%PDF")


@pytest.mark.parametrize("preset", PRESETS)
def test_every_symbol_of_a_presets_every_weight_document_is_in_its_notation_table(preset):
    """The --wrt all document: Nielsen's errors and BP3/BP4, Goodfellow's Algorithm 6.4 (g, h, W^T, f'), the
    chain through each activation of the others."""
    from symbackprop.documents import render_all

    for layers in ([2, 3, 2], [3, 4, 3, 1]):
        assert undefined(render_all(sbp.Network(layers=layers, notation=preset))) == set()
