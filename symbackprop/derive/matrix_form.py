"""Backpropagation in matrix form, Nielsen's BP1-BP4, as SymPy matrix expressions.

Two forms of the same equations. For one sample the quantities are column vectors, as in
Nielsen's book:

    z^(l) = W^(l) a^(l-1) + b^(l)                   a^(l) = g^(l)(z^(l))
    delta^(L) = grad_a C (.) g'(z^(L))             BP1 (softmax: J^T grad_a C, J = diag(a) - a a^T)
    delta^(l) = ((W^(l+1))^T delta^(l+1)) (.) g'(z^(l))   BP2
    dC/db^(l) = delta^(l)                          BP3 (1^T delta^(l) for a bias shared by the layer)
    dC/dW^(l) = delta^(l) (a^(l-1))^T              BP4

For a batch of n samples the rows are samples (A^(l) is n x n_l, as the spec's values are),
Delta^(l) = (Delta^(l+1) W^(l+1)) (.) g'(Z^(l)), and the gradients are means over the rows:
dC/db^(l) = (1/n) 1^T Delta^(l), dC/dW^(l) = (1/n) Delta^(l)T A^(l-1).

The equations are plain SymPy objects (MatrixSymbol, MatMul, Transpose, HadamardProduct,
HadamardPower, OneMatrix, DiagMatrix, ElementwiseApplyFunction), for documents to print and
for codegen to turn into NumPy. ``prove.matrix_entries`` puts explicit entries into these very
expressions and checks every entry against the element-by-element definitions and derivations.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from weakref import WeakKeyDictionary

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

from ..model.network import Network
from ..model.symbols import ActivationBase, ActivationPrimeBase, SoftmaxExp, activation_functions

N = sp.Symbol("n", integer=True, positive=True)  # samples in a batch
_X = sp.Symbol("x")  # the variable of an activation applied entry by entry


@dataclass(frozen=True)
class LayerEquations:
    """One layer's delta (BP1 or BP2), bias gradient (BP3; None without biases) and weight gradient (BP4).

    ``simplified`` is a shorter, equal form of the output layer's delta under ``condition``
    (softmax with cross-entropy: a - y when the targets sum to 1), proven by ``prove``.
    """

    layer: int
    delta: sp.MatrixExpr
    grad_b: sp.MatrixExpr | None
    grad_w: sp.MatrixExpr
    simplified: sp.MatrixExpr | None = None
    condition: str | None = None


@dataclass(frozen=True)
class Equations:
    """The forward pass, the cost and BP1-BP4 of one form: a single sample, or a batch (rows = samples)."""

    batch: bool
    z: tuple[sp.MatrixExpr, ...]  # z^(l) for l = 1..L, at index l - 1
    a: tuple[sp.MatrixExpr, ...]  # a^(l) = g^(l)(z^(l)), likewise
    cost: sp.MatrixExpr  # 1 x 1: C_0 for a sample, the mean cost C for a batch
    cost_gradient: sp.MatrixExpr  # dC_0/da^(L) entry by entry (without a batch's 1/n)
    layers: tuple[LayerEquations, ...]  # from the output layer back


@dataclass(frozen=True)
class Quantity:
    """What a matrix symbol stands for: kind 'a', 'z', 'W', 'b', 'delta' or 'y', and its layer."""

    kind: str
    layer: int | None


@dataclass(frozen=True, eq=False)
class MatrixForm:
    """BP1-BP4 of one network, for one sample and for a batch, with what each symbol stands for."""

    network: Network
    sample: Equations
    batch: Equations
    quantities: Mapping[sp.MatrixSymbol, Quantity]

    @property
    def layers(self) -> tuple[LayerEquations, ...]:
        """The batch equations, from the output layer back: what codegen prints."""
        return self.batch.layers


class Vocabulary:
    """The matrix symbols of one form: column vectors for a sample, n-row matrices for a batch."""

    def __init__(self, net: Network, batch: bool) -> None:
        self.net, self.batch = net, batch
        self.quantities: dict[sp.MatrixSymbol, Quantity] = {}

    def _symbol(
        self, name: str, rows: sp.Expr | int, cols: sp.Expr | int, kind: str, layer: int | None
    ) -> sp.MatrixSymbol:
        symbol = sp.MatrixSymbol(name, rows, cols)
        self.quantities[symbol] = Quantity(kind, layer)
        return symbol

    def _vector(self, letter: str, layer: int | None, width: int) -> sp.MatrixSymbol:
        name = (letter.upper() if self.batch else letter) + ("" if layer is None else str(layer))
        shape: tuple[sp.Expr | int, int] = (N, width) if self.batch else (width, 1)
        return self._symbol(name, *shape, letter, layer)

    def a(self, layer: int) -> sp.MatrixSymbol:
        return self._vector("a", layer, self.net.layers[layer])

    def z(self, layer: int) -> sp.MatrixSymbol:
        return self._vector("z", layer, self.net.layers[layer])

    @property
    def y(self) -> sp.MatrixSymbol:
        return self._vector("y", None, self.net.layers[-1])

    def delta(self, layer: int) -> sp.MatrixSymbol:
        name = f"Delta{layer}" if self.batch else f"delta{layer}"
        return self._symbol(name, *self.entry_shape(layer), "delta", layer)

    def w(self, layer: int) -> sp.MatrixSymbol:
        return self._symbol(f"W{layer}", self.net.layers[layer], self.net.layers[layer - 1], "W", layer)

    def b(self, layer: int) -> sp.MatrixSymbol:
        """b^(l): a column (a row for a batch), or 1 x 1 for a bias shared by the layer."""
        width = 1 if self.net.spec.bias == "layer" else self.net.layers[layer]
        shape = (1, width) if self.batch else (width, 1)
        return self._symbol(f"b{layer}", *shape, "b", layer)

    def entry_shape(self, layer: int) -> tuple[sp.Expr | int, sp.Expr | int]:
        """The shape of a^(l): (n_l, 1) for a sample, (n, n_l) for a batch."""
        return (N, self.net.layers[layer]) if self.batch else (self.net.layers[layer], 1)


# --- scalar formulas applied entry by entry -----------------------------------------------------


def entrywise(expr: sp.Expr, table: Mapping[sp.Symbol, sp.MatrixExpr], shape: tuple) -> sp.MatrixExpr | sp.Expr:
    """A scalar formula in a few symbols as the matrix doing it entry by entry: products become
    Hadamard products, powers Hadamard powers, constants in sums multiples of the ones matrix."""
    if expr in table:
        return table[expr]
    constant, rest = expr.as_independent(*table, as_Add=isinstance(expr, sp.Add))
    if rest == 0 or rest.is_Number:
        return expr
    if isinstance(expr, sp.Add):
        terms = [entrywise(t, table, shape) for t in expr.args]
        return functools.reduce(operator.add, [t if t.is_Matrix else t * sp.OneMatrix(*shape) for t in terms])
    if isinstance(expr, sp.Mul):
        product = hadamard(*(entrywise(f, table, shape) for f in sp.Mul.make_args(rest)))
        return sp.MatMul(constant, product) if constant != 1 else product
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        return sp.HadamardPower(entrywise(expr.base, table, shape), expr.exp)
    if isinstance(expr, sp.Function) and len(expr.args) == 1:
        return ElementwiseApplyFunction(expr.func, entrywise(expr.args[0], table, shape))
    raise ValueError(f"no entry-by-entry matrix form for {expr}")


def hadamard(*factors: sp.MatrixExpr) -> sp.MatrixExpr:
    """The Hadamard product, nested products flattened and ones matrices (its identity) left out."""
    flat: list[sp.MatrixExpr] = []
    for f in factors:
        flat.extend(f.args if isinstance(f, sp.HadamardProduct) else [f])
    kept = [f for f in flat if not isinstance(f, sp.OneMatrix)]
    if not kept:
        return flat[0]
    return kept[0] if len(kept) == 1 else sp.HadamardProduct(*kept)


def applied(layer: int, name: str, z: sp.MatrixExpr, prime: bool) -> ElementwiseApplyFunction:
    """g^(l) or g'^(l) applied to every entry of z, in the textbook's function symbols."""
    function = activation_functions(name)[1 if prime else 0]
    return ElementwiseApplyFunction(sp.Lambda(_X, function(layer, _X)), z)


def applied_layer(e: ElementwiseApplyFunction) -> tuple[int, bool] | None:
    """(layer, prime) of an activation applied entry by entry (see ``applied``), else None."""
    body = e.function.expr if isinstance(e.function, sp.Lambda) else None
    if not isinstance(body, (ActivationBase, ActivationPrimeBase)):
        return None
    return int(body.args[0]), isinstance(body, ActivationPrimeBase)


# --- the equations --------------------------------------------------------------------------------


_FORMS: WeakKeyDictionary[Network, MatrixForm] = WeakKeyDictionary()
_STATED: WeakKeyDictionary[Network, dict[bool, tuple[Stated, ...]]] = WeakKeyDictionary()


def matrix_form(net: Network) -> MatrixForm:
    """The matrix-form equations of ``net``, for one sample and for a batch; worked once for a network (a
    document's proof states them, checks that the proof copy has each, and checks every entry of the copy's)."""
    if net not in _FORMS:
        net.require_layered("the matrix form")
        _FORMS[net] = _worked(net)
    return _FORMS[net]


def _worked(net: Network) -> MatrixForm:
    sample, batch = Vocabulary(net, batch=False), Vocabulary(net, batch=True)
    equations = (_equations(net, sample), _equations(net, batch))
    return MatrixForm(net, *equations, quantities={**sample.quantities, **batch.quantities})


def _equations(net: Network, v: Vocabulary) -> Equations:
    zs = tuple(_z(net, v, layer) for layer in range(1, net.depth + 1))
    acts = tuple(_a(net, v, layer) for layer in range(1, net.depth + 1))
    gradient = _cost_gradient(net, v)
    layers = tuple(_layer(net, v, layer, gradient) for layer in range(net.depth, 0, -1))
    return Equations(v.batch, zs, acts, _cost(net, v), gradient, layers)


def _z(net: Network, v: Vocabulary, layer: int) -> sp.MatrixExpr:
    """z = W a + b for a sample; Z = A W^T + 1 b for a batch (a shared bias: times a row of ones too)."""
    weighted = v.a(layer - 1) * v.w(layer).T if v.batch else v.w(layer) * v.a(layer - 1)
    if net.spec.bias == "none":
        return weighted
    b, width, shared = v.b(layer), net.layers[layer], net.spec.bias == "layer"
    if v.batch:
        bias = sp.MatMul(sp.OneMatrix(N, 1), b, *([sp.OneMatrix(1, width)] if shared and width > 1 else []))
    else:
        bias = sp.OneMatrix(width, 1) * b if shared else b
    return weighted + bias


def _a(net: Network, v: Vocabulary, layer: int) -> sp.MatrixExpr:
    """g(z) entry by entry; softmax as exp(z) over the sums of exp(z) (a column's, or a row's for a batch)."""
    act = net.activation(layer)
    if act.elementwise:
        return applied(layer, act.name, v.z(layer), prime=False)
    e, ones = ElementwiseApplyFunction(SoftmaxExp, v.z(layer)), sp.OneMatrix(net.layers[layer], net.layers[layer])
    return hadamard(e, sp.HadamardPower(e * ones if v.batch else ones * e, -1))


def _cost_table(net: Network, v: Vocabulary) -> tuple[sp.Symbol, sp.Symbol, dict[sp.Symbol, sp.MatrixExpr]]:
    a, y = sp.symbols("a y")
    return a, y, {a: v.a(net.depth), y: v.y}


def _cost(net: Network, v: Vocabulary) -> sp.MatrixExpr:
    """C_0 = 1^T c(a, y), c the cost's term entry by entry; for a batch C = (1/n) 1^T c(A, Y) 1."""
    a, y, table = _cost_table(net, v)
    width = net.layers[-1]
    terms = entrywise(net.cost.term(a, y, width), table, v.entry_shape(net.depth))
    if v.batch:
        return sp.MatMul(1 / N, sp.OneMatrix(1, N), terms, sp.OneMatrix(width, 1))
    return sp.OneMatrix(1, width) * terms


