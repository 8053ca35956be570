"""The compact forms the lessons give for each layer kind's backward pass, computed with whole arrays from the
upstream gradient at the layer's output, and held against the element-by-element backward pass's numbers.

- convolution: dC/dW is the correlation of the (padded) input with the upstream gradient, summed over the batch;
  dC/dX (stride 1) is the full convolution of the upstream gradient with the flipped kernel;
- max pooling: the upstream gradient routed to each window's arg max (through the graph's chain of two-input
  max gates; at a tie to the first maximum in the window's scan order, as PyTorch does); average pooling: spread
  evenly over the window;
- batch norm: dC/dx_i = gamma/(M sqrt(v + eps)) (M g_i - sum_j g_j - u_i sum_j g_j u_j) over the channel's M
  values, with g = dC/dz; dC/dgamma = sum_j g_j u_j, dC/dbeta = sum_j g_j; layer norm alike over the last axis;
- dropout: dC/dx = dC/dd mask / (1 - p);
- rnn: back-propagation through time, delta_t = (dC/dh_t from above + W_hh^T delta_{t+1}) (1 - h_t^2), and
  dC/dW_hh = sum_t delta_t h_{t-1}^T, dC/dW_ih = sum_t delta_t x_t^T, dC/db = sum_t delta_t;
- l2: (lambda/n) W added to each weight's gradient.

Each form's input gradient is held only against the gradient that flows through the layer's own nodes (an input
that also feeds a residual gets more from there). These are checks in numbers, at the spec's values; the proofs of
the same forms, built element by element in SymPy and held to sympy.diff of the composed cost, are
``prove.compact_forms``'s.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.graph import Graph
from ..model.layers.layer_graph import LayeredSpec
from ..model.layers.stack import Layer, decayed
from ..model.layers.wiring import element_name
from .graph_numbers import GraphNumbers

AGREE = 1e-9


@dataclass(frozen=True)
class LayerForm:
    """One compact form at one layer: what it gives, its formula (text and LaTeX), the largest difference from the
    backward pass's numbers, and the graph's names it covers."""

    layer: int
    kind: str
    what: str
    text: str
    tex: str
    difference: float
    names: tuple[str, ...]

    @property
    def agrees(self) -> bool:
        return self.difference <= AGREE

    def as_data(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "kind": self.kind,
            "what": self.what,
            "text": self.text,
            "tex": self.tex,
            "difference": self.difference,
            "agrees": self.agrees,
        }


def layer_forms(spec: LayeredSpec, numbers: GraphNumbers) -> list[LayerForm]:
    """Every compact form the stack's layers have, each held against the backward pass's numbers."""
    assert spec.stack is not None and spec.outputs is not None
    reader = _Reader(spec.graph, numbers)
    forms: list[LayerForm] = []
    for layer in spec.stack.layers:
        make = _FORMS.get(layer.kind)
        if make is not None:
            forms += make(spec, layer, reader)
    return forms


class _Reader:
    """Numbers by arrays of names: values, total gradients, and the gradient through a given set of nodes."""

    def __init__(self, graph: Graph, numbers: GraphNumbers) -> None:
        self.graph, self.numbers = graph, numbers

    def values(self, names: np.ndarray) -> np.ndarray:
        return _mapped(names, lambda n: self.numbers.values[n])

    def gradients(self, names: np.ndarray) -> np.ndarray:
        return _mapped(names, lambda n: self.numbers.gradients[n])

    def through(self, names: np.ndarray, nodes: set[str]) -> np.ndarray:
        """d C / d name along the uses of ``name`` by ``nodes`` only."""

        def one(name: str) -> float:
            users = self.graph.consumers[self.graph.symbols[name]]
            local = self.numbers.local  # a use whose node does not reach the output (a dropped unit's) has none: 0
            return sum(
                self.numbers.gradients[u.name] * local[(u.name, name)]
                for u in users
                if u.name in nodes and (u.name, name) in local
            )

        return _mapped(names, one)


def _mapped(names: np.ndarray, f: Callable[[str], float]) -> np.ndarray:
    out = np.empty(names.shape)
    for index in itertools.product(*map(range, names.shape)):
        out[index] = f(names[index])
    return out


def _form(layer: Layer, what: str, text: str, tex: str, ours: np.ndarray, theirs: np.ndarray, names: np.ndarray):  # type: ignore[no-untyped-def]
    difference = float(np.max(np.abs(ours - theirs))) if ours.size else 0.0
    return LayerForm(layer.number, layer.kind, what, text, tex, difference, tuple(names.ravel()))


def _layer_nodes(spec: LayeredSpec, layer: Layer) -> set[str]:
    marker = f"^{{({layer.number})}}"
    return {node.name for node in spec.graph.nodes if marker in node.name}


def _decay(spec: LayeredSpec, layer: Layer, name: str, weights: np.ndarray) -> tuple[np.ndarray, str, str]:
    if spec.stack is None or not spec.stack.l2 or name not in decayed(layer):
        return np.zeros_like(weights), "", ""
    n = spec.numbers.batch if spec.numbers is not None else 1
    return spec.stack.l2 / n * weights, " + (lambda/n) W", " + \\frac{\\lambda}{n} W"


def _conv(spec: LayeredSpec, layer: Layer, r: _Reader) -> list[LayerForm]:
    assert spec.outputs is not None and spec.parameters is not None
    x_names, z_names = spec.outputs[layer.number - 1], spec.outputs[layer.number]
    x, g = r.values(x_names), r.gradients(z_names)
    w_names = spec.parameter_names(layer.number, "weight")
    w = r.values(w_names)
    pad, s, k = layer["padding"], layer["stride"], layer["kernel"]
    sides = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0), *([(pad, pad)] * sides)])
    dw = np.zeros_like(w)
    for off in itertools.product(range(k), repeat=sides):
        window = xp[
            (
                slice(None),
                slice(None),
                *(slice(o, o + s * (m - 1) + 1, s) for o, m in zip(off, g.shape[2:], strict=True)),
            )
        ]
        tap: tuple[Any, ...] = (slice(None), slice(None), *off)
        dw[tap] = np.einsum("nop,ncp->oc", g.reshape(*g.shape[:2], -1), window.reshape(*window.shape[:2], -1))
    extra, text_l2, tex_l2 = _decay(spec, layer, "weight", w)
    # a conv1d's indices are one letter each, a conv2d's two; x is the input padded by ``pad`` on every side
    taps, at, over = ("u", "i", "i") if sides == 1 else ("u,v", "i,j", "i, j")
    read, read_tex = ("i s+u", "is+u") if sides == 1 else ("i s+u,j s+v", "is+u,js+v")
    padded, padded_tex = ("_pad", "^{\\mathrm{pad}}") if pad else ("", "")
    note = f", x_pad the input with {pad} zero{'s' * (pad > 1)} on each side" if pad else ""
    forms = [
        _form(
            layer,
            "dC/dW, the correlation of the input with the upstream gradient",
            f"dC/dW[o,c,{taps}] = sum over n, {over} of dC/dz[n,o,{at}] x{padded}[n,c,{read}]" + text_l2 + note,
            f"\\frac{{\\partial C}}{{\\partial W_{{o,c,{taps}}}}} = \\sum_{{n,{at}}} "
            f"\\frac{{\\partial C}}{{\\partial z_{{n,o,{at}}}}} x{padded_tex}_{{n,c,{read_tex}}}" + tex_l2,
            dw + extra,
            r.gradients(w_names),
            w_names,
        ),
        _form(
            layer,
            "dC/db, the upstream gradient summed",
            f"dC/db[o] = sum over n, {over} of dC/dz[n,o,{at}]",
            f"\\frac{{\\partial C}}{{\\partial b_o}} = \\sum_{{n,{at}}} "
            f"\\frac{{\\partial C}}{{\\partial z_{{n,o,{at}}}}}",
            g.sum(axis=(0, *range(2, g.ndim))),
            r.gradients(spec.parameter_names(layer.number, "bias")),
            spec.parameter_names(layer.number, "bias"),
        ),
    ]
    if s == 1 and pad <= k - 1:
        flipped = w[(slice(None), slice(None), *([slice(None, None, -1)] * sides))]
        gp = np.pad(g, [(0, 0), (0, 0), *([(k - 1 - pad, k - 1 - pad)] * sides)])
        dx = np.zeros_like(x)
        for off in itertools.product(range(k), repeat=sides):
            window = gp[(slice(None), slice(None), *(slice(o, o + m) for o, m in zip(off, x.shape[2:], strict=True)))]
            tap = (slice(None), slice(None), *off)
            dx += np.einsum("no...,oc->nc...", window, flipped[tap])
        forms.append(
            _form(
                layer,
                "dC/dX, the full convolution of the upstream gradient with the flipped kernel",
                "dC/dX[n,c] = sum over o of full_conv(dC/dZ[n,o], flip(W[o,c]))",
                "\\frac{\\partial C}{\\partial X_{n,c}} = \\sum_o \\frac{\\partial C}{\\partial Z_{n,o}}"
                " \\ast_{\\mathrm{full}} \\operatorname{rot180}(W_{o,c})",
                dx,
                r.through(x_names, _layer_nodes(spec, layer)),
                x_names,
            )
        )
    return forms


def _pool(spec: LayeredSpec, layer: Layer, r: _Reader) -> list[LayerForm]:
    assert spec.outputs is not None
    x_names, p_names = spec.outputs[layer.number - 1], spec.outputs[layer.number]
    x, g = r.values(x_names), r.gradients(p_names)
    size, s = layer["size"], layer["stride"]
    sides = x.ndim - 2
    dx = np.zeros_like(x)
    for index in itertools.product(*map(range, g.shape)):
        n, c, at = index[0], index[1], index[2:]
        cells = [
            (n, c, *(a * s + o for a, o in zip(at, off, strict=True)))
            for off in itertools.product(range(size), repeat=sides)
        ]
        entries = np.array([x[cell] for cell in cells])
        if layer.kind.startswith("max"):
            for cell, share in zip(cells, _gate_shares(entries), strict=True):
                dx[cell] += g[index] * share
        else:
            for cell in cells:
                dx[cell] += g[index] / len(cells)
    if layer.kind.startswith("max"):
        what = "dC/dx, the upstream gradient routed to each window's arg max (0 elsewhere)"
        text, tex = (
            "dC/dx = the sum of dC/dp over the windows p whose max x is (the first, at a tie), else 0",
            "\\frac{\\partial C}{\\partial x} = \\sum_{p} \\frac{\\partial C}{\\partial p}\\,"
            "[x = \\max(\\text{window}_p)]",
        )
    else:
        what = "dC/dx, the upstream gradient spread evenly over the window"
        text, tex = (
            "dC/dx = the sum of dC/dp / (window size) over the windows p that hold x",
            "\\frac{\\partial C}{\\partial x} = \\sum_{p \\ni x} \\frac{1}{k^2}\\frac{\\partial C}{\\partial p}",
        )
    return [_form(layer, what, text, tex, dx, r.through(x_names, _layer_nodes(spec, layer)), x_names)]


def _gate_shares(entries: np.ndarray) -> list[float]:
    """Each entry's share of the gradient through the chain of two-input max gates: all of it for the arg max, and
    at a tie for the first maximum in scan order, as the graph's gates (and PyTorch) take it."""
    first = int(np.argmax(entries))  # NumPy's argmax, like PyTorch's CPU max pooling, takes the first of a tie
    return [1.0 if i == first else 0.0 for i in range(len(entries))]


