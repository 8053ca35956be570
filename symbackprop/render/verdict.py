"""A verify report as data for templates and JSON: every formula printed in the network's notation."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, cast

import sympy as sp

from ..model.notation import Notation
from ..model.printing import TexPrinter, TextPrinter, partial_tex, partial_text
from ..model.references import layer_name
from ..model.symbols import SampleCost
from ..model.targets import words
from ..numeric.by_hand import formula
from ..numeric.claimed_numbers import CARRIED, CONFIRMED, WRONG, NumberCheck
from ..syntax.errors import line_column
from ..verify.claim_binding import Operator
from ..verify.claims import Answer, ClaimReport


class ClaimText(TextPrinter):
    """The text printer, with what a claim may hold written as the claim writes it: 1[z > 0], max(0, z)."""

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        body, relation = _step(expr, (">", "<", "≥", "≤"))
        return f"1[{self._print(body)} {relation} 0]" if relation else f"H({self._print(expr.args[0])})"

    def _print_Exp1(self, expr: sp.Expr) -> str:
        return "e"

    def _print_Max(self, expr: sp.Max) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: sp.Min) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        pieces = [
            f"{self._print(value)} otherwise"
            if condition == sp.true
            else f"{self._print(value)} if {self._print(condition)}"
            for value, condition in expr.args
        ]
        return "(" + ", ".join(pieces) + ")"

    def _print_ITE(self, expr: sp.ITE) -> str:
        test, then, otherwise = (self._print(a) for a in expr.args)
        return f"({then} if {test} else {otherwise})"


class ClaimTex(TexPrinter):
    """The LaTeX printer, with a step function written as a lesson writes it: \\mathbf{1}[z > 0]."""

    def _print_Heaviside(self, expr: sp.Heaviside, exp: str | None = None) -> str:
        body, relation = _step(expr, (">", "<", r"\geq", r"\leq"))
        if not relation:
            return super()._print_Heaviside(expr, exp)
        out = rf"\mathbf{{1}}\left[{self._print(body)} {relation} 0\right]"
        return rf"\left({out}\right)^{{{exp}}}" if exp else out


def _step(expr: sp.Heaviside, words: tuple[str, str, str, str]) -> tuple[sp.Expr, str]:
    """Heaviside(x, 0) is 1[x > 0], Heaviside(x, 1) is 1[x >= 0], and with -x, x < 0; "" for another value at 0."""
    arg = expr.args[0]
    at_zero = expr.args[1] if len(expr.args) > 1 else None
    if at_zero not in (0, 1):
        return arg, ""
    negative = arg.could_extract_minus_sign()
    strict = at_zero == 0
    relation = words[(0 if strict else 2) + negative]
    return (-arg if negative else arg), relation


def claim_printers(notation: Notation, layers: Sequence[int]) -> tuple[ClaimText, ClaimTex]:
    """A text and a LaTeX printer for a verify report on one network."""
    settings = {"notation": notation, "layers": tuple(layers)}
    return ClaimText(settings), ClaimTex(dict(settings, mul_symbol=None))


def report_context(report: ClaimReport) -> dict[str, Any]:
    """What a report shows, as strings and numbers only (LaTeX and plain text side by side); ``assumptions`` last,
    what the spec states of the targets, in words (empty where it states nothing)."""
    out = _report_context(report)
    stated = report.network.spec.targets
    out["assumptions"] = [words(stated)] if stated is not None else []
    return out


def _report_context(report: ClaimReport) -> dict[str, Any]:
    net = report.network
    text, tex = claim_printers(net.notation, net.layers)
    out: dict[str, Any] = {"verdict": report.verdict, "claim": report.claim}
    if report.wrt is not None:
        symbol = net.symbol(report.wrt)
        out["wrt"] = {"latex": tex.doprint(symbol), "text": text.doprint(symbol)}
    if report.error is not None:
        out["error"] = {"reason": report.error, "position": report.position, "undecided": report.undecided}
        if report.position is not None:
            line, column = line_column(report.claim, report.position)
            out["error"] |= {"line": line, "column": column, "where": error_place(report.claim, report.position)}
        return out
    answer = cast(Answer, report.answer)  # a report with no error is on an answer (see claims._report)
    lhs_tex, lhs_text = _derivative(tex, answer.of, answer.wrt), _derivative(text, answer.of, answer.wrt)
    out["read_as"] = {"latex": tex.doprint(report.read_as), "text": text.doprint(report.read_as)}
    out["expected"] = {
        "latex": f"{lhs_tex} = {tex.doprint(answer.shown)}",
        "text": f"{lhs_text} = {text.doprint(answer.shown)}",
    }
    if report.free and (report.general is not None or report.answers):  # every case was checked: none failed
        out["expected"] = _for_each(report, text, tex)
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
        if report.case:  # no case where the claim is wrong everywhere (a weight the network lacks)
            out["case"] = {str(symbol): value for symbol, value in report.case}
            if report.verdict == "incorrect":
                out["fails_at"] = out["case"]
    if report.layers is not None:  # the layer letter l: every layer the formula applies to, and where it fails
        out["layers"] = {"letter": report.layers.letter, "checked": list(report.layers.checked)}
        out["layers"]["at"] = report.layers.at
        if report.verdict == "incorrect":
            out["fails_at"] = {report.layers.letter: report.layers.at, **out.get("fails_at", {})}
    if report.notes:
        out["note"] = "; ".join(
            message.format(*(text.doprint(s) for s in symbols)) for message, symbols in report.notes
        )
    claimed = _derivative(text, *report.claimed) if report.claimed is not None else lhs_text
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
    elif report.no_counterexample is not None:
        message, symbols = report.no_counterexample
        out["no_counterexample"] = message.format(*(text.doprint(s) for s in symbols))
    return out


def _derivative(printer: TextPrinter | TexPrinter, of: sp.Expr, wrt: sp.Expr) -> str:
    """d(of)/d(wrt) in Leibniz form; for an expression E (a chain led by d/dx(E)), the operator applied to it."""
    if of.is_Symbol or isinstance(of, (sp.Indexed, SampleCost)):
        tex = isinstance(printer, TexPrinter)
        return partial_tex(printer, of, wrt) if tex else partial_text(printer, of, wrt)
    return printer.doprint(Operator(of, wrt))


def _for_each(report: ClaimReport, text: ClaimText, tex: ClaimTex) -> dict[str, Any]:
    """A right claim's answer with its free indices as letters (for each j = 0 to 3: ...), or else case by case."""
    ranges = ", ".join(f"{f.symbol} = {f.first} to {f.last}" for f in report.free)
    if report.general is not None and report.claimed is not None:
        of, wrt = report.claimed
        return {
            "latex": f"{_derivative(tex, of, wrt)} = {tex.doprint(report.general)}",
            "text": f"{_derivative(text, of, wrt)} = {text.doprint(report.general)}",
            "for_each": ranges,
        }
    answer = cast(Answer, report.answer)  # called past report_context's return on an error: there is an answer
    of, wrt = answer.of, answer.wrt  # the last case's; each case's own below
    rows = []
    for case, shown in zip(report.cases, report.answers, strict=True):
        values = {symbol: sp.Integer(v) for symbol, v in case}
        at = ", ".join(f"{symbol} = {v}" for symbol, v in case)
        mine_of, mine_wrt = (report.claimed or (of, wrt))[0].xreplace(values), (report.claimed or (of, wrt))[1]
        mine_wrt = mine_wrt.xreplace(values)
        rows.append(
            {
                "at": at,
                "latex": f"{_derivative(tex, mine_of, mine_wrt)} = {tex.doprint(shown)}",
                "text": f"{_derivative(text, mine_of, mine_wrt)} = {text.doprint(shown)}",
            }
        )
    return {"latex": rows[-1]["latex"], "text": rows[-1]["text"], "for_each": ranges, "each": rows}


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
    if report.layers is not None:
        what += f", at every layer the formula applies to: {report.layers.words()}"
    return what


def checked_tex(report: ClaimReport) -> str | None:
    """What was checked, in words, its derivative as $-delimited LaTeX (for a page that sets it); None for a
    report on a claim that could not be read."""
    if report.answer is None or report.error is not None:
        return None
    _, tex = claim_printers(report.network.notation, report.network.layers)
    of, wrt = report.claimed if report.claimed is not None else (report.answer.of, report.answer.wrt)
    return _checked(report, f"${_derivative(tex, of, wrt)}$")


def report_json(report: ClaimReport) -> str:
    return json.dumps(report_context(report), indent=2, ensure_ascii=False) + "\n"


def code_fence(text: str) -> str:
    """Backticks enough to fence ``text`` as a Markdown code block: one more than its longest run, at least 3,
    so a claim a user wrote shows as written, never as Markdown or HTML."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


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
            "carried": carried_data(c),
            "slip": c.slip or None,
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
