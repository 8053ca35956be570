"""The scope of index letters while a claim is read: each sum's letter from its \\sum to the end of its body,
the left-hand side's free letters for the whole claim, and each index expression used for a layer's neurons,
checked against the layer once every letter in it has its range."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from ..model.network import Network
from ..model.partial import Partial
from ..model.symbols import A, B, W, Y, Z
from ..syntax.errors import ClaimError
from ..syntax.tree import Node


class OutOfRange(ClaimError):
    """A quantity whose neuron index the network does not have: ``kind`` is w, b, a, z or y."""

    position: int  # always given: where the quantity is written

    def __init__(self, message: str, position: int, kind: str) -> None:
        super().__init__(message, position)
        self.kind = kind


@dataclass
class Index:
    """An index letter: its range once known, the layers whose neurons it indexes, and what it numbers."""

    symbol: sp.Symbol
    first: int | None = None
    last: int | None = None
    runs_over: list[int] = field(default_factory=list)  # layers whose neurons it indexes
    layer: int | None = None  # the layer its range was taken from
    free: bool = False  # a letter of the left-hand side that no sum binds
    stray: bool = False  # a letter of the right-hand side only, that no sum binds: free too, and a mistake
    samples: bool = False  # it numbers the samples of a batch (C_i), not neurons


@dataclass(frozen=True)
class Use:
    """An index expression used for a layer's neurons, checked once every summed letter has its range."""

    expr: sp.Expr
    layer: int
    node: Node
    kind: str


class Scope:
    """The letters in force, the free ones among them, and the index expressions waiting to be checked."""

    def __init__(self, net: Network, quote: Callable[[Node], str], layer_label: Callable[[int], str]) -> None:
        self.net = net
        self.quote = quote
        self.layer_label = layer_label
        self.letters: dict[str, Index] = {}
        self.free: list[Index] = []
        self.strays: list[Index] = []
        self.waiting: list[Use] = []
        self.lenient = False  # an index a letter takes out of its layer is recorded, not refused (claim_mistakes)
        self.beyond: list[tuple[Use, str]] = []  # each such index, with what is wrong with it

    def __contains__(self, name: str) -> bool:
        return name in self.letters

    def __getitem__(self, name: str) -> Index:
        return self.letters[name]

    def open(self, indices: list[Index]) -> None:
        """A sum's letters, in force until ``close``."""
        self.letters.update({i.symbol.name: i for i in indices})

    def close(self, indices: list[Index]) -> None:
        for index in indices:
            del self.letters[index.symbol.name]

    def new_free(self, name: str) -> Index:
        """A letter of the left-hand side that no sum binds: the claim holds for each of its values."""
        index = Index(sp.Symbol(name, integer=True), free=True)
        self.letters[name] = index
        self.free.append(index)
        return index

    def new_stray(self, name: str) -> Index:
        """A letter of the right-hand side that is neither the left-hand side's nor summed: the claim is read for
        each of its values, as a free index, and is wrong wherever they change it (claim_mistakes)."""
        index = Index(sp.Symbol(name, integer=True), free=True, stray=True)
        self.letters[name] = index
        self.strays.append(index)
        return index

    def use(self, value: sp.Expr, layer: int, node: Node, kind: str) -> None:
        """An index expression used for layer ``layer``'s neurons; its letters run over that layer."""
        self.waiting.append(Use(value, layer, node, kind))
        for letter in value.free_symbols:
            self.letters[str(letter)].runs_over.append(layer)

    def check_uses(self) -> None:
        """Check each recorded index whose letters all have their ranges by now; the others keep waiting."""
        waiting = []
        for use in self.waiting:
            if all(self.letters[str(s)].first is not None for s in use.expr.free_symbols):
                self.check(use)
            else:
                waiting.append(use)
        self.waiting = waiting

    def check(self, use: Use) -> None:
        """Every value the index takes names a neuron of its layer; else OutOfRange, saying where it reaches."""
        base, size = self.net.spec.index_base, self.net.layers[use.layer]
        for point in corners([self.letters[str(s)] for s in use.expr.free_symbols]):
            value = int(use.expr.xreplace(point))
            if not base <= value < base + size:
                ranges = ", ".join(
                    f"{s} from {self.letters[str(s)].first} to {self.letters[str(s)].last}" for s in point
                )
                reach = f"with {ranges} the index reaches {value}" if point else f"index {value} is out of range"
                message = (
                    f"'{self.quote(use.node)}': {reach}; layer {self.layer_label(use.layer)} "
                    f"has neurons {base} to {base + size - 1}"
                )
                if self.lenient and point:  # a letter's range reaches past the layer: a mistake, not a misreading
                    self.beyond.append((use, message))
                    return
                raise OutOfRange(message, use.node.start + 1, use.kind)


def corners(indices: list[Index]) -> list[dict[sp.Symbol, sp.Integer]]:
    """Every combination of first and last values of the summed letters in an index (linear in each)."""
    points: list[dict[sp.Symbol, sp.Integer]] = [{}]
    for index in indices:
        points = [{**p, index.symbol: sp.Integer(v)} for p in points for v in (index.first, index.last)]
    return points


QUANTITIES = (A, Z, W, B, Y)


def is_beyond(net: Network, q: sp.Expr) -> bool:
    """An a, z, w, b or y whose neuron index is past its layer (a neuron the layer does not have)."""
    if isinstance(q, Partial):
        return is_beyond(net, q.wrt) or is_beyond(net, q.of)
    if not (isinstance(q, sp.Indexed) and q.base in QUANTITIES and all(i.is_Integer for i in q.indices)):
        return False
    base = net.spec.index_base
    if q.base == Y:
        layers, neurons = [net.depth], q.indices
    else:
        layer, neurons = int(q.indices[0]), q.indices[1:]
        if not 0 <= layer <= net.depth:
            return True
        layers = [layer, layer - 1] if q.base == W else [layer]
    return any(not base <= int(i) < base + net.layers[t] for i, t in zip(neurons, layers, strict=False))


def without_beyond(net: Network, expr: sp.Expr) -> sp.Expr:
    """``expr`` with each term that names a neuron its layer lacks left out (a term of no neuron is absent)."""
    kept = _kept(net, expr)
    return sp.Integer(0) if kept is None else kept


def _kept(net: Network, expr: sp.Expr) -> sp.Expr | None:
    if is_beyond(net, expr):
        return None
    if not expr.args or isinstance(expr, (sp.Indexed, Partial)):
        return expr
    if isinstance(expr, sp.Add):
        return sp.Add(*(k for k in (_kept(net, a) for a in expr.args) if k is not None))
    args = [_kept(net, a) for a in expr.args]
    return None if any(a is None for a in args) else expr.func(*args)
