"""Batch normalisation (training mode) and layer normalisation, with their statistics as nodes of their own.

Batch norm normalises each channel over the batch (and, for a [channels, length] or [channels, height, width]
input, over the positions too), as torch.nn.BatchNorm1d and BatchNorm2d do in training: the mean m_c, the biased
variance v_c = mean of (x - m_c)^2, then u = (x - m_c)/sqrt(v_c + eps) and gamma_c u + beta_c. Because m_c and
v_c are nodes, a derivation with respect to one x shows its three paths: direct, through the mean, and through
the variance. Layer norm does the same over each sample's last dimension (torch.nn.LayerNorm(last size)).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import sympy as sp

from .stack import Layer
from .wiring import Wiring, empty


def batchnorm(w: Wiring, layer: Layer, h: np.ndarray, weights: Mapping[str, np.ndarray]) -> np.ndarray:
    """Statistics per channel (axis 1), over every other axis."""
    channels = h.shape[1]
    means, variances = empty((channels,)), empty((channels,))
    groups = []
    for c in range(channels):
        group = list(np.moveaxis(h, 1, 0)[c].ravel())
        groups.append(group)
        means[c] = sp.Add(*group) / len(group)
    means = w.node_array("m", layer.number, means)
    for c, group in enumerate(groups):
        variances[c] = sp.Add(*((x - means[c]) ** 2 for x in group)) / len(group)
    variances = w.node_array("v", layer.number, variances)
    return _normalised(w, layer, h, weights, lambda index: index[1], means, variances)


def layernorm(w: Wiring, layer: Layer, h: np.ndarray, weights: Mapping[str, np.ndarray]) -> np.ndarray:
    """Statistics per row of the last dimension; gamma and beta per position in it."""
    rows = h.shape[:-1]
    means, variances = empty(rows), empty(rows)
    for index in itertools.product(*(range(n) for n in rows)):
        means[index] = sp.Add(*h[index]) / h.shape[-1]
    means = w.node_array("m", layer.number, means)
    for index in itertools.product(*(range(n) for n in rows)):
        variances[index] = sp.Add(*((x - means[index]) ** 2 for x in h[index])) / h.shape[-1]
    variances = w.node_array("v", layer.number, variances)
    out = _normalised(w, layer, h, weights, lambda index: index[:-1], means, variances, per=lambda index: index[-1])
    return out


def _normalised(w, layer, h, weights, statistic, means, variances, per=None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """u = (x - m)/sqrt(v + eps) as nodes, then gamma u + beta; ``statistic`` picks an element's mean and
    variance, ``per`` its gamma and beta (the channel's, by default)."""
    eps = sp.Rational(repr(layer["eps"]))
    gamma, beta = weights["weight"], weights["bias"]
    per = per or (lambda index: index[1])
    u = empty(h.shape)
    for index in itertools.product(*(range(n) for n in h.shape)):
        at = statistic(index)
        u[index] = (h[index] - means[at]) / sp.sqrt(variances[at] + eps)
    u = w.node_array("u", layer.number, u)
    out = empty(h.shape)
    for index in itertools.product(*(range(n) for n in h.shape)):
        out[index] = gamma[per(index)] * u[index] + beta[per(index)]
    return w.node_array("z", layer.number, out)
