"""Documents: every LaTeX output compiles with a real pdflatex, says the right formulas, and fits the page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

import symbackprop as sbp
from symbackprop.renderers import render, render_all

NEEDS_TEX = pytest.mark.skipif(
    shutil.which("pdflatex") is None and os.environ.get("CI") != "true",
    reason="pdflatex is not installed on this developer machine (CI installs TeX Live and runs these)",
)


def compile_tex(source: str):
    from symbackprop.latex_build import build

    return build(source)


def assert_fits_the_page(log: str) -> None:
    from symbackprop.latex_build import overfull_boxes

    too_wide = [w for w in overfull_boxes(log) if w > 1.0]
    assert not too_wide, f"overfull boxes: {too_wide}"


def squash(text: str) -> str:
    """pdftotext's output without spaces, for matching formulas regardless of layout."""
    return re.sub(r"\s+", "", text)


CASES = [
    # (layers, activation, cost, bias, notation, reference)
    ([1, 1, 1, 1], "sigmoid", "sse", "neuron", "3b1b", "w^{(L)}"),
    ([1, 1, 1, 1], "sigmoid", "sse", "neuron", "3b1b", "b^{(L)}"),
    ([1, 1, 1, 1], "sigmoid", "sse", "neuron", "3b1b", "a^{(L-1)}"),
    ([1, 1, 1, 1], "sigmoid", "sse", "neuron", "3b1b", "w^{(1)}"),
    ([2, 3, 6, 4], "g", "sse", "none", "deeplizard", "w_{12}^{(L)}"),
    ([2, 3, 6, 4], "g", "sse", "none", "deeplizard", "w_{22}^{(L-1)}"),
    ([2, 3, 6, 4], "g", "sse", "none", "deeplizard", "a_{2}^{(L-1)}"),
    ([2, 3, 2], "sigmoid", "half_sse", "neuron", "nielsen", "w_{12}^{2}"),
    ([2, 3, 2], "sigmoid", "half_sse", "neuron", "nielsen", "b_{3}^{1}"),
    ([2, 3, 3], ["tanh", "softmax"], "cross_entropy", "layer", "3b1b", "w_{12}^{(L)}"),
    ([2, 3, 3], ["relu", "softmax"], "cross_entropy", "layer", "3b1b", "b^{(L-1)}"),
    ([3, 4, 2], ["leaky_relu:0.2", "sigmoid"], "binary_cross_entropy", "neuron", "3b1b", "w_{21}^{(L-1)}"),
    ([3, 4, 2], ["softplus", "identity"], "mse", "none", "3b1b", "a_{0}^{(L-2)}"),
    ([3, 4, 2], "tanh", "sse", "neuron", "3b1b", "z_{1}^{(L-1)}"),
]


@NEEDS_TEX
@pytest.mark.parametrize("layers, activation, cost, bias, notation, ref", CASES)
def test_document_compiles_and_fits_the_page(layers, activation, cost, bias, notation, ref):
    net = sbp.Network(layers=layers, activation=activation, cost=cost, bias=bias, notation=notation)
    result = compile_tex(render(net.derive(ref), "tex"))
    assert result.pdf.startswith(b"%PDF")
    assert_fits_the_page(result.log)


@NEEDS_TEX
def test_source_text_one_neuron_document_states_its_formula():
    from symbackprop.latex_build import pdf_text

    net = sbp.Network(layers=[1, 1, 1, 1], activation="sigmoid", cost="sse", bias="neuron")
    text = pdf_text(compile_tex(render(net.derive("w^{(L)}"), "tex")).pdf)
    assert "By the chain rule" in text
    assert "The result is proven symbolically" in text
    assert "central finite differences" in text


@NEEDS_TEX
def test_deeplizard_document_sums_over_the_output_neurons():
    from symbackprop.latex_build import pdf_text

    net = sbp.Network(layers=[2, 3, 6, 4], activation="g", cost="sse", bias="none", notation="deeplizard")
    text = pdf_text(compile_tex(render(net.derive("w_{22}^{(L-1)}"), "tex")).pdf)
    assert "Step 1: how the cost depends on" in text
    assert "Written out over the 4 paths" in text
    assert "generic activation g" in text
    assert "The result is proven symbolically" in text


@NEEDS_TEX
def test_worked_numbers_appear_with_the_update():
    from symbackprop.latex_build import pdf_text

    net = sbp.Network.from_toml("templates/examples/worked.toml")
    d = net.derive("w_{00}^{(L)}")
    text = squash(pdf_text(compile_tex(render(d, "tex")).pdf))
    mean = net.evaluate()["grad_weights"][1][0][0]
    updated = net.evaluate()["updated_weights"][1][0][0]
    assert f"{mean:.6g}".replace("-", "") in text
    assert f"{updated:.6g}" in text


