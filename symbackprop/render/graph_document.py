"""A graph's derivation laid out: the finished results (``GraphDocument``) turned into the plain data its templates
receive, and the JSON form.

The telling follows a circuit lesson: the graph, then the backward pass from the output, one step per name,
each the upstream gradient times the local gradient of a node's own expression (worked out and named by its
gate), the steps of a name that feeds several nodes added; with values, every step's number beside it.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..base.trees import at_most
from ..derive.graph_backprop import BackStep, GraphDerivation, LocalGradient, Upstream
from ..derive.step_groups import ToldStep
from ..model.index_free import Equation, indexed, letters, split
from ..model.layers.layer_graph import LayeredSpec
from ..numeric.claimed_numbers import NumberCheck
from ..numeric.graph_numbers import GraphNumbers
from ..prove.proof import HEADLINE, Proof
from .data import plain
from .filters import tex_number
from .graph_figure import graph_figure
from .graph_printing import name_text, tex, text
from .layer_figures import layer_figures
from .layout import LINE_WIDTH, pack, visible_length

LEFT, RIGHT = "\\left(", "\\right)"
RULES = {
    "add": "an add gate passes the gradient on unchanged",
    "scale": "a sum in which it is scaled: the gradient times its coefficient",
    "multiply": "a multiply gate: the gradient times the other factor",
    "max": "a max gate routes the gradient to the larger input",
    "max_first": "a max gate routes the gradient to the larger input; at a tie, to the first, as PyTorch does",
    "min": "a min gate routes the gradient to the smaller input",
    "relu": "ReLU passes the gradient where its input is positive",
    "sigmoid": "the sigmoid's derivative is σ(1 - σ)",
    "tanh": "tanh's derivative is 1 - tanh²",
    "exp": "the exponential is its own derivative",
    "log": "the logarithm's derivative is one over its argument",
    "abs": "|x|'s derivative is the sign of x",
    "power": "the power rule",
    "divide": "a quotient: the derivative of 1/x is -1/x²",
    "expression": "the derivative of the node's own expression",
}


@dataclass(frozen=True, eq=False)
class GraphDocument:
    """A graph derivation with everything its document states, already worked out."""

    d: GraphDerivation
    proof: Proof
    written: Mapping[str, sp.Expr] | None = None  # each step's gradient in the graph's names, if small enough
    numbers: GraphNumbers | None = None
    claims: Sequence[NumberCheck] | None = None
    title: str | None = None
    author: str | None = None
    # a layer stack's compact forms, each checked against the backward pass's numbers (numeric.layer_forms) and
    # proven against sympy.diff of the composed cost (prove.compact_forms): the form's data with its "proof"
    forms: Sequence[Mapping[str, Any]] | None = None
    # a large graph told a computation at a time: its equations, a family once (model.index_free), and its steps
    equations: Sequence[Equation] | None = None
    told: Sequence[ToldStep] | None = None
    layers: LayeredSpec | None = None  # a layer stack's spec: its figures draw each layer's paths


MANY_USES = 6  # a step summing more terms than this shows the first, the last, and the terms not 0


def number(value: float | None) -> str | None:
    """A number as a circuit shows it: up to 6 significant digits, integers without a point."""
    if value is None:
        return None
    if not math.isfinite(value):
        return "inf" if value > 0 else "-inf" if value < 0 else "nan"
    shown = f"{value:.6g}"
    return "0" if shown == "-0" else shown


def _printed(expr: sp.Basic) -> dict[str, str]:
    return {"text": text(expr), "tex": tex(expr)}


def _name(name: str) -> dict[str, str]:
    return {"text": name_text(name), "tex": name}


def graph_context(doc: GraphDocument) -> dict[str, Any]:
    """What the graph templates receive: plain data only (checked by ``plain``)."""
    d, numbers = doc.d, doc.numbers
    graph = d.graph
    values = numbers.values if numbers else {}
    gradients = numbers.gradients if numbers else {}
    context = {
        "title": doc.title,
        "title_md": html.escape(doc.title or ""),  # a Markdown page shows HTML as HTML: the title is text
        "author": doc.author,
        "output": _name(d.output),
        "wrt": _name(d.wrt) if d.wrt is not None else None,
        "every": d.wrt is None,
        "independent": d.wrt is not None and not d.steps,
        "leaves": [{"name": _name(n), "value": number(values.get(n))} for n in graph.leaves],
        "leaf_values": None
        if doc.told is not None
        else ", ".join(f"{name_text(n)} = {number(values[n])}" for n in graph.leaves)
        if numbers
        else None,
        # each value its own formula, so a long list breaks between values, never inside one
        "leaf_values_tex": "$, $".join(f"{n} = {tex_number(number(values[n]))}" for n in graph.leaves)
        if numbers and doc.told is None
        else None,
        "node_count": len(graph.nodes),
        "leaf_summary": _leaf_summary(graph.leaves) if doc.told is not None else None,
        "nodes": [_equation(e, values) for e in doc.equations]
        if doc.equations is not None
        else [
            {
                "name": _name(n.name),
                "expression": _printed(n.expression),
                "value": number(values.get(n.name)),
                "members": 1,
                "for_each": None,
                "note": None,
            }
            for n in graph.nodes
        ],
        "steps": [_told(doc, t) for t in doc.told]
        if doc.told is not None
        else [_step(doc, step.name) for step in d.steps],
        "results": _results(doc),
        "table": [
            {"name": _name(n), "value": number(values.get(n)), "gradient": number(gradients.get(n))}
            for n in _tabled(doc)
        ]
        if numbers
        else None,
        "proof": {"headline": HEADLINE[doc.proof.verdict], **doc.proof.as_data()},
        "claims": _claims(doc.claims),
        "forms": [_form(form) for form in doc.forms] if doc.forms else None,
        "figure": graph_figure(graph, numbers, _path(d)),
        "layer_figures": layer_figures(doc.layers, graph, [s.name for s in d.steps], d.wrt, values)
        if doc.layers is not None
        else [],
    }
    return plain(context)


def _leaf_summary(leaves: Sequence[str]) -> dict[str, Any]:
    """A large graph's inputs and parameters by family: x_{n,c,i,j} (144 of them), W^{(1)} (18), ..."""
    counted: dict[str, int] = {}
    for name in leaves:
        parts = split(name)
        # an input or target by its indices, a layer's parameter by its array's name
        family = name if parts is None else parts[0] if "^" in parts[0] else indexed(parts[0], letters(len(parts[1])))
        counted[family] = counted.get(family, 0) + 1
    return {
        "text": ", ".join(f"{name_text(family)} ({k})" for family, k in counted.items()),
        "tex": ", ".join(f"${family}$ ({k})" for family, k in counted.items()),
        "items": [{"tex": family, "count": k} for family, k in counted.items()],
    }


