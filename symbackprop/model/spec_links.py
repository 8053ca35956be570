"""Links a dense network may add to its layers: skip (residual) connections and tied weights.

``skip = [[1, 3]]`` adds a^(1) to z^(3) neuron by neuron (the two layers need the same width). ``tie`` makes
one parameter take another's value: ``["w^{(2)}", "w^{(1)}", "transpose"]`` is an autoencoder's W2 = W1^T,
``["w^{(3)}", "w^{(2)}"]`` one matrix used twice, ``["w_{12}^{(2)}", "w_{01}^{(1)}"]`` one weight used twice
(biases likewise). A tie to a parameter that is tied in turn goes on to the one that keeps its own value; ties
that go round in a circle are an error. Layers are numbered as references number them: as the notation prints
them (Nielsen's input is layer 1), or L, L-1, ... The layer-by-layer engine does not model these links; a network
with them is worked as a computation graph (``dense_graph``), where a skip is one more edge and a tied parameter
one leaf with several uses, and so as many parameters as a graph holds.

>>> from symbackprop.model.notation import load
>>> shape = Shape((2, 2, 2), "neuron", 0, load("3b1b"))
>>> skips([[0, 2]], shape)
(Skip(source=0, target=2),)
>>> [(tie.transpose, tie.pairs[1]) for tie in ties([["w^{(2)}", "w^{(1)}", "transpose"]], shape)]
[(True, (('w', 2, (0, 1)), ('w', 1, (1, 0))))]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..base.errors import SpecError, did_you_mean
from .graph import MAX_LEAVES
from .notation import Notation

if TYPE_CHECKING:
    import numpy as np

Param = tuple[str, int, tuple[int, ...]]  # (kind "w" or "b", layer, neuron indices as numbered), as a Ref holds them

_HEAD = re.compile(r"^\s*(?P<kind>[wbWB])\s*")
_SCRIPT = re.compile(r"(?P<mark>[_^])\s*(?:\{\s*(?P<b>[^{}]*?)\s*\}|\((?P<p>[^()]*)\)|(?P<r>[A-Za-z0-9]+))\s*")
_LAYER = re.compile(r"^\(?\s*(?:(?P<n>\d+)|L\s*(?:-\s*(?P<back>\d+))?)\s*\)?$", re.ASCII)
_SKIP_FORM = "skip = [[1, 3]] (a^(1) added to z^(3))"
_TIE_FORM = (
    '["w^{(2)}", "w^{(1)}", "transpose"] (w^(2) is w^(1) transposed), ["w^{(3)}", "w^{(2)}"] (the same matrix) '
    'or ["w_{12}^{(2)}", "w_{01}^{(1)}"] (one weight)'
)
MAX_LINKS = 256


@dataclass(frozen=True)
class Skip:
    """a^(source) added to z^(target), neuron by neuron (layers counted from 0, the input)."""

    source: int
    target: int


@dataclass(frozen=True)
class Tie:
    """One tie as written, and what it ties: each (tied element, the element whose value it takes, the end of a
    chain of ties)."""

    tied: str
    source: str
    transpose: bool
    pairs: tuple[tuple[Param, Param], ...]


@dataclass(frozen=True)
class Shape:
    """What a link is checked against: the network's layers, bias convention, numbering and numbers."""

    layers: tuple[int, ...]
    bias: str
    index_base: int
    notation: Notation
    weights: tuple[np.ndarray, ...] | None = None  # [values], when the spec has them
    biases: tuple[np.ndarray, ...] = ()

    @property
    def depth(self) -> int:
        return len(self.layers) - 1


