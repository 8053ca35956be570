"""The nodes of a claimed formula's syntax tree: letters with their scripts, products, quotients, sums, groups,
each with where it stands in the claim (0-based offsets), so a later stage can say "a_7 at position 12 is not in
this network". Kept apart from the reading (``tree.parse``, ``reader``), which builds them: the stages that only
match nodes need neither the grammar nor lark.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True)
class Num(Node):
    text: str


@dataclass(frozen=True)
class Name(Node):
    """A letter (a, w, n, e), a command (\\sigma, \\partial) or a named word (\\operatorname{ReLU} gives ReLU)."""

    name: str


@dataclass(frozen=True)
class Group(Node):
    """Items between delimiters: "(" for ( ) and \\left( \\right), "[" for brackets, "{" for braces, "|" for bars."""

    delim: str
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Scripted(Node):
    """A base with its scripts in order: ("_", node), ("^", node), or ("'", None) for each prime."""

    base: Node
    scripts: tuple[tuple[str, Node | None], ...]


@dataclass(frozen=True)
class Binary(Node):
    op: str  # "+", "-", "/"
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg(Node):
    operand: Node


@dataclass(frozen=True)
class Product(Node):
    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Frac(Node):
    numerator: Node
    denominator: Node


@dataclass(frozen=True)
class Relation(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Range(Node):
    """``0 \\leq j \\leq 3`` in a sum's subscript (one row of a \\substack)."""

    low: Node
    name: Node
    high: Node
    strict: tuple[bool, bool]


@dataclass(frozen=True)
class Binding(Node):
    """``j=0`` in a sum's subscript."""

    name: Node
    value: Node


@dataclass(frozen=True)
class Claim(Node):
    """The sides of a claim in the order written: ``A``, ``A = B`` or ``A = B = C`` (an eqnarray's rows)."""

    sides: tuple[Node, ...]
    text: str = ""  # the formula as the parser read it: the pasted text with comments and markup blanked
