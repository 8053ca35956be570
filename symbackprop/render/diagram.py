"""The network drawn as a TikZ figure: positions and highlights as data, for a template to draw.

Neurons are circles in columns, input on the left; the quantity being differentiated is
highlighted with every path by which it reaches the cost. Wide layers show a few neurons
and an ellipsis, always including the highlighted one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH_CM = 11.0
HEIGHT_CM = 6.0
MAX_SHOWN = 7


@dataclass(frozen=True)
class Neuron:
    layer: int
    index: int  # as numbered in the spec
    x: float
    y: float
    highlight: bool
    source: bool  # the neuron a highlighted weight starts from


@dataclass(frozen=True)
class Edge:
    start: Neuron
    end: Neuron
    highlight: bool


@dataclass(frozen=True)
class Diagram:
    neurons: tuple[Neuron, ...]
    edges: tuple[Edge, ...]
    labels: tuple[tuple[float, float, str], ...]  # x, y, layer label (LaTeX math)
    ellipses: tuple[tuple[float, float], ...]
    cost: tuple[float, float]
    cost_edges: tuple[tuple[Neuron, bool], ...]
    radius: float
    highlighted: bool = True  # whether the figure marks a target (the cost box is then drawn in its colour)


def diagram(
    layers: Sequence[int],
    kind: str,
    layer: int,
    indices: Sequence[int],
    base: int,
    labels: Sequence[str],
    coupled: frozenset[int] = frozenset(),
) -> Diagram:
    """Lay out the network with the target (w, b, a or z at ``layer``) and its downstream paths highlighted;
    with ``kind`` empty, the whole network with nothing highlighted.

    ``coupled`` names the layers whose activation mixes their neurons (softmax): a change to one weighted
    input there reaches every activation of the layer, so the whole layer lies on the paths.
    """
    step = WIDTH_CM / (len(layers))
    shown = [_shown(n, base, _keep(kind, layer, indices, l, base)) for l, n in enumerate(layers)]
    spacing = min(1.1, HEIGHT_CM / max(max(len(s) for s in shown) - 1, 1))
    neurons: dict[tuple[int, int], Neuron] = {}
    ellipses = []
    for l, column in enumerate(shown):
        top = spacing * (len(column) - 1) / 2
        for row, index in enumerate(column):
            y = round(top - row * spacing, 3)
            if index is None:
                ellipses.append((round(l * step, 3), y))
                continue
            hot = _hot(kind, layer, indices, l, index, l in coupled)
            neurons[(l, index)] = Neuron(l, index, round(l * step, 3), y, hot, _source(kind, layer, indices, l, index))
    edges = tuple(
        Edge(a, b, _edge_hot(kind, layer, indices, a, b))
        for a in neurons.values()
        for b in neurons.values()
        if b.layer == a.layer + 1
    )
    depth = len(layers) - 1
    cost_x = round(len(layers) * step - step / 3, 3)
    outputs = [n for n in neurons.values() if n.layer == depth]
    radius = 0.32 if spacing >= 0.8 else 0.24
    label_y = round(-spacing * (max(len(s) for s in shown) - 1) / 2 - 0.75, 3)
    layer_labels = tuple((round(l * step, 3), label_y, labels[l]) for l in range(len(layers)))
    return Diagram(
        tuple(neurons.values()),
        edges,
        layer_labels,
        tuple(ellipses),
        (cost_x, 0.0),
        tuple((n, n.highlight) for n in outputs),
        radius,
        bool(kind),
    )


def _keep(kind: str, layer: int, indices: Sequence[int], l: int, base: int) -> set[int]:
    """Indices that must stay visible in layer ``l``: the target's neurons."""
    if not indices:
        return set()
    if kind == "w" and l == layer - 1:
        return {indices[1]}
    return {indices[0]} if l == layer else set()


def _shown(n: int, base: int, keep: set[int]) -> list[int | None]:
    """The indices drawn for a layer of ``n`` neurons; None marks an ellipsis."""
    if n <= MAX_SHOWN:
        return list(range(base, base + n))
    chosen = sorted({base, base + 1, base + 2, base + n - 1} | keep)
    out: list[int | None] = []
    for i in chosen:
        if out and out[-1] is not None and i != out[-1] + 1:
            out.append(None)
        out.append(i)
    return out


def _hot(kind: str, layer: int, indices: Sequence[int], l: int, index: int, coupled: bool) -> bool:
    """Whether a neuron lies on a path from the target to the cost."""
    if not kind:
        return False
    if l != layer:
        return l > layer
    spreads = coupled and kind != "a"  # w, b and z act on the weighted input, which softmax mixes
    return not indices or spreads or index == indices[0]


def _source(kind: str, layer: int, indices: Sequence[int], l: int, index: int) -> bool:
    return kind == "w" and l == layer - 1 and index == indices[1]


def _edge_hot(kind: str, layer: int, indices: Sequence[int], a: Neuron, b: Neuron) -> bool:
    """The target weight itself, and every edge leaving a highlighted neuron."""
    if kind == "w" and b.layer == layer and a.layer == layer - 1:
        return a.index == indices[1] and b.index == indices[0]
    return a.highlight and a.layer >= layer
