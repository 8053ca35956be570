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

import numpy as np

from ..base.errors import SpecError
from ..derive.graph_backprop import derive_graph
from ..model.graph import Graph
from .graph_numbers import forward_values, graph_numbers
from .numbers import GradCheck


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
    ours, theirs = [], []
    for name in graph.leaves:
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
        float(err.max()) if err.size else 0.0, rel if math.isfinite(rel) else 0.0, passed, len(ours), where
    )
