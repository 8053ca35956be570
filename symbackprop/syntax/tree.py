"""A claimed formula's shape: LaTeX read by a lark grammar (``reader``) into a small syntax tree (the nodes here).

Only the shape is read here: letters with their scripts, products, quotients, sums,
groups. Each node keeps where it stands in the claim (0-based offsets), so a later stage
can say "a_7 at position 12 is not in this network". Input is bounded in length and
nesting before the parser sees it, and nothing in it is ever evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import paste
from .errors import ClaimError

MAX_LENGTH = 4000  # characters of formula; a derivative a textbook prints is a few hundred
MAX_TEXT = 64_000  # characters pasted, comments and a .tex file's preamble included
MAX_NESTING = 40  # groups inside groups


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


def parse(text: str) -> Claim:
    """Read a claim's LaTeX into a syntax tree, or raise a ClaimError saying where and why.

    The text may be pasted from a .tex file or a web page: comments, a display's delimiters or
    environment, labels and closing punctuation are blanked out first (paste), so every
    position still points into the text as given.
    """
    if not isinstance(text, str) or not text.strip():
        raise ClaimError("the claim is empty; write a formula such as 2(a_1^{(L)} - y_1) a_2^{(L-1)}")
    if len(text) > MAX_TEXT:
        raise ClaimError(f"the claim is {len(text)} characters long; the limit is {MAX_TEXT}")
    prepared = paste.formula(text)
    first, last = len(prepared) - len(prepared.lstrip()), len(prepared.rstrip())
    if first >= last:
        raise ClaimError("the claim holds no formula, only comments, labels or an empty display")
    if last - first > MAX_LENGTH:
        raise ClaimError(f"the formula is {last - first} characters long; the limit is {MAX_LENGTH}", first + 1)
    paste.check_brackets(prepared, MAX_NESTING)
    from .reader import read  # lark, imported when a formula is first read (a derivation reads none)

    return read(prepared)


def source(text: str, node: Node) -> str:
    """The claim's own text for a node, for messages: on one line, each run of spaces and line breaks one space."""
    return " ".join(text[node.start : node.end].split())
