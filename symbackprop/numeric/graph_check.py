"""A graph's gradients against central finite differences of its output, the independent witness of the
numbers: each leaf nudged by ±h and the forward pass run again, at the spec's values or at random ones.

>>> from symbackprop.model.graph import Graph
>>> g = Graph.build({"q": "x + y", "f": "q z"}, {"x": -2.0, "y": 5.0, "z": -4.0})
>>> graph_gradcheck(g).passed
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

import numpy as np
import sympy as sp

from ..base.errors import SpecError
from ..derive.graph_backprop import derive_graph
from ..model.graph import Graph
from ..model.graph_functions import maxgate
from .formula import lambdified
from .graph_numbers import forward_values, graph_numbers
from .numbers import GradCheck

TIE_REACH = 100.0  # a max gate's inputs within TIE_REACH * h (relative) of each other are taken as tied


def random_leaf_values(graph: Graph, seed: int) -> dict[str, float]:
    """Each leaf uniform in [-1, 1], from ``seed``."""
    rng = random.Random(seed)
    return {name: rng.uniform(-1.0, 1.0) for name in graph.leaves}


def graph_gradcheck(
    graph: Graph, seed: int | None = None, h: float = 1e-6, rtol: float = 1e-6, atol: float = 1e-8
) -> GradCheck:
    """The backward pass's gradient for every leaf against (f(x + h) - f(x - h)) / 2h; ``seed`` draws random
    values instead of the spec's."""
    if seed is None and graph.values is not None:
        values = dict(graph.values)
    else:
        values = random_leaf_values(graph, seed if seed is not None else 0)
    numbers = graph_numbers(derive_graph(graph, None), values)
    tied = tied_gates(graph, numbers.values, h)
    skipped = sorted(set().union(*(_leaves_below(graph, gate) for gate in tied))) if tied else []
    ours, theirs = [], []
    for name in (leaf for leaf in graph.leaves if leaf not in skipped):
        ours.append(numbers.gradients[name])
        up, down = dict(values), dict(values)
        up[name] += h
        down[name] -= h
        high, low = forward_values(graph, up)[graph.output], forward_values(graph, down)[graph.output]
        theirs.append((high - low) / (2 * h))
    mine, other = np.array(ours), np.array(theirs)
    if not (np.all(np.isfinite(mine)) and np.all(np.isfinite(other))):
        raise SpecError("the gradient or its finite-difference check is not finite at these values")
    err = np.abs(mine - other)
    sizable = np.abs(other) > atol
    rel = float(np.max(err[sizable] / np.abs(other[sizable]))) if np.any(sizable) else 0.0
    passed = bool(np.all(err <= atol + rtol * np.abs(other)))
    where = "the spec's values" if seed is None and graph.values is not None else "random values"
    return GradCheck(
        float(err.max()) if err.size else 0.0,
        rel if math.isfinite(rel) else 0.0,
        passed,
        len(ours),
        where,
        _tie_note(tied, skipped),
    )


def tied_gates(graph: Graph, values: Mapping[str, float], h: float = 1e-6) -> list[str]:
    """The nodes holding a max pool's gate whose two inputs tie at these values, or come within what a nudge of
    ``h`` could close: there the output's derivative has a kink, and a central difference gives neither side's
    slope (the backward pass routes the gradient to the gate's first input, as PyTorch does)."""
    known = {graph.symbols[name]: value for name, value in values.items()}
    found = []
    for node in graph.nodes:
        for gate in node.expression.atoms(maxgate):
            p, q = (_number(a, known) for a in gate.args)
            if abs(p - q) <= TIE_REACH * h * max(1.0, abs(p), abs(q)):
                found.append(node.name)
                break
    return found


def _number(expr: sp.Expr, known: Mapping[sp.Basic, float]) -> float:
    """A gate input's value: a name's own, or its expression's (a constant, or a sum a graph wrote inline)."""
    if expr in known:
        return known[expr]
    arguments = sorted(expr.free_symbols, key=str)
    return float(lambdified([expr], arguments)(*(known[a] for a in arguments))[0])


def _leaves_below(graph: Graph, name: str) -> set[str]:
    leaves = set(graph.leaves)
    return {symbol.name for symbol in graph.depends_on(name) if symbol.name in leaves}


def _tie_note(tied: list[str], skipped: list[str]) -> str:
    if not tied:
        return ""
    gates = ", ".join(tied[:3]) + (f" and {len(tied) - 3} more" if len(tied) > 3 else "")
    return (
        f"{len(skipped)} gradient(s) not compared ({', '.join(skipped[:5])}{', ...' if len(skipped) > 5 else ''}): "
        f"they pass a max gate whose inputs tie ({gates}), where the output has a kink and a central difference "
        "is not a derivative; the backward pass routes the gradient to the gate's first input, as PyTorch does"
    )