def skips(value: Any, shape: Shape) -> tuple[Skip, ...]:
    """The ``skip`` key: a list of [from, to] pairs of layers."""
    if not isinstance(value, list) or len(value) > MAX_LINKS:
        raise SpecError(f"skip: give a list of [from, to] pairs of layers, as {_SKIP_FORM}; got {_short(value)}")
    _bounded("skip", shape)
    out: list[Skip] = []
    for i, pair in enumerate(value):
        where = f"skip[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise SpecError(f"{where}: give two layers [from, to], as {_SKIP_FORM}; got {_short(pair)}")
        source, target = (_layer(where, v, shape) for v in pair)
        shown = [_layer_words(n, shape) for n in (source, target)]
        if target <= source:
            raise SpecError(
                f"{where}: a skip goes forward, from a layer to a later one; got from {shown[0]} to {shown[1]}"
            )
        if shape.layers[source] != shape.layers[target]:
            raise SpecError(
                f"{where}: a skip adds a^({shown[0]}) to z^({shown[1]}) neuron by neuron, so the two layers need the "
                f"same width; layer {shown[0]} has {shape.layers[source]} neurons and layer {shown[1]} has "
                f"{shape.layers[target]}"
            )
        skip = Skip(source, target)
        if skip in out:
            raise SpecError(f"{where}: the skip from layer {shown[0]} to layer {shown[1]} is given twice")
        out.append(skip)
    return tuple(out)


def ties(value: Any, shape: Shape) -> tuple[Tie, ...]:
    """The ``tie`` key: a list of [tied, source] or [tied, source, "transpose"] lists. A tie to a parameter that is
    tied in turn follows it to the one that keeps its own value; with [values], the tied parameters' numbers must
    be that one's."""
    if not isinstance(value, list) or len(value) > MAX_LINKS:
        raise SpecError(f"tie: give a list of ties, each {_TIE_FORM}; got {_short(value)}")
    _bounded("tie", shape)
    written = [_tie(f"tie[{i}]", entry, shape) for i, entry in enumerate(value)]
    source_of: dict[Param, Param] = {}
    tied_by: dict[Param, int] = {}
    for i, tie in enumerate(written):
        for tied, source in tie.pairs:
            if tied in tied_by:
                raise SpecError(
                    f"tie[{i}]: {element_text(tied, shape)} is tied already, by tie[{tied_by[tied]}]; "
                    "a parameter takes one other's value"
                )
            source_of[tied], tied_by[tied] = source, i
    out = []
    for i, tie in enumerate(written):
        pairs = tuple((tied, _root(i, tied, source_of, shape)) for tied, _ in tie.pairs)
        out.append(Tie(tie.tied, tie.source, tie.transpose, pairs))
        _same_numbers(i, out[-1], shape)
    return tuple(out)


def _root(i: int, tied: Param, source_of: dict[Param, Param], shape: Shape) -> Param:
    """The parameter a chain of ties from ``tied`` ends at, the one that keeps its own value."""
    chain = [tied, source_of[tied]]
    while chain[-1] in source_of:
        after = source_of[chain[-1]]
        if after in chain:
            circle = " -> ".join(element_text(p, shape) for p in [*chain[chain.index(after) :], after])
            raise SpecError(f"tie[{i}]: the ties go round in a circle, {circle}; one of them must keep its own value")
        chain.append(after)
    return chain[-1]


def _bounded(key: str, shape: Shape) -> None:
    """A network with links is worked as a computation graph, one leaf per parameter: no more than a graph holds."""
    n = shape.layers
    biases = {"neuron": sum(n[1:]), "layer": len(n) - 1, "none": 0}[shape.bias]
    count = sum(n[layer] * n[layer - 1] for layer in range(1, len(n))) + biases
    if count > MAX_LEAVES:
        raise SpecError(
            f"{key}: a network with skip connections or tied weights is worked as a computation graph of at most "
            f"{MAX_LEAVES:,} parameters; this one has {count:,}"
        )


