"""Documents: every LaTeX output compiles with a real pdflatex, says the right formulas, and fits the page."""

from __future__ import annotations

import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.documents import general_document, render, render_all
from symbackprop.prove.proof import Proof
from symbackprop.render import render_general

from ..needs import NEEDS_TEX
from ..strategies import HIDDEN, OUTPUT, _fitting, networks, references


def compile_tex(source: str):
    from symbackprop.render.latex_build import build

    return build(source)


def assert_fits_the_page(log: str) -> None:
    from symbackprop.render.latex_build import overfull_boxes

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
    ([2, 3, 2], "sigmoid", "half_sse", "neuron", "nielsen", "w_{12}^{3}"),
    ([2, 3, 2], "sigmoid", "half_sse", "neuron", "nielsen", "b_{3}^{2}"),
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
    from symbackprop.render.latex_build import pdf_text

    net = sbp.Network(layers=[1, 1, 1, 1], activation="sigmoid", cost="sse", bias="neuron")
    text = pdf_text(compile_tex(render(net.derive("w^{(L)}"), "tex")).pdf)
    assert "By the chain rule" in text
    assert "The result is proven symbolically" in text
    assert "central finite differences" in text


@NEEDS_TEX
def test_deeplizard_document_sums_over_the_output_neurons():
    from symbackprop.render.latex_build import pdf_text

    net = sbp.Network(layers=[2, 3, 6, 4], activation="g", cost="sse", bias="none", notation="deeplizard")
    text = pdf_text(compile_tex(render(net.derive("w_{22}^{(L-1)}"), "tex")).pdf)
    assert "Step 1 (chain rule summed over paths; cost" in text and "how the cost depends on" in text
    assert "Combining the factors gives the result" in text and "Written out over" not in text  # 4 paths: the sum
    assert "generic activation g" in text
    assert "The result is proven symbolically" in text


@NEEDS_TEX
def test_worked_numbers_appear_with_the_update():
    from symbackprop.render.latex_build import pdf_text

    net = sbp.Network.from_toml("templates/examples/worked.toml")
    d = net.derive("w_{00}^{(L)}")
    text = squash(pdf_text(compile_tex(render(d, "tex")).pdf))
    mean = net.evaluate()["grad_weights"][1][0][0]
    updated = net.evaluate()["updated_weights"][1][0][0]
    assert f"{mean:.6g}".replace("-", "") in text
    assert f"{updated:.6g}" in text


@NEEDS_TEX
def test_every_weight_and_bias_document_has_a_contents_and_each_layer():
    from symbackprop.render.latex_build import pdf_text

    net = sbp.Network(layers=[2, 2, 2], activation=["tanh", "sigmoid"], cost="sse", bias="neuron")
    result = compile_tex(render_all(net))
    assert_fits_the_page(result.log)
    text = pdf_text(result.pdf)
    assert "Contents" in text
    assert text.count("In general, for any neurons") == 2


@NEEDS_TEX
def test_large_network_all_document_says_it_samples():
    from symbackprop.render.latex_build import pdf_text

    net = sbp.Network(layers=[4, 8, 3], activation="sigmoid", cost="sse", bias="neuron")
    text = pdf_text(compile_tex(render_all(net)).pdf)
    assert "too many to derive one by one" in text


@NEEDS_TEX
def test_hostile_title_and_author_come_out_as_text():
    from symbackprop.render.latex_build import pdf_text

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
    assert d._repr_latex_().startswith("$$\\boxed{") and d._repr_latex_().endswith("}$$")
    assert "\\sigma" in d._repr_latex_()
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
@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("\\undefinedcommand\n", "the LaTeX document uses \\undefinedcommand on its line"),
        ("\\begin{center}\n", "LaTeX failed: "),
    ],
    ids=["unknown-command", "latex-error"],
)
def test_latex_error_from_a_broken_user_template_is_one_line_and_leaves_no_pdf(body, says, tmp_path, cmdline):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "body.tex.j2").write_text(body)
    out = tmp_path / "d.pdf"
    args = ["derive", "example:3b1b", "--wrt", "w^{(L)}", "--to", "pdf", "-o", str(out), "--templates", str(templates)]
    done = cmdline.run(*args)
    assert done.returncode == 2
    assert says in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert not out.exists()


