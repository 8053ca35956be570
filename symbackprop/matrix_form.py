"""Backpropagation in matrix form, Nielsen's BP1-BP4, for a whole batch, as SymPy matrix expressions.

Rows are samples: A^(l) is n x n_l, W^(l) is n_l x n_(l-1), as in the spec's values.

    Z^(l) = A^(l-1) W^(l)T + 1 b^(l)T                     the forward pass
    Delta^(L) = dC/dA^(L) (.) g'(Z^(L))                    BP1 (softmax: the Jacobian product)
    Delta^(l) = (Delta^(l+1) W^(l+1)) (.) g'(Z^(l))        BP2
    dC/db^(l) = (1/n) 1^T Delta^(l)                        BP3, the mean over the batch
    dC/dW^(l) = (1/n) Delta^(l)T A^(l-1)                   BP4

The same equations are printed in documents, turned into NumPy code (codegen), and proven
equal, entry by entry, to the element-by-element derivations (``prove``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from .network import Network
from .references import Ref
from .symbols import A, W, Y, Z, activation_functions

N = sp.Symbol("n", integer=True, positive=True)  # samples in the batch


class Activated(sp.MatrixExpr):
    """g^(l) or g'^(l) applied entry by entry to Z^(l); args (Z, layer, prime)."""

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[0].shape

    @property
    def layer(self) -> int:
        return int(self.args[1])

    @property
    def prime(self) -> bool:
        return bool(self.args[2])


class CostGradient(sp.MatrixExpr):
    """dC_0/dA^(L), entry by entry, for every sample: args (A^(L), Y)."""

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[0].shape


class SoftmaxBackward(sp.MatrixExpr):
    """The softmax Jacobian applied to each row: A (.) (G - rowsum(G (.) A)); args (A, G)."""

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[0].shape


class BatchMean(sp.MatrixExpr):
    """(1/n) 1^T M: the mean of the rows; with args (M, True) the mean of every entry (a shared bias)."""

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (1, 1) if self.args[1] else (1, self.args[0].shape[1])


@dataclass(frozen=True)
class LayerEquations:
    """One layer's matrix-form results: its Delta, and the gradients of its weights and biases."""

    layer: int
    delta: sp.MatrixExpr
    grad_w: sp.MatrixExpr
    grad_b: sp.MatrixExpr | None


class MatrixForm:
    """The matrix-form equations of one network, from the output layer back."""

    def __init__(self, net: Network) -> None:
        self.net = net

    def a(self, layer: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"A{layer}", N, self.net.layers[layer])

    def z(self, layer: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"Z{layer}", N, self.net.layers[layer])

    def w(self, layer: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"W{layer}", self.net.layers[layer], self.net.layers[layer - 1])

    def b(self, layer: int) -> sp.MatrixSymbol:
        width = 1 if self.net.spec.bias == "layer" else self.net.layers[layer]
        return sp.MatrixSymbol(f"b{layer}", 1, width)

    def delta(self, layer: int) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(f"Delta{layer}", N, self.net.layers[layer])

    @property
    def y(self) -> sp.MatrixSymbol:
        return sp.MatrixSymbol("Y", N, self.net.layers[-1])

    @cached_property
    def layers(self) -> tuple[LayerEquations, ...]:
        """BP1-BP4 for every layer, the output layer first."""
        out = []
        for layer in range(self.net.depth, 0, -1):
            out.append(LayerEquations(layer, self.delta_rule(layer), self.grad_w(layer), self.grad_b(layer)))
        return tuple(out)

    def upstream(self, layer: int) -> sp.MatrixExpr:
        """dC/dA^(l): the cost's gradient at the output (BP1), else Delta^(l+1) W^(l+1) (BP2)."""
        if layer == self.net.depth:
            return CostGradient(self.a(layer), self.y)
        return self.delta(layer + 1) * self.w(layer + 1)

    def delta_rule(self, layer: int) -> sp.MatrixExpr:
        """Delta^(l) = dC/dZ^(l): the upstream gradient through the activation's derivative."""
        upstream = self.upstream(layer)
        if not self.net.activation(layer).elementwise:
            return SoftmaxBackward(self.a(layer), upstream)
        return sp.HadamardProduct(upstream, Activated(self.z(layer), sp.Integer(layer), sp.Integer(1)))

    def grad_w(self, layer: int) -> sp.MatrixExpr:
        return BatchMeanProduct(self.delta(layer), self.a(layer - 1))

    def grad_b(self, layer: int) -> sp.MatrixExpr | None:
        if self.net.spec.bias == "none":
            return None
        return BatchMean(self.delta(layer), sp.true if self.net.spec.bias == "layer" else sp.false)


class BatchMeanProduct(sp.MatrixExpr):
    """(1/n) Delta^(l)T A^(l-1): the mean over the batch of each sample's outer product, dC/dW^(l)."""

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (self.args[0].shape[1], self.args[1].shape[1])


def matrix_form(net: Network) -> MatrixForm:
    """The matrix-form equations of ``net``."""
    return MatrixForm(net)


# --- the proof: one sample, every entry ---------------------------------------------------------


def prove(net: Network) -> bool:
    """Every entry of dC/dW^(l) and dC/db^(l), worked through the matrix equations for one sample with
    explicit entries, equals the element derivation of that weight or bias (symbolically)."""
    entries = _explicit_gradients(net)
    for ref in net.parameters():
        element = net.derive(ref).result
        if sp.expand(entries[ref] - element) != 0 and sp.cancel(sp.together(entries[ref] - element)) != 0:
            return False
    return True


def _explicit_gradients(net: Network) -> dict[Ref, sp.Expr]:
    """The matrix equations carried out on explicit one-sample rows of the intermediate symbols."""
    base, depth = net.spec.index_base, net.depth
    row = {layer: sp.Matrix([[A[layer, j] for j in net.neurons(layer)]]) for layer in range(depth + 1)}
    out: dict[Ref, sp.Expr] = {}
    upstream = sp.Matrix([[_cost_entry(net, j) for j in net.neurons(depth)]])
    for layer in range(depth, 0, -1):
        delta = _explicit_delta(net, layer, upstream)
        grad_w = delta.T * row[layer - 1]
        for j in range(net.layers[layer]):
            for k in range(net.layers[layer - 1]):
                out[Ref("w", layer, (j + base, k + base))] = grad_w[j, k]
        if net.spec.bias == "neuron":
            for j in range(net.layers[layer]):
                out[Ref("b", layer, (j + base,))] = delta[0, j]
        elif net.spec.bias == "layer":
            out[Ref("b", layer, ())] = sum(delta)
        weights = sp.Matrix([[W[layer, j, k] for k in net.neurons(layer - 1)] for j in net.neurons(layer)])
        upstream = delta * weights
    return out


def _explicit_delta(net: Network, layer: int, upstream: sp.Matrix) -> sp.Matrix:
    neurons = list(net.neurons(layer))
    if net.activation(layer).elementwise:
        primes = [activation_functions(net.activation(layer).name)[1](layer, Z[layer, j]) for j in neurons]
        return sp.Matrix([[upstream[0, i] * primes[i] for i in range(len(neurons))]])
    a = [A[layer, j] for j in neurons]
    total = sum(upstream[0, i] * a[i] for i in range(len(neurons)))
    return sp.Matrix([[a[i] * (upstream[0, i] - total) for i in range(len(neurons))]])


def _cost_entry(net: Network, j: int) -> sp.Expr:
    a = A[net.depth, j]
    return sp.diff(net.cost.term(a, Y[j], net.layers[-1]), a)
