"""Worksheets laid out: a worked example whose last steps are blanks for the student, as LaTeX
(``worksheet.tex.j2``) and as a web page (``worksheet.html.j2``). The blanks come worked out (``worksheets.py``,
above): their answers, the references they are about and the verify commands that check them; here they are
only printed, in the sheet as empty boxes and in the answer key filled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from ..base.stages import stage
from ..model.references import Ref
from .context import document_context
from .data import Data, Printed, plain
from .environment import render_template
from .finished import DerivationDocument
from .html import network_words
from .svg_figure import network_svg


@dataclass(frozen=True)
class Blank:
    """One step left for the student: the quantity it is about (``target``, named ``wrt`` as verify reads it),
    the formula that fills it, the claim verify checks, and the verify command with a placeholder (the sheet)
    and with the answer (the key)."""

    step: int
    target: Ref
    wrt: str | None  # None for a step told for each neuron: the claim's leading derivative names it
    lhs: str  # the derivative the blank asks for, as LaTeX
    answer: sp.Expr
    claim: str  # what the key's command gives verify: the answer, after the derivative where wrt is None
    command: str
    key_command: str


@dataclass(frozen=True)
class Worksheet:
    """A derivation's document with its last ``len(blanks)`` of ``steps`` steps blank; ``key`` for the answer
    key, which shows them filled."""

    document: DerivationDocument
    steps: int
    blanks: tuple[Blank, ...]
    key: bool = False
    story: bool = False  # the steps are the preset's backward story (story.py), not the chain's


def worksheet_context(sheet: Worksheet) -> Data:
    """What a worksheet template receives: the derivation's context, and the blanks by step number."""
    context = document_context(sheet.document, story_told=sheet.story)  # the steps the blanks are
    p = Printed(sheet.document.d.network)
    blanks = {
        str(b.step): {
            "step": b.step,
            "wrt": b.wrt,
            "lhs": b.lhs,
            "answer": p.expr(b.answer, pieces=True),
            "command": b.command,
            "key_command": b.key_command,
        }
        for b in sheet.blanks
    }
    worked = sheet.steps - len(sheet.blanks)
    return {**context, "blanks": blanks, "key": sheet.key, "worked": worked, "total_steps": sheet.steps}


def worksheet_tex(sheet: Worksheet, user_templates: Path | None = None) -> str:
    """The worksheet (or its answer key) as a whole LaTeX document."""
    stage("rendering")
    return render_template("worksheet.tex.j2", plain(worksheet_context(sheet)), user_templates)


def worksheet_html(sheet: Worksheet, user_templates: Path | None = None) -> str:
    """The worksheet (or its answer key) as one self-contained web page."""
    stage("rendering")
    context = worksheet_context(sheet)
    net, symbol = context["net"], context["d"]["symbol"]["text"]
    fig = context["figure"]
    what = "Answer key" if sheet.key else "Worksheet"
    extra = {
        "page_title": sheet.document.title or f"{what}: how the cost depends on {symbol}",
        "svg": network_svg(fig, net["notation"]["cost_symbol"]) if fig else None,
        "figure_description": network_words(fig, symbol) if fig else "",
    }
    return render_template("worksheet.html.j2", plain({**context, **extra}), user_templates)
