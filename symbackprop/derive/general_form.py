"""The general form: derivatives with letters for the layer and the neurons, for a network of any depth.

    dC_0/dw_jk^(l) = a_k^(l-1) g'^(l)(z_j^(l)) dC_0/da_j^(l)
    dC_0/db_j^(l)  = g'^(l)(z_j^(l)) dC_0/da_j^(l)
    dC_0/da_k^(l-1) = sum_j w_jk^(l) g'^(l)(z_j^(l)) dC_0/da_j^(l)
    dC_0/da_j^(L)  = the cost's derivative (2(a_j^(L) - y_j) for sse)

as the source texts state them, with delta_j^(l) = dC_0/dz_j^(l) where the notation uses it
and the coupled sum over i for a softmax layer. ``instantiate`` puts numbers in for l, j, k and
unrolls the recursion down to the output, so each general formula can be proven equal to the
element derivation of every weight and bias of a concrete network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from ..model.network import Network
from ..model.partial import Partial
from ..model.references import Ref
from ..model.symbols import C0, A, B, OrderedProduct, W, Y, Z, activation_functions

L_ = sp.Symbol("l", integer=True)
OUTPUT = sp.Symbol("L", integer=True)
J, K, I = sp.symbols("j k i", integer=True)


class Sensitivity(sp.Function):
    """dC_0/da_j^(l), kept whole in the general formulas; args (layer, j)."""

    nargs = 2

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return printer._print(Partial(C0, A[self.args[0], self.args[1]]))

    def _symbackprop_text(self, printer: sp.printing.str.StrPrinter) -> str:
        return printer._print(Partial(C0, A[self.args[0], self.args[1]]))


class Error(sp.Function):
    """delta_j^(l) = dC_0/dz_j^(l); args (layer, j)."""

    nargs = 2

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return printer._print(DELTA[self.args[0], self.args[1]])

    def _symbackprop_text(self, printer: sp.printing.str.StrPrinter) -> str:
        return printer._print(DELTA[self.args[0], self.args[1]])


DELTA = sp.IndexedBase("delta")


@dataclass(frozen=True)
class GeneralFormula:
    """One equation of the general form: ``lhs = rhs``, with words saying when it applies."""

    lhs: sp.Expr
    rhs: sp.Expr
    applies: str


@dataclass(frozen=True)
class GeneralForm:
    """The general formulas for one kind of quantity (w, b, a or z), in one network's notation."""

    network: Network
    kind: str
    target: sp.Expr  # w_jk^(l), b_j^(l), a_k^(l-1) or z_j^(l)
    formulas: tuple[GeneralFormula, ...]


def general_form(net: Network, kind: str) -> GeneralForm:
    """The formulas for dC_0 with respect to a weight, bias, activation or weighted input of any layer."""
    net.require_layered("the general form")
    g_prime = _prime(net, L_, Z[L_, J])
    delta = net.notation.use_delta
    upstream = Error(L_, J) if delta else _ordered(Sensitivity(L_, J), g_prime)
    formulas = []
    if kind == "w":
        target = W[L_, J, K]
        formulas.append(GeneralFormula(_partial(target), _ordered(upstream, A[L_ - 1, K]), "for every layer l"))
    elif kind == "b":
        target = B[L_, J] if net.spec.bias == "neuron" else B[L_]
        rhs = upstream if net.spec.bias == "neuron" else sp.Sum(upstream, (J, *_range(net)))
        formulas.append(GeneralFormula(_partial(target), rhs, "for every layer l"))
    elif kind == "z":
        target = Z[L_, J]
    else:
        target = A[L_ - 1, K]
    if delta or kind == "z":
        error = _ordered(Sensitivity(L_, J), g_prime)
        formulas.append(GeneralFormula(Error(L_, J), error, "the error of neuron j, for every layer l"))
    hidden = _ordered(Error(L_, J) if delta else _ordered(Sensitivity(L_, J), g_prime), W[L_, J, K])
    formulas.append(
        GeneralFormula(
            Sensitivity(L_ - 1, K),
            sp.Sum(hidden, (J, *_range(net))),
            "for every layer below the output: the sum over the neurons j of the layer above",
        )
    )
    depth = net.depth
    a_out = A[OUTPUT, J]  # the output layer written L, as the texts write it in a formula for any network
    cost = sp.factor_terms(sp.diff(net.cost.term(a_out, Y[J], net.layers[-1]), a_out))
    output = {depth: OUTPUT}
    formulas.append(GeneralFormula(Sensitivity(OUTPUT, J), cost, "at the output layer L"))
    softmax = [m for m in range(1, depth + 1) if not net.activation(m).elementwise]
    for m in softmax:
        layer = output.get(m, m)
        partial = net.softmax_partial(m, I, J).xreplace({A[m, I]: A[layer, I], A[m, J]: A[layer, J]})
        coupled = sp.Sum(_ordered(Sensitivity(layer, I), partial), (I, *_range(net, m)))
        name = net.notation.layer(m, depth)
        formulas.append(GeneralFormula(Error(layer, J), coupled, f"softmax couples layer {name}: this replaces g'"))
    return GeneralForm(net, kind, target, tuple(formulas))


