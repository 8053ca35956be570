"""A recurrent layer unrolled through time: torch.nn.RNN with one layer, tanh, h_0 = 0.

h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), one node per sample, step and hidden unit. The weights are the
same leaves at every step, so each one's gradient is the sum over the steps (back-propagation through time), and
h_{t-1} reaches the cost through h_t: the recursion a derivation shows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from .stack import Layer
from .wiring import Wiring, element_name


def rnn(w: Wiring, layer: Layer, h: np.ndarray, weights: Mapping[str, np.ndarray]) -> np.ndarray:
    """(batch, time, size) to (batch, time, hidden) with every_step, else the last step's (batch, hidden)."""
    w_ih, w_hh, b_ih, b_hh = (weights[name] for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"))
    batch, steps, size = h.shape
    hidden = layer["hidden_size"]
    out = np.empty((batch, steps, hidden), dtype=object)
    for n in range(batch):
        for t in range(steps):
            for j in range(hidden):
                terms = [w_ih[j, k] * h[n, t, k] for k in range(size)] + [b_ih[j], b_hh[j]]
                if t:
                    terms += [w_hh[j, k] * out[n, t - 1, k] for k in range(hidden)]
                out[n, t, j] = w.node(element_name("h", layer.number, (n, t, j)), sp.tanh(sp.Add(*terms)))
    return out if layer["every_step"] else out[:, -1, :]
