"""Web pages: a derivation, a graph's backward pass and a verdict, each one self-contained HTML file (styles
inline, formulas as MathML, figures as inline SVG; no script, no font, no network), from the same finished
results and contexts as the other formats. The pages share ``page.html.j2`` (skeleton and styles), so another
page (a class report) extends it the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..base.stages import stage
from ..verify.claims import ClaimReport
from ..verify.graph_claims import GraphClaimReport
from .context import all_context, document_context
from .data import plain
from .environment import render_template
from .finished import AllDocument, DerivationDocument
from .graph_document import GraphDocument, graph_context
from .graph_verdict import graph_report_context
from .svg_figure import graph_svg, layer_svg, network_svg
from .verdict import checked_tex, report_context

GOOD_VERDICTS = ("correct", "proven")


def derivation_html(doc: DerivationDocument, user_templates: Path | None = None) -> str:
    """One derivation as a web page (``derivation.html.j2``)."""
    stage("rendering")
    context = document_context(doc)
    net, symbol = context["net"], context["d"]["symbol"]["text"]
    svg = network_svg(context["figure"], net["notation"]["cost_symbol"]) if context["figure"] else None
    extra = {
        "page_title": doc.title or f"How the cost depends on {symbol}",
        "svg": svg,
        "figure_description": _network_words(context["figure"], symbol) if context["figure"] else "",
    }
    return render_template("derivation.html.j2", plain({**context, **extra}), user_templates)


def all_html(doc: AllDocument, user_templates: Path | None = None) -> str:
    """Every weight and bias of a network as one web page (``all.html.j2``)."""
    stage("rendering")
    context = all_context(doc)
    net = context["net"]
    extra = {
        "page_title": doc.title or f"The gradient of a {'-'.join(map(str, net['layers']))} network, weight by weight",
        "svg": network_svg(context["figure"], net["notation"]["cost_symbol"]),
        "figure_description": _network_words(context["figure"], None),
    }
    return render_template("all.html.j2", plain({**context, **extra}), user_templates)


def _network_words(fig: dict[str, Any], symbol: str | None) -> str:
    """What the network figure shows, in a sentence for a screen reader."""
    columns = sorted({n["layer"] for n in fig["neurons"]})
    words = f"{len(columns)} columns of neurons, input on the left, each wired to the next, the last to the cost."
    if symbol is None:
        return words
    hot = [n for n in fig["neurons"] if n["highlight"] or n["source"]]
    edges = sum(1 for e in fig["edges"] if e["highlight"]) + sum(1 for _, h in fig["cost_edges"] if h)
    paths = f"{len(hot)} neurons and {edges} connections, the paths by which {symbol} reaches the cost"
    return f"{words} Highlighted: {paths}."


network_words = _network_words  # for the other pages that draw a network (a worksheet's)


def graph_html(doc: GraphDocument, user_templates: Path | None = None) -> str:
    """A graph's backward pass as a web page (``graph.html.j2``)."""
    stage("rendering")
    context = graph_context(doc)
    figure = context["figure"]
    svg = graph_svg(figure) if figure is not None and figure.get("shown") else None
    out, wrt = context["output"]["text"], context["wrt"]
    title = doc.title or (f"How {out} depends on {wrt['text']}" if wrt else f"The gradient of {out}")
    words = (
        f"The computation graph as a circuit of {len(context['nodes'])} nodes, inputs on the left and {out} on the "
        "right; above each wire its value, below it the gradient of the output"
        + (f"; the wires from {wrt['text']} to {out} highlighted." if wrt else ".")
    )
    layers = [layer_svg(f) for f in context["layer_figures"]]
    extra = {"page_title": title, "svg": svg, "figure_description": words, "layer_svgs": layers}
    return render_template("graph.html.j2", plain({**context, **extra}), user_templates)


def report_html(report: ClaimReport) -> str:
    """The verdict on a claimed formula as a web page (``verify.html.j2``)."""
    stage("rendering")
    context = report_context(report)
    extra = {
        "page_title": f"Verdict: {context['verdict']}",
        "good": context["verdict"] in GOOD_VERDICTS,
        "checked_tex": checked_tex(report),
    }
    return render_template("verify.html.j2", plain({**context, **extra}))


def graph_report_html(report: GraphClaimReport) -> str:
    """The verdict on a claimed derivative of a graph as a web page (``graph-verify.html.j2``)."""
    stage("rendering")
    context = graph_report_context(report)
    derivative = rf"\frac{{\partial {report.output}}}{{\partial {report.wrt}}}" if report.wrt else None
    extra = {
        "page_title": f"Verdict: {context['verdict']}",
        "good": context["verdict"] in GOOD_VERDICTS,
        "derivative_tex": derivative,  # the graph's names are LaTeX already
    }
    return render_template("graph-verify.html.j2", plain({**context, **extra}))
