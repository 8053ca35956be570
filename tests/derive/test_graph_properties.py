"""Properties of the backward pass on random computation graphs (``tests/graph_strategies.py``), each held to a
reference that does not run it, and each reference shown able to fail.

a. Every input's gradient (``derive_graph(graph, None)``), written out in the inputs, equals sympy.diff of the
   output written out in the inputs: the difference is 0 once SymPy expands it, or else, where expanding it is
   out of reach, both sides evaluated at the graph's own (exactly rational) inputs to 60 digits agree to 40.
b. The engine's numbers (``graph_numbers``), every forward value and every name's gradient, equal PyTorch's
   float64 autograd on the same graph, built here from the nodes' SymPy expressions by an evaluator of this file's
   own (not the engine's lambdify), within 1e-10 relative; the forward values also equal the strategy's, worked
   out from each operation as written, without SymPy.
c. Each reference can fail: a local gradient of one step off by a factor 1 + 2^-14 (where its term, upstream
   times local, is not negligible) is caught by (a) and by (b), and one number moved by 1e-8 of itself by (b).
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import mpmath
import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from sympy.functions.elementary.piecewise import ExprCondPair

from symbackprop.base.trees import tree_size
from symbackprop.derive.graph_backprop import GraphDerivation, Upstream, derive_graph
from symbackprop.model.graph import Graph
from symbackprop.model.graph_functions import relu, sigmoid
from symbackprop.numeric.graph_numbers import GraphNumbers, graph_numbers

from ..graph_strategies import graph_cases

COMPOSED = 48  # input occurrences of the output written out, for sympy.diff (it walks the tree; sharing grows it)
EXPANDED = 400  # nodes of a difference sp.expand is given; larger ones are decided by the 60-digit point
DIGITS = 60
AGREE = mpmath.mpf(10) ** -40
RTOL = 1e-10
ATOL = 1e-12  # times the largest |number| compared, for a sum whose terms cancel
PLANTED = 1 + sp.Rational(1, 2**14)
SEEN = 1e-3  # of the largest |number|: a number this large moved by 1e-8 of itself, or a term by 2^-14, shows
MOVED = 1 + 1e-8

symbolic_cases = graph_cases(max_composed=COMPOSED)


# An evaluator of SymPy expression trees, over any numbers: each distinct subexpression once (shared parts of a
# composed expression are evaluated once), children first, without recursion. ``op_of`` gives the function of a
# node's kind (called with the node and its arguments' values), or None for a kind it does not know.


def evaluate(expr: sp.Basic, known: Mapping[sp.Basic, Any], op_of: Callable[[sp.Basic], Any], number) -> Any:
    memo: dict[sp.Basic, Any] = dict(known)
    stack = [expr]
    while stack:
        e = stack[-1]
        if e in memo:
            stack.pop()
            continue
        if isinstance(e, sp.Number | sp.NumberSymbol):
            memo[e] = number(e)
            stack.pop()
            continue
        missing = [a for a in e.args if a not in memo]
        if missing:
            stack.extend(missing)
            continue
        op = op_of(e)
        if op is None:
            raise NotImplementedError(f"no {type(e).__name__} in this evaluator: {e}")
        memo[e] = op(e, *(memo[a] for a in e.args))
        stack.pop()
    return memo[expr]


def _heaviside(x: Any, at_zero: Any = None) -> Any:
    """Heaviside's step, its value at 0 as written (1/2 when none is)."""
    if x == 0:
        return mpmath.mpf(1) / 2 if at_zero is None else at_zero
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0)


