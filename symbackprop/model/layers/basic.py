"""Dense, activation, flatten, dropout and residual layers, element by element over the batch.

A dense layer is torch.nn.Linear on the last dimension, z_j = sum_k W_jk h_k + b_j; dropout multiplies each unit
by its fixed mask entry and scales the kept ones by 1/(1 - p), as torch.nn.Dropout does in training; a residual
adds an earlier layer's output, element by element.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import sympy as sp

from .stack import Layer
from .wiring import Wiring, activated, empty


def dense(w: Wiring, layer: Layer, h: np.ndarray, weights: Mapping[str, np.ndarray]) -> np.ndarray:
    weight, bias = weights["weight"], weights["bias"]
    z = empty((*h.shape[:-1], layer["size"]))
    for index in itertools.product(*(range(n) for n in h.shape[:-1])):
        row = h[index]
        for j in range(layer["size"]):
            z[(*index, j)] = sp.Add(*(weight[j, k] * a for k, a in enumerate(row)), bias[j])
    z = w.node_array("z", layer.number, z)
    if layer["activation"] is None:
        return z
    return w.node_array("a", layer.number, activated(w, layer.number, layer["activation"], z))


def activation(w: Wiring, layer: Layer, h: np.ndarray) -> np.ndarray:
    return w.node_array("a", layer.number, activated(w, layer.number, layer["activation"], h))


def flatten(h: np.ndarray) -> np.ndarray:
    """Each sample's elements in one row, in torch.flatten's order (the last index fastest): no new nodes."""
    return h.reshape(h.shape[0], -1)


def dropout(w: Wiring, layer: Layer, h: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Kept units times 1/(1 - p), dropped ones 0."""
    scale = 1 / (1 - sp.Rational(str(layer["p"])))
    out = empty(h.shape)
    for index in itertools.product(*(range(n) for n in h.shape)):
        out[index] = h[index] * scale if mask[index] else sp.Integer(0)
    return w.node_array("d", layer.number, out)


def residual(w: Wiring, layer: Layer, h: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    out = empty(h.shape)
    for index in itertools.product(*(range(n) for n in h.shape)):
        out[index] = h[index] + earlier[index]
    return w.node_array("r", layer.number, out)