def _norm(spec: LayeredSpec, layer: Layer, r: _Reader) -> list[LayerForm]:
    assert spec.outputs is not None
    x_names, z_names = spec.outputs[layer.number - 1], spec.outputs[layer.number]
    x, g = r.values(x_names), r.gradients(z_names)
    gamma = r.values(spec.parameter_names(layer.number, "weight"))
    eps = layer["eps"]
    if layer.kind == "batchnorm":  # statistics over every axis but the channel's
        axes = (0, *range(2, x.ndim))
        shaped = gamma.reshape((1, -1, *([1] * (x.ndim - 2))))
    else:
        axes = (x.ndim - 1,)
        shaped = gamma
    m = int(np.prod([x.shape[a] for a in axes]))
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    u = (x - mean) / np.sqrt(var + eps)
    gh = g * shaped
    dx = (m * gh - gh.sum(axis=axes, keepdims=True) - u * (gh * u).sum(axis=axes, keepdims=True)) / (
        m * np.sqrt(var + eps)
    )
    over = "the channel's" if layer.kind == "batchnorm" else "the sample's last-axis"
    param_axes = axes if layer.kind == "batchnorm" else tuple(range(x.ndim - 1))
    w_names, b_names = spec.parameter_names(layer.number, "weight"), spec.parameter_names(layer.number, "bias")
    dx_text, dx_tex, params_text, params_tex = NORM_FORMS[layer.kind]
    return [
        _form(
            layer,
            f"dC/dx_i, its three paths (direct, through the mean, through the variance) in one formula, over {over} "
            "M values",
            dx_text,
            dx_tex,
            dx,
            r.through(x_names, _layer_nodes(spec, layer)),
            x_names,
        ),
        _form(
            layer,
            "dC/dgamma and dC/dbeta",
            params_text,
            params_tex,
            np.concatenate([(g * u).sum(axis=param_axes).ravel(), g.sum(axis=param_axes).ravel()]),
            np.concatenate([r.gradients(w_names).ravel(), r.gradients(b_names).ravel()]),
            np.concatenate([w_names.ravel(), b_names.ravel()]),
        ),
    ]