def instantiate(net: Network, ref: Ref) -> sp.Expr:
    """The general formula for ``ref``'s kind with its layer and indices filled in, unrolled to the output."""
    layer, idx = ref.layer, ref.indices
    if ref.kind == "w":
        return A[layer - 1, idx[1]] * _error(net, layer, idx[0])
    if ref.kind == "b":
        if not idx:
            return sp.Add(*(_error(net, layer, j) for j in net.neurons(layer)))
        return _error(net, layer, idx[0])
    if ref.kind == "z":
        return _error(net, layer, idx[0])
    return _sensitivity(net, layer, idx[0])


def _error(net: Network, layer: int, j: int) -> sp.Expr:
    """delta_j^(l) = dC_0/dz_j^(l), through the layer's activation (softmax: the coupled sum)."""
    if not net.activation(layer).elementwise:
        neurons = net.neurons(layer)
        return sp.Add(*(_sensitivity(net, layer, i) * net.softmax_partial(layer, i, j) for i in neurons))
    return activation_functions(net.activation(layer).name)[1](layer, Z[layer, j]) * _sensitivity(net, layer, j)


def _sensitivity(net: Network, layer: int, k: int) -> sp.Expr:
    """dC_0/da_k^(l): the cost's derivative at the output, else the sum over the next layer."""
    if layer == net.depth:
        a = A[layer, k]
        return sp.diff(net.cost.term(a, Y[k], net.layers[-1]), a)
    return sp.Add(*(W[layer + 1, j, k] * _error(net, layer + 1, j) for j in net.neurons(layer + 1)))


def _ordered(*factors: sp.Expr) -> sp.Expr:
    """A product kept in the order of the chain (SymPy would sort its factors)."""
    return OrderedProduct(*factors)


def _partial(target: sp.Expr) -> sp.Expr:
    return Partial(C0, target)


def _prime(net: Network, layer: sp.Expr, z: sp.Expr) -> sp.Expr:
    """g'^(l)(z): the generic g unless every layer has the same elementwise activation."""
    names = {net.activation(m).name for m in range(1, net.depth + 1)}
    name = names.pop() if len(names) == 1 and net.activation(1).elementwise else "g"
    return activation_functions(name)[1](layer, z)


def _range(net: Network, layer: sp.Expr = L_) -> tuple[sp.Expr, sp.Expr]:
    """j from the first neuron to n_l - 1 (or 1 to n_l): the layer's size as a symbol n_l."""
    first = net.spec.index_base
    if isinstance(layer, int):
        return (sp.Integer(first), sp.Integer(first + net.layers[layer] - 1))
    size = sp.Symbol(f"n_{{{layer}}}", integer=True)
    return (sp.Integer(first), size - 1 + first)


GENERAL_REFERENCE = re.compile(
    r"^\s*(?P<kind>[wbaz])\s*(?:_\s*\{?\s*(?P<sub>[a-km-z]{1,2})\s*\}?)?\s*\^\s*\{?\s*\(?\s*l\s*(?P<back>-\s*1)?\s*\)?\s*\}?\s*$"
)


def general_kind(text: str) -> str | None:
    """The kind (w, b, a, z) when ``text`` names an element with letters, as w_{jk}^{(l)} or a_k^{(l-1)}; else None."""
    m = GENERAL_REFERENCE.match(text) if isinstance(text, str) and len(text) <= 60 else None
    return m["kind"] if m else None
