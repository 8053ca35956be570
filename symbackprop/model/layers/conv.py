"""Convolution layers, element by element: torch.nn.Conv1d and Conv2d (a cross-correlation, as every framework
computes it), with stride and zero padding.

Output channel o at position (i, j) of sample n is b_o + sum over input channels c and kernel offsets (u, v) of
W_{o,c,u,v} x_{n,c,i s + u, j s + v}; a padded position is 0 and drops out of the sum.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import sympy as sp

from .stack import Layer
from .wiring import Wiring, empty


def convolution(w: Wiring, layer: Layer, h: np.ndarray, weights: Mapping[str, np.ndarray]) -> np.ndarray:
    """Conv1d on (batch, channels, length) or Conv2d on (batch, channels, height, width)."""
    weight, bias = weights["weight"], weights["bias"]
    pad, stride, k = layer["padding"], layer["stride"], layer["kernel"]
    sides = h.ndim - 2
    padded = np.full((*h.shape[:2], *(n + 2 * pad for n in h.shape[2:])), sp.Integer(0), dtype=object)
    padded[(slice(None), slice(None), *(slice(pad, pad + n) for n in h.shape[2:]))] = h
    out = empty((h.shape[0], *layer.shape_out))
    offsets = list(itertools.product(range(k), repeat=sides))
    for n in range(h.shape[0]):
        for o in range(layer["out_channels"]):
            for at in itertools.product(*(range(m) for m in layer.shape_out[1:])):
                terms = [
                    weight[(o, c, *off)] * padded[(n, c, *(p * stride + d for p, d in zip(at, off, strict=True)))]
                    for c in range(h.shape[1])
                    for off in offsets
                ]
                out[(n, o, *at)] = sp.Add(*terms, bias[o])
    return w.node_array("z", layer.number, out)
