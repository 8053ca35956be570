"""The verdict on a claimed derivative of a graph, as text for the terminal or as JSON."""

from __future__ import annotations

import json
from typing import Any

from ..verify.graph_claims import GraphClaimReport
from .data import plain
from .environment import render_template
from .graph_document import number
from .graph_printing import name_text, tex, text


def read_and_answer(read_as: Any, answer: Any) -> dict[str, Any]:
    """The claim as read and the right answer, each as text and TeX (None where the report has none)."""
    pairs = (("read_as", read_as), ("answer", answer))
    return {key: ({"text": text(expr), "tex": tex(expr)} if expr is not None else None) for key, expr in pairs}


def graph_report_context(report: GraphClaimReport) -> dict[str, Any]:
    """What graph-verify.txt.j2 receives."""
    printed = read_and_answer(report.read_as, report.answer)
    return plain(
        {
            "verdict": report.verdict,
            "claim": report.claim,
            "derivative": f"∂{name_text(report.output)}/∂{name_text(report.wrt)}" if report.wrt else None,
            **printed,
            "method": report.method,
            "error": report.error,
            "position": report.position,
            "point": [f"{name_text(name)} = {number(value)}" for name, value in report.point],
            "claim_value": number(report.claim_value),
            "answer_value": number(report.answer_value),
        }
    )


def render_graph_report(report: GraphClaimReport, fmt: str = "text") -> str:
    context = graph_report_context(report)
    if fmt == "json":
        data = {
            "verdict": report.verdict,
            "claim": report.claim,
            "derivative": context["derivative"],
            "read_as": context["read_as"],
            "answer": context["answer"],
            "method": report.method,
            "counterexample": {
                "at": dict(report.point),
                "claim": report.claim_value,
                "answer": report.answer_value,
            }
            if report.point
            else None,
            "error": report.error,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return render_template("graph-verify.txt.j2", context)
