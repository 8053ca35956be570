"""A layer stack's graph told as a lesson tells it: per layer one equation with the indices free, not one line per
element. Convolution and pooling sum or take the max over a window, which no renaming of one element's expression
can write; their equations are made here from index expressions, and each is instantiated at every element it
stands for and compared with that element's node in the graph (a padded position is 0). Every other family is
told by ``index_free.graph_equations``, which holds its equation to every member in the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import sympy as sp

from ..graph_functions import maxgate
from ..index_free import Equation, graph_equations, indexed, split
from .layer_graph import LayeredSpec
from .stack import Layer

Lookup = Callable[[str, tuple[int, ...]], sp.Expr]


def layer_equations(spec: LayeredSpec) -> list[Equation]:
    """The graph's equations, a convolution's and a pooling's each told once with the indices free."""
    assert spec.stack is not None and spec.outputs is not None
    nodes = [(n.name, n.expression) for n in spec.graph.nodes]
    expressions = dict(nodes)
    special: dict[str, Equation] = {}
    for layer in spec.stack.layers:
        inputs, outputs = spec.outputs[layer.number - 1], spec.outputs[layer.number]
        if layer.kind in ("conv1d", "conv2d"):
            weights = {k: spec.parameter_names(layer.number, k) for k in ("weight", "bias")}
            special |= _convolution(layer, inputs, outputs, weights, expressions)
        elif layer.kind in ("maxpool1d", "maxpool2d", "avgpool2d"):
            special |= _pooling(layer, inputs, outputs, expressions)
        elif layer.kind == "dense" and inputs.ndim == 2:
            weights = {k: spec.parameter_names(layer.number, k) for k in ("weight", "bias")}
            special |= _dense(
                layer,
                spec.outputs[layer.number - 2] if layer.number > 1 else inputs,
                inputs,
                weights,
                spec,
                expressions,
            )
    return graph_equations(nodes, special)


def _base(names: np.ndarray) -> str:
    parts = split(str(names.flat[0]))
    assert parts is not None
    return parts[0]


def _symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _at(names: np.ndarray, index: Sequence[int]) -> sp.Expr:
    """The element at ``index``, 0 outside the array (a padded position)."""
    if any(i < 0 or i >= n for i, n in zip(index, names.shape, strict=True)):
        return sp.Integer(0)
    return _symbol(str(names[tuple(index)]))


def _check(
    outputs: np.ndarray,
    letters: Sequence[sp.Symbol],
    made: Callable[[dict], sp.Expr],
    expressions: Mapping[str, sp.Expr],
) -> None:
    """The general equation at every element equals that element's node: else it is not told."""
    for index in itertools.product(*(range(n) for n in outputs.shape)):
        at = dict(zip(letters, index, strict=True))
        if sp.expand(made(at) - expressions[str(outputs[index])]) != 0:
            raise AssertionError(f"the general equation of {outputs[index]} does not hold there")


def _plain(base: str, index: Sequence[sp.Expr]) -> str:
    """An element as the terminal writes names: ``x_n,0,i+p,j+q``."""
    return f"{base}_{','.join(str(e).replace(' ', '') for e in index)}"


def _span(n: int) -> str:
    """0..n-1 in words: ``0..3``, ``0, 1``, ``0``."""
    return f"0..{n - 1}" if n > 2 else ", ".join(str(v) for v in range(n))


def _words(outputs: np.ndarray, letters: Sequence[sp.Symbol]) -> dict[str, str]:
    return {str(s): _span(n) for s, n in zip(letters, outputs.shape, strict=True)}


