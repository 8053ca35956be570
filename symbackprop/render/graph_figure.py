"""A computation graph drawn as a circuit: every position worked out here, handed to a TikZ template as plain data.

Leaves stand in the first column, each node in the column of its longest path from a leaf; a wire skipping columns
passes each one on a lane (one per name and column), so no wire crosses a node. Barycentre sweeps order the
columns; each column's heights are then the least-squares fit to what its wires ask (straight where they can be)
under the room its labels need, solved exactly by pool-adjacent-violators. A column is a landing, where each wire
into it runs level with its value above and its gradient below; the boxes; and, for a name feeding several nodes,
a stem with its value and whole gradient (each branch then carries its share). Only level wires cross landings and
stems, so no label can touch a wire or a box. A graph too deep for the page is cut into bands down the page: a wire
going on to a later band ends in a tag with its name after its last use in its own band, and starts again from
that tag just before its first use in each later band that uses it.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from itertools import accumulate, pairwise
from typing import Any

import sympy as sp

from ..model.graph import Graph
from ..model.graph_functions import maxgate, relu, sigmoid
from ..numeric.graph_numbers import GraphNumbers
from .graph_printing import tex
from .layout import visible_length

PAGE_WIDTH, PAGE_HEIGHT = 16.0, 22.0  # cm a figure may take on the page
MIN_SCALE = 0.85  # a figure is scaled down this far before it is cut into bands
MAX_NAMES = 150  # a larger graph gets no figure (nothing drawn could be read)
OP_LENGTH = 18  # visible characters of an operation, past which it is shortened
LABEL_EM, OP_EM = 8 * 0.03515, 9 * 0.03515  # cm per em of \scriptsize and \footnotesize in an 11pt document
INNER = 0.04  # a label's inner sep (about 1pt) each side
LABEL_H, NAME_H = 0.28, 0.34  # a \scriptsize number's box; a name's, with a subscript or a descender
LIFT, MARGIN, LANE = 0.02, 0.16, 0.08  # between a wire and its label; between two items' rooms; a lane's half room
LEAF_H, GATE_H, CIRCLE, TAG_H, BAND_GAP = 0.46, 0.5, 0.56, 0.36, 0.6
FAN = 0.25  # where the wires into a circle of two inputs converge on it
DIAGONAL = (0.45, 1.2)  # the sloped part of the wires between two columns: least and most

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[_^{}]|\S")
_GLYPH = {"+": 1.22, "-": 1.22, "=": 1.33, ",": 0.45, ".": 0.28, "(": 0.39, ")": 0.39, "|": 0.28, "/": 0.5}
_GLYPH |= {"w": 0.75, "m": 0.9, "W": 1.05, "M": 1.0}  # the widest letters of math italic
_COMMAND = {"\\left": 0.0, "\\right": 0.0, "\\operatorname": 0.0, "\\mathrm": 0.0, "\\cdots": 1.3, "\\times": 1.22}
_COMMAND |= {"\\cdot": 1.22, "\\max": 1.7, "\\min": 1.5, "\\exp": 1.5, "\\tanh": 2.0, "\\ln": 0.8, "\\sqrt": 0.9}


def em_width(latex: str) -> float:
    """Roughly how wide a formula sets, in ems, erring wide: a digit half an em, a letter a little more (a
    capital 0.75), a binary sign 1.22 with its spaces (a sign that opens a group without), a script at 70%."""
    total, scale, script, stack, before = 0.0, 1.0, False, list[float](), "{"
    for token in _TOKEN.findall(latex):
        if token in "_^":
            script = True
        elif token == "{":
            stack, scale, script = [*stack, scale], scale * (0.7 if script else 1.0), False
        elif token == "}":
            scale = stack.pop() if stack else 1.0
        else:
            glyph = _glyph(token, before)
            total += glyph * scale * (0.7 if script else 1.0)
            script = False
        before = token
    return total


def _glyph(token: str, before: str) -> float:
    """One token's width in ems; a + or - after an opening or another operation is a sign, set without spaces."""
    if token.startswith("\\"):
        return _COMMAND.get(token, 0.9)
    sign = token in ("+", "-") and before in ("{", "(", ",", "^", "_", "+", "-", "=", "\\times", "\\cdot")
    return _GLYPH.get(token, 0.75 if token.isupper() else 0.58 if token.isalpha() else 0.5) - (0.44 if sign else 0.0)


