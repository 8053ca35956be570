"""A fully connected network as a TikZ figure: every position and highlight computed here, drawn by a template.

Neurons are circles in columns, input layer on the left, the cost box on the right. The target
(a weight, a bias, an activation or a weighted input) is highlighted together with every path by
which it reaches the cost; nothing upstream is. Layers wider than ``max_shown`` show their first
few neurons, the last one and the target, with a vertical ellipsis in each gap. All numbers are
centimetres rounded to 3 decimals, so the same network always renders to the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

KINDS = ("w", "b", "a", "z")
SPAN_CM = 10.4  # first column to the cost box: with radii, labels and box, under an article's 12 cm text width
MAX_STEP_CM = 2.6  # widest column spacing, so shallow networks do not sprawl
COST_GAP_CM = 1.3  # output column to the cost box
TALLEST_CM = 5.6  # centre of the top neuron to centre of the bottom one, tallest column
MAX_ROW_CM = 1.1  # vertical spacing when the columns are short
DIAMETER_CM = 0.62  # a neuron, roomy enough for a scriptsize a_{12}
LABEL_GAP_CM = 0.55  # bottom of the tallest column to the baseline of the layer labels
MIN_SHOWN = 5  # head, ellipsis, target, ellipsis, last: the fewest rows a shortened layer needs

Key = tuple[int, int]  # (layer, neuron index as numbered)


@dataclass(frozen=True)
class Neuron:
    """One drawn neuron: where it is, what it says, and how it is marked."""

    layer: int  # 0 is the input layer
    index: int  # as numbered, from index_base
    x: float
    y: float
    label: str  # LaTeX math, e.g. a_{2}
    highlight: bool  # the target or downstream of it
    highlight_source: bool  # the neuron a highlighted weight starts from (its own inputs stay grey)
    target: bool  # the neuron (or, for a shared bias, the layer) being differentiated


@dataclass(frozen=True)
class Edge:
    """One drawn connection, from a neuron to a neuron of the next layer or to the cost (end None)."""

    start: Key
    end: Key | None
    x1: float
    y1: float
    x2: float
    y2: float
    highlight: bool  # on a path from the target to the cost
    target: bool  # the weight being differentiated


@dataclass(frozen=True)
class Label:
    """A layer's name under its column, LaTeX math."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Dots:
    """A vertical ellipsis standing for neurons left out of a wide layer."""

    x: float
    y: float


@dataclass(frozen=True)
class Cost:
    """The cost node: a small box right of the output layer."""

    x: float
    y: float
    label: str
    highlight: bool


@dataclass(frozen=True)
class Figure:
    """Everything the template draws, in drawing order within each field (grey edges before highlighted)."""

    neurons: tuple[Neuron, ...]
    edges: tuple[Edge, ...]  # between neurons of adjacent layers
    cost_edges: tuple[Edge, ...]  # from every shown output neuron to the cost
    labels: tuple[Label, ...]
    ellipses: tuple[Dots, ...]
    cost: Cost
    diameter: float  # of a neuron circle, cm


@dataclass(frozen=True)
class _Target:
    """The validated target: its layer, its hot neurons there (None: the whole layer), the weight's source."""

    kind: str
    layer: int
    hot: frozenset[int] | None
    source: int | None


def figure(
    layers: Sequence[int],
    target_kind: str,
    target_layer: int,
    target_indices: tuple[int, ...],
    index_base: int,
    layer_labels: Sequence[str],
    max_shown: int = 8,
    cost_label: str = "C_0",
) -> Figure:
    """Lay out the network with the target and every path from it to the cost highlighted."""
    _check_network(layers, index_base, layer_labels, max_shown)
    target = _target(layers, target_kind, target_layer, tuple(target_indices), index_base)
    columns = [_shown(n, index_base, _keep(target, l), max_shown) for l, n in enumerate(layers)]
    step, row = _spacing(len(layers), max(len(c) for c in columns))
    diameter = _cm(min(DIAMETER_CM, 0.75 * row, 0.55 * step))
    neurons, ellipses = _place(columns, step, row, target)
    edges = _edges(neurons, target)
    cost_x = _cm((len(layers) - 1) * step + _cost_gap(step))
    cost_edges = _cost_edges(neurons, len(layers) - 1, cost_x)
    cost = Cost(cost_x, 0.0, cost_label, any(e.highlight for e in cost_edges))
    label_y = _cm(-row * (max(len(c) for c in columns) - 1) / 2 - diameter / 2 - LABEL_GAP_CM)
    labels = tuple(Label(_cm(l * step), label_y, text) for l, text in enumerate(layer_labels))
    return Figure(tuple(neurons.values()), edges, cost_edges, labels, tuple(ellipses), cost, diameter)


def _cm(value: float) -> float:
    """A coordinate rounded to 3 decimals, with -0.0 made 0.0 so output never depends on a sign of zero."""
    return round(value, 3) + 0.0


def _check_network(layers: Sequence[int], base: int, labels: Sequence[str], max_shown: int) -> None:
    """Refuse shapes the figure cannot draw, before any layout."""
    if len(layers) < 2 or any(not _is_int(n) or n < 1 for n in layers):
        raise ValueError(f"a network needs at least two layers of at least one neuron, got {list(layers)}")
    if not _is_int(base):
        raise ValueError(f"index_base must be an integer, got {base!r}")
    if len(labels) != len(layers):
        raise ValueError(f"{len(layers)} layers need {len(layers)} labels, got {len(labels)}")
    if max_shown < MIN_SHOWN:
        raise ValueError(f"max_shown must be at least {MIN_SHOWN}, got {max_shown}")