def _convolution(
    layer: Layer,
    inputs: np.ndarray,
    outputs: np.ndarray,
    weights: Mapping[str, np.ndarray],
    expressions: Mapping[str, sp.Expr],
) -> dict[str, Equation]:
    sides = inputs.ndim - 2
    n, c = sp.symbols("n c", integer=True)
    at = list(sp.symbols("i j", integer=True)[:sides])
    offsets = list(sp.symbols("p q", integer=True)[:sides])
    k = sp.Symbol("k", integer=True)
    channels, size = inputs.shape[1], layer["kernel"]
    stride, pad = layer["stride"], layer["padding"]
    channel = k if channels > 1 else sp.Integer(0)
    position = [stride * a + o - pad for a, o in zip(at, offsets, strict=True)]
    w_index, x_index = [c, channel, *offsets], [n, channel, *position]
    w_base, b_base, x_base = _base(weights["weight"]), _base(weights["bias"]), _base(inputs)

    def made(values: dict) -> sp.Expr:
        terms = []
        for kk in range(channels):
            for off in itertools.product(range(size), repeat=sides):
                sub = values | {k: kk} | dict(zip(offsets, off, strict=True))
                w = _at(weights["weight"], [int(e.subs(sub)) for e in w_index])
                x = _at(inputs, [int(e.subs(sub)) for e in x_index])
                terms.append(w * x)
        return sp.Add(*terms, _at(weights["bias"], [values[c]]))

    letters = [n, c, *at]
    _check(outputs, letters, made, expressions)
    summed = [str(s) for s in ([k] if channels > 1 else []) + offsets]
    w_tex, x_tex = indexed(w_base, [sp.latex(e) for e in w_index]), indexed(x_base, [sp.latex(e) for e in x_index])
    w_text, x_text = _plain(w_base, w_index), _plain(x_base, x_index)
    b = indexed(b_base, ["c"])
    ranges = _words(outputs, letters) | {s: _span(size) for s in summed if s != "k"}
    if channels > 1:
        ranges["k"] = _span(channels)
    note = "\\text{a position outside the input is 0 (padding)}" if pad else None  # a formula, as every note is
    name = indexed(_base(outputs), [str(s) for s in letters])
    return {
        _base(outputs): Equation(
            name,
            None,
            outputs.size,
            ranges,
            tex=f"\\sum_{{{','.join(summed)}}} {w_tex} \\, {x_tex} + {b}",
            text=f"Σ_{','.join(summed)} {w_text} · {x_text} + {b_base}_c",
            note=note,
        )
    }


def _pooling(
    layer: Layer, inputs: np.ndarray, outputs: np.ndarray, expressions: Mapping[str, sp.Expr]
) -> dict[str, Equation]:
    """p = the max (or the mean) of each window; a max pool's partial maxima q, the chain of two-input max gates
    that routes the gradient, told in words and checked as the max of the window's first k + 2 entries."""
    sides = inputs.ndim - 2
    n, c = sp.symbols("n c", integer=True)
    at = list(sp.symbols("i j", integer=True)[:sides])
    offsets = list(sp.symbols("p q", integer=True)[:sides])
    size, stride = layer["size"], layer["stride"]
    index = [n, c, *[stride * a + o for a, o in zip(at, offsets, strict=True)]]
    windows = list(itertools.product(range(size), repeat=sides))
    is_max = layer.kind.startswith("max")

    def window(values: dict) -> list[sp.Expr]:
        return [
            _at(inputs, [int(e.subs(values | dict(zip(offsets, off, strict=True)))) for e in index]) for off in windows
        ]

    def composed(expr: sp.Expr) -> sp.Expr:
        """A node's expression with the partial maxima q put in: the max over the whole window (each max gate
        valued as the max it is; which input takes the gradient at a tie is the gate's derivative's concern)."""
        swaps = {s: composed(expressions[s.name]) for s in expr.free_symbols if s.name.startswith("q^")}
        return expr.xreplace(swaps).replace(maxgate, lambda p, q: sp.Max(p, q))

    letters = [n, c, *at]
    expressions_composed = {str(name): composed(expressions[str(name)]) for name in outputs.flat}
    _check(
        outputs,
        letters,
        lambda v: sp.Max(*window(v)) if is_max else sp.Add(*window(v)) / len(windows),
        expressions_composed,
    )
    x_tex = indexed(_base(inputs), [sp.latex(e) for e in index])
    x_text = _plain(_base(inputs), index)
    summed = ",".join(str(o) for o in offsets)
    ranges = _words(outputs, letters) | {str(o): _span(size) for o in offsets}
    name = indexed(_base(outputs), [str(s) for s in letters])
    if not is_max:
        tex, text = (
            f"\\frac{{1}}{{{len(windows)}}} \\sum_{{{summed}}} {x_tex}",
            f"(1/{len(windows)}) Σ_{summed} {x_text}",
        )
        return {_base(outputs): Equation(name, None, outputs.size, ranges, tex=tex, text=text)}
    told = {
        _base(outputs): Equation(
            name, None, outputs.size, ranges, tex=f"\\max_{{{summed}}} {x_tex}", text=f"max_{summed} {x_text}"
        )
    }
    partial = [s for s in expressions if s.startswith(f"q^{{({layer.number})}}")]
    if partial:
        told |= _partial_maxima(layer, partial, letters, window, expressions, composed)
    return told


