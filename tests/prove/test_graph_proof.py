"""A graph's proof: each of its methods proves the backward pass right, and each catches a planted mistake."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.derive.graph_backprop import GraphDerivation, derive_graph
from symbackprop.model import graph_spec
from symbackprop.prove import graph_proof

PUBLISHED = sorted((Path(__file__).resolve().parents[1] / "graphs").glob("*.toml"))


OFF = sp.Rational(11, 10)


def planted(d: GraphDerivation, factor: sp.Expr = OFF) -> GraphDerivation:
    """The same derivation with the last step's gradient off by ``factor``."""
    steps = list(d.steps)
    steps[-1] = dataclasses.replace(steps[-1], formula=steps[-1].formula * factor)
    return GraphDerivation(d.graph, d.wrt, tuple(steps))


@pytest.mark.parametrize("path", PUBLISHED, ids=lambda p: p.stem)
def test_each_method_proves_every_published_graph_and_catches_a_planted_mistake(path):
    g = graph_spec.from_toml(path).graph
    d = derive_graph(g, None)
    names = [leaf for leaf in g.leaves if leaf in d.step_of]
    assert graph_proof._symbolic(d, names, "it").verdict == "proven"
    assert graph_proof._exact(d, names, "it").verdict == "proven"
    assert graph_proof._real(d, names, "it").verdict == "proven"
    wrong = planted(d)
    assert graph_proof._symbolic(wrong, names, "it") is None  # it does not cancel: the points decide
    assert graph_proof._exact(wrong, names, "it").verdict == "disproven"
    assert graph_proof._real(wrong, names, "it").verdict == "disproven"
    assert graph_proof.prove_graph(wrong).verdict == "disproven"


def test_a_power_that_is_not_an_integer_is_proven_at_real_points():
    g = graph_spec.Graph.build({"r": r"\sqrt{x^{2} + y^{2}}", "f": "r^{1.5} x"}, {"x": 3.0, "y": 4.0})
    d = derive_graph(g, "x")
    assert graph_proof._exact(d, ["x"], "it") is None
    assert graph_proof._real(d, ["x"], "it").verdict == "proven"
    assert graph_proof._real(planted(d), ["x"], "it").verdict == "disproven"


def test_one_name_and_every_name_are_both_proven():
    g = graph_spec.Graph.build({"q": "x + y", "f": "q z"}, {"x": -2.0, "y": 5.0, "z": -4.0})
    one = graph_proof.prove_graph(derive_graph(g, "x"))
    every = graph_proof.prove_graph(derive_graph(g, None))
    assert one.verdict == every.verdict == "proven" and one.method == "symbolic"
    assert "dq" not in one.statement and "df/dx" in one.statement