@NEEDS_TEX
def test_every_weight_and_bias_document_has_a_contents_and_each_layer():
    from symbackprop.latex_build import pdf_text

    net = sbp.Network(layers=[2, 2, 2], activation=["tanh", "sigmoid"], cost="sse", bias="neuron")
    result = compile_tex(render_all(net))
    assert_fits_the_page(result.log)
    text = pdf_text(result.pdf)
    assert "Contents" in text
    assert text.count("In general, for any neurons") == 2


@NEEDS_TEX
def test_large_network_all_document_says_it_samples():
    from symbackprop.latex_build import pdf_text

    net = sbp.Network(layers=[4, 8, 3], activation="sigmoid", cost="sse", bias="neuron")
    text = pdf_text(compile_tex(render_all(net)).pdf)
    assert "too many to derive one by one" in text


@NEEDS_TEX
def test_hostile_title_and_author_come_out_as_text():
    from symbackprop.latex_build import pdf_text

    hostile = r"\input{/etc/passwd} \write18{touch PWNED} {{ 7*7 }} \BLOCK{ x } $x^2$ 100% #1 ~"
    net = sbp.Network(layers=[1, 1])
    source = render(net.derive("w^{(L)}"), "tex", title=hostile, author=r"\openout\catcode")
    assert r"\input{/etc" not in source and r"\write18{" not in source
    text = pdf_text(compile_tex(source).pdf)
    assert "root:" not in text
    assert "input{/etc/passwd}" in squash(text)
    assert "{{7*7}}" in squash(text)


def test_same_input_gives_byte_identical_documents():
    net = sbp.Network.from_toml("templates/examples/worked.toml")
    for fmt in ("tex", "tex-body", "md", "text", "json"):
        first = render(net.derive("w_{21}^{(L-1)}"), fmt)
        second = render(sbp.Network.from_toml("templates/examples/worked.toml").derive("w_{21}^{(L-1)}"), fmt)
        assert first == second, fmt


def test_tex_body_lists_the_packages_it_needs_and_has_no_preamble():
    body = render(sbp.Network(layers=[2, 2]).derive("w_{11}^{(L)}"), "tex-body")
    assert body.startswith("% symbackprop derivation body")
    assert r"\usepackage{amsmath" in body.splitlines()[1]
    assert r"\documentclass" not in body and r"\begin{document}" not in body


def test_markdown_uses_dollar_math_and_boxes_the_result():
    md = render(sbp.Network(layers=[2, 3, 2]).derive("w_{12}^{(L)}"), "md")
    assert md.startswith("# How the cost depends on $w_{12}^{(L)}$")
    assert "$$\n\\boxed{" in md


def test_user_templates_are_used_before_the_shipped_ones(tmp_path):
    (tmp_path / "derivation.txt.j2").write_text(r"custom \VAR{ d.symbol | text }" + "\n")
    out = render(sbp.Network(layers=[1, 1]).derive("w^{(L)}"), "text", user_templates=tmp_path)
    assert out == "custom w^(L)\n"


def test_jupyter_display_hooks_return_latex_and_markdown():
    d = sbp.Network(layers=[1, 1]).derive("b^{(L)}")
    assert d._repr_latex_().startswith("$$") and "\\sigma" in d._repr_latex_()
    assert d._repr_markdown_() == d.markdown()


def test_a_preset_cannot_smuggle_latex_commands(tmp_path):
    preset = tmp_path / "evil.toml"
    preset.write_text('name = "evil"\ncost_symbol = "\\\\input{/etc/passwd}"\n')
    with pytest.raises(sbp.SpecError, match="cost_symbol must be a plain symbol"):
        sbp.Network(layers=[1, 1], notation=str(preset))


def test_a_users_own_preset_file_is_used(tmp_path):
    preset = tmp_path / "mine.toml"
    preset.write_text('name = "mine"\ncost_symbol = "E"\nlayer_style = "absolute"\nlayer_parens = false\n')
    out = render(sbp.Network(layers=[1, 1], notation=str(preset)).derive("w^{1}"), "text")
    assert "∂E/∂w^1" in out


@NEEDS_TEX
def test_latex_error_from_a_broken_user_template_is_one_line_and_leaves_no_pdf(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "body.tex.j2").write_text("\\undefinedcommand\n")
    out = tmp_path / "d.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "symbackprop",
            "derive",
            "example:3b1b",
            "--wrt",
            "w^{(L)}",
            "--to",
            "pdf",
            "-o",
            str(out),
            "--templates",
            str(templates),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "Undefined control sequence" in done.stderr and done.stderr.count("\n") == 1
    assert not out.exists()


def test_missing_tex_says_how_to_install_it(monkeypatch):
    from symbackprop import latex_build

    monkeypatch.setattr(latex_build.shutil, "which", lambda name: None)
    with pytest.raises(sbp.SpecError, match="apt-get install texlive-latex-base"):
        latex_build.build_pdf(r"\documentclass{article}\begin{document}x\end{document}")