def test_missing_tex_says_how_to_install_it(monkeypatch):
    from symbackprop.render import latex_build

    monkeypatch.setattr(latex_build.shutil, "which", lambda name: None)
    with pytest.raises(sbp.SpecError, match="apt-get install texlive-latex-base"):
        latex_build.build_pdf(r"\documentclass{article}\begin{document}x\end{document}")


@st.composite
def small_networks(draw, cost: str) -> sbp.Network:
    """A network of up to two layers after the input, with ``cost``, any activations it allows and any notation."""
    depth = draw(st.integers(1, 2))
    layers = draw(st.lists(st.integers(1, 3), min_size=depth + 1, max_size=depth + 1))
    hidden = [draw(st.sampled_from(_fitting([*HIDDEN, "g"], layers[k]))) for k in range(1, depth)]
    output = draw(st.sampled_from(_fitting([*OUTPUT[cost], "g"], layers[-1])))
    return sbp.Network(
        layers=layers,
        activation=[*hidden, output],
        cost=cost,
        bias=draw(st.sampled_from(["neuron", "layer", "none"])),
        notation=draw(st.sampled_from(["3b1b", "deeplizard", "goodfellow", "nielsen"])),
    )


@settings(max_examples=12)
@pytest.mark.parametrize("cost", sorted(OUTPUT))
@given(data=st.data())
def test_no_document_prints_none(cost, data):
    """A value left empty must never reach a reader as the word None, in any format."""
    net = data.draw(small_networks(cost))
    ref = data.draw(references(net))
    d = net.derive(ref)
    proof = d.check()
    for fmt in ("tex", "md", "text", "json"):
        out = render(d, fmt, proof=proof)
        assert "None" not in out, (fmt, net.layers, net.spec.activations, ref, out[out.find("None") - 200 :][:300])


# --- what a newcomer found in the documents ------------------------------------------------------


def test_the_batch_average_says_what_it_means_for_a_per_sample_quantity():
    """For a parameter the batch derivative is plainly the mean; for an activation it needs one clause."""
    net = sbp.Network(layers=[2, 3, 6, 4], activation="g", cost="sse", bias="none", notation="deeplizard")
    clause = "nudged by the same amount in every sample"
    for fmt in ("tex", "md", "text"):
        assert clause in " ".join(render(net.derive("a_{2}^{(L-1)}"), fmt).split()), fmt
        assert clause in " ".join(render(net.derive("z_{1}^{(L)}"), fmt).split()), fmt
        assert clause not in " ".join(render(net.derive("w_{12}^{(L)}"), fmt).split()), fmt


def test_every_weight_and_bias_document_refers_only_to_what_it_contains():
    """--wrt all has no Steps: each hidden activation and the output layer are numbered equations it refers to."""
    net = sbp.Network.from_toml("templates/examples/worked.toml")
    source = render_all(net)
    assert "Step" not in source
    labels = set(re.findall(r"\\label\{([^}]*)\}", source))
    refs = set(re.findall(r"\\(?:eq)?ref\{([^}]*)\}", source))
    assert refs and refs <= labels
    assert "sbp:output" in refs and {"sbp:a:1:0", "sbp:a:1:1", "sbp:a:1:2"} <= labels


def test_every_weight_and_bias_document_has_the_figure_notation_and_numbers_once():
    net = sbp.Network.from_toml("templates/examples/worked.toml")
    source = render_all(net)
    assert source.count(r"\begin{tikzpicture}") == 1 and "hotedge] (" not in source  # nothing highlighted
    assert source.count("Symbol & Meaning") == 1
    assert source.count("in which only the term of neuron") == 1  # dC_0/da_j^(L) worked out once
    numbers = net.evaluate()
    for row in numbers["grad_weights"][0] + numbers["grad_weights"][1]:
        for value in row:
            assert f"${value:.6g}$" in source
    for row in numbers["updated_weights"][1]:
        for value in row:
            assert f"${value:.6g}$" in source


