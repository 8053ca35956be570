"""The web pages without a browser: the same bytes on a second run, formulas as MathML (never TeX), user text
escaped, and the command line's forms (--to html, -o NAME.html, verify's page)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop import documents
from symbackprop.base.errors import SpecError
from symbackprop.cli import main
from symbackprop.render.mathml import mathml

from ..strategies import networks, references
from .pages import example_page


def test_aligned_rows_become_a_table_of_cells() -> None:
    out = mathml(r"\begin{aligned} a &= b \\ &= c + 1 \end{aligned}", display=True)
    assert out.startswith('<math display="block"><mtable class="aligned">')
    assert out.count("<mtr>") == 2 and out.count("<mtd>") == 4
    assert "&=" not in out and "\\" not in out


def test_boxed_is_a_framed_row_not_menclose() -> None:
    out = mathml(r"\boxed{x = 1}", display=True)
    assert "menclose" not in out and '<mrow class="boxed">' in out


def test_tex_it_cannot_convert_is_an_error_not_raw_tex() -> None:
    with pytest.raises(SpecError, match="cannot be shown as MathML"):
        mathml(r"\foo{x}")
    with pytest.raises(SpecError, match="cannot be shown as MathML"):
        mathml(r"a & b")  # an alignment outside an aligned display


def test_escaped_block_content_is_read_as_tex() -> None:
    from markupsafe import Markup

    assert mathml(Markup("a &lt; b")) == mathml("a < b")


@pytest.mark.parametrize("name", ["worked", "circuit"])
def test_same_bytes_on_a_second_run(tmp_path: Path, name: str) -> None:
    first = example_page(name, tmp_path).read_bytes()
    again = example_page(name, tmp_path).read_bytes()
    assert first == again
    text = re.sub(r"<math.*?</math>", "", first.decode(), flags=re.S)
    assert "\\frac" not in text and "\\partial" not in text and "$" not in text


def test_the_suffix_html_makes_a_page(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    assert main(["derive", "example:3b1b", "--wrt", "w^{(L)}", "-o", str(out)]) == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page and "<svg" in page


def test_a_title_and_author_are_text(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    args = ["derive", "example:3b1b", "--wrt", "w^{(L)}", "--to", "html", "-o", str(out)]
    assert main([*args, "--title", "<b>Bold</b> & co", "--author", '"><script>x</script>']) == 0
    page = out.read_text()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page and "<b>" not in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_verify_page_quotes_the_claim_as_text(tmp_path: Path) -> None:
    out = tmp_path / "verdict.html"
    claim = r"a^{(L-1)} \sigma'(z^{(L)})"
    main(["verify", "example:3b1b", "--wrt", "w^{(L)}", "--claim", claim, "--to", "html", "-o", str(out)])
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Verdict:" in page
    assert '<pre class="claim">a^{(L-1)} \\sigma&#39;(z^{(L)})</pre>' in page


def test_a_verify_page_needs_a_claim(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "verdict.html"
    assert main(["verify", "example:mazur", "-o", str(out)]) == 2
    assert "give --claim" in capsys.readouterr().err
    assert not out.exists()


def visible_text(page: str) -> str:
    """What a page shows outside its formulas and figures: tags, styles and MathML removed."""
    page = re.sub(r"<(style|math|svg)\b.*?</\1>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", "", page)


@settings(max_examples=15)
@given(data=st.data(), notation=st.sampled_from(["3b1b", "deeplizard", "goodfellow", "nielsen"]))
def test_every_formula_of_a_random_network_is_mathml(data: st.DataObject, notation: str) -> None:
    """Any network, quantity and preset: the page converts every formula, and none shows as TeX."""
    net = data.draw(networks(max_depth=3, max_width=3, generic=True))
    net = sbp.Network(
        layers=list(net.layers),
        activation=[net.activation(layer).name for layer in range(1, net.depth + 1)],
        cost=net.spec.cost,
        bias=net.spec.bias,
        index_base=net.spec.index_base,
        notation=notation,
    )
    ref = data.draw(references(net))
    page = documents.render(sbp.derive(net, ref), "html")
    assert page.count("<math") == page.count("</math>") > 0
    shown = visible_text(page)
    assert "\\" not in shown and "$" not in shown and "^{" not in shown


def test_the_figure_draws_the_layout_it_is_given(tmp_path: Path) -> None:
    """The SVG has a circle per neuron the layout places, the highlighted ones marked, and a line per edge."""
    from symbackprop.render.context import figure_for

    net = sbp.Network(layers=[2, 3, 2], activation="sigmoid", cost="sse")
    d = sbp.derive(net, net.ref("w_{21}^{(L-1)}"))
    fig = figure_for(d)
    page = documents.render(d, "html")
    assert page.count('<circle class="neuron') == len(fig.neurons)
    assert page.count('<circle class="neuron hot"') == sum(n.highlight or n.source for n in fig.neurons)
    assert page.count('<line class="edge') == len(fig.edges) + len(fig.cost_edges)
    assert page.count('<line class="edge hot"') == sum(e.highlight for e in fig.edges) + sum(
        hot for _, hot in fig.cost_edges
    )


def test_verify_to_picks_json_and_markdown_as_the_output_name_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claim = ["example:3b1b", "--wrt", "w^{(L)}", "--claim", "a^{(L-1)}"]
    assert main(["verify", *claim, "--to", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "incorrect"
    assert main(["verify", *claim, "-o", str(tmp_path / "v.md")]) == 1
    assert (tmp_path / "v.md").read_text().startswith("**incorrect** for $w^{(L)}$")
    assert main(["verify", "example:3b1b", "--wrt", "w^{(Q)}", "--claim", "a", "--to", "json"]) == 2
    assert "error" in json.loads(capsys.readouterr().out)
    assert main(["verify", *claim, "-o", str(tmp_path / "v.pdf")]) == 2
    assert not (tmp_path / "v.pdf").exists()


def test_a_users_page_template_escapes_too(tmp_path: Path) -> None:
    """A --templates folder's derivation.html.j2 is a web page's template: what it prints is escaped."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "derivation.html.j2").write_text("<h1>\\VAR{ title }</h1>\\VAR{ d.symbol | tex | math }\n")
    out = tmp_path / "page.html"
    args = ["derive", "example:3b1b", "--wrt", "w^{(L)}", "--title", "<i>x</i>", "--templates", str(folder)]
    assert main([*args, "-o", str(out)]) == 0
    page = out.read_text()
    assert page.startswith('<h1>&lt;i&gt;x&lt;/i&gt;</h1><math display="inline">')


