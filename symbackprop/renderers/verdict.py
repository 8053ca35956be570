"""A verify report as data for templates and JSON: every formula printed in the network's notation."""

from __future__ import annotations

import json
from typing import Any

from ..claim_syntax import line_column
from ..claimed_numbers import CARRIED, CONFIRMED, WRONG, NumberCheck
from ..printing import partial_tex, partial_text, printers
from ..references import layer_name
from ..verify import ClaimReport


def report_context(report: ClaimReport) -> dict[str, Any]:
    """What a report shows, as strings and numbers only (LaTeX and plain text side by side)."""
    net = report.network
    text, tex = printers(net.notation, net.layers)
    out: dict[str, Any] = {"verdict": report.verdict, "claim": report.claim}
    if report.wrt is not None:
        symbol = net.symbol(report.wrt)
        out["wrt"] = {"latex": tex.doprint(symbol), "text": text.doprint(symbol)}
    if report.error is not None:
        out["error"] = {"reason": report.error, "position": report.position}
        if report.position is not None:
            line, column = line_column(report.claim, report.position)
            out["error"] |= {"line": line, "column": column, "where": error_place(report.claim, report.position)}
        return out
    answer = report.answer
    lhs_tex, lhs_text = partial_tex(tex, answer.of, answer.wrt), partial_text(text, answer.of, answer.wrt)
    out["read_as"] = {"latex": tex.doprint(report.read_as), "text": text.doprint(report.read_as)}
    out["expected"] = {
        "latex": f"{lhs_tex} = {tex.doprint(answer.shown)}",
        "text": f"{lhs_text} = {text.doprint(answer.shown)}",
    }
    out["method"] = report.method
    if report.side is not None:  # A = B = C: the side the verdict is on (the wrong one, or the last)
        out["side"] = {
            "index": report.side,
            "of": report.sides,
            "first_checked": report.first_side,
            "text": report.side_text,
        }
    if report.free:
        out["free_indices"] = [
            {"letter": str(f.symbol), "first": f.first, "last": f.last, "layer": layer_name(f.layer, net.depth)}
            for f in report.free
        ]
        out["case"] = {str(symbol): value for symbol, value in report.case}
        if report.verdict == "incorrect":
            out["fails_at"] = out["case"]
    claimed = partial_text(text, *report.claimed) if report.claimed is not None else lhs_text
    out["checked"] = _checked(report, claimed)

    if report.diagnosis is not None:
        m = report.diagnosis
        out["diagnosis"] = {
            "kind": m.kind,
            "text": m.message.format(*(text.doprint(s) for s in m.symbols)),
            "latex": m.message.format(*(f"${tex.doprint(s)}$" for s in m.symbols)),
        }
    if report.counterexample is not None:
        c = report.counterexample
        out["counterexample"] = {
            "at": {tex.doprint(s): v for s, v in c.at},
            "at_text": [f"{text.doprint(s)} = {v:.6g}" for s, v in c.at],
            "parameters": {tex.doprint(s): v for s, v in c.point},
            "claim": c.claim,
            "expected": c.expected,
            "note": c.note,
        }
    return out


def _checked(report: ClaimReport, lhs: str) -> str:
    """What was checked, in words: both sides of A = B, each side of a longer chain, each value of a free index."""
    leading = report.first_side == 2
    if report.side is None:
        what = f"whether the claim equals {lhs}"
    elif leading and report.sides == 2:
        what = f"whether both sides agree: the right-hand side against {lhs}"
    elif leading:
        what = f"whether each of the {report.sides - 1} sides after {lhs} equals it; the last is shown"
    else:
        what = f"whether each of the {report.sides} sides equals {lhs}; the last is shown"
    if report.free:
        ranges = ", ".join(f"{f.symbol} = {f.first} to {f.last}" for f in report.free)
        what += f", for each of {ranges}"
    return what


def report_json(report: ClaimReport) -> str:
    return json.dumps(report_context(report), indent=2, ensure_ascii=False) + "\n"


def error_place(claim: str, position: int | None) -> str:
    """Where an error is, in words: "line 3, column 12" in a claim of several lines, else "position 12"."""
    if position is None:
        return ""
    if "\n" not in claim.strip("\n"):
        return f"position {position}"
    line, column = line_column(claim, position)
    return f"line {line}, column {column}"


CARET_WIDTH = 100  # characters of the claim's line shown around the place


def caret_line(claim: str, position: int | None) -> tuple[str, str] | None:
    """The line of the claim that holds ``position`` (1-based), with a caret under the place; a long line is
    cut to CARET_WIDTH characters around it, with an ellipsis where it was cut."""
    if position is None or not claim:
        return None
    line_number, column = line_column(claim, min(position, len(claim)))
    text = "".join(ch if ch.isprintable() else " " if ch == "\t" else "?" for ch in claim.split("\n")[line_number - 1])
    start = max(0, min(column - 1 - CARET_WIDTH // 2, len(text) - CARET_WIDTH))
    end = start + CARET_WIDTH
    shown = ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")
    return shown, " " * (column - 1 - start + (start > 0)) + "^"


def numbers_context(checks: list[NumberCheck]) -> dict[str, Any]:
    """The claimed-numbers table: one row per number, and a count of each verdict."""
    rows = [
        {
            "section": c.section,
            "reference": c.reference,
            "claimed": str(c.claimed),
            "computed": c.computed,
            "computed_text": f"{c.computed:.10g}",
            "tolerance": str(c.tolerance),
            "verdict": c.verdict,
            "note": c.note,
        }
        for c in checks
    ]
    counts = {v: sum(1 for c in checks if c.verdict == v) for v in (CONFIRMED, CARRIED, WRONG)}
    verdict = "incorrect" if counts[WRONG] else "correct"
    tolerance = next((str(c.tolerance) for c in checks if c.by_tolerance), None)
    return {"verdict": verdict, "numbers": rows, "counts": counts, "tolerance": tolerance}


def numbers_json(checks: list[NumberCheck]) -> str:
    return json.dumps(numbers_context(checks), indent=2, ensure_ascii=False) + "\n"
