"""The matrix form proven entry by entry: explicit entries put into the very expressions derive.matrix_form
states, each compared with the element-by-element definitions and derivations, for one sample and for a batch."""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

from ..derive.derivation import derive
from ..derive.matrix_form import Equations, LayerEquations, MatrixForm, N, Vocabulary, matrix_form
from ..model.network import Network
from ..model.references import Ref
from ..model.symbols import A, B, W, Y, Z

DELTA = sp.IndexedBase("delta")  # a layer's delta entries, left unworked in the layer-by-layer proof


def entries_hold(net: Network, samples: int = 2) -> bool:
    """Every entry of the matrix form equals the element form: the one-sample equations, worked through from
    the cost back, give every weight's and bias's element derivation; the batch equations, layer by layer,
    give the one-sample equations of each of ``samples`` samples (row by row), their means for the gradients."""
    form = matrix_form(net)
    element = {ref: derive(net, ref).result for ref in net.parameters()}
    worked = _work(net, form.sample, [{}], chained=True)
    if not (worked.holds and worked.gradients.keys() == element.keys()):
        return False
    if not _same(worked.cost, net.cost_definition()):
        return False
    if not all(_same(worked.gradients[ref], element[ref]) for ref in element):
        return False
    return _batch_is_sample(net, form, [_sample_copy(net, s) for s in range(samples)])


def _batch_is_sample(net: Network, form: MatrixForm, copies: list[dict]) -> bool:
    """Each batch equation, with unworked deltas from the layer above, is the one-sample equation per row."""
    one, batch = _work(net, form.sample, [{}], chained=False), _work(net, form.batch, copies, chained=False)

    def mean(expr: sp.Expr) -> sp.Expr:
        return sp.Add(*(expr.xreplace(c) for c in copies)) / len(copies)

    rows_agree = all(
        _same(batch.deltas[layer][s, i], one.deltas[layer][i, 0].xreplace(copy))
        for layer in one.deltas
        for s, copy in enumerate(copies)
        for i in range(net.layers[layer])
    )
    return (
        batch.holds
        and one.holds
        and rows_agree
        and batch.gradients.keys() == one.gradients.keys()
        and _same(batch.cost, mean(one.cost))
        and all(_same(batch.gradients[ref], mean(one.gradients[ref])) for ref in one.gradients)
    )


@dataclass(frozen=True)
class _Worked:
    """A form's equations on explicit entries: whether its forward pass and any simplified delta hold, its
    cost, each layer's delta and the gradient entry of every weight and bias."""

    holds: bool
    cost: sp.Expr
    deltas: dict[int, sp.ImmutableMatrix]
    gradients: dict[Ref, sp.Expr]


def _sample_copy(net: Network, s: int) -> dict[sp.Expr, sp.Expr]:
    """Sample s's own a, z, y and delta entries (sample 0 keeps the element symbols); weights are shared."""
    if s == 0:
        return {}
    a, z, y, d = (sp.IndexedBase(f"{name}_s{s}") for name in ("a", "z", "y", "delta"))
    out: dict[sp.Expr, sp.Expr] = {Y[j]: y[j] for j in net.neurons(net.depth)}
    for layer in range(net.depth + 1):
        for j in net.neurons(layer):
            out[A[layer, j]] = a[layer, j]
            if layer:
                out[Z[layer, j]] = z[layer, j]
                out[DELTA[layer, j]] = d[layer, j]
    return out


def _work(net: Network, eqs: Equations, copies: list[dict], chained: bool) -> _Worked:
    """The equations on explicit entries, output layer first; ``chained`` feeds each layer's delta to the next
    layer down, otherwise every delta stays its own symbols (one equation at a time)."""
    v, n = Vocabulary(net, eqs.batch), len(copies)
    table = _explicit_inputs(net, v, copies)
    holds = _forward_holds(net, eqs, table, copies)
    deltas: dict[int, sp.ImmutableMatrix] = {}
    gradients: dict[Ref, sp.Expr] = {}
    for eq in eqs.layers:
        deltas[eq.layer] = _explicit(eq.delta, table, n)
        unworked = _rows(v, [DELTA[eq.layer, j] for j in net.neurons(eq.layer)], copies)
        table[v.delta(eq.layer).xreplace({N: n})] = deltas[eq.layer] if chained else unworked
        if eq.simplified is not None:
            holds = holds and _simplification_holds(v, eq, deltas[eq.layer], table, n)
        gradients.update(_gradient_entries(net, eq, table, n))
    return _Worked(holds, _explicit(eqs.cost, table, n)[0, 0], deltas, gradients)


def _rows(v: Vocabulary, entries: list[sp.Expr], copies: list[dict]) -> sp.ImmutableMatrix:
    """One row of entries per sample copy for a batch; one column for a sample."""
    matrix = sp.ImmutableMatrix([[e.xreplace(c) for e in entries] for c in copies])
    return matrix if v.batch else matrix.T


