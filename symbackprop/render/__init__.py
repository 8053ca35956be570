"""Renderers: finished results laid out by a Jinja2 template (text, LaTeX, Markdown) or as JSON.

Each takes results the stages below have already worked out (see ``finished``) and only lays them out: the
templates receive plain data (see ``data``), never an object that computes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.errors import SpecError
from ..base.stages import stage
from ..derive.derivation import Derivation
from ..prove.proof import HEADLINE, Proof
from .context import all_context, document_context, general_context, second_context
from .data import Printed
from .environment import render_template
from .filters import tex as tex_of
from .filters import text as text_of
from .filters import tpartial
from .finished import AllDocument, DerivationDocument, GeneralDocument, SecondDocument
from .json_document import json_document

if TYPE_CHECKING:
    from ..numeric.claimed_numbers import NumberCheck
    from ..verify.claims import ClaimReport
    from .graph_document import GraphDocument

# The web pages and the verify reports are imported where they are rendered: they bring the claim reader, which
# a derivation's text or LaTeX does not need (a derive command starts without it); a graph's document, where a
# graph is rendered: it brings the numeric stage and NumPy, which a network's derivation does not use.

FORMATS = {
    "text": "derivation.txt.j2",
    "tex": "document.tex.j2",
    "tex-body": "body-only.tex.j2",
    "md": "derivation.md.j2",
}


def render(doc: DerivationDocument, fmt: str = "text", user_templates: Path | None = None) -> str:
    """The derivation as a document in ``fmt``: text, json, md, tex (a whole document), tex-body or html."""
    stage("rendering")
    if fmt == "json":
        return json_document(doc)
    if fmt == "html":
        from .html import derivation_html

        return derivation_html(doc, user_templates)
    return render_template(FORMATS[fmt], document_context(doc), user_templates)


GRAPH_FORMATS = {"text": "graph.txt.j2", "tex": "graph.tex.j2", "tex-body": "graph-body.tex.j2", "md": "graph.md.j2"}


def render_graph(doc: GraphDocument, fmt: str = "text", user_templates: Path | None = None) -> str:
    """A graph's backward pass as a document in ``fmt``: text, json, md, tex (a whole document), tex-body or html."""
    from .graph_document import graph_context, graph_json

    stage("rendering")
    if fmt == "json":
        return graph_json(doc)
    if fmt == "html":
        from .html import graph_html

        return graph_html(doc, user_templates)
    return render_template(GRAPH_FORMATS[fmt], graph_context(doc), user_templates)


def render_all(doc: AllDocument, user_templates: Path | None = None, fmt: str = "tex") -> str:
    """One document deriving every weight and bias, in sections by layer: LaTeX, or (``fmt`` html) a web page."""
    if fmt == "html":
        from .html import all_html

        return all_html(doc, user_templates)
    stage("rendering")
    return render_template("all.tex.j2", all_context(doc), user_templates)


def boxed(d: Derivation) -> str:
    """The result in a box, as Jupyter's LaTeX display shows a derivation: $$\\boxed{dC_0/dw = ...}$$."""
    p = Printed(d.network)
    lhs = tpartial((p.expr(d.chains[0].factors[0].of), p.expr(d.symbol)))
    return f"$$\\boxed{{{lhs} = {p.expr(d.sum_form)['tex']}}}$$"


def render_report(report: ClaimReport, fmt: str = "text") -> str:
    """The verdict on a claimed formula, as text for the terminal, Markdown (for Jupyter) or JSON."""
    from .verdict import caret_line, code_fence, report_context, report_json

    stage("rendering")
    if fmt == "json":
        return report_json(report)
    context = report_context(report)
    if fmt == "md":
        return render_template("verify.md.j2", {**context, "fence": code_fence(report.claim)})
    context["caret"] = caret_line(report.claim, report.position)
    return render_template("verify.txt.j2", context)


def render_proof(proof: Proof) -> str:
    """A proof's outcome as Markdown, for Jupyter: the verdict in bold, how, and the activations' facts."""
    context = {
        "headline": HEADLINE[proof.verdict],
        "method": proof.method,
        "statement": proof.statement,
        "facts": list(proof.activation_facts),
    }
    return render_template("proof.md.j2", context)


def render_numbers(checks: list[NumberCheck], fmt: str = "text") -> str:
    """The claimed numbers of a worked example against the engine's, as a table or as JSON."""
    from .verdict import numbers_context, numbers_json

    stage("rendering")
    if fmt == "json":
        return numbers_json(checks)
    return render_template("numbers.txt.j2", numbers_context(checks))


def render_general(doc: GeneralDocument, fmt: str) -> str:
    """The general form (letters for the layer and neurons) as text, a LaTeX document, or JSON."""
    stage("rendering")
    if fmt == "json":
        context = general_context(doc)
        formulas = [
            {
                "lhs": tex_of(f["lhs"]),
                "rhs": tex_of(f["rhs"]),
                "text": text_of(f["lhs"]) + " = " + text_of(f["rhs"]),
                "applies": f["applies"],
            }
            for f in context["form"]["formulas"]
        ]
        data = {"target": tex_of(context["form"]["target"]), "formulas": formulas, "proof": doc.proof.as_data()}
        return json.dumps(data, indent=2) + "\n"
    if fmt not in ("text", "tex"):
        raise SpecError("the general form comes as text, tex, pdf or json")
    name = "general.txt.j2" if fmt == "text" else "general.tex.j2"
    return render_template(name, general_context(doc))


def render_second(doc: SecondDocument, fmt: str) -> str:
    """A second derivative as text for the terminal, or as JSON."""
    stage("rendering")
    if fmt == "json":
        p = Printed(doc.d2.first.network)
        d2 = doc.d2
        data = {
            "first": p.expr(d2.first.symbol)["tex"],
            "second": p.expr(d2.second_symbol)["tex"],
            "result": p.expr(d2.result)["tex"],
            "result_text": p.expr(d2.result)["text"],
            "proof": doc.proof.as_data(),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return render_template("second.txt.j2", second_context(doc))


__all__ = [
    "FORMATS",
    "AllDocument",
    "DerivationDocument",
    "GeneralDocument",
    "GraphDocument",
    "SecondDocument",
    "boxed",
    "render",
    "render_all",
    "render_general",
    "render_graph",
    "render_numbers",
    "render_report",
    "render_second",
]