MPMATH: dict[type, Callable[..., Any]] = {
    sp.Add: lambda e, *a: mpmath.fsum(a),
    sp.Mul: lambda e, *a: mpmath.fprod(a),
    sp.Pow: lambda e, b, n: b ** int(e.exp) if e.exp.is_Integer else mpmath.power(b, n),
    sigmoid: lambda e, a: 1 / (1 + mpmath.exp(-a)),
    relu: lambda e, a: max(a, mpmath.mpf(0)),
    sp.Max: lambda e, *a: max(a),
    sp.Min: lambda e, *a: min(a),
    sp.Abs: lambda e, a: abs(a),
    sp.Heaviside: lambda e, *a: _heaviside(*a),
    sp.conjugate: lambda e, a: mpmath.conj(a),
    # Piecewise((sign(u)/2 + 1/2, Ne(u, 0)), (0, True)): a step as Abs' derivative rewrites it in sign
    sp.Piecewise: lambda e, *pairs: next(value for value, holds in pairs if holds),
    ExprCondPair: lambda e, value, holds: (value, holds),
    sp.Eq: lambda e, a, b: a == b,
    sp.Ne: lambda e, a, b: a != b,
    sp.Lt: lambda e, a, b: a < b,
    sp.Le: lambda e, a, b: a <= b,
    sp.Gt: lambda e, a, b: a > b,
    sp.Ge: lambda e, a, b: a >= b,
    sp.And: lambda e, *a: all(a),
    sp.Or: lambda e, *a: any(a),
    sp.Not: lambda e, a: not a,
    type(sp.true): lambda e: True,
    type(sp.false): lambda e: False,
}


def mpmath_op(e: sp.Basic) -> Callable[..., Any] | None:
    """The table above, else a function mpmath has by SymPy's name: exp, log, tanh, sign, re, im, and what re
    and im of a function bring (sin, cosh, atan2, ...: Abs' derivative, where SymPy cannot show its argument
    real, a root or a logarithm inside, is written with re and im of it)."""
    kind = type(e)
    if kind in MPMATH:
        return MPMATH[kind]
    if isinstance(e, sp.Function) and hasattr(mpmath, kind.__name__):
        function = getattr(mpmath, kind.__name__)
        return lambda e, *a: function(*a)
    return None


def _mp_number(e: sp.Basic) -> Any:
    if e.is_Rational:
        return mpmath.mpf(int(e.p)) / int(e.q)
    return mpmath.mpf(str(sp.N(e, DIGITS + 10)))


def _torch_ops(torch) -> Callable[[sp.Basic], Any]:
    def power(e: sp.Pow, base: Any, _: Any) -> Any:
        if e.exp.is_Integer:
            return torch.pow(base, int(e.exp))
        if e.exp == sp.S.Half:
            return torch.sqrt(base)
        return torch.pow(base, float(e.exp))

    table = {
        sp.Add: lambda e, *a: functools.reduce(operator.add, a),
        sp.Mul: lambda e, *a: functools.reduce(operator.mul, a),
        sp.Pow: power,
        sp.exp: lambda e, a: torch.exp(a),
        sp.log: lambda e, a: torch.log(a),
        sp.tanh: lambda e, a: torch.tanh(a),
        sigmoid: lambda e, a: torch.sigmoid(a),
        relu: lambda e, a: torch.relu(a),
        sp.Max: lambda e, *a: functools.reduce(torch.maximum, a),
        sp.Min: lambda e, *a: functools.reduce(torch.minimum, a),
        sp.Abs: lambda e, a: torch.abs(a),
    }
    return lambda e: table.get(type(e))


# a. The derivation against sympy.diff.


def symbolic_mismatches(d: GraphDerivation, exact: Mapping[str, Fraction]) -> tuple[list[str], int]:
    """The inputs whose gradient differs from sympy.diff of the composed output, and how many agreed only at the
    60-digit point (not by expanding): ``exact`` are the graph's inputs as rationals, by name as the graph keys
    them."""
    graph = d.graph
    composed = graph.composed(graph.symbols[graph.output])
    written = d.written_out()
    wrong, by_point = [], 0
    with mpmath.workdps(DIGITS):
        point = {graph.symbols[name]: mpmath.mpf(v.numerator) / v.denominator for name, v in exact.items()}
        for leaf in graph.leaves:
            symbol = graph.symbols[leaf]
            mine = graph.composed(written[leaf]) if leaf in written else sp.Integer(0)
            theirs = sp.diff(composed, symbol)
            difference = mine - theirs
            if difference == 0 or (tree_size(difference) <= EXPANDED and sp.expand(difference) == 0):
                continue
            by_point += 1
            a, b = evaluate(mine, point, mpmath_op, _mp_number), evaluate(theirs, point, mpmath_op, _mp_number)
            if not (abs(a - b) <= AGREE * max(1, abs(b))):
                wrong.append(
                    f"d{graph.output}/d{leaf}: {mpmath.nstr(a, 20)} by the backward pass, "
                    f"{mpmath.nstr(b, 20)} by sympy.diff"
                )
    return wrong, by_point


