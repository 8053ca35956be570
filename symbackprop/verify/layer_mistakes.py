"""The classic mistakes in a layer's backward pass, each made on purpose to the engine's own gradient, so that a
wrong claim equal to one of them is named.

- ``batchnorm_missing_mean_path``: dL/dx_i without the path through the batch mean (the -sum_j g_j of the
  compact form): the mean taken for a constant.
- ``batchnorm_missing_variance_path``: without the path through the variance (the -\\hat{x}_i sum_j g_j
  \\hat{x}_j).
- ``batchnorm_direct_path_only``: both left out, only gamma g_i / sqrt(sigma^2 + eps).
- ``kernel_not_flipped``: dL/dX as the correlation of the upstream gradient with the kernel, sum_{m,n}
  K_{m,n} dL/dY_{i+m,j+n}, where the full convolution with the flipped kernel belongs.
- ``max_pool_not_routed``: a max pool's upstream gradient given to every input of the window, not to its arg
  max alone.
- ``last_time_step_only``: a recurrent weight's gradient from the last step alone, where back-propagation
  through time sums the steps.
- ``sign``: the right answer with the other sign.

Each is a path of the graph cut (the gradient less that path's term: the upstream gradient of the node the path
goes through, times the node's local derivative), or a sum over the arrays, in the graph's names.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np
import sympy as sp

from ..model.layers.wiring import element_name
from . import layer_mistakes_more as more
from .layer_notation import (
    BatchNormNotation,
    ConvNotation,
    DropoutNotation,
    LayerNormNotation,
    LayerNotation,
    PoolNotation,
)
from .rnn_notation import RecurrentNotation

Entry = sp.Expr


LayerMistake = more.LayerMistake


def mistakes(notation: LayerNotation) -> Iterator[LayerMistake]:
    """The mistakes that fit the layer, most telling first; ``sign`` last."""
    if isinstance(notation, LayerNormNotation):
        yield from _batchnorm(notation)
        yield from more.layernorm(notation)
    elif isinstance(notation, BatchNormNotation):
        yield from _batchnorm(notation)
    elif isinstance(notation, DropoutNotation):
        yield from more.dropout(notation)
    elif isinstance(notation, ConvNotation) and notation.layer["stride"] != 1:
        yield from more.strided(notation)
    elif isinstance(notation, ConvNotation):
        yield LayerMistake(
            "kernel_not_flipped",
            "the kernel is not flipped: this is the correlation of the upstream gradient with the kernel, "
            "sum K_{m,n} dL/dY_{i+m,j+n}; the gradient of the input is the full convolution of the upstream "
            "gradient with the flipped kernel, sum K_{m,n} dL/dY_{i-m,j-n} (each input reaches the outputs "
            "i - m that its kernel weight m touches)",
            lambda s: _unflipped(notation, s),
        )
    elif isinstance(notation, PoolNotation) and notation.layer.kind.startswith("max"):
        yield LayerMistake(
            "max_pool_not_routed",
            "the gradient is not routed: each input of a window gets the window's dL/dY, where max pooling sends "
            "it to the window's arg max alone, 1[X_{i,j} = Y_{p,q}] dL/dY_{p,q}, and 0 to the others",
            lambda s: _every_input(notation, s),
        )
    elif isinstance(notation, RecurrentNotation):
        yield LayerMistake(
            "activation_derivative_missing",
            "tanh's derivative is missing: each step is h_t = tanh(a_t), so the gradient reaches a_t, W_hh and "
            "h_{t-1} through 1 - h_t^2; delta_t = dL/dh_t (1 - h_t^2), dL/dW_hh = sum_t delta_t h_{t-1}^T and "
            "dL/dh_{t-1} = W_hh^T delta_t + (its own term)",
            lambda s: _through_tanh_as_identity(notation, s),
        )
        yield LayerMistake(
            "last_time_step_only",
            "only the last time step's term is here: the weights are shared by every step, so back-propagation "
            "through time sums the term of each step t = 1..T, with dL/dh_t carrying the gradient back "
            "through h_{t+1}",
            lambda s: _last_step(notation, s),
        )
    yield from more.batch_scale(notation)
    yield LayerMistake(
        "sign", "the sign is wrong: this is the right answer times -1", lambda s: -_gradient(notation, s)
    )


_gradient = more.gradient


def _cut(notation: LayerNotation, symbol: sp.Symbol, through: sp.Symbol) -> sp.Expr | None:
    """The gradient of ``symbol`` less its path through the node ``through``; None if no such path."""
    node = notation.spec.graph.node_of.get(through)
    if node is None or symbol not in node.expression.free_symbols:
        return None
    local = sp.diff(node.expression, symbol)
    return _gradient(notation, symbol) - _gradient(notation, through) * local


LAYER_NORM_WORDS = (
    ("batch mean", "sample's mean"),
    ("batch variance", "sample's variance"),
    ("mu_B", "mu"),
    ("sigma_B^2", "sigma^2"),
    (
        "gamma/(m sqrt(sigma^2 + eps)) (m g_i - sum_j g_j - \\hat{x}_i sum_j g_j \\hat{x}_j)",
        "1/(H sqrt(sigma^2 + eps)) (H gamma_i g_i - sum_j gamma_j g_j - \\hat{x}_i sum_j gamma_j g_j \\hat{x}_j)",
    ),
    ("-sum_j g_j", "-sum_j gamma_j g_j"),
    ("sum_j g_j \\hat{x}_j", "sum_j gamma_j g_j \\hat{x}_j"),
    ("/ m", "/ H"),
    (")/m", ")/H"),
)


def _batchnorm(notation: BatchNormNotation) -> Iterator[LayerMistake]:
    def statistic(symbol: sp.Symbol, letter: str) -> sp.Symbol | None:
        graph, group = notation.spec.graph, notation.group
        for g in range(notation.groups()):
            notation.group = g
            candidate = notation.statistic(letter)
            if symbol in graph.node_of[candidate].expression.free_symbols:
                notation.group = group
                return candidate
        notation.group = group
        return None

    def without(*letters: str) -> Callable[[sp.Symbol], sp.Expr | None]:
        def answer(symbol: sp.Symbol) -> sp.Expr | None:
            value = _gradient(notation, symbol)
            for letter in letters:
                node = statistic(symbol, letter)
                cut = _cut(notation, symbol, node) if node is not None else None
                if cut is None:
                    return None
                value = value - _gradient(notation, symbol) + cut
            return value

        return answer

    def said(kind: str, message: str, answer: Callable[[sp.Symbol], sp.Expr | None]) -> LayerMistake:
        if isinstance(notation, LayerNormNotation):  # the same paths, over one sample's H features
            for batch, sample in LAYER_NORM_WORDS:
                message = message.replace(batch, sample)
        return LayerMistake(kind, message, answer)

    yield said(
        "batchnorm_direct_path_only",
        "only the direct path through \\hat{x}_i is here: the batch mean and variance are functions of every x_i "
        "too, so dL/dx_i adds the paths through mu_B and sigma_B^2; in one formula, gamma/(m sqrt(sigma^2 + eps)) "
        "(m g_i - sum_j g_j - \\hat{x}_i sum_j g_j \\hat{x}_j)",
        without("m", "v"),
    )
    yield said(
        "batchnorm_missing_mean_path",
        "the path through the batch mean is missing: mu_B is a function of every x_i, so dL/dx_i has the term "
        "dL/dmu_B / m (the -sum_j g_j of the compact form, gamma/(m sqrt(sigma^2 + eps)) (m g_i - sum_j g_j - "
        "\\hat{x}_i sum_j g_j \\hat{x}_j))",
        without("m"),
    )
    yield said(
        "batchnorm_missing_variance_path",
        "the path through the batch variance is missing: sigma_B^2 is a function of every x_i, so dL/dx_i has the "
        "term dL/dsigma_B^2 2(x_i - mu_B)/m (the -\\hat{x}_i sum_j g_j \\hat{x}_j of the compact form)",
        without("v"),
    )


def _unflipped(notation: ConvNotation, symbol: sp.Symbol) -> sp.Expr | None:
    """sum over o, m, n of W_{o,c,m,n} dL/dY_{s,o,i+m,j+n} for the input X_{s,c,i,j}."""
    x = notation._array("X")
    y, w = notation._array("Y"), notation._array("K")
    assert x is not None and y is not None and w is not None
    found = np.argwhere(x == symbol)
    if not len(found):
        return None
    s, c, *at = (int(v) for v in found[0])
    total = sp.Integer(0)
    for o in range(w.shape[0]):
        for offset in itertools.product(*(range(n) for n in w.shape[2:])):
            out = tuple(a + d for a, d in zip(at, offset, strict=True))
            if all(0 <= p < n for p, n in zip(out, y.shape[2:], strict=True)):
                total += w[(o, c, *offset)] * _gradient(notation, y[(s, o, *out)])
    return total


def _every_input(notation: PoolNotation, symbol: sp.Symbol) -> sp.Expr | None:
    """The sum of dL/dY over the windows the input X is in."""
    x, y = notation._array("X"), notation._array("Y")
    assert x is not None and y is not None
    found = np.argwhere(x == symbol)
    if not len(found):
        return None
    s, c, *at = (int(v) for v in found[0])
    size, stride = notation.layer["size"], notation.layer["stride"]
    total = sp.Integer(0)
    for out in itertools.product(*(range(n) for n in y.shape[2:])):
        if all(p * stride <= a < p * stride + size for p, a in zip(out, at, strict=True)):
            total += _gradient(notation, y[(s, c, *out)])
    return total


def _through_tanh_as_identity(notation: RecurrentNotation, symbol: sp.Symbol) -> sp.Expr:
    """The gradient with each path through a step h' = tanh(a) taken as if tanh's derivative were 1: dL/dh' da/dq
    in place of dL/dh' (1 - h'^2) da/dq."""
    graph, k = notation.spec.graph, notation.layer.number
    value = _gradient(notation, symbol)  # unchanged where no step's tanh is on the way (h_T, with its own term)
    for node in graph.nodes:
        step = node.name.startswith(f"h^{{({k})}}") and isinstance(node.expression, sp.tanh)
        if step and symbol in node.expression.free_symbols:
            argument = node.expression.args[0]
            up = _gradient(notation, node.symbol)
            value += up * (sp.diff(argument, symbol) - sp.diff(node.expression, symbol))
    return value


def _last_step(notation: RecurrentNotation, symbol: sp.Symbol) -> sp.Expr | None:
    """The term of the last step alone: sum over the samples and units j of dL/dh_{T,j} dh_{T,j}/dsymbol."""
    graph, k = notation.spec.graph, notation.layer.number
    batch = notation.spec.outputs[0].shape[0]  # type: ignore[index]
    terms = []
    for n in range(batch):
        for j in range(notation.layer["hidden_size"]):
            h = graph.symbols[element_name("h", k, (n, notation.steps - 1, j))]
            expression = graph.node_of[h].expression
            if symbol in expression.free_symbols:
                terms.append(_gradient(notation, h) * sp.diff(expression, symbol))
    if not terms or notation.steps < 2 or symbol.name.startswith(("x", "h")):
        return None
    return sp.Add(*terms)