def _tie(where: str, entry: Any, shape: Shape) -> Tie:
    if not isinstance(entry, list) or len(entry) not in (2, 3) or not all(isinstance(e, str) for e in entry):
        raise SpecError(f"{where}: a tie is a list of two or three strings, {_TIE_FORM}; got {_short(entry)}")
    transpose = len(entry) == 3
    if transpose and entry[2] != "transpose":
        raise SpecError(
            f'{where}: the third entry may only be "transpose"; got {entry[2]!r}{did_you_mean(entry[2], ["transpose"])}'
        )
    (kind, layer, indices), (s_kind, s_layer, s_indices) = (_parameter(where, text, shape) for text in entry[:2])
    if kind != s_kind:
        raise SpecError(f"{where}: ties a {_KIND[kind]} to a {_KIND[s_kind]}; tie weights to weights, biases to biases")
    if (indices is None) != (s_indices is None):
        whole = entry[0] if indices is None else entry[1]
        raise SpecError(
            f"{where}: ties all of {whole} to one {_KIND[kind]}; tie a whole layer's {_KINDS[kind]} to another "
            "layer's, or one to one"
        )
    if transpose and (kind != "w" or indices is not None):
        raise SpecError(
            f'{where}: "transpose" ties a whole weight matrix to another\'s transpose, as ["w^{{(2)}}", '
            '"w^{(1)}", "transpose"]; for one weight, name both: ["w_{21}^{(2)}", "w_{12}^{(1)}"]'
        )
    if (layer, indices) == (s_layer, s_indices):
        raise SpecError(f"{where}: ties {entry[0]} to itself; name two different {_KINDS[kind]}")
    if indices is not None and s_indices is not None:
        return Tie(entry[0], entry[1], False, (((kind, layer, indices), (kind, s_layer, s_indices)),))
    return Tie(entry[0], entry[1], transpose, _whole(where, entry, kind, layer, s_layer, transpose, shape))


def _whole(
    where: str, entry: Sequence[str], kind: str, layer: int, source: int, transpose: bool, shape: Shape
) -> tuple[tuple[Param, Param], ...]:
    """Every element of a whole matrix (or bias vector) paired with the one of the other it takes."""
    base, n = shape.index_base, shape.layers
    if kind == "b":
        if shape.bias == "layer":
            return ((("b", layer, ()), ("b", source, ())),)
        if n[layer] != n[source]:
            raise SpecError(
                f"{where}: {entry[0]} has {n[layer]} biases and {entry[1]} has {n[source]}; a tie needs the same number"
            )
        return tuple((("b", layer, (j + base,)), ("b", source, (j + base,))) for j in range(n[layer]))
    mine, theirs = (n[layer], n[layer - 1]), (n[source], n[source - 1])
    wanted = theirs[::-1] if transpose else theirs
    if mine != wanted:
        other = f"{entry[1]} transposed" if transpose else entry[1]
        raise SpecError(
            f"{where}: {entry[0]} is {_shape_words(mine)} but {other} is {_shape_words(wanted)}; a tie needs the "
            "same shape" + ("" if transpose else ' (or add "transpose" for the transposed matrix)')
        )
    pairs = []
    for j in range(mine[0]):
        for k in range(mine[1]):
            at = (k, j) if transpose else (j, k)
            pairs.append((("w", layer, (j + base, k + base)), ("w", source, (at[0] + base, at[1] + base))))
    return tuple(pairs)


_KIND = {"w": "weight", "b": "bias"}
_KINDS = {"w": "weights", "b": "biases"}


def _parameter(where: str, text: str, shape: Shape) -> tuple[str, int, tuple[int, ...] | None]:
    """A weight or bias as written: (kind, layer, its indices, or None for the whole layer's)."""
    head = _HEAD.match(text)
    scripts: dict[str, str] = {}
    pos = head.end() if head else 0
    while head and pos < len(text):
        m = _SCRIPT.match(text, pos)
        if m is None or m["mark"] in scripts:
            head = None
            break
        scripts[m["mark"]] = next(g for g in (m["b"], m["p"], m["r"]) if g is not None)
        pos = m.end()
    if head is None or "^" not in scripts:
        raise SpecError(
            f"{where}: {text!r} is not a weight or bias; write w^{{(2)}} (a layer's weights), w_{{12}}^{{(2)}} "
            "(one weight), b^{(2)} or b_{1}^{(2)}"
        )
    kind = head["kind"].lower()
    if kind == "b" and shape.bias == "none":
        raise SpecError(f'{where}: {text!r}: this network has no biases (bias = "none")')
    layer = _layer(where, scripts["^"], shape, text)
    if layer == 0:
        raise SpecError(f"{where}: {text!r}: the input layer has no {_KINDS[kind]}")
    sub = scripts.get("_")
    if sub is None:
        return kind, layer, None
    return kind, layer, _indices(where, text, kind, layer, sub, shape)