def _exact_inputs(graph: Graph, case) -> dict[str, Fraction]:
    return {graph.symbol(name).name: value for name, value in case.exact().items()}


@given(symbolic_cases)
def test_every_gradient_equals_sympy_diff_of_the_composed_output(case):
    graph = case.graph()
    wrong, _ = symbolic_mismatches(derive_graph(graph, None), _exact_inputs(graph, case))
    assert not wrong, wrong


# b. The numbers against PyTorch.


def torch_numbers(graph: Graph, values: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Every name's value and d(output)/d(name) by PyTorch float64 autograd, the graph evaluated node by node from
    its nodes' SymPy expressions by ``evaluate``; a name the output does not depend on has gradient 0."""
    torch = pytest.importorskip("torch")
    ops = _torch_ops(torch)
    number = functools.partial(_torch_number, torch)
    tensors: dict[sp.Basic, Any] = {
        graph.symbols[name]: torch.tensor(float(values[name]), dtype=torch.float64, requires_grad=True)
        for name in graph.leaves
    }
    for node in graph.nodes:
        value = evaluate(node.expression, {s: tensors[s] for s in node.inputs}, ops, number)
        if value.requires_grad:  # a tensor of its own: a node that is one of its inputs (2 y - y is y) too
            value = value.clone()
            value.retain_grad()
        else:  # a constant node (t/t is 1): a leaf of its own, so that d(output)/d(it) is still asked
            value = value.detach().clone().requires_grad_(True)
        tensors[node.symbol] = value
    tensors[graph.symbols[graph.output]].backward()
    forward = {s.name: float(t.detach()) for s, t in tensors.items()}
    gradients = {s.name: float(t.grad) if t.grad is not None else 0.0 for s, t in tensors.items()}
    return forward, gradients


def _torch_number(torch, e: sp.Basic) -> Any:
    return torch.tensor(float(e), dtype=torch.float64)


def mismatches(mine: Mapping[str, float], theirs: Mapping[str, float], what: str) -> list[str]:
    """The names whose numbers differ by more than RTOL of the larger, plus ATOL of the largest |number| of all."""
    assert mine.keys() == theirs.keys(), (sorted(mine), sorted(theirs))
    scale = _scale(theirs)
    return [
        f"{what} of {name}: {mine[name]!r} by the engine, {theirs[name]!r} by the reference"
        for name in theirs
        if not abs(mine[name] - theirs[name]) <= RTOL * max(abs(mine[name]), abs(theirs[name])) + ATOL * scale
    ]


def number_mismatches(numbers: GraphNumbers, graph: Graph, values: Mapping[str, float]) -> list[str]:
    forward, gradients = torch_numbers(graph, values)
    return mismatches(numbers.values, forward, "value") + mismatches(numbers.gradients, gradients, "gradient")


def _keyed(graph: Graph, pairs) -> dict[str, float]:
    return {graph.symbol(name).name: value for name, value in pairs}


@given(graph_cases(), st.data())
def test_numbers_equal_pytorch_autograd_in_float64(case, data):
    graph = case.graph()
    values = graph.values
    numbers = graph_numbers(derive_graph(graph, None))
    assert not mismatches(numbers.values, _keyed(graph, case.expected), "value (as the strategy works it out)")
    wrong = number_mismatches(numbers, graph, values)
    assert not wrong, wrong
    # c. The same comparison fails for one number moved by 1e-8 of itself, a gradient and a value, each drawn
    # from those not negligible beside the largest (the absolute part of the tolerance is ATOL of that).
    moved = data.draw(st.sampled_from(_not_negligible(numbers.gradients)))
    gradients = {**numbers.gradients, moved: numbers.gradients[moved] * MOVED}
    assert number_mismatches(dataclasses.replace(numbers, gradients=gradients), graph, values)
    moved = data.draw(st.sampled_from(_not_negligible(numbers.values)))
    forward = {**numbers.values, moved: numbers.values[moved] * MOVED}
    assert number_mismatches(dataclasses.replace(numbers, values=forward), graph, values)


def _scale(numbers: Mapping[str, float]) -> float:
    return max([1.0, *(abs(v) for v in numbers.values())])


def _not_negligible(numbers: Mapping[str, float]) -> list[str]:
    return sorted(name for name, v in numbers.items() if abs(v) >= SEEN * _scale(numbers))


# c. A planted mistake in one local gradient.


def planted(d: GraphDerivation, step_name: str, index: int, factor: sp.Expr = PLANTED) -> GraphDerivation:
    """``d`` with the local gradient ``index`` of the step of ``step_name`` off by ``factor``, the step's formula
    (the sum of upstream times local) rebuilt from it, every other step as it was."""
    steps = list(d.steps)
    k = next(i for i, step in enumerate(steps) if step.name == step_name)
    uses = list(steps[k].uses)
    uses[index] = dataclasses.replace(uses[index], value=uses[index].value * factor)
    formula = sp.Add(*(Upstream(use.node, d.output) * use.value for use in uses))
    steps[k] = dataclasses.replace(steps[k], uses=tuple(uses), formula=formula)
    return GraphDerivation(d.graph, d.wrt, tuple(steps))


def _plantable(d: GraphDerivation, numbers: GraphNumbers, leaves_only: bool) -> list[tuple[str, int]]:
    """(step, use) whose term, upstream gradient times local gradient, is not negligible at the graph's values
    beside the largest gradient: there a local gradient off by 2^-14 moves the step's gradient by more than the
    tolerance."""
    found = []
    least = SEEN * _scale(numbers.gradients)
    for step in d.steps:
        if leaves_only and step.name not in d.graph.leaves:
            continue
        for i, use in enumerate(step.uses):
            if abs(numbers.gradients[use.node] * numbers.local[(use.node, use.name)]) >= least:
                found.append((step.name, i))
    return found


@given(graph_cases(), st.data())
def test_a_changed_local_gradient_is_caught_by_pytorch(case, data):
    graph = case.graph()
    d = derive_graph(graph, None)
    numbers = graph_numbers(d)
    where = _plantable(d, numbers, leaves_only=False)
    assume(where)  # rarely empty: every term about 0 at these values (ReLUs off, say), nothing a number shows
    step, index = data.draw(st.sampled_from(where))
    wrong = planted(d, step, index)
    assert number_mismatches(graph_numbers(wrong), graph, graph.values)


@given(symbolic_cases, st.data())
def test_a_changed_local_gradient_is_caught_by_sympy_diff(case, data):
    graph = case.graph()
    d = derive_graph(graph, None)
    where = _plantable(d, graph_numbers(d), leaves_only=True)
    assume(where)
    step, index = data.draw(st.sampled_from(where))
    wrong, _ = symbolic_mismatches(planted(d, step, index), _exact_inputs(graph, case))
    assert wrong


# The strategy draws what the properties are about.


def test_the_strategy_draws_shared_nodes_and_inputs():
    from hypothesis import Phase, find, settings

    quick = settings(database=None, max_examples=200, derandomize=True, phases=[Phase.generate])  # no shrinking

    def shared(case, kind: str, times: int) -> bool:
        graph, uses = case.graph(), case.uses()
        names = graph.leaves if kind == "input" else [node.name for node in graph.nodes]
        return any(uses[name] >= times for name in names)

    assert find(graph_cases(), lambda c: shared(c, "node", 3), settings=quick)
    assert find(graph_cases(), lambda c: shared(c, "input", 4), settings=quick)
    assert find(graph_cases(min_nodes=30), lambda c: len(c.nodes) >= 30, settings=quick)
