"""The passes that turn the batch equations of ``matrix_form`` into the statements gradient code computes.

1. the 1/n of the mean moves into Delta^(L) once (every Delta^(l) is linear in Delta^(L), so each
   carries it and BP3/BP4 become plain sums and products);
2. an activation's derivative is written in its own output where the catalogue says how
   (sigmoid: A (1 - A)), so no layer computes g'(Z) from Z again;
3. a subexpression used twice (A - Y in the cost and in BP1, softmax's upstream gradient) is
   named once.
"""

from __future__ import annotations

from collections import Counter

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..derive.matrix_form import Equations, N, Vocabulary, applied_layer, entrywise, hadamard
from ..model.network import Network


def scaled(c: sp.Expr, e: sp.MatrixExpr) -> sp.MatrixExpr:
    """c e, with c merged into e's own scalar coefficient (SymPy's ``*`` would distribute it over sums)."""
    c0, matrices = e.as_coeff_matrices() if isinstance(e, sp.MatMul) else (sp.Integer(1), [e])
    coefficient = c * c0
    return sp.MatMul(coefficient, *matrices) if coefficient != 1 else sp.MatMul(*matrices)


def fold_mean(eqs: Equations) -> list[tuple[str, sp.MatrixExpr]]:
    """The statements of the backward pass, the mean's 1/n carried by Delta^(L) instead of BP3 and BP4."""
    out, depth = [], len(eqs.z)
    for eq in eqs.layers:
        delta = scaled(1 / N, pull_coefficients(eq.delta)) if eq.layer == depth else eq.delta
        out.append((f"Delta{eq.layer}", delta))
        out.append((f"dW{eq.layer}", scaled(N, eq.grad_w)))
        if eq.grad_b is not None:
            out.append((f"db{eq.layer}", scaled(N, eq.grad_b)))
    return out


def pull_coefficients(e: sp.MatrixExpr) -> sp.MatrixExpr:
    """Scalar factors of a Hadamard product's factors in front of it, to multiply once: (2X) (.) Y = 2 (X (.) Y)."""
    if not isinstance(e, sp.HadamardProduct):
        return e
    coefficient, factors = sp.Integer(1), []
    for f in e.args:
        c, matrices = f.as_coeff_matrices() if isinstance(f, sp.MatMul) else (sp.Integer(1), [f])
        if len(matrices) == 1:
            coefficient, f = coefficient * c, matrices[0]
        factors.append(f)
    return scaled(coefficient, hadamard(*factors))


def in_outputs(net: Network, e: sp.MatrixExpr) -> sp.MatrixExpr:
    """g'^(l)(Z^(l)) written in A^(l) = g^(l)(Z^(l)) wherever the catalogue gives the derivative in a."""
    v = Vocabulary(net, batch=True)
    a = sp.Symbol("a")

    def rewrite(f: ElementwiseApplyFunction) -> sp.MatrixExpr:
        layer, prime = applied_layer(f) or (0, False)
        act = net.activation(layer) if layer else None
        if not prime or act is None or act.prime_in_a is None:
            return f
        form = entrywise(act.prime_in_a(a), {a: v.a(layer)}, f.shape)
        return form if form.is_Matrix else sp.MatMul(form, sp.OneMatrix(*f.shape)).doit()  # a constant (identity's 1)

    e = e.replace(lambda x: isinstance(x, ElementwiseApplyFunction), rewrite)
    return e.replace(lambda x: isinstance(x, sp.HadamardProduct), lambda x: hadamard(*x.args))


def shared(statements: list[tuple[str, sp.MatrixExpr]]) -> list[tuple[str, sp.MatrixExpr]]:
    """Each composite subexpression used more than once computed once, as S1, S2, ..., before its first use."""
    count = 0
    while True:
        repeated = _repeated(statements)
        if repeated is None:
            return statements
        count += 1
        name = sp.MatrixSymbol(f"S{count}", *repeated.shape)
        first = next(i for i, (_, e) in enumerate(statements) if e.has(repeated))
        statements = [(t, e.xreplace({repeated: name})) for t, e in statements]
        statements.insert(first, (name.name, repeated))


def _repeated(statements: list[tuple[str, sp.MatrixExpr]]) -> sp.MatrixExpr | None:
    """The largest composite subexpression occurring twice or more, or None."""
    counts: Counter = Counter()
    for _, e in statements:
        counts.update(x for x in sp.preorder_traversal(e) if _worth_naming(x))
    found = [x for x, k in counts.items() if k > 1]
    return max(found, key=lambda x: (sp.count_ops(x), sp.default_sort_key(x))) if found else None


def _worth_naming(e: sp.Basic) -> bool:
    """Array arithmetic: sums, Hadamard products and powers, matrix products of two or more matrices."""
    if isinstance(e, (sp.MatAdd, sp.HadamardProduct, sp.HadamardPower)):
        return True
    return isinstance(e, sp.MatMul) and len(e.as_coeff_matrices()[1]) > 1 and not _has_ones(e)


def _has_ones(e: sp.MatMul) -> bool:
    return any(isinstance(m, sp.OneMatrix) for m in e.as_coeff_matrices()[1])