# A batch norm's gamma is one per channel, outside the sums over the channel's values; a layer norm's is one per
# feature, the very axis its statistics are over, so it stays inside the sums (gamma_j g_j), and its dC/dgamma_i
# sums over the samples (the rows n), not over the features.
NORM_FORMS = {
    "batchnorm": (
        "dC/dx_i = gamma / (M sqrt(v + eps)) (M g_i - sum_j g_j - u_i sum_j g_j u_j), g = dC/dz",
        "\\frac{\\partial C}{\\partial x_i} = \\frac{\\gamma}{M\\sqrt{v + \\epsilon}}\\Bigl(M g_i - \\sum_j g_j"
        " - u_i \\sum_j g_j u_j\\Bigr)",
        "dC/dgamma = sum_j g_j u_j, dC/dbeta = sum_j g_j",
        "\\frac{\\partial C}{\\partial \\gamma} = \\sum_j g_j u_j,"
        "\\quad \\frac{\\partial C}{\\partial \\beta} = \\sum_j g_j",
    ),
    "layernorm": (
        "dC/dx_i = 1 / (M sqrt(v + eps)) (M gamma_i g_i - sum_j gamma_j g_j - u_i sum_j gamma_j g_j u_j), g = dC/dz",
        "\\frac{\\partial C}{\\partial x_i} = \\frac{1}{M\\sqrt{v + \\epsilon}}\\Bigl(M \\gamma_i g_i"
        " - \\sum_j \\gamma_j g_j - u_i \\sum_j \\gamma_j g_j u_j\\Bigr)",
        "dC/dgamma_i = sum_n g_{n,i} u_{n,i}, dC/dbeta_i = sum_n g_{n,i}, n over the rows",
        "\\frac{\\partial C}{\\partial \\gamma_i} = \\sum_n g_{n,i} u_{n,i},"
        "\\quad \\frac{\\partial C}{\\partial \\beta_i} = \\sum_n g_{n,i}",
    ),
}


