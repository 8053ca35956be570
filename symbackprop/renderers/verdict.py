"""A verify report as data for templates and JSON: every formula printed in the network's notation."""

from __future__ import annotations

import json
from typing import Any

from ..by_hand import formula
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


def caret_line(claim: str, position: int | None) -> tuple[str, str] | None:
    """The claim on one line with a caret under ``position`` (1-based), for a terminal; None if too long."""
    flat = claim.replace("\n", " ").replace("\t", " ")
    if position is None or len(flat) > 160:
        return None
    return flat, " " * (max(position, 1) - 1) + "^"


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
            "carried": carried_data(c),
        }
        for c in checks
    ]
    counts = {v: sum(1 for c in checks if c.verdict == v) for v in (CONFIRMED, CARRIED, WRONG)}
    verdict = "incorrect" if counts[WRONG] else "correct"
    tolerance = next((str(c.tolerance) for c in checks if c.by_tolerance), None)
    return {"verdict": verdict, "numbers": rows, "counts": counts, "tolerance": tolerance}


def carried_data(check: NumberCheck) -> dict[str, Any] | None:
    """For rounding carried forward: how the number follows, the precision, and the last step's numbers as written
    (every product in ``terms``; ``from`` shortens a long sum as the note does)."""
    how = check.carried
    if how is None:
        return None
    rounding = how.rounding
    return {
        "how": how.how,
        "rounding": None if rounding is None else {"places": rounding.places, "significant": rounding.significant},
        "from": formula(how.terms) if how.terms else None,
        "terms": [list(product) for product in how.terms],
        "gives": how.gives,
        "samples": how.samples,  # above 1: "from" is the first sample's, "gives" the mean over them
    }


def numbers_json(checks: list[NumberCheck]) -> str:
    return json.dumps(numbers_context(checks), indent=2, ensure_ascii=False) + "\n"