def _cost_gradient(net: Network, v: Vocabulary) -> sp.MatrixExpr:
    """grad_a C_0: the derivative of the cost's term, entry by entry."""
    a, y, table = _cost_table(net, v)
    term = sp.diff(net.cost.term(a, y, net.layers[-1]), a)
    return entrywise(sp.factor_terms(term), table, v.entry_shape(net.depth))


def _layer(net: Network, v: Vocabulary, layer: int, gradient: sp.MatrixExpr) -> LayerEquations:
    if layer == net.depth:
        upstream = gradient
    else:
        upstream = v.delta(layer + 1) * v.w(layer + 1) if v.batch else v.w(layer + 1).T * v.delta(layer + 1)
    delta = _through_activation(net, v, layer, upstream)
    simplified, condition = _simplified(net, v, layer)
    return LayerEquations(layer, delta, _grad_b(net, v, layer), _grad_w(v, layer), simplified, condition)


def _through_activation(net: Network, v: Vocabulary, layer: int, upstream: sp.MatrixExpr) -> sp.MatrixExpr:
    """upstream (.) g'(z); for softmax the Jacobian product J^T upstream (J symmetric), row by row for a batch."""
    act = net.activation(layer)
    if act.elementwise:
        return hadamard(upstream, applied(layer, act.name, v.z(layer), prime=True))
    a, width = v.a(layer), net.layers[layer]
    if v.batch:
        return hadamard(a, upstream - hadamard(a, upstream) * sp.OneMatrix(width, width))
    return (DiagMatrix(a) - a * a.T) * upstream