def label_width(text: str) -> float:
    """A \\scriptsize label's box in cm."""
    return em_width(text) * LABEL_EM + 2 * INNER


def number(value: float | None) -> str | None:
    """A number as a circuit writes it (LaTeX math): two decimals; three significant digits where two decimals
    would show a nonzero number as 0.00; a power of ten when very large or small; "--" when not finite."""
    if value is None or not math.isfinite(value):
        return None if value is None else "--"
    size = abs(value)
    if size and (size >= 1e6 or size < 1e-4):
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa} \\cdot 10^{{{int(exponent)}}}"
    if size and size < 0.005:
        return f"{value:.{2 - math.floor(math.log10(size))}f}"
    return f"{value:.2f}" if size else "0.00"


_GATES: dict[Any, str] = {sigmoid: "\\sigma", relu: "\\operatorname{ReLU}", sp.tanh: "\\tanh", sp.exp: "\\exp"}
_GATES |= {sp.log: "\\ln", sp.Abs: "|x|", sp.sin: "\\sin", sp.cos: "\\cos", sp.Max: "\\max", sp.Min: "\\min"}
_GATES |= {maxgate: "\\max"}


def operation(expr: sp.Expr) -> str:
    """What a node does, as a circuit's gate is marked (+, \\times, \\max, \\sigma, 1/x, x^{2}, \\times -1, +1);
    a node that is not one gate shows its own expression, shortened."""
    args = expr.args
    symbols = [a for a in args if a.is_Symbol]
    if expr.is_Symbol:
        return "="
    if type(expr) in _GATES and args and len(symbols) == len(args):
        return _GATES[type(expr)]
    if isinstance(expr, sp.Add) and all(a.is_Symbol or a.is_Number for a in args):  # SymPy keeps one number
        constant = next((a for a in args if a.is_Number), None)
        return "+" if constant is None else f"+{tex(constant)}" if constant > 0 else tex(constant)
    k, factors = expr.as_coeff_mul() if isinstance(expr, sp.Mul) else (sp.Integer(0), ())
    if factors and all(f.is_Symbol for f in factors) and (k == 1) != (len(factors) == 1):
        return "\\times" if k == 1 else f"/{k.q}" if k.is_Rational and k.p == 1 else f"\\times {tex(k)}"
    if isinstance(expr, sp.Pow) and expr.base.is_Symbol and expr.exp.is_Number:
        return {-1: "1/x", sp.Rational(1, 2): "\\sqrt{x}"}.get(expr.exp, f"x^{{{tex(expr.exp)}}}")
    return shortened(expr)


def shortened(expr: sp.Expr) -> str:
    """The expression in LaTeX; past OP_LENGTH visible characters, its first terms or factors and \\cdots."""
    full = tex(expr)
    if visible_length(full) <= OP_LENGTH:
        return full
    if isinstance(expr, (sp.Add, sp.Mul)):
        add = isinstance(expr, sp.Add)
        kept: list[str] = []
        for part in expr.as_ordered_terms() if add else expr.as_ordered_factors():
            text = tex(part) if add or not isinstance(part, sp.Add) else f"\\left({tex(part)}\\right)"
            if visible_length(" + ".join([*kept, text])) > OP_LENGTH - 4:
                break
            kept.append(text)
        if kept:
            return (" + ".join(kept) + " + \\cdots").replace("+ -", "- ") if add else " ".join(kept) + " \\cdots"
    if isinstance(expr, sp.Function) and len(expr.args) == 1:
        return tex(expr.func(sp.Symbol("\\cdots")))
    return "\\cdots"


def _name(name: str) -> str:
    """A name's LaTeX with its subscript braced: w_0 is w_{0}."""
    base, underscore, subscript = name.partition("_")
    return f"{base}_{{{subscript}}}" if underscore and not subscript.startswith("{") else name