@NEEDS_TEX
def test_every_weight_and_bias_document_is_short_and_resolves_every_reference():
    from symbackprop.render.latex_build import pdf_text

    net = sbp.Network.from_toml("templates/examples/worked.toml")
    result = compile_tex(render_all(net))
    assert_fits_the_page(result.log)
    text = pdf_text(result.pdf)
    assert "??" not in text
    assert text.count("\f") <= 10  # pages; it was 16 when each section worked out dC_0/da_j^(L) again


def test_the_general_form_of_a_bias_speaks_of_a_bias():
    from symbackprop.derive.general_form import general_form

    net = sbp.Network(layers=[784, 128, 64, 10])
    bias = " ".join(render_general(general_document(general_form(net, "b"), PROVEN), "tex").split())
    assert "for one weight" not in bias and "three factors" not in bias
    assert "chain rule for one bias" in bias and "two factors" in bias
    weight = " ".join(render_general(general_document(general_form(net, "w"), PROVEN), "tex").split())
    assert "chain rule for one weight, in three factors" in weight


SOFTMAX = dict(layers=[3, 3], activation="softmax", cost="cross_entropy")
PROVEN = Proof("proven", "symbolic", "checked by hand for this test")


def test_softmax_wording_says_the_layer_couples_not_that_a_weight_feeds_several_neurons():
    source = " ".join(render(sbp.Network(**SOFTMAX).derive("w_{00}^{(L)}"), "tex").split())
    assert "one through each neuron it feeds" not in source
    assert "feeds a single neuron" in source and "applies softmax" in source


def test_softmax_derivative_needs_no_kronecker_delta_and_defines_its_bracket():
    """delta_ij would clash with the error delta_j^(l) of the matrix form, so neither the text nor the matrix
    form uses it; the bracket [i = 0] that replaces it is defined where it first appears."""
    for ref in ("w_{00}^{(L)}", "b_{1}^{(L)}"):
        source = render(sbp.Network(**SOFTMAX).derive(ref), "tex")
        assert not re.search(r"\\delta_\{[0-9a-z] ?[0-9a-z]\}", source)
        assert r"[i = 0]" in source or r"[i = 1]" in source
        assert r"\text{if } i =" in source and r"\operatorname{diag}" in source


def test_the_summed_letter_is_the_same_in_the_chain_and_in_the_box():
    source = render(sbp.Network(**SOFTMAX).derive("w_{00}^{(L)}"), "tex")
    chain = source[source.index("adds them up") : source.index("Combining the factors")]
    box = source[source.index(r"\boxed") :]
    assert re.findall(r"\\sum_\{(\w)=", chain)[0] == re.findall(r"\\sum_\{(\w)=", box)[0] == "i"


def test_one_neuron_per_layer_says_no_sum_and_uses_no_subscripts():
    net = sbp.Network.from_toml("templates/examples/3b1b.toml")
    text = render(net.derive("w^{(L-1)}"), "text")
    step2 = text.split("Step 2")[1].split("combined")[0]
    assert "worked out in Step 1" in text and "Σ" not in step2 and "summed over" not in step2
    source = render(net.derive("w^{(L-1)}"), "tex")
    table = source[source.index("Symbol & Meaning") : source.index(r"\bottomrule")]
    assert "w^{(l)}" in table and "_{jk}" not in table and "neuron $j$" not in table and "$k$" not in table


def test_nielsen_numbers_the_input_layer_one_and_reads_references_the_same_way():
    from symbackprop.render.context import figure_for

    net = sbp.Network(layers=[2, 3, 2], notation="nielsen")
    d = net.derive("w_{12}^{3}")
    assert d.target.layer == net.depth
    source = render(d, "tex")
    assert [text for _, _, text in figure_for(d).labels] == ["1", "2", "3"]
    assert "a_{2}^{2}" in source and "a_{1}^{0}" not in source
    flat = " ".join(source.split())
    assert "is half the sum of squared errors" in flat and "the half" not in flat
    table = source[source.index("Symbol & Meaning") : source.index(r"\bottomrule")]
    assert table.splitlines()[2].replace(r"\raggedright ", "").startswith("$L$ & the output layer, numbered 3")
    # the samples are x throughout (the matrix form's batch equations are 1/n sums over the rows of A)
    assert r"\sum_{x} C_{x}" in source and r"\sum_{i" not in source


