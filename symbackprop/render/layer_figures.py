"""The figures of a layer stack's derivation, as a lesson draws them: the stack, one box per layer, and for each
convolution, pooling, normalisation and recurrent layer the path drawn in its own terms (``layer_kind_figures``).

What is highlighted is read from the graph alone: a cell is hot when its name is on a path from the derived name
to the cost (the derivation's steps). A large layer is drawn as an excerpt (a corner of a grid, the first and last
time steps, a few of a channel's values) and its caption says which part.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..model.graph import Graph
from ..model.layers.layer_graph import LayeredSpec
from ..model.layers.stack import Layer
from .figure_canvas import SIZES, WORD_EM, Canvas, label_cm
from .figure_scene import Scene, on_path, scene_of, shape_tex
from .graph_printing import name_text
from .layer_kind_figures import DRAWN

BOX_H, BOX_GAP, ROW_GAP, PER_ROW = 1.1, 0.6, 1.3, 8


def layer_figures(
    spec: LayeredSpec, graph: Graph, path: Collection[str], wrt: str | None, values: Mapping[str, float]
) -> list[dict[str, Any]]:
    """The stack's figure, then one per layer the path runs through whose kind has a figure of its own."""
    scene = scene_of(spec, graph, path, wrt, values)
    assert spec.stack is not None
    figures = [stack_figure(scene)]
    for layer in spec.stack.layers:
        if layer.kind in DRAWN and on_path(scene, layer):
            figures.append(DRAWN[layer.kind](scene, layer))
    return figures


def kind_words(layer: Layer) -> str:
    """A layer's kind as its box says it: ``conv2d 2x3x3``, ``relu``, ``maxpool2d 2``, ``dense 3, softmax``."""
    kind, o = layer.kind, layer.options
    if kind in ("conv1d", "conv2d"):
        return f"{kind} {o['out_channels']}x{o['kernel']}" + ("x" + str(o["kernel"]) if kind == "conv2d" else "")
    if kind.endswith("pool1d") or kind.endswith("pool2d"):
        return f"{kind} {o['size']}"
    if kind == "activation":
        return str(o["activation"])
    if kind == "dense":
        return f"dense {o['size']}" + (f", {o['activation']}" if o.get("activation") else "")
    if kind == "rnn":
        return f"rnn {o['hidden_size']}"
    if kind == "residual":
        return f"+ layer {o['from']}"
    return kind


def stack_figure(scene: Scene) -> dict[str, Any]:
    """One box per layer (its number and kind, its output's shape per sample) from the input to the cost, the boxes
    the path runs through and the arrows between them highlighted; the derived name's box marked as its source."""
    stack = scene.spec.stack
    assert stack is not None
    c = Canvas()
    boxes = [("input", stack.input, 0)] + [
        (f"{L.number}: {kind_words(L)}", L.shape_out, L.number) for L in stack.layers
    ]
    boxes.append(("cost", (), -1))
    centre: dict[int, tuple[float, float]] = {}
    widths = [
        max(1.6, len(words) * WORD_EM * SIZES["script"] + 0.5, label_cm(shape_tex(shape)) + 0.5)
        for words, shape, _ in boxes
    ]
    lefts = [sum(widths[k - k % PER_ROW : k]) + (k % PER_ROW) * BOX_GAP for k in range(len(boxes))]
    source = scene.where.get(scene.wrt or "", (None, "", ()))
    hot_of: dict[int, bool] = {}
    for k, (words, shape, number) in enumerate(boxes):
        x, y = lefts[k] + widths[k] / 2, -(k // PER_ROW) * (BOX_H + ROW_GAP)
        centre[k] = (x, y)
        if number == -1:
            hot = bool(scene.hot)
        elif number == 0:
            hot = scene.any_hot(scene.outputs(0))
        else:
            hot = on_path(scene, stack.layers[number - 1])
        hot_of[k] = hot
        mark = "source" if number == source[0] and (number > 0 or source[1] == "output") else ""
        c.cell(x, y, widths[k], BOX_H, name=None, hot=hot, mark=mark)
        c.text(x, y + 0.18, words=words, size="script")
        c.text(x, y - 0.22, tex="C" if number == -1 else shape_tex(shape), size="script")
    for k in range(1, len(boxes)):
        (x0, y0), (x1, y1) = centre[k - 1], centre[k]
        hot = hot_of[k] and _feeds(scene, boxes[k - 1][2])
        if y0 == y1:
            c.line([(x0 + widths[k - 1] / 2, y0), (x1 - widths[k] / 2, y1)], hot=hot)
        else:
            mid = y0 - BOX_H / 2 - ROW_GAP / 2
            c.line([(x0, y0 - BOX_H / 2), (x0, mid), (x1, mid), (x1, y1 + BOX_H / 2)], hot=hot)
    for L in stack.layers:
        if L.kind == "residual":
            k0, k1 = L["from"], L.number
            (x0, y0), (x1, y1) = centre[k0], centre[k1]
            lift = max(y0, y1) + BOX_H / 2 + 0.35
            hot = hot_of[k1] and _feeds(scene, k0)
            c.line([(x0, y0 + BOX_H / 2), (x0, lift), (x1, lift), (x1, y1 + BOX_H / 2)], hot=hot)
    if source[0] is not None and scene.wrt is not None:
        x, y = centre[source[0]]
        c.line([(x, y - BOX_H / 2 - 0.45), (x, y - BOX_H / 2)], hot=True)
        c.text(x, y - BOX_H / 2 - 0.45, tex=scene.wrt, anchor="north", size="script", hot=True)
    hot_words = [boxes[k][0] for k in hot_of if hot_of[k]]
    wrt = name_text(scene.wrt) if scene.wrt else "every parameter"
    description = (
        f"The stack as {len(boxes)} boxes in a row, the input first and the cost last, each with its kind and the "
        f"shape of one sample's output. Highlighted, the path from {wrt} to the cost: " + ", ".join(hot_words) + "."
    )
    caption = (
        "The stack, one box per layer with the shape of one sample's output; the boxes and arrows the gradient "
        + (f"passes from the cost back to ${scene.wrt}$ in blue." if scene.wrt else "passes in blue.")
    )
    return c.figure("stack", 0, "The layer stack and the path", description, caption)


def _feeds(scene: Scene, number: int) -> bool:
    """Whether layer ``number``'s output (-1: none) is on the path, so that the arrow out of it carries it."""
    return number >= 0 and scene.any_hot(scene.outputs(number))