def _indices(where: str, text: str, kind: str, layer: int, sub: str, shape: Shape) -> tuple[int, ...]:
    want = 2 if kind == "w" else 0 if shape.bias == "layer" else 1
    if want == 0:
        raise SpecError(f'{where}: {text!r}: this network has one bias per layer (bias = "layer"): write b^{{(2)}}')
    parts = [p.strip() for p in sub.split(",")] if "," in sub else list(sub.strip()) if want == 2 else [sub.strip()]
    if len(parts) != want or not all(p.isascii() and p.isdigit() for p in parts):
        example = "two neuron indices, as w_{12}^{(2)} or w_{1,12}^{(2)}" if want == 2 else "its neuron, as b_{1}^{(2)}"
        raise SpecError(f"{where}: {text!r}: give {example}")
    indices = tuple(int(p) for p in parts)
    sizes = [shape.layers[layer], shape.layers[layer - 1]][:want]
    for index, size in zip(indices, sizes, strict=True):
        if not shape.index_base <= index < shape.index_base + size:
            last = shape.index_base + size - 1
            raise SpecError(
                f"{where}: {text!r}: index {index} is out of range; it runs from {shape.index_base} to {last}"
            )
    return indices


def _layer(where: str, value: Any, shape: Shape, text: str | None = None) -> int:
    """A layer written as the notation numbers it (an int, or digits), or as L, L-1, ...: its index from 0."""
    first = shape.notation.input_number
    last = shape.depth + first
    said = repr(text) if text is not None else _short(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SpecError(f"{where}: a layer is a number from {first} to {last}, or L, L-1, ...; got {said}")
    m = _LAYER.match(value) if isinstance(value, str) else None
    if isinstance(value, str) and m is None:
        raise SpecError(f"{where}: {said}: the layer is not a number, L, or L-N")
    if isinstance(value, int):
        layer = shape.notation.layer_index(value)
    else:
        assert m is not None
        layer = shape.notation.layer_index(int(m["n"])) if m["n"] is not None else shape.depth - int(m["back"] or 0)
    if not 0 <= layer <= shape.depth:
        raise SpecError(f"{where}: {said}: no such layer; layers are {first} (the input) to {last}")
    return layer


def _layer_words(layer: int, shape: Shape) -> str:
    """A layer as a user numbers it: 2, or Nielsen's 3 for the same layer."""
    return str(layer + shape.notation.input_number)


def element_text(param: Param, shape: Shape) -> str:
    """One weight or bias as the notation writes it: w_{12}^{(L)}, b^{(L-1)}."""
    kind, layer, indices = param
    sup = shape.notation.layer(layer, shape.depth)
    sup = f"({sup})" if shape.notation.layer_parens else sup
    sub = ("," if any(i > 9 for i in indices) else "").join(map(str, indices))
    return f"{kind}_{{{sub}}}^{{{sup}}}" if sub else f"{kind}^{{{sup}}}"


def _same_numbers(i: int, tie: Tie, shape: Shape) -> None:
    """A tied parameter's number in [values] is the one it is tied to."""
    if shape.weights is None:
        return
    for tied, source in tie.pairs:
        mine, theirs = _number(tied, shape), _number(source, shape)
        if mine != theirs:
            table = "weights" if tied[0] == "w" else "biases"
            raise SpecError(
                f"values.{table}[{tied[1] - 1}]: {element_text(tied, shape)} is tied to {element_text(source, shape)} "
                f"(tie[{i}]), so give it the same number; it is {mine:g} and {element_text(source, shape)} is "
                f"{theirs:g}"
            )


def _number(param: Param, shape: Shape) -> float:
    kind, layer, indices = param
    at = tuple(i - shape.index_base for i in indices)
    assert shape.weights is not None
    table = shape.weights if kind == "w" else shape.biases
    return float(table[layer - 1][at if at else 0])


def not_layered(skips: Sequence[Skip], ties: Sequence[Tie], doing: str) -> str:
    """The message refusing a network with skips or ties where the layer-by-layer engine would be wrong."""
    named = (("skip connections (skip)", skips), ("tied parameters (tie)", ties))
    links = " and ".join(name for name, given in named if given)
    return (
        f"{doing}: this network has {links}, which the layer-by-layer engine does not model; a network with them "
        "is worked as a computation graph (dense_graph.network_graph, as the commands do)"
    )


def _shape_words(shape: tuple[int, int]) -> str:
    return f"{shape[0]} row{'s' if shape[0] != 1 else ''} of {shape[1]}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