def test_nielsen_general_form_writes_every_layer_superscript_the_same_way():
    from symbackprop.derive.general_form import general_form

    net = sbp.Network(layers=[2, 3, 2], notation="nielsen")
    source = render_general(general_document(general_form(net, "w"), PROVEN), "tex")
    assert "a_{k}^{l-1}" in source and "^{(l-1)}" not in source and "a_{j}^{L}" in source


def test_nielsen_preset_documents_its_quadratic_cost():
    with open("docs/presets-and-templates.md", encoding="utf-8") as docs:
        text = docs.read()
    assert "half_sse" in text and "first_layer" in text


def _aligns(source: str) -> list[str]:
    return re.findall(r"\\begin\{align\*?\}(.*?)\\end\{align\*?\}", source, flags=re.S)


def test_short_displays_never_break_across_pages_and_long_ones_may():
    net = sbp.Network.from_toml("templates/examples/deeplizard.toml")
    for ref in ("w_{22}^{(L-1)}", "w_{12}^{(L)}"):
        for body in _aligns(render(net.derive(ref), "tex")):
            breaks = re.findall(r"\\\\\*?", body)
            if len(breaks) < 8:
                assert all(b == "\\\\*" for b in breaks), body
    wide = sbp.Network(layers=[2, 60, 1], activation="sigmoid")  # z^(L) written out: 60 terms, the sum rule's
    long = [b for b in _aligns(render(wide.derive("w_{00}^{(L)}"), "tex")) if body_lines(b) > 8]
    assert long and all(re.search(r"\\\\(?!\*)", b) for b in long)


def body_lines(body: str) -> int:
    return len(re.findall(r"\\\\\*?", body)) + 1


def test_notation_table_rows_have_room_for_super_and_subscripts():
    source = render(sbp.Network(layers=[2, 3, 2], notation="nielsen").derive("w_{12}^{3}"), "tex")
    table = source[source.index(r"\section*{The network and its notation}") : source.index(r"\section*{The forward")]
    stretch = float(re.search(r"\\arraystretch\}\{([0-9.]+)\}", table).group(1))
    assert stretch >= 1.3


@pytest.mark.parametrize("ref", ["w^{(L-1)}", "b^{(L)}", "a^{(L-2)}"])
def test_parentheses_are_sized_only_around_tall_content(ref):
    from symbackprop.model.printing import relax_parens

    net = sbp.Network.from_toml("templates/examples/3b1b.toml")
    source = render(net.derive(ref), "tex")
    assert relax_parens(source) == source  # no \left( \right) around a line-high argument is left
    assert r"\sigma^{\prime}(z^{(L)})" in source and r"\left(z" not in source


def test_the_box_states_the_result_in_the_order_the_chain_was_worked():
    net = sbp.Network.from_toml("templates/examples/3b1b.toml")
    d = net.derive("w^{(L-1)}")
    box = render(d, "tex").split(r"\boxed{")[1].split("\n")[0]
    assert r"= 2 (a^{(L)} - y) \sigma^{\prime}(z^{(L)}) w^{(L)} \sigma^{\prime}(z^{(L-1)}) a^{(L-2)}}" in box
    assert d.check().proven


@NEEDS_TEX
def test_a_long_result_breaks_inside_its_box_with_a_continuation_sign():
    net = sbp.Network(layers=[2, 3, 4, 3], activation=["tanh", "tanh", "sigmoid"], cost="binary_cross_entropy")
    source = render(net.derive("w_{21}^{(L-2)}"), "tex")
    start = source.index("Combining the factors gives the result")
    result = source[start : source.index("section", start)]
    assert r"\boxed{\begin{aligned}" in result
    lines = result.split(r"\\")[1:]
    assert lines and all(re.match(r"\s*&\\qquad (\\cdot|\+|-) ", line) for line in lines)
    assert_fits_the_page(compile_tex(source).log)


