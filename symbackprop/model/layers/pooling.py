"""Pooling layers, element by element: torch.nn.MaxPool1d, MaxPool2d and AvgPool2d, each channel on its own.

A max pool's element is its window's max as a chain of two-input max gates over the window in PyTorch's scan
order (row-major), max(max(max(a, b), c), d), each a ``maxgate``: its derivative with respect to the running max
is Heaviside(running - entry, 1) and with respect to the new entry Heaviside(entry - running, 0), 1 for the larger
and 0 for the other, so the gradient is routed gate by gate to the window's arg max. At a tie the earlier input
keeps it, so a tied window sends all of its gradient to the first maximum in scan order, as PyTorch's
MaxPool1d/MaxPool2d do on the CPU (a worked example's small whole numbers tie often); SymPy's own Max would split
it, Heaviside(0) = 1/2.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from ..graph_functions import maxgate
from .stack import Layer
from .wiring import Wiring, element_name, empty


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
                out[(n, c, *at)] = _max_gates(w, layer, (n, c, *at), window)
            else:
                out[(n, c, *at)] = sp.Add(*window) / len(window)
    return w.node_array("p", layer.number, out)


def _max_gates(w: Wiring, layer: Layer, index: tuple[int, ...], window: list[sp.Expr]) -> sp.Expr:
    """The window's max as a chain of two-input max gates, each but the last a node ``q`` of its own (its last
    index the step): each gate routes its gradient to the larger of its two inputs, at a tie to the earlier, as
    PyTorch does, and every proof method reads a max of two."""
    running = window[0]
    for step, entry in enumerate(window[1:-1]):
        running = w.node(element_name("q", layer.number, (*index, step)), maxgate(running, entry))
    return maxgate(running, window[-1]) if len(window) > 1 else running
