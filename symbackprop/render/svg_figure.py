"""The figures of the HTML page as SVG: the layouts the LaTeX figures draw (``diagram`` for a network,
``graph_figure`` for a computation graph) moved into pixels, y pointing down, for a template to draw.

Nothing is laid out again here: every position comes from the layout, scaled and flipped, so the page and the
PDF show the same figure. Labels stay LaTeX; the template sets them as MathML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NETWORK_PX = 56.0  # pixels per cm of the network figure
GRAPH_PX = 42.0  # pixels per cm of a graph's circuit
PAD = 14.0  # pixels around a figure


def _px(value: float) -> float:
    return round(value, 1) + 0.0


def network_svg(fig: Mapping[str, Any], cost_symbol: str) -> dict[str, Any]:
    """A ``diagram`` record (a network's columns of neurons, its edges and the cost box) in SVG pixels."""
    points = [(n["x"], n["y"]) for n in fig["neurons"]] + [(x, y) for x, y in fig["ellipses"]]
    points += [(x, y) for x, y, _ in fig["labels"]] + [tuple(fig["cost"])]
    left, top = min(p[0] for p in points) - fig["radius"], max(p[1] for p in points) + fig["radius"]
    bottom = min(p[1] for p in points) - 0.3
    right = fig["cost"][0] + 0.5

    def at(x: float, y: float) -> tuple[float, float]:
        return _px((x - left) * NETWORK_PX + PAD), _px((top - y) * NETWORK_PX + PAD)

    def neuron(n: Mapping[str, Any]) -> dict[str, Any]:
        x, y = at(n["x"], n["y"])
        return {"x": x, "y": y, "index": n["index"], "hot": n["highlight"] or n["source"]}

    def line(a: Mapping[str, Any], b: tuple[float, float], hot: bool) -> dict[str, Any]:
        (x1, y1), (x2, y2) = at(a["x"], a["y"]), at(*b)
        return {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "hot": hot}

    cost = at(*fig["cost"])
    edges = [line(e["start"], (e["end"]["x"], e["end"]["y"]), e["highlight"]) for e in fig["edges"]]
    edges += [line(n, tuple(fig["cost"]), hot) for n, hot in fig["cost_edges"]]
    return {
        "width": _px((right - left) * NETWORK_PX + 2 * PAD),
        "height": _px((top - bottom) * NETWORK_PX + 2 * PAD),
        "radius": _px(fig["radius"] * NETWORK_PX),
        "edges": sorted(edges, key=lambda e: e["hot"]),  # the highlighted paths drawn last, on top
        "neurons": [neuron(n) for n in fig["neurons"]],
        "ellipses": [at(x, y) for x, y in fig["ellipses"]],
        "labels": [{"at": at(x, y), "tex": text} for x, y, text in fig["labels"]],
        "cost": {"at": cost, "tex": cost_symbol, "hot": fig["highlighted"]},
    }


def graph_svg(fig: Mapping[str, Any]) -> dict[str, Any]:
    """A ``graph_figure`` (a circuit: boxes, wires in pieces, labels with their anchors) in SVG pixels."""
    height = fig["height"]

    def at(x: float, y: float) -> list[float]:
        return [_px(x * GRAPH_PX + PAD), _px((height - y) * GRAPH_PX + PAD)]

    def box(t: Mapping[str, Any]) -> dict[str, Any]:
        x, y = at(t["x"] - t["w"] / 2, t["y"] + t["h"] / 2)
        return dict(t) | {"left": x, "top": y, "w": _px(t["w"] * GRAPH_PX), "h": _px(t["h"] * GRAPH_PX)}

    def label(t: Mapping[str, Any]) -> dict[str, Any]:
        top = t["y"] + (t["h"] if t["anchor"] == "south" else 0.0)
        wide = t["w"] + 0.6  # room for the browser's glyphs, which need not match the PDF's widths
        x, y = at(t["x"] - wide / 2, top)
        size = {"w": _px(wide * GRAPH_PX), "h": _px(t["h"] * GRAPH_PX)}
        return {"text": t["text"], "kind": t["kind"], "left": x, "top": y} | size

    def wire(points: list[list[float]]) -> str:
        return " ".join(f"{p[0]},{p[1]}" for p in (at(*q) for q in points))

    return {
        "width": _px(fig["width"] * GRAPH_PX + 2 * PAD),
        "height": _px(height * GRAPH_PX + 2 * PAD),
        "edges": sorted(
            ({"on_path": e["on_path"], "pieces": [wire(p) for p in e["pieces"]]} for e in fig["edges"]),
            key=lambda e: e["on_path"],
        ),
        "output_wire": {"on_path": fig["output_wire"]["on_path"], "points": wire(fig["output_wire"]["points"])},
        "nodes": [box(n) for n in fig["nodes"]],
        "tags": [box(t) for t in fig["tags"]],
        "labels": [label(t) for t in fig["labels"]],
    }


LAYER_PX = 46.0  # pixels per cm of a layer's figure
TEXT_PX = {"tiny": 10, "script": 12, "small": 15}  # a label's font size


def layer_svg(fig: Mapping[str, Any]) -> dict[str, Any]:
    """A layer figure (``layer_figures``: cells, lines, texts in cm, y up) in SVG pixels, y down."""
    height = fig["height"]

    def at(x: float, y: float) -> list[float]:
        return [_px(x * LAYER_PX + PAD), _px((height - y) * LAYER_PX + PAD)]

    def cell(c: Mapping[str, Any]) -> dict[str, Any]:
        left, top = at(c["x"] - c["w"] / 2, c["y"] + c["h"] / 2)
        return dict(c) | {"left": left, "top": top, "w": _px(c["w"] * LAYER_PX), "h": _px(c["h"] * LAYER_PX)}

    def text(t: Mapping[str, Any]) -> dict[str, Any]:
        wide = t["w"] + 0.5  # room for the browser's glyphs, which need not match the PDF's widths
        dx = {"west": 0.0, "east": -wide}.get(t["anchor"], -wide / 2)
        dy = {"south": t["h"], "north": 0.0}.get(t["anchor"], t["h"] / 2)
        left, top = at(t["x"] + dx, t["y"] + dy)
        size = {"w": _px(wide * LAYER_PX), "h": _px(t["h"] * LAYER_PX), "px": TEXT_PX[t["size"]]}
        return {"tex": t["tex"], "words": t["words"], "hot": t["hot"], "left": left, "top": top} | size

    return {
        "width": _px(fig["width"] * LAYER_PX + 2 * PAD),
        "height": _px(height * LAYER_PX + 2 * PAD),
        "cells": [cell(c) for c in fig["cells"]],
        "lines": [
            {"points": " ".join(f"{p[0]},{p[1]}" for p in (at(*q) for q in line["points"]))}
            | {"hot": line["hot"], "arrow": line["arrow"], "style": line["style"]}
            for line in fig["lines"]
        ],
        "texts": [text(t) for t in fig["texts"]],
        "fit": fig["kind"] == "stack",  # shrunk to the page's width rather than scrolled
        "title": fig["title"],
        "description": fig["description"],
        "caption": fig["caption"],
    }