class Item:
    """What a column holds (a node, a lane a wire passes on, or a tag where a wire leaves its band or comes into a
    later one): its box, its room above and below, its column (landing's end, stem's end, landing) and wires."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind, self.name = kind, name  # name: the node's, or the one whose value the lane or tag carries
        self.w = self.h = self.x = self.y = self.left = self.right = self.landing = 0.0
        self.above = self.below = LANE
        self.ports: dict[str, float] = {}  # an input's name -> its height above the centre
        self.next, self.prev = list[Item](), list[Item]()  # the items its wires go to, and come from


def graph_figure(graph: Graph, numbers: GraphNumbers | None = None, path: Collection[str] = ()) -> dict[str, Any]:
    """The figure as plain data: nodes, edges (a wire's polylines, two where it jumps bands), tags, labels (each
    with its anchor and box), the output's wire, the size in cm and the scale that fits the page. ``numbers``: the
    values, and gradients of a derivation of every name (a step it did not take gets no label). ``path``: the chosen
    variables (or every name on their paths); each name on a path from one to the output is highlighted, with the
    wires between. Past MAX_NAMES names, ``shown`` is false and there is nothing to draw."""
    if len(graph.names) > MAX_NAMES:
        nothing: dict[str, Any] = {"nodes": [], "edges": [], "tags": [], "labels": [], "output": None}
        return nothing | {"shown": False, "output_wire": None, "width": 0.0, "height": 0.0, "scale": 1.0}
    return _Figure(graph, numbers, path).data()


class _Figure:
    def __init__(self, graph: Graph, numbers: GraphNumbers | None, path: Collection[str]) -> None:
        self.graph, self.out = graph, graph.output
        self.inputs = {n.name: [s.name for s in n.inputs] for n in graph.nodes}
        self.users = {name: [n.name for n in graph.nodes if name in self.inputs[n.name]] for name in graph.names}
        self.ops = {n.name: operation(n.expression) for n in graph.nodes}
        self.wires = [(source, node.name) for node in graph.nodes for source in self.inputs[node.name]]
        self.stems = {n for n in graph.names if len(self.users[n]) > 1 or n == self.out}
        names, local = graph.names, numbers.local if numbers else {}  # the numbers as they will be printed
        values, gradients = (numbers.values, numbers.gradients) if numbers else ({}, {})
        done = {self.out} | {name for _, name in local}  # the names the derivation reached
        self.value = {n: number(values.get(n)) for n in names}
        self.total = {n: number(gradients.get(n)) if n in done else None for n in names}
        self.share = {(a, b): number(gradients[b] * local[(b, a)]) if (b, a) in local else None for a, b in self.wires}
        self.stemmed = {n for n in self.stems if self.value[n] is not None}  # stems with numbers to show
        self.gap = 2 * (LIFT + LABEL_H) + 0.08 if numbers is not None else 0.34
        self.hot = self._on_path(path)
        self.column = self._columns()
        self.rank = {self.out: 0}  # the first order of every column: names as met reading back from the output
        for node in reversed(graph.nodes):
            for name in self.inputs[node.name]:
                self.rank.setdefault(name, len(self.rank))
        self.item = {n: self._size(Item("leaf" if n in graph.leaves else "gate", n), self.inputs.get(n)) for n in names}
        columns = [[self.item[n] for n in names if self.column[n] == c] for c in sorted(set(self.column.values()))]
        self.chains: dict[tuple[str, str], list[list[Item]]] = defaultdict(list)
        cuts = _balanced([sum(self._widths(c)) + DIAGONAL[0] for c in columns])
        band_of = {c: b for b, (start, end) in enumerate(pairwise(cuts)) for c in range(start, end)}
        self.home = {name: band_of[self.column[name]] for name in graph.names}
        for leaf in graph.leaves:  # one used only in later bands stands where its first band would take its wire in
            first = min((self.column[u] for u in self.users[leaf]), default=0)
            if band_of[first] > 0:
                self.home[leaf], self.column[leaf] = band_of[first], first - 1
        self.bands, top = [], 0.0
        for b, (start, end) in enumerate(pairwise(cuts)):
            self.bands.append(self._band(b, start, end))
            top = self._place(self.bands[-1], top) - BAND_GAP

    def _on_path(self, path: Collection[str]) -> set[str]:
        """The names on a path from a chosen name to the output."""
        chosen = {self.graph.symbol(name).name for name in path}
        for node in self.graph.nodes:
            if chosen.intersection(self.inputs[node.name]):
                chosen.add(node.name)
        return chosen & {s.name for s in self.graph.depends_on(self.out)}

    def _columns(self) -> dict[str, int]:
        """A name's column: its longest path from a leaf; the output last, unless a node uses it."""
        column = dict.fromkeys(self.graph.leaves, 0)
        for node in self.graph.nodes:
            column[node.name] = 1 + max((column[i] for i in self.inputs[node.name]), default=-1)
        column[self.out] = column[self.out] if self.users[self.out] else max(column.values())
        return column

    def _band(self, b: int, start: int, end: int) -> list[list[Item]]:
        """The columns from ``start`` to ``end`` (not included) with their lanes and tags, ordered. A name from an
        earlier band comes in on a tag just before its first use here; one used in a later band goes out on a tag
        just after its last use here."""
        found: dict[int, list[Item]] = defaultdict(list)
        for name, item in self.item.items():
            if self.home[name] == b:
                found[self.column[name]].append(item)
        for name in self.graph.names:
            here = [u for u in self.users[name] if start <= self.column[u] < end]
            own, later = self.home[name] == b, [u for u in self.users[name] if self.column[u] >= end]
            if not (own or (here and self.home[name] < b)):
                continue
            first = self.column[name] if own else min(self.column[u] for u in here) - 1
            trail = {first: self.item[name] if own else Item("in", name)}
            if not own:
                found[first].append(self._size(trail[first]))
            for user in here:
                self.chains[(name, user)].append(_reach(trail, first, self.item[user], self.column[user], found))
            if own and later:
                after = max(self.column[u] for u in [name, *here]) + 1
                chain = _reach(trail, first, self._size(Item("out", name)), after, found)
                found[after].append(chain[-1])
                for user in later:
                    self.chains[(name, user)].append(chain)
        band = [found[c] for c in range(min(found), max(found) + 1)]
        self._order(band)
        for items in band:
            for item in items:
                self._size(item, [p.name for p in sorted(item.prev, key=lambda p: self.place[id(p)])])
        return band

    def _order(self, band: list[list[Item]]) -> None:
        """Each column ordered by the mean place of its wires' other ends (sweeps right, then left); the order
        with the fewest crossings is kept."""
        index = {name: n for n, name in enumerate(self.graph.names)}
        for column in band:
            column.sort(key=lambda i: (self.rank.get(i.name, len(self.rank) + index[i.name]), i.kind != "gate"))
        best, fewest = [list(c) for c in band], _crossings(band)
        for sweep in range(8):
            right = sweep % 2 == 0
            for c in range(1, len(band)) if right else range(len(band) - 2, -1, -1):
                there = {id(i): n for n, i in enumerate(band[c - 1 if right else c + 1])}
                ends = [[there[id(o)] for o in (i.prev if right else i.next)] or [n] for n, i in enumerate(band[c])]
                keys = [(sum(e) / len(e), n) for n, e in enumerate(ends)]
                band[c][:] = [band[c][n] for _, n in sorted(keys)]
            if (crossings := _crossings(band)) < fewest:
                best, fewest = [list(c) for c in band], crossings
        band[:] = best
        self.place = {id(item): n for column in band for n, item in enumerate(column)}

    def _size(self, item: Item, inputs: list[str] | None = None) -> Item:
        """An item's box and the room it needs above and below its centre, its labels and its name included; for
        a node, first the heights at which its inputs come in, top to bottom in the order given."""
        if item.kind == "gate" and inputs is not None:
            item.ports = {name: ((len(inputs) - 1) / 2 - n) * self.gap for n, name in enumerate(inputs)}
        room = LIFT + LABEL_H if self.value[item.name] is not None else 0.0
        stem = room if item.name in self.stems and item.kind in ("leaf", "gate") else 0.0
        if item.kind == "leaf":
            item.w, item.h = em_width(_name(item.name)) * OP_EM + 0.24, LEAF_H
            item.above = item.below = max(LEAF_H / 2, stem)
        elif item.kind == "gate":
            op, ports = em_width(self.ops[item.name]) * OP_EM, list(item.ports.values()) or [0.0]
            item.w = item.h = CIRCLE
            if op > CIRCLE - 0.14 or len(ports) > 2:
                item.w, item.h = max(op + 0.3, CIRCLE), max(GATE_H, max(ports) - min(ports) + 0.24)
            item.above = max(item.h / 2 + LIFT + NAME_H, max(ports) + room, stem)
            item.below = max(item.h / 2, room - min(ports), stem)
        elif item.kind in ("out", "in"):
            item.w, item.h = em_width(_name(item.name)) * LABEL_EM + 0.2, TAG_H
            item.above = item.below = TAG_H / 2
        return item

    def _widths(self, column: list[Item]) -> tuple[float, float, float, float]:
        """A column's landing (its widest labels coming in), fan, boxes (or names above them) and stem."""
        gates = [i for i in column if i.kind == "gate"]
        labels = [t for i in gates for s in self.inputs[i.name] for t in self._landing_labels(s, i.name) if t]
        landing = max(map(label_width, labels), default=0.1) + 0.2
        fan = FAN if any(i.w == CIRCLE and len(i.ports) > 1 for i in gates) else 0.0
        boxes = max([i.w for i in column] + [label_width(_name(i.name)) for i in gates])
        stemmed = [i.name for i in column if i.kind in ("leaf", "gate") and i.name in self.stemmed]
        stems = [t for n in stemmed for t in (self.value[n], self.total[n]) if t]
        return landing, fan, boxes, max(map(label_width, stems), default=-0.2) + 0.24

    def _landing_labels(self, source: str, target: str) -> tuple[str | None, str | None]:
        """What a wire shows where it lands: its value (unless its name's stem shows it) and its gradient."""
        return None if source in self.stems else self.value[source], self.share.get((source, target))

    def _place(self, band: list[list[Item]], top: float) -> float:
        """Heights, then columns across; the band's top at ``top``. Returns its bottom."""
        for sweep in range(-1, 24):  # stacked first, then sweeps right and left, then both ways
            side = "none" if sweep < 0 else ("prev", "next")[sweep % 2] if sweep < 20 else "both"
            for column in band[1:] if side == "prev" else band[::-1]:
                room = [a.below + b.above + MARGIN for a, b in pairwise(column)]
                for item, y in zip(column, _fit([_wanted(i, side) for i in column], room), strict=True):
                    item.y = y
        items = [i for column in band for i in column]
        shift = top - max(i.y + i.above for i in items)
        for item in items:
            item.y += shift
        widths = [self._widths(column) for column in band]
        slopes = [max((abs(a.y - _port(b, a.name)) for b in column for a in b.prev), default=0.0) for column in band]
        spare = PAGE_WIDTH / MIN_SCALE - sum(sum(w) for w in widths) - DIAGONAL[0] * (len(band) - 1)
        extra = [max(0.0, min(DIAGONAL[1], 0.25 + 0.3 * s) - DIAGONAL[0]) for s in slopes[1:]]
        squeeze = min(1.0, max(0.0, spare) / sum(extra)) if sum(extra) > 0 else 0.0
        x = 0.0
        for n, (column, (landing, fan, boxes, stem)) in enumerate(zip(band, widths, strict=True)):
            x += DIAGONAL[0] + extra[n - 1] * squeeze + landing if n else 0.0
            for item in column:
                item.left, item.right, item.landing = x, x + fan + boxes + max(stem, 0.0), landing
                flush = {"leaf": x + fan + boxes - item.w / 2, "out": x + item.w / 2}  # "in" flush right like a leaf
                item.x = flush.get(item.kind if item.kind != "in" else "leaf", x + fan + boxes / 2)
            x += fan + boxes + max(stem, 0.0)
        return min(i.y - i.below for i in items)

    def _exit(self, item: Item) -> list[tuple[float, float]]:
        return [(item.right, item.y)] if item.kind == "lane" else [(item.x + item.w / 2, item.y), (item.right, item.y)]

    def _entry(self, item: Item, source: str) -> list[tuple[float, float]]:
        """A wire's way into ``item`` from the end of the sloped part: level across the landing, then in."""
        y = _port(item, source)
        points = [(item.left - item.landing, y), (item.left, y)]
        if item.kind != "lane" and item.w == item.h == CIRCLE and y != item.y:  # a circle: along a radius
            scale = item.w / 2 / math.hypot(item.left - item.x, y - item.y)
            points.append((item.x + (item.left - item.x) * scale, item.y + (y - item.y) * scale))
        elif item.kind != "lane":
            points.append((item.x - item.w / 2, y))
        return points

    def _wire(self, chain: list[Item]) -> list[list[float]]:
        points = self._exit(chain[0])
        for b in chain[1:]:
            points += self._entry(b, chain[0].name) + (self._exit(b) if b.kind == "lane" else [])
        return [[_r(x), _r(y)] for n, (x, y) in enumerate(points) if n == 0 or math.dist(points[n - 1], (x, y)) > 1e-6]

    def data(self) -> dict[str, Any]:
        ids = {name: f"n{n}" for n, name in enumerate(self.graph.names)}
        labels: list[dict[str, Any]] = []
        nodes, edges, hot_tags = [], [], set()
        for name in self.graph.names:
            item, leaf = self.item[name], name in self.graph.leaves
            shape = "leaf" if leaf else "circle" if item.w == item.h == CIRCLE else "box"
            nodes.append(
                {"id": ids[name], "name": _name(name), "op": None if leaf else self.ops[name], "leaf": leaf}
                | {"output": name == self.out, "shape": shape, "on_path": name in self.hot, "band": self.home[name]}
                | {"value": self.value[name], "gradient": self.total[name]}
                | _box(item)
            )
            if not leaf:
                labels.append(_label(_name(name), item.x, item.y + item.h / 2 + LIFT, "south", "name", NAME_H))
            if name in self.stemmed:
                labels += _pair(self.value[name], self.total[name], (item.x + item.w / 2 + item.right) / 2, item.y)
        for source, target in self.wires:
            chains, hot = self.chains[(source, target)], source in self.hot and target in self.hot
            hot_tags |= {id(i) for chain in chains for i in chain if hot and i.kind in ("in", "out")}
            edges.append(
                {"source": ids[source], "target": ids[target], "on_path": hot, "value": self.value[source]}
                | {"gradient": self.share[(source, target)], "pieces": [self._wire(c) for c in chains]}
            )
            item, texts = self.item[target], self._landing_labels(source, target)
            labels += _pair(*texts, item.left - item.landing / 2, _port(item, source))
        ends = [t for band in self.bands for column in band for t in column if t.kind in ("in", "out")]
        tags = [{"name": _name(t.name), "side": t.kind, "on_path": id(t) in hot_tags} | _box(t) for t in ends]
        out = self.item[self.out]
        wire = {"points": [[_r(out.x + out.w / 2), _r(out.y)], [_r(out.right + 0.1), _r(out.y)]]}
        figure = {"shown": True, "nodes": nodes, "edges": edges, "tags": tags, "labels": labels}
        return _fitted(figure | {"output": ids[self.out], "output_wire": wire | {"on_path": self.out in self.hot}})


