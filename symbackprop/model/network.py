"""The network as SymPy expressions: z_j^(l), a_j^(l), the cost C_0, and their composition.

A ``Network`` wraps a validated spec. Each quantity has a local definition (z as a weighted
sum of the previous layer's activations, a as the activation of z, C_0 as a sum over the
output layer) for the chain rule to differentiate, and a composed form (everything written
in inputs and parameters alone) for proofs and expanded results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import sympy as sp

from ..base.errors import SpecError
from ..base.trees import fold
from . import activations, costs, references
from . import notation as notations
from . import spec as specs
from .spec_links import not_layered
from .symbols import C0, A, ActivationPrimeBase, B, SoftmaxExp, W, Y, Z, activation_functions


class Network:
    """A multilayer network described by a spec: its symbols, its equations, its derivations."""

    def __init__(
        self,
        layers: Sequence[int],
        activation: str | Sequence[str] | None = None,
        cost: str | None = None,
        bias: str | None = None,
        index_base: int | None = None,
        notation: str = "3b1b",
        values: Mapping[str, Any] | None = None,
        **extras: Any,
    ) -> None:
        """Describe a network; left-out choices take the notation preset's defaults (sigmoid, sse, per-neuron bias)."""
        given = dict(activation=activation, cost=cost, bias=bias, index_base=index_base, values=values)
        data: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        data.update(layers=list(layers) if isinstance(layers, (list, tuple)) else layers, notation=notation, **extras)
        if isinstance(data.get("activation"), tuple):
            data["activation"] = list(data["activation"])
        self.spec = specs.from_mapping(data)

    @classmethod
    def from_spec(cls, spec: specs.NetworkSpec) -> Network:
        """Wrap an already validated spec."""
        net = cls.__new__(cls)
        net.spec = spec
        return net

    @classmethod
    def from_toml(cls, path: str | Path) -> Network:
        """Read a network from a TOML spec file."""
        return cls.from_spec(specs.from_toml(path))

    # --- shape -----------------------------------------------------------------------------

    @property
    def layers(self) -> tuple[int, ...]:
        return self.spec.layers

    @property
    def depth(self) -> int:
        """L: the output layer's index."""
        return self.spec.depth

    def neurons(self, layer: int) -> range:
        """The neuron indices of a layer, as the spec numbers them."""
        base = self.spec.index_base
        return range(base, base + self.spec.layers[layer])

    def activation(self, layer: int) -> activations.Activation:
        """The catalogue entry of layer ``layer`` (1 to L)."""
        return activations.activation(self.spec.activations[layer - 1])

    @cached_property
    def notation(self) -> notations.Notation:
        return notations.load(self.spec.notation)

    @cached_property
    def cost(self) -> costs.Cost:
        return costs.cost(self.spec.cost)

    def ref(self, text: str) -> references.Ref:
        """Parse a reference such as ``w_{12}^{(L)}`` against this network."""
        return references.parse(text, self.spec)

    def symbol(self, ref: references.Ref) -> sp.Expr:
        """The SymPy symbol a reference names."""
        base = {"w": W, "b": B, "a": A, "z": Z}[ref.kind]
        return base[(ref.layer, *ref.indices)]

    def parameters(self) -> list[references.Ref]:
        """Every weight and bias, from the output layer back."""
        return references.all_parameters(self.spec)

    def require_layered(self, doing: str) -> None:
        """A SpecError for a network with skip connections or tied weights, which ``doing`` (a part of the
        layer-by-layer engine) would get wrong: such a network is derived as a computation graph (dense_graph)."""
        if self.spec.skips or self.spec.ties:
            raise SpecError(not_layered(self.spec.skips, self.spec.ties, doing))

    # --- local definitions -----------------------------------------------------------------

    def bias_symbol(self, layer: int, j: int) -> sp.Expr | None:
        """b_j^(l), or the layer's shared b^(l), or None when z has no bias."""
        mode = self.spec.bias
        if mode == "none":
            return None
        return B[layer, j] if mode == "neuron" else B[layer]

    def z_terms(self, layer: int, j: int) -> tuple[sp.Expr, ...]:
        """The terms of z_j^(l) written out: w_jk a_k for each k, then the bias."""
        self.require_layered("the layer-by-layer definition of z")
        terms = [W[layer, j, k] * A[layer - 1, k] for k in self.neurons(layer - 1)]
        bias = self.bias_symbol(layer, j)
        return tuple(terms + ([bias] if bias is not None else []))

    def z_definition(self, layer: int, j: int) -> sp.Expr:
        """z_j^(l) = sum_k w_jk^(l) a_k^(l-1) (+ the bias)."""
        return sp.Add(*self.z_terms(layer, j))

    def a_definition(self, layer: int, j: int) -> sp.Expr:
        """a_j^(l) as a function of the layer's weighted inputs."""
        act = self.activation(layer)
        if act.elementwise:
            return activation_functions(act.name)[0](layer, Z[layer, j])
        exps = [SoftmaxExp(Z[layer, i]) for i in self.neurons(layer)]
        return SoftmaxExp(Z[layer, j]) / sp.Add(*exps)

    def activation_prime(self, layer: int, j: int) -> sp.Expr:
        """g'^(l)(z_j^(l)) for an elementwise layer, in the textbook's symbol."""
        act = self.activation(layer)
        return activation_functions(act.name)[1](layer, Z[layer, j])

    def softmax_partial(self, layer: int, i: int, j: int) -> sp.Expr:
        """da_i/dz_j for a softmax layer: a_i (delta_ij - a_j)."""
        return A[layer, i] * (sp.KroneckerDelta(i, j) - A[layer, j])

    def outputs(self) -> list[sp.Expr]:
        return [A[self.depth, j] for j in self.neurons(self.depth)]

    def targets(self) -> list[sp.Expr]:
        return [Y[j] for j in self.neurons(self.depth)]

    def cost_terms(self) -> tuple[sp.Expr, ...]:
        """C_0 written out one output neuron at a time."""
        return self.cost.terms(self.outputs(), self.targets())

    def cost_definition(self) -> sp.Expr:
        """C_0 in the output activations and the targets."""
        return sp.Add(*self.cost_terms())

    # --- general equations, for documents -------------------------------------------------

    def equations(self, layer: int) -> list[tuple[sp.Expr, tuple[sp.Expr, ...]]]:
        """z_j^(l) = sum_k w_jk^(l) a_k^(l-1) (+ bias) and a_j^(l) = g^(l)(...), with j, k as letters.

        Each right-hand side is a tuple of terms, to be written in that order with "+".
        """
        j, k, i = sp.symbols("j k i")
        first = self.spec.index_base
        if self.layers[layer] == 1:  # one neuron: its equations name it, with no j to range over
            j = sp.Integer(first)
        weighted = _over(W[layer, j, k] * A[layer - 1, k], k, first, self.layers[layer - 1])
        bias = self.bias_symbol(layer, j)
        z = (weighted, bias) if bias is not None else (weighted,)
        return [(Z[layer, j], z), (A[layer, j], (self.a_general(layer, j, i),))]

    def a_general(self, layer: int, j: sp.Expr, over: sp.Symbol) -> sp.Expr:
        """a_j^(l) for a neuron named by a letter: g^(l)(z_j), or softmax's e^{z_j} over a sum on ``over``."""
        act = self.activation(layer)
        if act.elementwise:
            return activation_functions(act.name)[0](layer, Z[layer, j])
        total = _over(SoftmaxExp(Z[layer, over]), over, self.spec.index_base, self.layers[layer])
        return SoftmaxExp(Z[layer, j]) / total

    def cost_equation(self) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
        """C_0 as a sum over the output neurons j."""
        j, first = sp.Symbol("j"), self.spec.index_base
        term = self.cost.term(A[self.depth, j], Y[j], self.layers[-1])
        return C0, (_over(term, j, first, self.layers[-1]),)

    def activation_prime_in_a(self, layer: int, j: int) -> sp.Expr | None:
        """g'(z_j) written with a_j = g(z_j) where the activation allows (sigmoid: a (1 - a))."""
        act = self.activation(layer)
        return act.prime_in_a(A[layer, j]) if act.prime_in_a is not None else None

    # --- composition -----------------------------------------------------------------------

    def forward_map(
        self, start: references.Ref | None = None, concrete: bool | None = False
    ) -> Mapping[sp.Expr, sp.Expr]:
        """z and a of every layer above ``start`` written in what lies below them.

        With ``start`` None everything is written in inputs and parameters; with an
        activation a_k^(l) or a weighted input z_j^(l), that layer's a's (or z's) stay free.
        ``concrete`` True uses the catalogue's formulas; False makes each elementwise layer's
        activation an undefined function g_l, so a proof covers every activation; None keeps
        the textbook's named functions (sigma(z), sigma'(z)), for reading.
        """
        key = (start, concrete)
        if key not in self._forward_maps:  # built once per network: every proof and document composes with it
            self._forward_maps[key] = MappingProxyType(self._forward_map(start, concrete))
        return self._forward_maps[key]

    @cached_property
    def _forward_maps(self) -> dict[tuple[references.Ref | None, bool | None], Mapping[sp.Expr, sp.Expr]]:
        return {}

    def _forward_map(self, start: references.Ref | None, concrete: bool | None) -> dict[sp.Expr, sp.Expr]:
        self.require_layered("the layer-by-layer forward pass")
        first = 1 if start is None else start.layer
        mapping: dict[sp.Expr, sp.Expr] = {}
        for layer in range(first, self.depth + 1):
            free_z = start is not None and start.kind == "z" and layer == start.layer
            free_a = start is not None and start.kind == "a" and layer == start.layer
            if free_a:
                continue
            for j in self.neurons(layer):
                if not free_z:
                    mapping[Z[layer, j]] = self.z_definition(layer, j).xreplace(mapping)
            zs = {i: mapping.get(Z[layer, i], Z[layer, i]) for i in self.neurons(layer)}
            for j in self.neurons(layer):
                mapping[A[layer, j]] = self._apply(layer, j, zs, concrete)
        return mapping

    def _apply(self, layer: int, j: int, zs: Mapping[int, sp.Expr], concrete: bool | None) -> sp.Expr:
        act = self.activation(layer)
        if not act.elementwise:
            exp = sp.exp if concrete else SoftmaxExp
            return exp(zs[j]) / sp.Add(*(exp(z) for z in zs.values()))
        if concrete is None:
            return activation_functions(act.name)[0](layer, zs[j])
        if concrete and act.form is not None:
            return act.form(zs[j])
        return generic_function(layer)(zs[j])

    def composed_cost(self, start: references.Ref | None = None, concrete: bool | None = False) -> sp.Expr:
        """C_0 with every forward definition substituted (see ``forward_map``)."""
        return self.cost_definition().xreplace(self.forward_map(start, concrete))

    def compose(self, expr: sp.Expr, start: references.Ref | None = None, concrete: bool | None = False) -> sp.Expr:
        """Write an expression in intermediate symbols (a, z, g') in what lies below them.

        Each shared subexpression is rebuilt once: a deep network's result and its forward definitions share
        subexpressions everywhere, and walking them as trees (``xreplace``, ``replace``) takes time exponential
        in the depth. ``concrete`` None keeps g'(z) as the textbook's symbol.
        """

        def rebuild(e: sp.Basic, args: list[sp.Basic]) -> sp.Basic:
            if isinstance(e, ActivationPrimeBase) and concrete is not None:
                return self._prime(int(e.args[0]), args[1], concrete)
            return e.func(*args) if args != list(e.args) else e

        return fold(expr, rebuild, dict(self.forward_map(start, concrete)))  # a mapped symbol is a leaf

    def _prime(self, layer: int, arg: sp.Expr, concrete: bool | None) -> sp.Expr:
        act = self.activation(layer)
        if concrete and act.prime is not None:
            return act.prime(arg)
        return generic_prime(layer, arg)


def _over(body: sp.Expr, index: sp.Symbol, first: int, count: int) -> sp.Expr:
    """A sum over ``count`` neurons numbered from ``first``; one neuron's term when there is one."""
    if count == 1:
        return body.xreplace({index: sp.Integer(first)})
    return sp.Sum(body, (index, first, first + count - 1))


_GENERIC: dict[int, sp.FunctionClass] = {}


def generic_function(layer: int) -> sp.FunctionClass:
    """g_l: an undefined SymPy function standing for layer ``layer``'s activation."""
    if layer not in _GENERIC:
        _GENERIC[layer] = sp.Function(f"g_{layer}")
    return _GENERIC[layer]


def generic_prime(layer: int, arg: sp.Expr) -> sp.Expr:
    """g_l'(arg) as one applied function g_l_prime, the name the checks give SymPy's derivatives of g_l."""
    return sp.Function(f"g_{layer}_prime")(arg)