def _is_int(value: object) -> bool:
    """An int that is not a bool: only digits may reach a label."""
    return isinstance(value, int) and not isinstance(value, bool)


def _target(layers: Sequence[int], kind: str, layer: int, indices: tuple[int, ...], base: int) -> _Target:
    """Check the target against the network and say which neurons it lights up."""
    if kind not in KINDS:
        raise ValueError(f"target kind must be one of {', '.join(KINDS)}, got {kind!r}")
    lowest = 0 if kind == "a" else 1
    if not _is_int(layer) or not lowest <= layer < len(layers):
        raise ValueError(f"a {kind} target needs a layer from {lowest} to {len(layers) - 1}, got {layer!r}")
    arity = {"w": (2,), "b": (0, 1), "a": (1,), "z": (1,)}[kind]
    if len(indices) not in arity:
        raise ValueError(f"a {kind} target takes {' or '.join(map(str, arity))} indices, got {indices}")
    _check_index(indices[:1], layers[layer], base)
    _check_index(indices[1:], layers[layer - 1], base)
    hot = frozenset(indices[:1]) if indices else None
    return _Target(kind, layer, hot, indices[1] if kind == "w" else None)


def _check_index(indices: tuple[int, ...], n: int, base: int) -> None:
    """Each index must name one of the layer's ``n`` neurons."""
    for i in indices:
        if not _is_int(i) or not base <= i < base + n:
            raise ValueError(f"neuron index {i!r} is outside {base}..{base + n - 1}")


def _keep(target: _Target, layer: int) -> set[int]:
    """Indices a shortened layer must still show: the target's neurons in it."""
    if layer == target.layer and target.hot is not None:
        return set(target.hot)
    if layer == target.layer - 1 and target.source is not None:
        return {target.source}
    return set()


def _shown(n: int, base: int, keep: set[int], max_shown: int) -> list[int | None]:
    """The indices drawn for a layer of ``n`` neurons, top to bottom; None is an ellipsis row."""
    if n <= max_shown:
        return list(range(base, base + n))
    head = range(base, base + max_shown - 4)
    chosen = sorted({*head, base + n - 1, *keep})
    rows: list[int | None] = [chosen[0]]
    for before, i in pairwise(chosen):
        rows.extend([*_gap(before, i), i])
    return rows


def _gap(before: int, after: int) -> list[int | None]:
    """What stands between two shown neurons: nothing, the one neuron an ellipsis would hide, or an ellipsis."""
    hidden = after - before - 1
    return [] if hidden == 0 else [before + 1] if hidden == 1 else [None]


def _spacing(depth: int, rows: int) -> tuple[float, float]:
    """Column and row spacing, in cm, that keep the figure inside the page for any depth and width."""
    step = min(MAX_STEP_CM, (SPAN_CM - COST_GAP_CM) / (depth - 1))
    row = min(MAX_ROW_CM, TALLEST_CM / max(rows - 1, 1))
    return step, row


def _cost_gap(step: float) -> float:
    """Distance from the output column to the cost box: a little under a column step."""
    return min(COST_GAP_CM, 0.8 * step)


def _place(
    columns: list[list[int | None]], step: float, row: float, target: _Target
) -> tuple[dict[Key, Neuron], list[Dots]]:
    """Neurons and ellipses at their positions, each column centred on y = 0."""
    neurons: dict[Key, Neuron] = {}
    ellipses: list[Dots] = []
    for l, column in enumerate(columns):
        x = _cm(l * step)
        top = row * (len(column) - 1) / 2
        for r, index in enumerate(column):
            y = _cm(top - r * row)
            if index is None:
                ellipses.append(Dots(x, y))
            else:
                neurons[(l, index)] = _neuron(l, index, x, y, target)
    return neurons, ellipses


def _neuron(layer: int, index: int, x: float, y: float, target: _Target) -> Neuron:
    """One neuron, marked by where it lies relative to the target."""
    at_target = layer == target.layer and (target.hot is None or index in target.hot)
    return Neuron(
        layer=layer,
        index=index,
        x=x,
        y=y,
        label=f"a_{{{index}}}",
        highlight=at_target or layer > target.layer,
        highlight_source=layer == target.layer - 1 and index == target.source,
        target=at_target and target.kind != "w",
    )


def _edges(neurons: dict[Key, Neuron], target: _Target) -> tuple[Edge, ...]:
    """Every edge between shown neurons of adjacent layers: grey first, then highlighted, the target last."""
    edges = [_edge(a, b, target) for a in neurons.values() for b in neurons.values() if b.layer == a.layer + 1]
    return tuple(sorted(edges, key=lambda e: (e.highlight, e.target)))


def _edge(a: Neuron, b: Neuron, target: _Target) -> Edge:
    """An edge is hot when it leaves a hot neuron, or is the target weight itself."""
    is_weight = a.highlight_source and b.layer == target.layer and b.highlight
    hot = is_weight or (a.highlight and a.layer >= target.layer)
    return Edge((a.layer, a.index), (b.layer, b.index), a.x, a.y, b.x, b.y, hot, is_weight)


def _cost_edges(neurons: dict[Key, Neuron], output: int, cost_x: float) -> tuple[Edge, ...]:
    """An edge from each shown output neuron to the cost box (at y = 0), hot when that neuron is."""
    outs = [n for n in neurons.values() if n.layer == output]
    edges = [Edge((n.layer, n.index), None, n.x, n.y, cost_x, 0.0, n.highlight, False) for n in outs]
    return tuple(sorted(edges, key=lambda e: e.highlight))