def _simplified(net: Network, v: Vocabulary, layer: int) -> tuple[sp.MatrixExpr | None, str | None]:
    """Softmax with cross-entropy at the output: delta = a - y, when each sample's targets sum to 1."""
    if layer != net.depth or net.activation(layer).elementwise or net.spec.cost != "cross_entropy":
        return None, None
    return v.a(layer) - v.y, "each sample's targets sum to 1"


def _grad_b(net: Network, v: Vocabulary, layer: int) -> sp.MatrixExpr | None:
    """delta (1^T delta shared); for a batch the mean over the rows, (1/n) 1^T Delta (1^T Delta 1 shared)."""
    if net.spec.bias == "none":
        return None
    d, shared = v.delta(layer), net.spec.bias == "layer"
    if v.batch:
        tail = [sp.OneMatrix(net.layers[layer], 1)] if shared else []
        return sp.MatMul(1 / N, sp.OneMatrix(1, N), d, *tail)
    return sp.OneMatrix(1, net.layers[layer]) * d if shared else d


def _grad_w(v: Vocabulary, layer: int) -> sp.MatrixExpr:
    """delta a^T for a sample; (1/n) Delta^T A for a batch, the mean of the samples' outer products."""
    if v.batch:
        return sp.MatMul(1 / N, v.delta(layer).T, v.a(layer - 1))
    return v.delta(layer) * v.a(layer - 1).T


