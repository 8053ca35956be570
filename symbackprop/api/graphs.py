"""The verbs of the Python API for computation graphs, attached to ``Graph`` and ``GraphDerivation`` as short
forms: ``Graph.from_toml(path)``, ``graph.derive(name)``, ``graph.evaluate()``, ``d.check()``, ``d.latex()``,
``d.markdown()`` and ``d.lambdify()``.

>>> import symbackprop as sbp
>>> g = sbp.GraphBuilder("A circuit")
>>> x, y, z = g.inputs(x=-2.0, y=5.0, z=-4.0)
>>> q = g.node("q", x + y)
>>> f = g.node("f", q * z)
>>> graph = g.graph()
>>> d = graph.derive("x")
>>> d.result, d.check().verdict
(z, 'proven')
>>> graph.evaluate()["gradients"]
{'x': -4.0, 'y': -4.0, 'z': 3.0, 'q': -4.0, 'f': 1.0}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import documents
from ..derive.graph_backprop import GraphDerivation, derive_graph
from ..model import graph_spec
from ..model.graph import Graph
from ..numeric.graph_numbers import graph_numbers
from ..prove.graph_proof import prove_graph
from ..prove.proof import Proof
from ..render import render_graph
from .formulas import lambdify


def read_graph(path: str | Path) -> Graph:
    """The graph of a graph spec (a TOML file with a [graph] table; ``example:circuit`` is a built-in one).

    >>> import symbackprop as sbp
    >>> sbp.Graph.from_toml("example:circuit").values
    {'x': -2.0, 'y': 5.0, 'z': -4.0}
    """
    return graph_spec.from_toml(path).graph


def derive(graph: Graph, wrt: str | None = "all") -> GraphDerivation:
    """d(output)/d(wrt) by the backward pass; ``"all"`` (or None) for every name the output depends on.

    >>> import symbackprop as sbp
    >>> d = sbp.Graph.from_toml("example:circuit").derive("all")
    >>> d.gradient("y"), d.gradient("z")
    (z, q)
    """
    return derive_graph(graph, None if wrt in (None, "all") else graph.symbol(wrt).name)


def evaluate(graph: Graph, values: dict[str, float] | None = None) -> dict[str, dict[str, float | None]]:
    """``{"values": {name: number}, "gradients": {name: number}}`` at the graph's values (or ``values``), the
    layout of ``evaluate GRAPH --json``; a number that is not finite is None."""
    return graph_numbers(derive_graph(graph, None), values).as_data()


def check(d: GraphDerivation) -> Proof:
    """The derivation against sympy.diff of the composed output (or, past its size, exact and 50-digit points)."""
    return prove_graph(d)


def latex(d: GraphDerivation, title: str | None = None, author: str | None = None) -> str:
    """The derivation as a complete LaTeX document, with its figure, proof and (with values) numbers.

    >>> import symbackprop as sbp
    >>> tex = sbp.Graph.from_toml("example:circuit").derive("x").latex(title="Gates")
    >>> tex.startswith(r"\\documentclass") and "Gates" in tex
    True
    """
    return render_graph(documents.graph_document(d, title=title, author=author), "tex")


def markdown(d: GraphDerivation) -> str:
    """The derivation as Markdown with $-delimited math, as Jupyter shows it."""
    return render_graph(documents.graph_document(d), "md")


def attach() -> None:
    """The short forms, on the model's classes."""
    graph: Any = Graph
    graph.from_toml = staticmethod(read_graph)
    graph.derive = derive
    graph.evaluate = evaluate
    derivation: Any = GraphDerivation
    derivation.check = check
    derivation.latex = latex
    derivation.markdown = markdown
    derivation.lambdify = lambdify
    derivation._repr_markdown_ = markdown