def test_a_negative_term_is_printed_with_its_own_minus_sign():
    net = sbp.Network(layers=[2, 3], activation="sigmoid", cost="binary_cross_entropy")
    text = render(net.derive("w_{11}^{(L)}"), "text")
    assert "+ -" not in text and "· -" not in text
    assert "C_0 = -(1 - y_0)·log(1 - a_0^(L)) - y_0·log(a_0^(L)) - (1 - y_1)·log(1 - a_1^(L))" in text
    softmax = render(sbp.Network(**SOFTMAX).derive("w_{00}^{(L)}"), "text")
    assert "+ -" not in softmax and "· -" not in softmax
    source = render(net.derive("w_{11}^{(L)}"), "tex")
    assert not re.search(r"\\sum(?:\\nolimits)?_\{[^}]*\}\^\{[^}]*\} -", source)
    # the forward equations set a sum's limits beside it
    assert r"C_0 &= -\sum\nolimits_{j=0}^{2} ((1 - y_{j}) \log(1 - a_{j}^{(L)}) + y_{j} \log(a_{j}^{(L)}))" in source


def test_proof_sentences_begin_with_a_capital_and_set_code_in_typewriter():
    net = sbp.Network.from_toml("templates/examples/worked.toml")
    for source in (render(net.derive("w_{00}^{(L)}"), "tex"), render_all(net)):
        assert "proven (symbolic)" not in source
        assert r"\texttt{sympy.diff}" in source and " sympy.diff" not in source.replace(r"\texttt{sympy.diff}", "")
    assert "**Check:** Proven" in render(net.derive("w_{00}^{(L)}"), "md")


@NEEDS_TEX
def test_the_title_sits_near_the_top_of_the_first_page():
    source = render(sbp.Network(layers=[2, 2]).derive("w_{11}^{(L)}"), "tex")
    assert r"\maketitle" not in source
    pdf = compile_tex(source).pdf
    done = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True
    )
    words = re.findall(rb'<page width="([\d.]+)" height="([\d.]+)"|<word xMin="[\d.]+" yMin="([\d.]+)"', done.stdout)
    height = float(words[0][1])
    first_word_top = float(words[1][2])
    assert first_word_top < 0.12 * height


@given(st.data())
def test_each_printed_form_of_a_result_reads_back_as_the_result(data):
    """The chain as combined and the sum written out path by path are printed in the order the chain was
    worked, not SymPy's; pasted back as claims, both must still be the right derivative."""
    from symbackprop.render.data import Printed
    from symbackprop.render.filters import FILTERS as f
    from symbackprop.verify.claims import verify_claim

    net = data.draw(networks(max_depth=2, max_width=2, generic=True))
    ref = data.draw(references(net))
    x = Printed(net).derivation(net.derive(ref))
    leib = f["tpartial"]((x["of"], x["symbol"]))
    sums = "".join(f"\\sum_{{{letter['tex']}={first}}}^{{{last}}} " for letter, first, last in x["sum_limits"])
    for claim in (f"{leib} = {sums}{f['tex_chain'](x)}", f"{leib} = {f['tex'](x['stated_result'])}"):
        report = verify_claim(net, claim)
        assert report.verdict == "correct", (claim, report.error, net.layers, net.spec.activations, net.spec.cost)


def test_a_proof_statement_sets_code_and_a_power_of_ten_as_mathematics():
    from symbackprop.render.filters import code_words

    assert code_words("agree is below 10^-210 by sympy.diff") == r"agree is below $10^{-210}$ by \texttt{sympy.diff}"
    assert code_words("a^-3 & 100^-2") == r"a\textasciicircum{}-3 \& 100\textasciicircum{}-2"
    assert code_words("equal modulo the prime 2^61 - 1 at 13") == r"equal modulo the prime $2^{61} - 1$ at 13"
