"""The functions a graph node may apply, as SymPy sees them, and how each is named where a user writes it.

σ and ReLU are functions of their own here rather than 1/(1 + e^{-x}) and max(x, 0): a derivation then says
dσ(s)/ds = σ(s)(1 - σ(s)) as a lesson does, and a ReLU's derivative at 0 is 0, as PyTorch and micrograd take it
(a max of two equal inputs gives each half, SymPy's Heaviside(0) = 1/2, as PyTorch's maximum does).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.core.logic import fuzzy_and


class sigmoid(sp.Function):
    """σ(x) = 1 / (1 + e^{-x}), kept whole."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))


class relu(sp.Function):
    """ReLU(x) = max(x, 0), kept whole, with the derivative 0 at 0."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Heaviside(self.args[0], 0)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_rewrite_as_Max(self, x: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.Max(x, 0)


class maxgate(sp.Function):
    """max(p, q) as a max pool's gate, its inputs in the window's scan order: the gradient goes to the larger input
    and, at a tie, all of it to the first, as PyTorch's max pooling routes it. d/dp is Heaviside(p - q, 1) and
    d/dq Heaviside(q - p, 0): they sum to 1 everywhere, where SymPy's Max gives each of two tied inputs 1/2.
    Away from a tie both are Max's derivative, so a proof against sympy.diff of the cost written with Max holds.

    >>> p, q = sp.symbols("p q", real=True)
    >>> sp.diff(maxgate(p, q), p), sp.diff(maxgate(p, q), q), maxgate(2, 3)
    (Heaviside(p - q, 1), Heaviside(-p + q, 0), 3)
    """

    nargs = 2

    @classmethod
    def eval(cls, p: sp.Expr, q: sp.Expr) -> sp.Expr | None:
        if p.is_Number and q.is_Number:
            return sp.Max(p, q)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        p, q = self.args
        return sp.Heaviside(p - q, 1) if argindex == 1 else sp.Heaviside(q - p, 0)

    def _eval_is_real(self) -> bool | None:
        return fuzzy_and(a.is_real for a in self.args)

    def _eval_rewrite_as_Max(self, p: sp.Expr, q: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.Max(p, q)


class indicator(sp.Function):
    """1[p = q]: 1 where its two arguments are equal, else 0, as a claim writes max pooling's routing
    (\\mathbb{1}[X_{i,j} = Y_{p,q}]). A claim's function only, no node's: its value is read at points, where a
    window's max is exactly its arg max's value.

    >>> p, q = sp.symbols("p q", real=True)
    >>> indicator(p, p), indicator(2, 3), indicator(p, q)
    (1, 0, indicator(p, q))
    """

    nargs = 2

    @classmethod
    def eval(cls, p: sp.Expr, q: sp.Expr) -> sp.Expr | None:
        if p == q:
            return sp.Integer(1)
        if p.is_Number and q.is_Number:
            return sp.Integer(0)
        return None

    def _eval_is_real(self) -> bool:
        return True


def plain(expr: sp.Expr) -> sp.Expr:
    """``expr`` with σ, ReLU and the max gate written in SymPy's own functions, for evaluation by lambdify or
    mpmath."""
    expr = expr.replace(sigmoid, lambda x: 1 / (1 + sp.exp(-x))).replace(relu, lambda x: sp.Max(x, 0))
    return expr.replace(maxgate, lambda p, q: sp.Max(p, q))


# A function's name as a node writes it -> (how many arguments, the SymPy function).
ONE = {
    "\\sigma": sigmoid,
    "\\tanh": sp.tanh,
    "\\exp": sp.exp,
    "\\ln": sp.log,
    "\\log": sp.log,
    "\\sqrt": sp.sqrt,
    "relu": relu,
    "ReLU": relu,
    "\\relu": relu,
    "sigmoid": sigmoid,
}


def _nested(kind: type[sp.Max] | type[sp.Min]) -> Callable[[sp.Expr, sp.Expr], sp.Expr]:
    """\\max(\\max(a, b), c) kept as written, two at a time: SymPy would flatten it to Max(a, b, c), whose
    derivative gives each of three tied values 1/2 (1.5 in all); nested, a tie splits as PyTorch's
    max(max(a, b), c) does (1/4, 1/4, 1/2)."""

    def make(a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return kind(a, b, evaluate=False) if isinstance(a, kind) or isinstance(b, kind) else kind(a, b)

    return make


TWO: dict[str, Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
    "\\max": _nested(sp.Max),
    "\\min": _nested(sp.Min),
    "max": _nested(sp.Max),
    "min": _nested(sp.Min),
}
# What an error lists, as a node would write each.
NAMES = (
    "\\sigma",
    "\\tanh",
    "\\exp or e^{x}",
    "\\ln",
    "\\log",
    "\\sqrt",
    "\\operatorname{relu}",
    "\\max",
    "\\min",
    "|x|",
)
