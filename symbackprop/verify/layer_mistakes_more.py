"""The classic mistakes of a layer norm, a dropout layer, a strided convolution, and of the batch's 1/N, each made
on purpose to the engine's own gradient (in the graph's names) so that a wrong claim equal to one is named.

- ``layernorm_over_batch``: a layer norm's dL/dx_i written as batch norm's, the sums over the samples of the batch
  where they belong over the features of one sample (the last dimension).
- ``dropout_not_scaled``: dropout's dL/dx = m dL/dy without the 1/(1-p) the forward pass scales the kept units by.
- ``dropout_mask_missing``: dL/dy/(1-p) for every unit, the dropped ones too.
- ``stride_not_dilated``: a strided convolution's gradients as stride 1's: dL/dX without dilating dL/dY by the
  stride, dL/dK reading X_{i+m} where X_{si+m} belongs.
- ``extra_mean`` and ``mean_missing``: the right answer divided, or multiplied, by the batch size N: L is already
  the mean cost, so dL/dq carries its 1/N once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..model.layers.wiring import element_name
from .layer_notation import ConvNotation, DropoutNotation, LayerNormNotation, LayerNotation


@dataclass(frozen=True)
class LayerMistake:
    """A known mistake: its name, what a teacher says of it, and the mistaken answer for a quantity's symbol."""

    kind: str
    message: str
    answer: Callable[[sp.Symbol], sp.Expr | None]  # None: the mistake does not apply to this symbol


def gradient(notation: LayerNotation, symbol: sp.Symbol) -> sp.Expr:
    return notation.gradients.get(symbol.name, sp.Integer(0))


def _where(array: np.ndarray, symbol: sp.Symbol) -> tuple[int, ...] | None:
    found = [i for i in np.ndindex(*array.shape) if str(array[i]) == symbol.name]
    return found[0] if found else None


def layernorm(notation: LayerNormNotation) -> Iterator[LayerMistake]:
    graph, k = notation.spec.graph, notation.layer.number
    inputs = notation.spec.outputs[k - 1]  # type: ignore[index]
    gamma = notation.spec.parameters[k]["weight"]  # type: ignore[index]

    def over_batch(symbol: sp.Symbol) -> sp.Expr | None:
        at = _where(inputs, symbol)
        if at is None:
            return None
        *row, i = at
        rows = list(np.ndindex(*inputs.shape[:-1]))
        u = {r: graph.symbols[element_name("u", k, (*r, i))] for r in rows}
        g = {r: gradient(notation, graph.symbols[element_name("z", k, (*r, i))]) for r in rows}
        v = graph.symbols[element_name("v", k, tuple(row))]
        n, here = len(rows), tuple(row)
        eps = sp.Rational(repr(notation.layer["eps"]))
        inner = n * g[here] - sp.Add(*g.values()) - u[here] * sp.Add(*(g[r] * u[r] for r in rows))
        return gamma[i] / (n * sp.sqrt(v + eps)) * inner

    yield LayerMistake(
        "layernorm_over_batch",
        "the sums run over the batch, as batch norm's do: a layer norm normalises each sample over its own features "
        "(the last dimension), so its mean and variance, and the sums of dL/dx_i, run over the features j of the "
        "same sample: (1/(H sqrt(sigma^2 + eps))) (H dL/d\\hat{x}_i - sum_j dL/d\\hat{x}_j - \\hat{x}_i sum_j "
        "dL/d\\hat{x}_j \\hat{x}_j), dL/d\\hat{x}_j = gamma_j g_j",
        over_batch,
    )


def dropout(notation: DropoutNotation) -> Iterator[LayerMistake]:
    k = notation.layer.number
    inputs = notation.spec.outputs[k - 1]  # type: ignore[index]
    graph = notation.spec.graph
    keep = 1 - sp.Rational(repr(notation.layer["p"]))

    def scaled(factor: Callable[[sp.Expr], sp.Expr]) -> Callable[[sp.Symbol], sp.Expr | None]:
        def answer(symbol: sp.Symbol) -> sp.Expr | None:
            at = _where(inputs, symbol)
            if at is None:
                return None
            output = graph.symbols[element_name("d", k, at)]
            mask = sp.Integer(int(graph.node_of[output].expression != 0))
            return factor(mask) * gradient(notation, output)

        return answer

    yield LayerMistake(
        "dropout_not_scaled",
        f"the 1/(1-p) is missing: the forward pass scales each kept unit by 1/(1-p) = {1 / keep}, so its gradient "
        "is scaled by it too, dL/dx_i = m_i/(1-p) dL/dy_i",
        scaled(lambda mask: mask),
    )
    yield LayerMistake(
        "dropout_mask_missing",
        "the mask is missing: a dropped unit (m_i = 0) is 0 whatever x_i is, so its gradient is 0; dL/dx_i = "
        "m_i/(1-p) dL/dy_i",
        scaled(lambda mask: 1 / keep),
    )


def strided(notation: ConvNotation) -> Iterator[LayerMistake]:
    x, y, w = notation._array("X"), notation._array("Y"), notation._array("K")
    assert x is not None and y is not None and w is not None
    s = notation.layer["stride"]

    def as_stride_one(symbol: sp.Symbol) -> sp.Expr | None:
        total = sp.Integer(0)
        if (at := _where(x, symbol)) is not None:  # sum K_{m,n} dL/dY_{i-m,j-n}: not dilated
            n, c, *position = at
            for o in range(w.shape[0]):
                for offset in itertools.product(*(range(d) for d in w.shape[2:])):
                    out = tuple(p - d for p, d in zip(position, offset, strict=True))
                    if all(0 <= q < d for q, d in zip(out, y.shape[2:], strict=True)):
                        total += w[(o, c, *offset)] * gradient(notation, y[(n, o, *out)])
            return total
        if (at := _where(w, symbol)) is not None:  # sum X_{i+m,j+n} dL/dY_{i,j}: the stride left out
            o, c, *weight_at = at
            for n in range(x.shape[0]):
                for out in itertools.product(*(range(d) for d in y.shape[2:])):
                    total += x[(n, c, *(q + d for q, d in zip(out, weight_at, strict=True)))] * gradient(
                        notation, y[(n, o, *out)]
                    )
            return total
        return None

    zeros = f"{s - 1} zero" + ("s" if s > 2 else "")
    yield LayerMistake(
        "stride_not_dilated",
        f"the stride is left out: output Y_{{i,j}} of this stride-{s} convolution reads X_{{{s}i+m,{s}j+n}}, so "
        f"dL/dK_{{m,n}} = sum X_{{{s}i+m,{s}j+n}} dL/dY_{{i,j}}, and dL/dX is the full convolution of dL/dY dilated "
        f"by the stride ({zeros} between its entries) with the flipped kernel: sum K_{{m,n}} "
        f"dL/dY_{{(i-m)/{s},(j-n)/{s}}}, the terms where (i-m)/{s} is not whole being 0",
        as_stride_one,
    )


def batch_scale(notation: LayerNotation) -> Iterator[LayerMistake]:
    n = notation.spec.outputs[0].shape[0]  # type: ignore[index]
    if n < 2:
        return
    yield LayerMistake(
        "extra_mean",
        f"an extra 1/N (N = {n}): L is the mean cost, so each dL/dq already carries its 1/N; the sum over the samples "
        "is the mean's gradient",
        lambda symbol: gradient(notation, symbol) / n,
    )
    yield LayerMistake(
        "mean_missing",
        f"N = {n} times the right answer: the 1/N of the mean cost L is missing",
        lambda symbol: gradient(notation, symbol) * n,
    )
