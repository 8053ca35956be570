"""The verdict on a claim about a layer (batch norm, convolution, rnn), as text for the terminal, JSON, or a web
page: what was checked and for which indices, the entry that fails first, the claim as read and the right answer
there (in the layer graph's names), a counterexample, the classic mistake it is, and how it was decided."""

from __future__ import annotations

import json
from typing import Any

from ..base.stages import stage
from ..verify.layer_claims import LayerClaimReport
from .data import plain
from .environment import render_template
from .graph_document import number
from .graph_printing import name_text
from .graph_verdict import read_and_answer

GOOD = ("correct",)


def layer_report_context(report: LayerClaimReport) -> dict[str, Any]:
    """What layer-verify.txt.j2 and layer-verify.html.j2 receive: finished strings and numbers."""
    printed = read_and_answer(report.read_as, report.answer)
    return plain(
        {
            "verdict": report.verdict,
            "claim": report.claim,
            "layer": report.layer,
            "derivative": report.derivative,
            "cases": report.cases,
            "entries": report.entries,
            **printed,
            "fails_at": _at(report.fails_at),
            "method": report.method,
            "bound": report.bound,
            "diagnosis": report.diagnosis,
            "diagnosis_message": report.diagnosis_message,
            "error": report.error,
            "position": report.position,
            "point": [f"{name_text(name)} = {number(value)}" for name, value in report.point],
            "claim_value": number(report.claim_value),
            "answer_value": number(report.answer_value),
            "good": report.verdict in GOOD,
        }
    )


def _at(pairs: tuple[tuple[str, int], ...]) -> str:
    """i = 0, j = 1, or a matrix's entry as (row, column)."""
    at = dict(pairs)
    entry = (at.pop("row"), at.pop("column")) if "row" in at else None
    words = [f"{k} = {v}" for k, v in at.items()]
    if entry is not None:
        words.append(f"entry ({entry[0]}, {entry[1]})")
    return ", ".join(words)


def render_layer_report(report: LayerClaimReport, fmt: str = "text") -> str:
    """The report as ``text``, ``json`` or ``html``."""
    context = layer_report_context(report)
    if fmt == "html":
        stage("rendering")
        return render_template("layer-verify.html.j2", {**context, "page_title": f"Verdict: {report.verdict}"})
    if fmt != "json":
        return render_template("layer-verify.txt.j2", context)
    data = {
        "verdict": report.verdict,
        "claim": report.claim,
        "layer": report.layer,
        "derivative": report.derivative,
        "for_each": report.cases or None,
        "entries": report.entries,
        "fails_at": dict(report.fails_at) or None,
        "read_as": context["read_as"],
        "answer": context["answer"],
        "diagnosis": {"kind": report.diagnosis, "text": report.diagnosis_message} if report.diagnosis else None,
        "counterexample": {"at": dict(report.point), "claim": report.claim_value, "answer": report.answer_value}
        if report.point
        else None,
        "method": report.method,
        "bound": report.bound or None,
        "error": report.error,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