def _box(item: Item) -> dict[str, float]:
    return {"x": _r(item.x), "y": _r(item.y), "w": _r(item.w), "h": _r(item.h)}


def _link(a: Item, b: Item) -> None:
    a.next.append(b)
    b.prev.append(a)


def _reach(trail: dict[int, Item], first: int, end: Item, column: int, found: dict[int, list[Item]]) -> list[Item]:
    """A name's items from its column ``first`` up to ``column``, lanes made as needed, then ``end`` there."""
    for c in range(len(trail) + first, column):
        trail[c] = Item("lane", trail[first].name)
        found[c].append(trail[c])
        _link(trail[c - 1], trail[c])
    _link(trail[column - 1], end)
    return [*(trail[c] for c in range(first, column)), end]


def _wanted(item: Item, side: str) -> float:
    """The height ``item``'s wires ask of it: the mean of their other ends' (at the ports they meet)."""
    asks = [a.y - item.ports.get(a.name, 0.0) for a in item.prev] if side in ("prev", "both") else []
    asks += [b.y + b.ports.get(item.name, 0.0) for b in item.next] if side in ("next", "both") else []
    return sum(asks) / len(asks) if asks else item.y if side != "none" else 0.0


def _port(item: Item, source: str) -> float:
    return item.y + item.ports.get(source, 0.0)


