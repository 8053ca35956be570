"""Renderers: a derivation laid out by a Jinja2 template (text, LaTeX, Markdown) or as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from ..checks import Proof, Verdicts, all_proofs, stated_proofs
from ..claimed_numbers import NumberCheck
from ..derivation import Derivation
from ..errors import SpecError
from ..general_form import GeneralForm
from ..network import Network
from ..references import Ref
from ..second import SecondDerivation
from ..stages import stage
from ..verify import ClaimReport
from .context import all_context, describe, document_context, general_symbols, json_document
from .environment import environment
from .filters import filters_for
from .verdict import caret_line, numbers_context, numbers_json, report_context, report_json

FORMATS = {
    "text": "derivation.txt.j2",
    "tex": "document.tex.j2",
    "tex-body": "body-only.tex.j2",
    "md": "derivation.md.j2",
}


def render(
    d: Derivation,
    fmt: str = "text",
    user_templates: Path | None = None,
    proof: Proof | Verdicts | None = None,
    title: str | None = None,
    author: str | None = None,
) -> str:
    """The derivation as a document in ``fmt``: text, json, md, tex (a whole document) or tex-body.

    ``proof`` gives the proofs the document states (``checks.stated_proofs``); those not given are run here.
    """
    verdicts = proof if isinstance(proof, Verdicts) else stated_proofs(d, fmt, proof)
    if fmt == "json":
        stage("rendering")
        return json_document(d, verdicts.element)
    env = environment(user_templates, filters_for(d.network))
    template = env.get_template(FORMATS[fmt])
    context = document_context(d, verdicts, title, author)
    stage("rendering")
    return template.render(**context)


def render_report(report: ClaimReport, fmt: str = "text") -> str:
    """The verdict on a claimed formula, as text for the terminal or as JSON."""
    stage("rendering")
    if fmt == "json":
        return report_json(report)
    context = report_context(report)
    context["caret"] = caret_line(report.claim, report.position)
    return environment().get_template("verify.txt.j2").render(**context)


def render_numbers(checks: list[NumberCheck], fmt: str = "text") -> str:
    """The claimed numbers of a worked example against the engine's, as a table or as JSON."""
    stage("rendering")
    if fmt == "json":
        return numbers_json(checks)
    return environment().get_template("numbers.txt.j2").render(**numbers_context(checks))


def render_general(
    form: GeneralForm, fmt: str, proof: Proof, title: str | None = None, author: str | None = None
) -> str:
    """The general form (letters for the layer and neurons) as text, a LaTeX document, or JSON."""
    stage("rendering")
    net = form.network
    if fmt == "json":
        filters = filters_for(net)
        formulas = [
            {
                "lhs": filters["tex"](f.lhs),
                "rhs": filters["tex"](f.rhs),
                "text": filters["text"](f.lhs) + " = " + filters["text"](f.rhs),
                "applies": f.applies,
            }
            for f in form.formulas
        ]
        return (
            json.dumps(
                {"target": filters["tex"](form.target), "formulas": formulas, "proof": proof.as_data()}, indent=2
            )
            + "\n"
        )
    if fmt not in ("text", "tex"):
        raise SpecError("the general form comes as text, tex, pdf or json")
    env = environment(None, filters_for(net))
    name = "general.txt.j2" if fmt == "text" else "general.tex.j2"
    extras = net.spec.extras  # a spec's title and author, as every other document takes them
    title = title if title is not None else str(extras.get("title", ""))
    author = author if author is not None else str(extras.get("author", ""))
    context = {
        "form": form,
        "net": describe(net),
        "symbols": general_symbols(),
        "proof": proof,
        "title": title,
        "author": author,
    }
    return env.get_template(name).render(**context)


def render_second(d2: SecondDerivation, fmt: str, proof: Proof) -> str:
    """A second derivative as text for the terminal, or as JSON."""
    stage("rendering")
    filters = filters_for(d2.first.network)
    if fmt == "json":
        data = {
            "first": filters["tex"](d2.first.symbol),
            "second": filters["tex"](d2.second_symbol),
            "result": filters["tex"](d2.result),
            "result_text": filters["text"](d2.result),
            "proof": proof.as_data(),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return environment(None, filters).get_template("second.txt.j2").render(d2=d2, proof=proof)


ALL_ELEMENTS = 40  # above this many weights and biases, --wrt all gives general formulas and a sample


def render_all(
    net: Network,
    user_templates: Path | None = None,
    title: str | None = None,
    author: str | None = None,
    on_step: Callable[[str], None] | None = None,
    proofs: Mapping[Ref, Proof] | None = None,
) -> str:
    """One LaTeX document deriving every weight and bias, in sections by layer: ``proofs`` of the elements
    ``all_elements(net)`` chooses, run here if not given (``on_step`` hears of each)."""
    if proofs is None:
        proofs = all_proofs(net, all_elements(net), on_step)
    context = all_context(net, proofs, len(net.parameters()) > ALL_ELEMENTS, title, author)
    stage("rendering")
    return environment(user_templates, filters_for(net)).get_template("all.tex.j2").render(**context)


def all_elements(net: Network) -> list[Ref]:
    """The elements a --wrt all document derives: every one, or past ALL_ELEMENTS a weight and a bias per layer."""
    from ..bounds import all_elements as chosen

    return chosen(net, ALL_ELEMENTS)