def _partial_maxima(
    layer: Layer,
    partial: list[str],
    letters: list[sp.Symbol],
    window: Callable[[dict], list[sp.Expr]],
    expressions: Mapping[str, sp.Expr],
    composed: Callable[[sp.Expr], sp.Expr],
) -> dict[str, Equation]:
    indices = []
    for name in partial:
        parts = split(name)
        assert parts is not None
        *place, step = parts[1]
        entries = window(dict(zip(letters, place, strict=True)))
        if composed(expressions[name]) != sp.Max(*entries[: step + 2]):
            raise AssertionError(f"{name} is not the max of its window's first {step + 2} entries")
        indices.append(parts[1])
    base = split(partial[0])
    assert base is not None
    steps = max(i[-1] for i in indices) + 1
    ranges = {str(s): _span(max(i[k] for i in indices) + 1) for k, s in enumerate(letters)} | {"k": _span(steps)}
    name = indexed(base[0], [*(str(s) for s in letters), "k"])
    return {
        base[0]: Equation(
            name,
            None,
            len(partial),
            ranges,
            tex="\\max\\left(\\text{the window's first } k + 2 \\text{ entries}\\right)",
            text="max(the window's first k + 2 entries)",
        )
    }


def _dense(
    layer: Layer,
    before: np.ndarray,
    inputs: np.ndarray,
    weights: Mapping[str, np.ndarray],
    spec: LayeredSpec,
    expressions: Mapping[str, sp.Expr],
) -> dict[str, Equation]:
    """z_{n,j} = sum_k W_{j,k} h_{n,k} + b_j; after a flatten, h_{n,k} is named as the flatten's input element."""
    n, j = sp.symbols("n j", integer=True)
    outputs = spec.outputs[layer.number] if spec.outputs is not None else None
    assert outputs is not None
    z = np.vectorize(lambda s: str(s), otypes=[object])(outputs)
    if layer["activation"] is not None:  # the graph's z nodes come before the activation's a
        z = np.vectorize(lambda s: s.replace("a^", "z^", 1), otypes=[object])(z)
    if any(str(name) not in expressions for name in z.flat):
        return {}

    def made(values: dict) -> sp.Expr:
        row = range(inputs.shape[1])
        terms = [_at(weights["weight"], [values[j], kk]) * _at(inputs, [values[n], kk]) for kk in row]
        return sp.Add(*terms, _at(weights["bias"], [values[j]]))

    _check(z, [n, j], made, expressions)
    flattened = split(str(inputs.flat[0]))
    h = flattened[0] if flattened is not None and len(flattened[1]) == 2 else f"h^{{({layer.number - 1})}}"
    note = None
    if h.startswith("h^") and before.ndim > 2:
        strides = [int(np.prod(before.shape[2 + d :])) for d in range(before.ndim - 1)]
        letters = "cijk"[: before.ndim - 1]
        for index in itertools.product(*(range(m) for m in before.shape)):
            flat = sum(s * i for s, i in zip(strides, index[1:], strict=True))
            if str(inputs[index[0], flat]) != str(before[index]):
                raise AssertionError("the flatten's order is not the one told")
        flat_tex = " + ".join(f"{m} {c}" if m > 1 else c for m, c in zip(strides, letters, strict=True))
        note = f"{h}_{{n,k}} = {indexed(_base(before), ['n', *letters])}, \\quad k = {flat_tex}"
    w, b = _base(weights["weight"]), _base(weights["bias"])
    ranges = _words(z, [n, j]) | {"k": _span(inputs.shape[1])}
    name = indexed(_base(z), ["n", "j"])
    return {
        _base(z): Equation(
            name,
            None,
            z.size,
            ranges,
            tex=f"\\sum_{{k}} {w}_{{j,k}} \\, {h}_{{n,k}} + {b}_{{j}}",
            text=f"Σ_k {w}_j,k · {h}_n,k + {b}_j",
            note=note,
        )
    }
