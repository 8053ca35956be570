"""The document functions as the Python API has always offered them: each takes what a user has in hand (a
derivation, a network, a form and its proof) and works out what the document states before laying it out.

``render(d, "text")`` is ``documents.render``; the layout alone, from finished results, is in ``render``.
"""

from __future__ import annotations

from .derive.general_form import GeneralForm
from .derive.second import SecondDerivation
from .documents import general_document, render, render_all
from .numeric.claimed_numbers import NumberCheck
from .prove.proof import Proof
from .render import SecondDocument
from .render import render_general as _render_general
from .render import render_numbers as _render_numbers
from .render import render_report as _render_report
from .render import render_second as _render_second
from .verify.claims import ClaimReport


def render_report(report: ClaimReport, fmt: str = "text") -> str:
    """The verdict on a claimed formula, as ``symbackprop verify`` prints it: text, or JSON."""
    return _render_report(report, fmt)


def render_numbers(checks: list[NumberCheck], fmt: str = "text") -> str:
    """The claimed numbers of a worked example against the engine's, as a table or as JSON."""
    return _render_numbers(checks, fmt)


def render_general(
    form: GeneralForm, fmt: str, proof: Proof, title: str | None = None, author: str | None = None
) -> str:
    """The general form with its proof, as text, a LaTeX document or JSON."""
    return _render_general(general_document(form, proof, title, author), fmt)


def render_second(d2: SecondDerivation, fmt: str, proof: Proof) -> str:
    """A second derivative with its proof, as text or JSON."""
    return _render_second(SecondDocument(d2, proof), fmt)


__all__ = ["render", "render_all", "render_general", "render_numbers", "render_report", "render_second"]