def _tabled(doc: GraphDocument) -> list[str]:
    """The names the numbers table gives: every name, or for a large graph's one gradient the names on its path."""
    if doc.told is None or doc.d.wrt is None:
        return list(doc.d.graph.names)
    return [s.name for s in doc.d.steps]


def _equation(e: Equation, values: Mapping[str, float]) -> dict[str, Any]:
    printed = _printed(e.expression) if e.expression is not None else {"text": e.text or "", "tex": e.tex or ""}
    spans = e.ranges or {}
    return {
        "name": _name(e.name),
        "expression": printed,
        "value": number(values.get(e.name)) if e.members == 1 else None,
        "members": e.members,
        "for_each": {
            "text": "for " + ", ".join(f"{k} = {v}" for k, v in spans.items()),
            "tex": "\\text{for } " + ",\\ ".join(f"{k} = {_range_tex(v)}" for k, v in spans.items()),
        }
        if spans
        else None,
        "note": {"tex": e.note, "text": text_of_tex(e.note)} if e.note else None,
    }


def text_of_tex(formula: str) -> str:
    """A note's formula for the terminal: its spacing commands dropped, its words out of their ``\\text{}``."""
    words = re.sub(r"\\text\{([^{}]*)\}", r"\1", formula)
    return words.replace("\\quad", " ").replace("\\,", "").replace("  ", " ")


def _range_tex(words: str) -> str:
    low, dots, high = words.partition("..")
    return f"{low}, \\dots, {high}" if dots else words