BATCH_NORM = """input = [1, 3]
cost = "mse"
batch = 2
seed = 3
[[layer]]
kind = "batchnorm"
[[layer]]
kind = "dense"
size = 1
"""


def test_a_layer_stacks_page_gives_the_compact_forms_the_other_documents_give(tmp_path: Path) -> None:
    """The web page has the section the PDF, Markdown and text have: each layer's compact form, as MathML, with
    its check against the backward pass and its proof against sympy.diff of the composed cost."""
    spec = tmp_path / "bn.toml"
    spec.write_text(BATCH_NORM, encoding="utf-8")
    pages = {}
    for to in ("html", "md"):
        out = tmp_path / f"bn.{to}"
        assert main(["derive", str(spec), "--wrt", "x_{0,0,0}", "--to", to, "-o", str(out)]) == 0
        pages[to] = out.read_text(encoding="utf-8")
    found = r"(?m)^- Layer (\d+) \((\w+)\), .*\((agrees with the backward pass[^)]*\))\)\. (Proven equal to .*)\.$"
    forms = re.findall(found, pages["md"])
    assert forms and forms[0][1] == "batchnorm"
    html = pages["html"]
    section = html[html.index("<h2>The layers' compact forms</h2>") :].split("</section>")[0]
    items = re.findall(r"<li>Layer (\d+) \((\w+)\),.*?</li>", section, flags=re.S)
    assert items == [(layer, kind) for layer, kind, _, _ in forms]
    assert section.count('<math display="block">') == len(forms) and "\\" not in section
    for _, _, verdict, proof in forms:
        assert verdict in section and proof.startswith("Proven equal to sympy.diff of the composed cost C = L(z) + R")
    assert section.count("Proven equal to sympy.diff of the composed cost") == len(forms)
