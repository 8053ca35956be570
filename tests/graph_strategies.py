"""Hypothesis strategies for computation graphs: random DAGs of every operation a node may write, as a user writes
them (node text such as ``\\frac{h_{2}}{x}`` or ``\\operatorname{relu}(h_{1} - y)``), with numbers for the inputs.

Each node applies one operation (an op below, one to three operands) to earlier nodes and inputs. Operands are
drawn so that nodes and inputs are shared: a node is often used by several later nodes, and an input by many.
The strategy works out every node's value itself as it goes, in floats with Python's ``math``, from the operation
as written (not from what the engine reads), and only applies an operation where it is smooth and defined at
that value: logarithms, square roots and real powers of values at least ``POSITIVE``, denominators at least
``DENOMINATOR`` from 0, max, min, ReLU and |x| at least ``GAP`` from their kinks, and no value past
``MAX_VALUE`` (σ and tanh squash; an operation that would pass it is not offered). Inputs are multiples of 1/8,
exact in binary and as rationals.

``max_composed`` bounds the output written out in the inputs (counted as input occurrences): sharing makes that
tree grow exponentially with depth, and sympy.diff walks the tree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import strategies as st

MAX_VALUE = 8.0  # |value| of any node
GAP = 0.05  # distance of max/min/ReLU/|x| arguments from a kink
POSITIVE = 0.2  # least argument of ln, sqrt and real powers written bare
DENOMINATOR = 0.3  # least |denominator|
INPUTS = ("x", "y", "z", "w_0", "w_{1}", "b", "\\alpha", "\\beta", "x_{12}", "t")
OUTPUTS = ("L", "f")


def _sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def _always(*_: float) -> bool:
    return True


def _positive(v: float, *_: float) -> bool:
    return v >= POSITIVE


def _apart(a: float, b: float, *_: float) -> bool:
    return abs(a - b) >= GAP


def _off_zero(v: float, *_: float) -> bool:
    return abs(v) >= GAP


def _nonzero(index: int, least: float = DENOMINATOR) -> Callable[..., bool]:
    return lambda *v: abs(v[index]) >= least


@dataclass(frozen=True)
class Op:
    """One operation: its text with #0, #1, #2 for the operands' names, its value in floats, and where it is
    smooth and defined (beyond the bound every value keeps)."""

    text: str
    arity: int
    value: Callable[..., float]
    defined: Callable[..., bool] = _always

    def write(self, names: list[str]) -> str:
        out = self.text
        for i, name in enumerate(names):
            out = out.replace(f"#{i}", name)
        return out


UNARY = (
    Op("-#0", 1, lambda a: -a),
    Op("#0^{2}", 1, lambda a: a**2),
    Op("#0^{3}", 1, lambda a: a**3),
    Op("#0^{-1}", 1, lambda a: 1 / a, _nonzero(0)),
    Op("\\frac{1}{#0^{2}}", 1, lambda a: 1 / a**2, _nonzero(0, 0.4)),
    Op("#0^{0.5}", 1, math.sqrt, _positive),
    Op("#0^{1.5}", 1, lambda a: a**1.5, _positive),
    Op("#0^{-0.5}", 1, lambda a: a**-0.5, _positive),
    Op("\\sqrt{#0}", 1, math.sqrt, _positive),
    Op("\\sqrt{#0^{2} + 1}", 1, lambda a: math.sqrt(a * a + 1)),
    Op("\\exp(#0)", 1, math.exp),
    Op("e^{#0}", 1, math.exp),
    Op("e^{-#0}", 1, lambda a: math.exp(-a)),
    Op("\\ln(#0)", 1, math.log, _positive),
    Op("\\log(#0)", 1, math.log, _positive),
    Op("\\ln(#0^{2} + 1)", 1, lambda a: math.log(a * a + 1)),
    Op("\\log(1 + e^{#0})", 1, lambda a: math.log1p(math.exp(a))),
    Op("\\sigma(#0)", 1, _sigmoid),
    Op("\\tanh(#0)", 1, math.tanh),
    Op("\\operatorname{relu}(#0)", 1, lambda a: max(a, 0.0), _off_zero),
    Op("|#0|", 1, abs, _off_zero),
    Op("\\frac{#0}{2}", 1, lambda a: a / 2),
    Op("0.5 #0", 1, lambda a: 0.5 * a),
    Op("3 #0", 1, lambda a: 3 * a),
)
BINARY = (
    Op("#0 + #1", 2, lambda a, b: a + b),
    Op("#0 - #1", 2, lambda a, b: a - b),
    Op("#0 #1", 2, lambda a, b: a * b),
    Op("#0 \\cdot #1", 2, lambda a, b: a * b),
    Op("\\frac{#0}{#1}", 2, lambda a, b: a / b, _nonzero(1)),
    Op("#0 / #1", 2, lambda a, b: a / b, _nonzero(1)),
    Op("\\max(#0, #1)", 2, max, _apart),
    Op("\\min(#0, #1)", 2, min, _apart),
    Op("(#0 - #1)^{2}", 2, lambda a, b: (a - b) ** 2),
    Op("\\tanh(#0) #1", 2, lambda a, b: math.tanh(a) * b),
    Op("\\sigma(#0 + #1)", 2, lambda a, b: _sigmoid(a + b)),
    Op("\\sqrt{#0^{2} + #1^{2} + 1}", 2, lambda a, b: math.sqrt(a * a + b * b + 1)),
    Op("\\frac{#0}{#1^{2} + 1}", 2, lambda a, b: a / (b * b + 1)),
    Op("2 #0 - #1", 2, lambda a, b: 2 * a - b),
    Op("|#0 - #1|", 2, lambda a, b: abs(a - b), _apart),
    Op("\\operatorname{relu}(#0 - #1)", 2, lambda a, b: max(a - b, 0.0), _apart),
    Op("\\ln(e^{#0} + e^{#1})", 2, lambda a, b: math.log(math.exp(a) + math.exp(b))),
)
TERNARY = (
    Op("#0 + #1 + #2", 3, lambda a, b, c: a + b + c),
    Op("#0 #1 + #2", 3, lambda a, b, c: a * b + c),
    Op("#0 #1 #2", 3, lambda a, b, c: a * b * c),
    Op("\\sigma(#0 #1 + #2)", 3, lambda a, b, c: _sigmoid(a * b + c)),
    Op("\\max(#0, #1) + #2", 3, lambda a, b, c: max(a, b) + c, _apart),
    Op("\\frac{#0 + #1}{#2}", 3, lambda a, b, c: (a + b) / c, _nonzero(2)),
)
OPS = {1: UNARY, 2: BINARY, 3: TERNARY}


@dataclass(frozen=True)
class GraphCase:
    """A drawn graph: its nodes in order as (name, text), its inputs as (name, number), and the value of every
    name as the strategy worked it out. Names are as written (``w_{1}``); the graph's keys may differ (``w_1``)."""

    nodes: tuple[tuple[str, str], ...]
    inputs: tuple[tuple[str, float], ...]
    expected: tuple[tuple[str, float], ...]

    def graph(self):
        from symbackprop.model.graph import Graph

        return Graph.build(dict(self.nodes), dict(self.inputs))

    @property
    def values(self) -> dict[str, float]:
        return dict(self.inputs)

    def exact(self) -> dict[str, Fraction]:
        """The inputs as exact rationals (each number is a multiple of 1/8)."""
        return {name: Fraction(value) for name, value in self.inputs}

    def uses(self) -> dict[str, int]:
        """How many nodes use each name (by the names written in their texts)."""
        from symbackprop.model.graph import Graph  # the engine's reading only counts, it decides nothing here

        graph = Graph.build(dict(self.nodes), [name for name, _ in self.inputs])
        counts = dict.fromkeys(graph.names, 0)
        for node in graph.nodes:
            for used in node.inputs:
                counts[used.name] += 1
        return counts

    def __repr__(self) -> str:  # a falsifying example prints as the call that rebuilds it
        nodes = ", ".join(f"{name!r}: {text!r}" for name, text in self.nodes)
        inputs = ", ".join(f"{name!r}: {value!r}" for name, value in self.inputs)
        return f"Graph.build({{{nodes}}}, {{{inputs}}})"

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # hypothesis prints a falsifying example this way
        printer.text(repr(self))


