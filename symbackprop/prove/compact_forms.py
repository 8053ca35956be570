"""Each layer kind's compact backward form built element by element as SymPy expressions, and proven equal to
sympy.diff of the composed cost (``layer_cost``).

The forms are the ones ``numeric.layer_forms`` computes with whole arrays, written here per element in the
layer's symbols (its input x, its parameters, its own nodes u, v, h) and the upstream gradients g = dL/dz:

- convolution: dC/dW[o,c,u,v] = sum_{n,i,j} g[n,o,i,j] x[n,c,is+u,js+v] (+ (lambda/n) W), dC/db[o] = sum g, and
  (stride 1) dC/dx[n,c,i,j] = sum_{o,u,v} g[n,o,i+u-(k-1-pad),j+v-(k-1-pad)] W[o,c,k-1-u,k-1-v], the full
  convolution with the flipped kernel;
- pooling: each window's g to the arg max of the window at the spec's values (the first, at a tie), or spread
  evenly over it;
- batch and layer norm: dC/dx_i = (M gh_i - sum_j gh_j - u_i sum_j gh_j u_j) / (M sqrt(v + eps)), gh = gamma g,
  over the M values of the statistic; dC/dgamma = sum g u, dC/dbeta = sum g;
- dropout: dC/dx = g mask / (1 - p);
- rnn: delta_t = (g_t + W_hh^T delta_{t+1}) (1 - h_t^2), dC/dW_ih = sum_t delta_t x_t^T, dC/dW_hh =
  sum_t delta_t h_{t-1}^T, dC/db = sum_t delta_t (+ (lambda/n) W).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from ..model.layers.layer_graph import LayeredSpec
from ..model.layers.stack import Layer, decayed
from ..numeric.layer_forms import LayerForm
from .layer_cost import LayerCost, checked_in_numbers, layer_cost, prove_compact, spread
from .proof import Proof

Claimed = dict[sp.Symbol, sp.Expr]


@dataclass(frozen=True)
class Compact:
    """One compact form at one layer: what it gives, and its expression at each element it covers."""

    what: str
    claimed: Claimed

    @property
    def names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.claimed)


def prove_layer_forms(spec: LayeredSpec, forms: Sequence[LayerForm], values: Mapping[str, float]) -> list[Proof]:
    """A proof for each of ``forms`` (``numeric.layer_forms``'s), in their order: its compact form built element by
    element and proven equal to sympy.diff of the composed cost, or why it is only checked in numbers."""
    assert spec.stack is not None
    proofs: dict[tuple[int, frozenset[str]], Proof] = {}
    for layer in spec.stack.layers:
        if not any(form.layer == layer.number for form in forms) or layer.kind not in COMPACT:
            continue
        cost = layer_cost(spec, layer, values)
        if isinstance(cost, str):
            for form in forms:
                if form.layer == layer.number:
                    proofs[(layer.number, frozenset(form.names))] = checked_in_numbers(f"layer {layer.number}: {cost}")
            continue
        for compact in compact_forms(spec, layer, cost):
            proofs[(layer.number, compact.names)] = prove_compact(cost, compact.claimed, compact.what)
    missing = checked_in_numbers("no element-by-element form is built for it")
    return [proofs.get((form.layer, frozenset(form.names)), missing) for form in forms]


def compact_forms(spec: LayeredSpec, layer: Layer, cost: LayerCost) -> list[Compact]:
    """The layer's compact forms, element by element."""
    return COMPACT[layer.kind](spec, layer, cost)


def weight_gradient(cost: LayerCost, o: int, c: int, tap: tuple[int, ...]) -> sp.Expr:
    """dC/dW[o,c,*tap] of a convolution: the correlation of the padded input with the upstream gradient."""
    x, g, layer = cost.inputs, cost.upstream, cost.layer
    pad, s = layer["padding"], layer["stride"]
    terms = []
    for index in spread(g.shape):
        if index[1] != o:
            continue
        at = tuple(i * s + u - pad for i, u in zip(index[2:], tap, strict=True))
        if all(0 <= a < m for a, m in zip(at, x.shape[2:], strict=True)):
            terms.append(g[index] * x[(index[0], c, *at)])
    return sp.Add(*terms)


def input_gradient(cost: LayerCost, n: int, c: int, at: tuple[int, ...], flip: bool = True) -> sp.Expr:
    """dC/dx[n,c,*at] of a stride-1 convolution: the full convolution of the upstream gradient with the flipped
    kernel (``flip=False``: the kernel as it stands, the classic mistake)."""
    w, g, layer = cost.parameters["weight"], cost.upstream, cost.layer
    k, pad = layer["kernel"], layer["padding"]
    terms = []
    for o in range(g.shape[1]):
        for tap in spread((k,) * len(at)):
            i = tuple(a + u - (k - 1 - pad) for a, u in zip(at, tap, strict=True))
            if all(0 <= b < m for b, m in zip(i, g.shape[2:], strict=True)):
                kernel = tuple(k - 1 - u for u in tap) if flip else tap
                terms.append(g[(n, o, *i)] * w[(o, c, *kernel)])
    return sp.Add(*terms)


def _conv(spec: LayeredSpec, layer: Layer, cost: LayerCost) -> list[Compact]:
    w, b, g, x = cost.parameters["weight"], cost.parameters["bias"], cost.upstream, cost.inputs
    rate = cost.rate if "weight" in decayed(layer) else 0
    dw = {w[i]: weight_gradient(cost, i[0], i[1], i[2:]) + rate * w[i] for i in spread(w.shape)}
    db = {b[(o,)]: sp.Add(*(g[i] for i in spread(g.shape) if i[1] == o)) for o in range(b.shape[0])}
    forms = [Compact("dC/dW, the correlation of the input with the upstream gradient", dw)]
    forms.append(Compact("dC/db, the upstream gradient summed", db))
    if layer["stride"] == 1 and layer["padding"] <= layer["kernel"] - 1:
        dx = {x[i]: input_gradient(cost, i[0], i[1], i[2:]) for i in spread(x.shape)}
        forms.append(Compact("dC/dX, the full convolution with the flipped kernel", dx))
    return forms


def _pool(spec: LayeredSpec, layer: Layer, cost: LayerCost) -> list[Compact]:
    x, g = cost.inputs, cost.upstream
    size, s = layer["size"], layer["stride"]
    dx: Claimed = {x[i]: sp.Integer(0) for i in spread(x.shape)}
    for index in spread(g.shape):
        cells = [
            x[(index[0], index[1], *(a * s + o for a, o in zip(index[2:], off, strict=True)))]
            for off in spread((size,) * (x.ndim - 2))
        ]
        if layer.kind.startswith("max"):
            values = [cost.values[cell] for cell in cells]
            cells = [cells[values.index(max(values))]]  # the first maximum in scan order, at a tie
            dx[cells[0]] += g[index]
        else:
            for cell in cells:
                dx[cell] += g[index] / len(cells)
    what = "dC/dx, routed to each window's arg max" if layer.kind.startswith("max") else "dC/dx, spread evenly"
    return [Compact(what, dx)]


def norm_input_gradient(cost: LayerCost, index: tuple[int, ...], mean_term: bool = True) -> sp.Expr:
    """dC/dx_i of a batch or layer norm: its three paths in one formula (``mean_term=False`` drops the path
    through the mean, the classic mistake)."""
    layer, g = cost.layer, cost.upstream
    gamma = cost.parameters["weight"]
    statistic, per = _norm_axes(layer)
    group = [j for j in spread(g.shape) if statistic(j) == statistic(index)]
    gh = {j: gamma[per(j)] * g[j] for j in group}
    u = {j: cost.symbol("u", j) for j in group}
    m = len(group)
    v = cost.symbol("v", statistic(index))
    eps = sp.Rational(repr(layer["eps"]))
    total = sp.Add(*gh.values()) if mean_term else 0
    inner = m * gh[index] - total - u[index] * sp.Add(*(gh[j] * u[j] for j in group))
    return inner / (m * sp.sqrt(v + eps))


def _norm_axes(layer: Layer) -> tuple[Callable[[tuple[int, ...]], tuple[int, ...]], Callable[..., tuple[int, ...]]]:
    """Which statistic an element belongs to, and which gamma and beta it takes."""
    if layer.kind == "batchnorm":
        return (lambda i: (i[1],)), (lambda i: (i[1],))
    return (lambda i: i[:-1]), (lambda i: (i[-1],))


def _norm(spec: LayeredSpec, layer: Layer, cost: LayerCost) -> list[Compact]:
    x, g = cost.inputs, cost.upstream
    gamma, beta = cost.parameters["weight"], cost.parameters["bias"]
    _, per = _norm_axes(layer)
    dx = {x[i]: norm_input_gradient(cost, i) for i in spread(x.shape)}
    params: Claimed = {}
    for p in spread(gamma.shape):
        mine = [i for i in spread(g.shape) if per(i) == p]
        params[gamma[p]] = sp.Add(*(g[i] * cost.symbol("u", i) for i in mine))
        params[beta[p]] = sp.Add(*(g[i] for i in mine))
    return [Compact("dC/dx_i, its three paths in one formula", dx), Compact("dC/dgamma and dC/dbeta", params)]


def _dropout(spec: LayeredSpec, layer: Layer, cost: LayerCost) -> list[Compact]:
    assert spec.numbers is not None
    x, g, mask = cost.inputs, cost.upstream, spec.numbers.masks[layer.number]
    scale = 1 / (1 - sp.Rational(str(layer["p"])))
    return [Compact("dC/dx through the fixed mask", {x[i]: g[i] * int(mask[i]) * scale for i in spread(x.shape)})]


def rnn_deltas(cost: LayerCost) -> dict[tuple[int, int, int], sp.Expr]:
    """delta_t = (g_t + W_hh^T delta_{t+1}) (1 - h_t^2) for every sample, step and hidden unit."""
    w_hh = cost.parameters["weight_hh_l0"]
    batch, steps, _ = cost.inputs.shape
    hidden = w_hh.shape[0]
    delta: dict[tuple[int, int, int], sp.Expr] = {}
    for n in range(batch):
        for t in reversed(range(steps)):
            for j in range(hidden):
                h = cost.symbol("h", (n, t, j))
                back = sp.Add(*(w_hh[k, j] * delta[(n, t + 1, k)] for k in range(hidden))) if t + 1 < steps else 0
                delta[(n, t, j)] = (cost.g(h) + back) * (1 - h**2)
    return delta


def rnn_weights(cost: LayerCost, delta: Mapping[tuple[int, int, int], sp.Expr], steps: Sequence[int]) -> Claimed:
    """The weights' gradients summed over ``steps`` (every step: BPTT), with (lambda/n) W for a decayed one."""
    x, p = cost.inputs, cost.parameters
    batch, _, size = x.shape
    hidden = p["weight_hh_l0"].shape[0]
    out: Claimed = {}
    for j in range(hidden):
        for k in range(size):
            out[p["weight_ih_l0"][j, k]] = sp.Add(*(delta[(n, t, j)] * x[n, t, k] for n in range(batch) for t in steps))
        for k in range(hidden):
            out[p["weight_hh_l0"][j, k]] = sp.Add(
                *(delta[(n, t, j)] * cost.symbol("h", (n, t - 1, k)) for n in range(batch) for t in steps if t)
            )
        total = sp.Add(*(delta[(n, t, j)] for n in range(batch) for t in steps))
        out[p["bias_ih_l0"][j]], out[p["bias_hh_l0"][j]] = total, total
    for name in decayed(cost.layer):
        for i in spread(p[name].shape):
            out[p[name][i]] += cost.rate * p[name][i]
    return out


def _rnn(spec: LayeredSpec, layer: Layer, cost: LayerCost) -> list[Compact]:
    steps = range(cost.inputs.shape[1])
    return [Compact("the weights' gradients summed over the steps", rnn_weights(cost, rnn_deltas(cost), steps))]


COMPACT: Mapping[str, Callable[[LayeredSpec, Layer, LayerCost], list[Compact]]] = {
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

__all__ = ["COMPACT", "Compact", "compact_forms", "layer_cost", "prove_layer_forms"]