def _explicit_inputs(net: Network, v: Vocabulary, copies: list[dict]) -> dict[sp.MatrixSymbol, sp.ImmutableMatrix]:
    """Each matrix symbol as the explicit matrix of the element symbols."""
    n = len(copies)
    table = {v.y.xreplace({N: n}): _rows(v, net.targets(), copies)}
    for layer in range(net.depth + 1):
        table[v.a(layer).xreplace({N: n})] = _rows(v, [A[layer, j] for j in net.neurons(layer)], copies)
        if layer == 0:
            continue
        table[v.z(layer).xreplace({N: n})] = _rows(v, [Z[layer, j] for j in net.neurons(layer)], copies)
        weights = [[W[layer, j, k] for k in net.neurons(layer - 1)] for j in net.neurons(layer)]
        table[v.w(layer)] = sp.ImmutableMatrix(weights)
        if net.spec.bias != "none":
            biases = [B[layer]] if net.spec.bias == "layer" else [B[layer, j] for j in net.neurons(layer)]
            table[v.b(layer)] = sp.ImmutableMatrix([biases]) if v.batch else sp.ImmutableMatrix(biases)
    return table


def _explicit(expr: sp.MatrixExpr, table: Mapping, n: int) -> sp.ImmutableMatrix:
    """The expression's explicit entries for n samples, with the table's matrices in place of its symbols."""
    return sp.ImmutableMatrix(_evaluate(expr.xreplace({N: n}), table))


def _evaluate(e: sp.Basic, table: Mapping) -> sp.Matrix | sp.Expr:
    """Each matrix operation done on explicit matrices, as its definition says (faster than ``as_explicit``)."""
    if not getattr(e, "is_Matrix", False):
        return e  # a scalar coefficient
    if e in table:
        return sp.Matrix(table[e])
    if isinstance(e, sp.OneMatrix):
        return sp.ones(*e.shape)
    if isinstance(e, sp.Identity):
        return sp.eye(e.shape[0])
    if isinstance(e, ElementwiseApplyFunction):
        return _evaluate(e.expr, table).applyfunc(e.function)
    if isinstance(e, DiagMatrix):
        vector = list(_evaluate(e.args[0], table))
        return sp.Matrix(len(vector), len(vector), lambda i, j: vector[i] if i == j else 0)
    if isinstance(e, sp.Transpose):
        return _evaluate(e.arg, table).T
    if isinstance(e, sp.HadamardPower):
        return _evaluate(e.base, table).applyfunc(lambda x: x**e.exp)
    parts = [_evaluate(a, table) for a in e.args]
    if isinstance(e, sp.MatMul):
        return functools.reduce(operator.mul, parts)
    if isinstance(e, sp.MatAdd):
        return functools.reduce(operator.add, parts)
    if isinstance(e, sp.HadamardProduct):
        return functools.reduce(lambda x, y: x.multiply_elementwise(y), parts)
    raise TypeError(f"no explicit form for {type(e).__name__}")


def _forward_holds(net: Network, eqs: Equations, table: Mapping, copies: list[dict]) -> bool:
    """Row s (column, for a sample) of z^(l) and a^(l) is sample s's z_j^(l) and a_j^(l) definition."""
    n = len(copies)
    for layer in range(1, net.depth + 1):
        z, a = _explicit(eqs.z[layer - 1], table, n), _explicit(eqs.a[layer - 1], table, n)
        if not eqs.batch:
            z, a = z.T, a.T
        for s, copy in enumerate(copies):
            for i, j in enumerate(net.neurons(layer)):
                if not _same(z[s, i], net.z_definition(layer, j).xreplace(copy)):
                    return False
                if not _same(a[s, i], net.a_definition(layer, j).xreplace(copy)):
                    return False
    return True


def _simplification_holds(v: Vocabulary, eq: LayerEquations, derived: sp.Matrix, table: Mapping, n: int) -> bool:
    """The simplified output delta equals the derived one once each sample's targets sum to 1."""
    y = table[v.y.xreplace({N: n})]
    rows = y.tolist() if v.batch else [list(y)]
    last = {row[-1]: 1 - sp.Add(*row[:-1]) for row in rows}
    difference = (_explicit(eq.simplified, table, n) - derived).xreplace(last)
    return all(_same(entry, 0) for entry in difference)


def _gradient_entries(net: Network, eq: LayerEquations, table: Mapping, n: int) -> dict[Ref, sp.Expr]:
    """The entries of BP4's and BP3's explicit matrices, keyed by the weight or bias they belong to."""
    base, layer = net.spec.index_base, eq.layer
    grad_w = _explicit(eq.grad_w, table, n)
    out = {
        Ref("w", layer, (j + base, k + base)): grad_w[j, k]
        for j in range(net.layers[layer])
        for k in range(net.layers[layer - 1])
    }
    if eq.grad_b is not None:
        grad_b = list(_explicit(eq.grad_b, table, n))
        if net.spec.bias == "layer":
            out[Ref("b", layer, ())] = grad_b[0]
        else:
            out.update({Ref("b", layer, (j + base,)): grad_b[j] for j in range(net.layers[layer])})
    return out


def _same(x: sp.Expr, y: sp.Expr) -> bool:
    """Symbolically equal: the difference is zero as built, expanded, or over a common denominator."""
    d = x - y
    return d == 0 or sp.expand(d) == 0 or sp.cancel(sp.together(d)) == 0
