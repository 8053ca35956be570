"""The gradient of the mean cost for every weight and bias at once, layer by layer, for training runs.

The per-parameter formulas (``numbers.gradient_of_mean_cost``) cost a few hundred microseconds
a call; a training run of 10,000 steps needs each step in tens. This is the same chain rule
in matrix form: the output layer's delta from the cost's derivative dC_0/da^(L) (the
cost's own SymPy term, differentiated and lambdified) times the activation's derivative
(softmax's Jacobian for a softmax layer), each earlier delta from the next one through the
weights, and each gradient an outer product with the layer before. The tests hold it equal
to the per-parameter formulas, to finite differences and to PyTorch autograd.

``ahead`` computes it the way a common slip does: each layer's weights updated (by
``ahead`` times their gradient) before the delta of the layer below is computed from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..base.errors import SpecError
from ..model.network import Network
from .formula import lambdified

Arrays = list[np.ndarray]

# g'(z) from a = g(z), where the activation allows it (the identities the activation facts prove): no second
# evaluation of the activation
_FROM_OUTPUT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda a: a * (1.0 - a),
    "tanh": lambda a: 1.0 - a * a,
}


@dataclass(frozen=True)
class Step:
    """One forward and backward pass: each sample's cost, the gradients (means over the samples, shaped like
    the spec's weights and biases), and the first layer's inputs and every layer's outputs."""

    costs: np.ndarray
    weights: Arrays
    biases: Arrays


class LayerGradient:
    """``LayerGradient(net)(x, y, weights, biases)``: a ``Step`` for a layered network's numbers."""

    def __init__(self, net: Network) -> None:
        net.require_layered("the layer-by-layer gradient")
        self.net, self.bias = net, net.spec.bias
        self.acts = [net.activation(layer) for layer in range(1, net.depth + 1)]
        for layer, act in enumerate(self.acts, start=1):
            if act.elementwise and (act.numpy_form is None or act.numpy_prime is None):
                raise SpecError(
                    f"layer {layer} uses the generic activation g, which has no numbers; name a concrete one"
                )
        self.cost_prime = _cost_prime(net)

    def __call__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        ahead: float | None = None,
    ) -> Step:
        zs, outs = self._forward(x, weights, biases)
        costs = self.net.cost.numpy(outs[-1], y)
        n = x.shape[0]
        delta = self._output_delta(outs[-1], y, zs[-1])
        gw: Arrays = [np.empty(0)] * len(weights)
        gb: Arrays = [np.empty(0)] * len(weights)
        for i in range(len(weights) - 1, -1, -1):
            gw[i] = delta.T @ outs[i] / n
            if biases:
                gb[i] = delta.mean(axis=0) if self.bias == "neuron" else np.array([delta.mean(axis=0).sum()])
            if i:
                through = weights[i] if ahead is None else weights[i] - ahead * gw[i]
                delta = self._hidden_delta(delta @ through, zs[i - 1], outs[i], i)
        return Step(costs, gw, gb if biases else [])

    def costs(
        self, x: np.ndarray, y: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
    ) -> np.ndarray:
        """Each sample's cost, by the forward pass alone."""
        return self.net.cost.numpy(self._forward(x, weights, biases)[1][-1], y)

    def _forward(
        self, x: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
    ) -> tuple[Arrays, Arrays]:
        zs, outs = [], [x]
        for i, w in enumerate(weights):
            z = outs[-1] @ w.T
            if biases:
                z = z + biases[i]
            zs.append(z)
            outs.append(self._activate(i, z))
        return zs, outs

    def _activate(self, i: int, z: np.ndarray) -> np.ndarray:
        act = self.acts[i]
        if not act.elementwise:  # softmax, row by row
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return act.numpy_form(z)  # type: ignore[misc]  # checked in __init__

    def _output_delta(self, out: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        return self._hidden_delta(self.cost_prime(out, y), z, out, len(self.acts))

    def _hidden_delta(self, upstream: np.ndarray, z: np.ndarray, out: np.ndarray, layer: int) -> np.ndarray:
        """dC/dz of a layer from dC/da: times g'(z), or through softmax's Jacobian a_i ([i = j] - a_j)."""
        act = self.acts[layer - 1]
        if not act.elementwise:
            return out * (upstream - np.sum(upstream * out, axis=1, keepdims=True))
        from_output = _FROM_OUTPUT.get(act.name)
        if from_output is not None:
            return upstream * from_output(out)
        return upstream * act.numpy_prime(z)  # type: ignore[misc]  # checked in __init__


def _cost_prime(net: Network) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """dC_0/da_j^(L) for every output neuron and sample, from the cost's own term differentiated by SymPy."""
    a, y = sp.Symbol("a", real=True), sp.Symbol("y", real=True)
    width = net.layers[-1]
    function = lambdified([sp.diff(net.cost.term(a, y, width), a)], [a, y])

    def prime(out: np.ndarray, target: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.asarray(function(out, target)[0], dtype=float), out.shape)

    return prime