def _fit(wanted: list[float], room: list[float]) -> list[float]:
    """Heights top to bottom nearest ``wanted`` in least squares with y[i] - y[i+1] >= room[i]: with z[i] = y[i]
    plus the room above it, the constraint says z never rises, which pool-adjacent-violators solves exactly."""
    offsets = list(accumulate(room, initial=0.0))
    blocks: list[list[float]] = []  # [sum, count]
    for w, o in zip(wanted, offsets, strict=True):
        blocks.append([w + o, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] < blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    z = [s / c for s, c in blocks for _ in range(int(c))]
    return [v - o for v, o in zip(z, offsets, strict=True)]


def _crossings(columns: list[list[Item]]) -> int:
    place = {id(i): n for column in columns for n, i in enumerate(column)}
    wires = [sorted((place[id(a)], place[id(b)]) for a in left for b in a.next) for left in columns]
    return sum(1 for gap in wires for n, (_, b) in enumerate(gap) for _, d in gap[n + 1 :] if d < b)


def _balanced(widths: list[float], limit: float = PAGE_WIDTH / MIN_SCALE - 0.5) -> list[int]:
    """Where to cut columns of these widths into the fewest bands under ``limit`` (a cut adds about a tag column
    to each side), the widest band as narrow as can be; a column wider than the limit is a band of its own."""
    n, ends = len(widths), list(accumulate(widths, initial=0.0))
    best: dict[int, tuple[int, float, list[int]]] = {0: (0, 0.0, [0])}  # end -> (bands, widest, cuts)
    for j in range(1, n + 1):
        best[j] = min(
            (best[i][0] + 1, max(best[i][1], wide), [*best[i][2], j])
            for i in range(j)
            if (wide := ends[j] - ends[i] + 1.0 * ((i > 0) + (j < n))) <= limit or i == j - 1
        )
    return best[n][2]


def _label(text: str, x: float, y: float, anchor: str, kind: str, h: float = LABEL_H) -> dict[str, Any]:
    """A label: its text, the point its anchor (south: above the point; north: below) sits at, and its box."""
    return {"text": text, "x": _r(x), "y": _r(y), "anchor": anchor, "kind": kind, "w": _r(label_width(text)), "h": h}


def _pair(value: str | None, gradient: str | None, x: float, y: float) -> list[dict[str, Any]]:
    """A wire's value above it and gradient below it, centred at ``x``."""
    above = [_label(value, x, y + LIFT, "south", "value")] if value is not None else []
    return above + ([_label(gradient, x, y - LIFT, "north", "gradient")] if gradient is not None else [])


def _r(v: float) -> float:
    return round(v, 3) + 0.0


def _fitted(figure: dict[str, Any]) -> dict[str, Any]:
    """The figure moved so its lower-left corner is (0, 0), with its size and the scale that fits the page."""
    lines = [figure["output_wire"]["points"], *(piece for e in figure["edges"] for piece in e["pieces"])]
    xs = [v for box in footprints(figure) for v in (box[1], box[3])] + [p[0] for line in lines for p in line]
    ys = [v for box in footprints(figure) for v in (box[2], box[4])] + [p[1] for line in lines for p in line]
    dx, dy = -min(xs), -min(ys)
    for thing in [*figure["nodes"], *figure["tags"], *figure["labels"]]:
        thing["x"], thing["y"] = _r(thing["x"] + dx), _r(thing["y"] + dy)
    for p in {id(p): p for line in lines for p in line}.values():  # a chain shared by several wires: moved once
        p[0], p[1] = _r(p[0] + dx), _r(p[1] + dy)
    width, height = _r(max(xs) + dx), _r(max(ys) + dy)
    scale = min(1.0, PAGE_WIDTH / width, PAGE_HEIGHT / height)
    return figure | {"width": width, "height": height, "scale": math.floor(scale * 1000) / 1000}


def footprints(figure: dict[str, Any]) -> Iterable[tuple[str, float, float, float, float]]:
    """Every box the figure draws, as (what, x0, y0, x1, y1) in the figure's cm: nodes, tags and labels."""
    for group in ("nodes", "tags"):
        for t in figure[group]:
            x, y, w, h = t["x"], t["y"], t["w"] / 2, t["h"] / 2
            yield f"{group}:{t.get('id', t['name'])}", x - w, y - h, x + w, y + h
    for label in figure["labels"]:
        x0, y0 = label["x"] - label["w"] / 2, label["y"] - (label["h"] if label["anchor"] == "north" else 0.0)
        yield f"label:{label['kind']}:{label['text']}", x0, y0, x0 + label["w"], y0 + label["h"]