def _told(doc: GraphDocument, told: ToldStep) -> dict[str, Any]:
    """A step as told: itself, or with the index free for all its members, or one of several alike."""
    base = split(told.members[0])
    family = base[0] if base is not None else told.members[0]
    if told.general:
        out = _step_of(doc, told.step, worked=False)
        spans = told.ranges or {}
        out["for_each"] = {
            "text": f"for each of the {len(told.members)} elements of {family} on the path ("
            + ", ".join(f"{k} = {v}" for k, v in spans.items())
            + ")",
            "tex": f"for each of the {len(told.members)} elements ${family}$ on the path ($"
            + "$, $".join(f"{k} = {_range_tex(v)}" for k, v in spans.items())
            + "$)",
        }
    else:
        out = _step(doc, told.step.name)
        out["for_each"] = None
    out["alike"] = len(told.members) - 1
    out["family"] = _name(family)
    return out


def _form(form: Mapping[str, Any]) -> dict[str, Any]:
    words = "agrees with the backward pass" if form["agrees"] else "DISAGREES with the backward pass"
    proof = form.get("proof")
    return {
        "layer": form["layer"],
        "kind": form["kind"],
        "what": form["what"],
        "text": form["text"],
        "tex": form["tex"],
        "verdict": f"{words} at these values (largest difference {form['difference']:.2g})",
        "proof": proof["brief"] if proof else None,
        "proven": bool(proof and proof["proven"]),
    }


def _path(d: GraphDerivation) -> list[str]:
    """The names on a path from the chosen variable to the output (every name, for the whole gradient)."""
    return [step.name for step in d.steps] if d.wrt is not None else []


def _step(doc: GraphDocument, name: str) -> dict[str, Any]:
    return _step_of(doc, doc.d.step_of[name], worked=True)


def _step_of(doc: GraphDocument, step: BackStep, worked: bool) -> dict[str, Any]:
    """A step's data; ``worked`` with its numbers (a general step has none: its members' are in the table)."""
    d, name = doc.d, step.name
    numbers = doc.numbers if worked else None
    written = doc.written.get(name) if doc.written is not None and worked else None
    every = [_use(doc, use, worked) for use in step.uses]
    many = len(every) > MANY_USES
    shown = [every[0], every[-1]] if many else every
    nonzero = [u for u in every if u["upstream_number"] not in ("0", None)] if many else every
    return {
        "for_each": None,
        "alike": 0,
        "family": None,
        "more_uses": len(every) - 2 if many else 0,
        "feeds": len(every),
        "nonzero": len(nonzero),
        "name": _name(name),
        "upstream": _printed(Upstream(name, d.output)),
        "is_output": not step.uses,
        "forks": step.forks,
        "uses": shown,
        "chain": _joined(every, "chain_short" if many else "chain", many),
        "product": _joined(every, "product", many),
        "numbers": _joined(nonzero, "numbers") if numbers else None,
        "formula": _printed(step.formula),
        "written": _shown(written) if written is not None and written != step.formula else None,
        "number": number(numbers.gradients[name]) if numbers else None,
        "value": number(numbers.values[name]) if numbers else None,
    }


def _use(doc: GraphDocument, use: LocalGradient, worked: bool = True) -> dict[str, Any]:
    numbers = doc.numbers if worked else None
    upstream, local = _printed(Upstream(use.node, doc.d.output)), _printed(use.value)
    expression, name = _printed(use.expression), _name(use.name)
    up_number = number(numbers.gradients[use.node]) if numbers else None
    local_number = number(numbers.local.get((use.node, use.name))) if numbers else None
    return {
        "node": _name(use.node),
        "upstream": upstream,
        "expression": expression,
        "local": local,
        "rule": use.rule,
        "words": RULES[use.rule],
        "upstream_number": up_number,
        "local_number": local_number,
        "chain": {
            "text": f"{upstream['text']} · ∂({expression['text']})/∂{name['text']}",
            "tex": f"{upstream['tex']} \\, {_operator(name['tex'])}\\left({expression['tex']}\\right)",
        },
        "chain_short": {  # the node named, not written out: for a sum of many terms
            "text": f"{upstream['text']} · ∂{_name(use.node)['text']}/∂{name['text']}",
            "tex": f"{upstream['tex']} \\, \\frac{{\\partial {use.node}}}{{\\partial {name['tex']}}}",
        },
        "product": {
            "text": f"{upstream['text']} · {_grouped(use.value, local['text'], '(', ')')}",
            "tex": f"{upstream['tex']} \\cdot {_grouped(use.value, local['tex'], LEFT, RIGHT)}",
        },
        "numbers": {
            "text": f"{_grouped_number(up_number)} · {_grouped_number(local_number)}",
            "tex": f"{_grouped_tex(up_number)} \\cdot {_grouped_tex(local_number)}",
        },
    }


