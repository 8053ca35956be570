"""The drawing a layer's figure is made of, as plain data: cells (a grid's squares, a layer's box), lines (arrows
and outlines) and texts, placed in cm with y up, as TikZ reads them. ``layer_figures`` and ``layer_kind_figures``
draw on a ``Canvas``; ``Canvas.figure`` hands the finished drawing (moved to the origin, its size and the scale
that fits the page) to a template, which only draws it: TikZ for the PDF, SVG for the web page.

A cell is ``hot`` when its name is on a path from the derived name to the cost; its ``mark`` says what else a
lesson points at: ``source`` (the derived name itself), ``pair`` (what a kernel weight multiplies), ``window``
(what one output element reads), ``argmax`` (where a max routes its gradient).

>>> c = Canvas()
>>> c.cell(0, 0, 1, 1, tex="x", name="x_{0}", hot=True)
>>> c.line([(0.5, 0), (2, 0)], hot=True)
>>> f = c.figure("stack", 0, "A", "B", "C")
>>> f["width"], f["cells"][0]["hot"], f["lines"][0]["arrow"]
(2.7, True, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .graph_figure import LABEL_EM, em_width

PAGE_WIDTH, PAGE_HEIGHT = 16.0, 20.0  # cm a figure may take on the page
WORD_EM = 0.5  # ems per character of words, on average
SIZES = {"tiny": 5 * 0.03515, "script": 8 * 0.03515, "small": 10 * 0.03515}  # cm per em at each size
MARKS = ("", "source", "pair", "window", "argmax")


def _r(v: float) -> float:
    return round(v, 3) + 0.0


class Canvas:
    """Cells, lines and texts in the order drawn (later on top)."""

    def __init__(self) -> None:
        self.cells: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.texts: list[dict[str, Any]] = []

    def cell(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        tex: str = "",
        name: str | None = None,
        hot: bool = False,
        mark: str = "",
        faded: bool = False,
        size: str = "tiny",
    ) -> None:
        """A square or box, its centre at (x, y): its LaTeX (math) text, the graph's name it stands for."""
        assert mark in MARKS, mark
        self.cells.append(
            {"x": _r(x), "y": _r(y), "w": _r(w), "h": _r(h), "tex": tex, "name": name, "hot": hot, "mark": mark}
            | {"faded": faded, "size": size}
        )

    def line(
        self, points: Sequence[tuple[float, float]], hot: bool = False, arrow: bool = True, style: str = "wire"
    ) -> None:
        """A polyline; ``style``: wire (an arrow of the computation), outline (a window's frame) or note."""
        self.lines.append({"points": [[_r(x), _r(y)] for x, y in points], "hot": hot, "arrow": arrow, "style": style})

    def text(
        self,
        x: float,
        y: float,
        tex: str | None = None,
        words: str | None = None,
        anchor: str = "center",
        size: str = "script",
        hot: bool = False,
    ) -> None:
        """A label: math (``tex``) or words, its anchor (center, north, south, east, west) at (x, y)."""
        length = em_width(tex) if tex is not None else len(words or "") * WORD_EM
        w, h = length * SIZES[size] + 0.1, SIZES[size] * 1.9
        self.texts.append(
            {"x": _r(x), "y": _r(y), "tex": tex, "words": words, "anchor": anchor, "size": size, "hot": hot}
            | {"w": _r(w), "h": _r(h)}
        )

    def _boxes(self) -> list[tuple[float, float, float, float]]:
        boxes = [
            (c["x"] - c["w"] / 2, c["y"] - c["h"] / 2, c["x"] + c["w"] / 2, c["y"] + c["h"] / 2) for c in self.cells
        ]
        boxes += [(x, y, x, y) for line in self.lines for x, y in line["points"]]
        for t in self.texts:
            dx = {"west": 0.0, "east": -t["w"]}.get(t["anchor"], -t["w"] / 2)
            dy = {"south": 0.0, "north": -t["h"]}.get(t["anchor"], -t["h"] / 2)
            boxes.append((t["x"] + dx, t["y"] + dy, t["x"] + dx + t["w"], t["y"] + dy + t["h"]))
        return boxes

    def figure(self, kind: str, layer: int, title: str, description: str, caption: str) -> dict[str, Any]:
        """The drawing moved so its lower-left corner is (0, 0), with its size and the scale that fits the page;
        ``title`` and ``description`` name it for a screen reader, ``caption`` says what is drawn (words, with
        math between dollar signs: handed on as pieces, each words or math)."""
        boxes = self._boxes()
        left, bottom = min(b[0] for b in boxes) - 0.1, min(b[1] for b in boxes) - 0.1
        right, top = max(b[2] for b in boxes) + 0.1, max(b[3] for b in boxes) + 0.1
        for thing in [*self.cells, *self.texts]:
            thing["x"], thing["y"] = _r(thing["x"] - left), _r(thing["y"] - bottom)
        for line in self.lines:
            line["points"] = [[_r(x - left), _r(y - bottom)] for x, y in line["points"]]
        width, height = _r(right - left), _r(top - bottom)
        scale = math.floor(min(1.0, PAGE_WIDTH / width, PAGE_HEIGHT / height) * 1000) / 1000
        return {
            "kind": kind,
            "layer": layer,
            "title": title,
            "description": description,
            "caption": [
                {"tex": part} if k % 2 else {"words": part} for k, part in enumerate(caption.split("$")) if part
            ],
            "cells": self.cells,
            "lines": sorted(self.lines, key=lambda line: line["hot"]),  # the path drawn last, on top
            "texts": self.texts,
            "width": width,
            "height": height,
            "scale": scale,
        }


def label_cm(tex: str) -> float:
    """A \\scriptsize formula's width in cm."""
    return em_width(tex) * LABEL_EM