# --- the equations a document states: one per kind of layer, written for a general layer -------------


@dataclass(frozen=True)
class Stated:
    """An equation a document prints, ``lhs = rhs``, written for a general layer: its matrix symbols are named
    ``letter@base+offset`` (W@l+1, delta@L+0: base l is any layer, L the output) and its activations take the
    layer as a letter. ``kind`` says what it is (delta, bias, weights; ``case`` output, elementwise or softmax)
    and ``layers`` the network's layers it stands for; ``key`` is its structure without the shapes, the same
    for the same equation in networks of any widths."""

    kind: str
    case: str
    batch: bool
    lhs: sp.MatrixExpr
    rhs: sp.MatrixExpr
    layers: tuple[int, ...]
    condition: str | None = None

    @property
    def key(self) -> tuple:
        return (self.kind, self.case, self.batch, self.condition, _shape_free(self.lhs), _shape_free(self.rhs))


def stated(net: Network, generic: bool | None = None) -> tuple[Stated, ...]:
    """Every equation of the matrix form, each layer's written relative to it, the same ones merged: the output
    layer's delta (and its simplified form), a hidden layer's delta for each kind of layer, and the gradients
    for a sample and for a batch. A hidden layer's g' is the generic g unless every layer has the same
    activation (``generic`` overrides that, so a copy of a network can be written as the network is)."""
    names = {net.activation(m).name for m in range(1, net.depth + 1)}
    generic = (len(names) > 1 or net.activation(1).generic) if generic is None else generic
    written = _STATED.setdefault(net, {})
    if generic not in written:
        written[generic] = _stated(net, generic)
    return written[generic]