def _dropout(spec: LayeredSpec, layer: Layer, r: _Reader) -> list[LayerForm]:
    assert spec.outputs is not None and spec.numbers is not None
    x_names, d_names = spec.outputs[layer.number - 1], spec.outputs[layer.number]
    dx = r.gradients(d_names) * spec.numbers.masks[layer.number] / (1 - layer["p"])
    return [
        _form(
            layer,
            "dC/dx, the upstream gradient through the fixed mask",
            "dC/dx = dC/dd mask / (1 - p)",
            "\\frac{\\partial C}{\\partial x} = \\frac{\\partial C}{\\partial d}\\,\\frac{\\text{mask}}{1 - p}",
            dx,
            r.through(x_names, _layer_nodes(spec, layer)),
            x_names,
        )
    ]


def _rnn(spec: LayeredSpec, layer: Layer, r: _Reader) -> list[LayerForm]:
    assert spec.outputs is not None
    x_names = spec.outputs[layer.number - 1]
    batch, steps, _ = x_names.shape
    hidden = layer["hidden_size"]
    h_names = np.empty((batch, steps, hidden), dtype=object)
    for n, t, j in itertools.product(range(batch), range(steps), range(hidden)):
        h_names[n, t, j] = element_name("h", layer.number, (n, t, j))
    x, h = r.values(x_names), r.values(h_names)
    own = _layer_nodes(spec, layer)
    above = r.through(h_names, {node.name for node in spec.graph.nodes} - own)  # from outside the rnn
    w_hh = r.values(spec.parameter_names(layer.number, "weight_hh_l0"))
    delta = np.zeros((batch, steps, hidden))
    for t in reversed(range(steps)):
        back = delta[:, t + 1] @ w_hh if t + 1 < steps else 0.0
        delta[:, t] = (above[:, t] + back) * (1 - h[:, t] ** 2)
    previous = np.concatenate([np.zeros((batch, 1, hidden)), h[:, :-1]], axis=1)
    ours = {
        "weight_ih_l0": np.einsum("ntj,ntk->jk", delta, x),
        "weight_hh_l0": np.einsum("ntj,ntk->jk", delta, previous),
        "bias_ih_l0": delta.sum(axis=(0, 1)),
        "bias_hh_l0": delta.sum(axis=(0, 1)),
    }
    names = [spec.parameter_names(layer.number, name) for name in ours]
    for name, array in zip(list(ours), names, strict=True):
        ours[name] = ours[name] + _decay(spec, layer, name, r.values(array))[0]
    text_l2 = " (+ (lambda/n) W with l2)" if spec.stack is not None and spec.stack.l2 else ""
    return [
        _form(
            layer,
            "the weights' gradients, summed over the time steps (back-propagation through time)",
            "delta_t = (dC/dh_t from above + W_hh^T delta_{t+1}) (1 - h_t^2); dC/dW_hh = sum_t delta_t h_{t-1}^T, "
            "dC/dW_ih = sum_t delta_t x_t^T, dC/db = sum_t delta_t" + text_l2,
            "\\delta_t = \\Bigl(\\frac{\\partial C}{\\partial h_t}\\Big|_{\\text{above}}"
            " + W_{hh}^\\top \\delta_{t+1}\\Bigr)"
            " \\odot (1 - h_t^2),\\quad \\frac{\\partial C}{\\partial W_{hh}} = \\sum_t \\delta_t h_{t-1}^\\top",
            np.concatenate([a.ravel() for a in ours.values()]),
            np.concatenate([r.gradients(a).ravel() for a in names]),
            np.concatenate([a.ravel() for a in names]),
        )
    ]


_FORMS: Mapping[str, Callable[[LayeredSpec, Layer, _Reader], list[LayerForm]]] = {
    "conv1d": _conv,
    "conv2d": _conv,
    "maxpool1d": _pool,
    "maxpool2d": _pool,
    "avgpool2d": _pool,
    "batchnorm": _norm,
    "layernorm": _norm,
    "dropout": _dropout,
    "rnn": _rnn,
}
