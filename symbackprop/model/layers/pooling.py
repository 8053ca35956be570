"""Pooling layers, element by element: torch.nn.MaxPool1d, MaxPool2d and AvgPool2d, each channel on its own.

A max pool's element is SymPy's Max of its window, whose derivative with respect to one entry is
Heaviside(entry - Max(the others)): 1 for the window's largest entry and 0 for the rest, so the gradient is routed
to the arg max, as PyTorch routes it. Where entries tie (which drawn numbers do not, except zeros that a ReLU
made, whose own gradient is 0 either way) SymPy's Heaviside(0) = 1/2 splits it, where PyTorch gives it all to one.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from .stack import Layer
from .wiring import Wiring, empty


def pool(w: Wiring, layer: Layer, h: np.ndarray) -> np.ndarray:
    """(batch, channels, *sides) to the pooled shape: the max, or the mean, of each window."""
    size, stride = layer["size"], layer["stride"]
    sides = h.ndim - 2
    out = empty((h.shape[0], *layer.shape_out))
    offsets = list(itertools.product(range(size), repeat=sides))
    for n, c in itertools.product(range(h.shape[0]), range(h.shape[1])):
        for at in itertools.product(*(range(m) for m in layer.shape_out[1:])):
            window = [h[(n, c, *(p * stride + d for p, d in zip(at, off, strict=True)))] for off in offsets]
            if layer.kind.startswith("max"):
                out[(n, c, *at)] = sp.Max(*window) if len(window) > 1 else window[0]
            else:
                out[(n, c, *at)] = sp.Add(*window) / len(window)
    return w.node_array("p", layer.number, out)
