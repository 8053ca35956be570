"""An independent oracle: the cost composed from scratch with plain SymPy symbols.

It shares no code with the engine's network or derivation stages: it writes the forward
pass and the cost out directly, with each activation's textbook formula, so that
``sympy.diff`` of it is a reference the engine's chain rule can be held to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp


def _activation(name: str, zs: list[sp.Expr]) -> list[sp.Expr]:
    if name == "softmax":
        exps = [sp.exp(z) for z in zs]
        return [e / sp.Add(*exps) for e in exps]
    if name.startswith("leaky_relu"):
        # Written with Max rather than Piecewise: nested Piecewise derivatives explode in size.
        slope = sp.Rational(name.partition(":")[2] or "0.01")
        return [slope * z + (1 - slope) * sp.Max(0, z) for z in zs]
    formula = {
        "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
        "tanh": sp.tanh,
        "relu": lambda z: sp.Max(0, z),
        "softplus": lambda z: sp.log(1 + sp.exp(z)),
        "identity": lambda z: z,
    }[name]
    return [formula(z) for z in zs]


def _cost(name: str, out: list[sp.Expr], ys: list[sp.Expr]) -> sp.Expr:
    n = len(out)
    per = {
        "sse": lambda a, y: (a - y) ** 2,
        "half_sse": lambda a, y: (a - y) ** 2 / 2,
        "mse": lambda a, y: (a - y) ** 2 / n,
        "cross_entropy": lambda a, y: -y * sp.log(a),
        "binary_cross_entropy": lambda a, y: -(y * sp.log(a) + (1 - y) * sp.log(1 - a)),
    }[name]
    return sp.Add(*(per(a, y) for a, y in zip(out, ys, strict=False)))


@dataclass
class Oracle:
    """C_0 of one sample in symbols x_k, y_j, w_l_j_k, b_l_j (0-based, l from 1)."""

    cost: sp.Expr
    weights: list[list[list[sp.Symbol]]]
    biases: list[list[sp.Symbol]]
    xs: list[sp.Symbol]
    ys: list[sp.Symbol]

    def gradient(self, x, y, weights, biases) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """sympy.diff of the composed cost, averaged over the samples in x, y."""
        params = [s for m in self.weights for row in m for s in row] + [s for bl in self.biases for s in bl]
        args = self.xs + self.ys + params
        step = {"Heaviside": lambda x, at_zero=0.5: np.heaviside(x, at_zero)}  # printed as is, never rewritten
        grads = sp.lambdify(args, [sp.diff(self.cost, p) for p in params], [step, "numpy"], cse=True)
        flat = [float(v) for m in weights for row in np.atleast_2d(m) for v in row]
        flat += [float(v) for b in biases for v in np.atleast_1d(b)]
        per_sample = [grads(*xi, *yi, *flat) for xi, yi in zip(x, y, strict=False)]
        means = np.mean(np.array(per_sample, dtype=float), axis=0)
        gw, pos = [], 0
        for m in self.weights:
            size = len(m) * len(m[0])
            gw.append(means[pos : pos + size].reshape(len(m), len(m[0])))
            pos += size
        gb = []
        for bl in self.biases:
            gb.append(means[pos : pos + len(bl)])
            pos += len(bl)
        return gw, gb


def oracle(layers: list[int], acts: list[str], cost: str, bias: str) -> Oracle:
    """Compose the cost of a network from its description alone."""
    xs = [sp.Symbol(f"x_{k}") for k in range(layers[0])]
    ys = [sp.Symbol(f"y_{j}") for j in range(layers[-1])]
    weights, biases, a = [], [], list(xs)
    for l in range(1, len(layers)):
        w = [[sp.Symbol(f"w_{l}_{j}_{k}") for k in range(layers[l - 1])] for j in range(layers[l])]
        b = {"neuron": [sp.Symbol(f"b_{l}_{j}") for j in range(layers[l])], "layer": [sp.Symbol(f"b_{l}")], "none": []}[
            bias
        ]
        zs = []
        for j in range(layers[l]):
            shift = b[j] if bias == "neuron" else (b[0] if bias == "layer" else 0)
            zs.append(sp.Add(*(w[j][k] * a[k] for k in range(layers[l - 1]))) + shift)
        a = _activation(acts[l - 1], zs)
        weights.append(w)
        biases.append(b)
    return Oracle(_cost(cost, a, ys), weights, biases if bias != "none" else [], xs, ys)