@st.composite
def graph_cases(
    draw, min_nodes: int = 2, max_nodes: int = 40, max_inputs: int = 6, max_composed: int | None = None
) -> GraphCase:
    """A random graph of ``min_nodes`` to ``max_nodes`` nodes over 1 to ``max_inputs`` inputs (see the module)."""
    count = draw(st.integers(min_nodes, max_nodes))
    leaves = draw(st.lists(st.sampled_from(INPUTS), min_size=1, max_size=max_inputs, unique=True))
    eighths = st.integers(-20, 20).filter(lambda k: k != 0)
    inputs = [(name, draw(eighths) / 8) for name in leaves]
    value = dict(inputs)
    size = dict.fromkeys(leaves, 1)  # input occurrences of each name written out
    unused: list[str] = []  # nodes no later node uses yet, oldest first
    output = draw(st.sampled_from(OUTPUTS))
    nodes: list[tuple[str, str]] = []
    for i in range(count):
        name = output if i == count - 1 else f"h_{{{i + 1}}}"
        last = i == count - 1
        arity = min(len(unused), 3) if last and unused else draw(st.sampled_from([1, 2, 2, 2, 3]))
        budget = max_composed if max_composed is not None else math.inf
        chosen: list[str] = []
        for slot in range(arity):
            room = budget - sum(size[c] for c in chosen) - (arity - slot - 1)
            if last:
                fresh = [u for u in reversed(unused) if u not in chosen and size[u] <= room]
                if fresh:
                    chosen.append(fresh[0])
                    continue
            small = [n for n in value if size[n] <= room]
            fresh = [u for u in unused if u not in chosen and size[u] <= room]
            pool = fresh if fresh and draw(st.booleans()) else small
            chosen.append(draw(st.sampled_from(pool)))
        args = [value[c] for c in chosen]
        fitting = [op for op in OPS[arity] if fits(op, args)]
        op = draw(st.sampled_from(fitting))
        nodes.append((name, op.write(chosen)))
        value[name] = op.value(*args)
        size[name] = sum(size[c] for c in chosen)
        unused = [u for u in unused if u not in chosen] + [name]
    return GraphCase(tuple(nodes), tuple(inputs), tuple(value.items()))


def fits(op: Op, args: list[float]) -> bool:
    """Whether ``op`` is smooth and defined at ``args`` and keeps its value within ``MAX_VALUE``."""
    if not op.defined(*args):
        return False
    try:
        v = op.value(*args)
    except (OverflowError, ValueError, ZeroDivisionError):
        return False
    return math.isfinite(v) and abs(v) <= MAX_VALUE
