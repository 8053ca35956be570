"""The scope of index letters while a claim is read: each sum's letter from its \\sum to the end of its body,
the left-hand side's free letters for the whole claim, and each index expression used for a layer's neurons,
checked against the layer once every letter in it has its range."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from ..model.network import Network
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
        self.waiting: list[Use] = []

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
                raise OutOfRange(message, use.node.start + 1, use.kind)


def corners(indices: list[Index]) -> list[dict[sp.Symbol, sp.Integer]]:
    """Every combination of first and last values of the summed letters in an index (linear in each)."""
    points: list[dict[sp.Symbol, sp.Integer]] = [{}]
    for index in indices:
        points = [{**p, index.symbol: sp.Integer(v)} for p in points for v in (index.first, index.last)]
    return points