def _operator(name: str) -> str:
    """\\frac{\\partial}{\\partial q}, the derivative applied to the expression after it."""
    return f"\\frac{{\\partial}}{{\\partial {name}}}"


def _grouped(expr: sp.Expr, printed: str, left: str, right: str) -> str:
    """A factor as a product writes it: a sum, or a leading minus, in parentheses."""
    return f"{left}{printed}{right}" if isinstance(expr, sp.Add) or expr.could_extract_minus_sign() else printed


def _grouped_number(printed: str | None, left: str = "(", right: str = ")") -> str:
    if printed is None:
        return ""
    return f"{left}{printed}{right}" if printed.startswith("-") else printed


def _grouped_tex(printed: str | None) -> str:
    return _grouped_number(tex_number(printed) if printed is not None else None, LEFT, RIGHT)


def _joined(uses: list[dict[str, Any]], key: str, elided: bool = False) -> dict[str, str]:
    """The terms of a step, one per node the name feeds, joined by +; in LaTeX, broken into aligned lines of a
    page's width (a value feeding many nodes has a long sum). ``elided``: the first two, dots, the last."""
    if not uses:
        return {"text": "0", "tex": "0"}
    texts = [u[key]["text"] for u in uses]
    pieces = [u[key]["tex"] if i == 0 else f"+ {u[key]['tex']}" for i, u in enumerate(uses)]
    if elided and len(uses) > 3:
        texts, pieces = [*texts[:2], "…", texts[-1]], [*pieces[:2], "+ \\dots", pieces[-1]]
    return {"text": " + ".join(texts), "tex": " \\\\\n  &\\quad ".join(pack(pieces))}


def _shown(expr: sp.Expr) -> dict[str, str] | None:
    """A gradient written out in the graph's names, when it fits on a line: past that, the steps that build it
    are its derivation, and a lesson does not print a page-wide formula."""
    if not at_most(expr, LINE_WIDTH):  # more parts than a line has characters: no need to print it to know
        return None
    printed = _printed(expr)
    return printed if visible_length(printed["tex"]) <= LINE_WIDTH else None


def _results(doc: GraphDocument) -> list[dict[str, Any]]:
    """d output / d name for the chosen name, or for every input and parameter."""
    d = doc.d
    names = [d.wrt] if d.wrt is not None else [leaf for leaf in d.graph.leaves]
    out = []
    for name in names:
        written = doc.written.get(name) if doc.written is not None else None
        if name not in d.step_of:
            written = sp.Integer(0)
        out.append(
            {
                "name": _name(name),
                "upstream": _printed(Upstream(name, d.output)),
                "written": _printed(written) if written is not None else None,
                "shown": _shown(written) if written is not None else None,
                "number": number(doc.numbers.gradients[name]) if doc.numbers else None,
            }
        )
    return out


def _claims(checks: Sequence[NumberCheck] | None) -> list[dict[str, Any]] | None:
    if checks is None:
        return None
    return [
        {
            "section": c.section,
            "reference": c.reference,
            "claimed": str(c.claimed),
            "computed": number(c.computed),
            "verdict": c.verdict,
            "note": c.note,
        }
        for c in checks
    ]


def graph_json(doc: GraphDocument) -> str:
    """The derivation as JSON: the steps (each use's local gradient), the results, the proof and the numbers."""
    context = graph_context(doc)
    data = {
        "output": doc.d.output,
        "wrt": doc.d.wrt if doc.d.wrt is not None else "all",
        "steps": [
            {
                "name": doc.d.steps[i].name,
                "uses": [
                    {
                        "node": u["node"]["tex"],
                        "local": u["local"]["text"],
                        "local_tex": u["local"]["tex"],
                        "rule": u["rule"],
                    }
                    for u in step["uses"]
                ],
                "formula": step["product"]["text"] if step["uses"] else "1",
                "formula_tex": step["product"]["tex"] if step["uses"] else "1",
            }
            for i, step in enumerate(context["steps"])
        ],
        "results": {
            r["name"]["tex"]: {"text": r["written"]["text"], "tex": r["written"]["tex"]} if r["written"] else None
            for r in context["results"]
        },
        "proof": doc.proof.as_data(),
    }
    if doc.numbers is not None:
        data |= doc.numbers.as_data()
    if context["claims"] is not None:
        data["claims"] = context["claims"]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