def _stated(net: Network, generic: bool) -> tuple[Stated, ...]:
    form = matrix_form(net)
    found: dict[tuple, Stated] = {}
    for eqs in (form.sample, form.batch):
        v = Vocabulary(net, eqs.batch)
        for eq in eqs.layers:
            output = eq.layer == net.depth
            case = "output" if output else "elementwise" if net.activation(eq.layer).elementwise else "softmax"
            base = "L" if output else "l"
            own = _relabel(net, form.quantities, eq.layer, base, generic and not output)
            general = _relabel(net, form.quantities, eq.layer, "l", generic)
            rows: list[tuple[str, str, sp.Basic, sp.Basic, str | None]]
            rows = [("delta", case, own(v.delta(eq.layer)), own(eq.delta), None)]
            if output and not eqs.batch:  # BP1 with the cost's gradient named, the gradient on a line of its own
                rows = _named_gradient(net, v, eq, eqs.cost_gradient, own)
            if eq.simplified is not None:
                rows.append(("delta", case, own(v.delta(eq.layer)), own(eq.simplified), eq.condition))
            if eq.grad_b is not None:
                rows.append(("bias", "every", general(v.b(eq.layer)), general(eq.grad_b), None))
            rows.append(("weights", "every", general(v.w(eq.layer)), general(eq.grad_w), None))
            for kind, which, lhs, rhs, condition in rows:
                if eqs.batch and kind == "delta":
                    continue  # a document states the batch's gradients, each a mean over the samples
                row = Stated(kind, which, eqs.batch, lhs, rhs, (eq.layer,), condition)
                if row.key in found:
                    row = replace(found[row.key], layers=(*found[row.key].layers, eq.layer))
                found[row.key] = row
    return tuple(found.values())


def _named_gradient(
    net: Network, v: Vocabulary, eq: LayerEquations, gradient: sp.MatrixExpr, own: Callable[[sp.Basic], sp.Basic]
) -> list[tuple]:
    """The output layer's delta as BP1 writes it, with nabla_a C for the cost's gradient, and the gradient's own
    equation: the same expression as the proven delta once the gradient is put back in (else the delta whole)."""
    nabla = sp.MatrixSymbol("nabla@", *gradient.shape)
    named = _through_activation(net, v, eq.layer, nabla)
    if named.xreplace({nabla: gradient}).doit() != eq.delta.doit():
        return [("delta", "output", own(v.delta(eq.layer)), own(eq.delta), None)]
    return [
        ("delta", "output", own(v.delta(eq.layer)), own(named), None),
        ("gradient", "output", nabla, own(gradient), None),
    ]


def _relabel(
    net: Network, quantities: Mapping[sp.MatrixSymbol, Quantity], layer: int, base: str, generic: bool
) -> Callable[[sp.Basic], sp.Basic]:
    """A function writing layer ``layer``'s equations relative to it: its symbols as base+0, the layers
    around as base-1 and base+1, its activations with the letter ``base`` (the generic g if ``generic``)."""
    table: dict[sp.Basic, sp.Basic] = {}
    around = {layer - 1: -1, layer: 0, layer + 1: 1}
    for symbol, quantity in quantities.items():
        if quantity.kind == "y":
            table[symbol] = sp.MatrixSymbol(f"{symbol.name}@", *symbol.shape)
        elif quantity.layer in around:
            letter = symbol.name.rstrip("0123456789")
            table[symbol] = sp.MatrixSymbol(f"{letter}@{base}{around[quantity.layer]:+d}", *symbol.shape)
    letter = sp.Symbol(base)

    def rewrite(e: sp.Basic) -> sp.Basic:
        if e in table:
            return table[e]
        if isinstance(e, ElementwiseApplyFunction) and (found := applied_layer(e)) is not None:
            own, prime = found
            name = "g" if generic else net.activation(own).name
            return applied(letter, name, rewrite(e.expr), prime)  # type: ignore[arg-type]
        if not e.args or isinstance(e, sp.MatrixSymbol):
            return e
        return e.func(*(rewrite(a) for a in e.args))

    return rewrite


def _shape_free(e: sp.Basic) -> tuple:
    """An expression's structure with the matrices' shapes left out: the same equation of any widths."""
    if isinstance(e, sp.MatrixSymbol):
        return ("symbol", e.name)
    if isinstance(e, sp.OneMatrix):
        return ("ones", *(d == 1 for d in e.shape))
    if isinstance(e, ElementwiseApplyFunction):
        body = e.function.expr
        return ("apply", type(body).__name__, str(body.args[0]), _shape_free(e.expr))
    if not e.args:
        return ("atom", sp.srepr(e))
    return (type(e).__name__, *(_shape_free(a) for a in e.args))


def not_covered(net: Network, copy: Network) -> list[Stated]:
    """The equations stated for ``net`` that ``copy`` has no layer of: empty when proving the copy's equations
    proves every one stated (each is the same for every layer it stands for)."""
    names = {net.activation(m).name for m in range(1, net.depth + 1)}
    generic = len(names) > 1 or net.activation(1).generic
    have = {row.key for row in stated(copy, generic)}
    return [row for row in stated(net, generic) if row.key not in have]
