"""A claimed formula's shape: LaTeX read by a lark grammar (``reader``) into a small syntax tree (the nodes of
``nodes``, named here too, where the stages that read claims have always found them).

Only the shape is read: letters with their scripts, products, quotients, sums,
groups. Each node keeps where it stands in the claim (0-based offsets), so a later stage
can say "a_7 at position 12 is not in this network". Input is bounded in length and
nesting before the parser sees it, and nothing in it is ever evaluated.
"""

from __future__ import annotations

from . import paste
from .errors import ClaimError
from .nodes import Binary, Binding, Claim, Frac, Group, Name, Neg, Node, Num, Product, Range, Relation, Scripted

MAX_LENGTH = 4000  # characters of formula; a derivative a textbook prints is a few hundred
MAX_TEXT = 64_000  # characters pasted, comments and a .tex file's preamble included
MAX_NESTING = 40  # groups inside groups


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


__all__ = [
    "Binary",
    "Binding",
    "Claim",
    "Frac",
    "Group",
    "Name",
    "Neg",
    "Node",
    "Num",
    "Product",
    "Range",
    "Relation",
    "Scripted",
    "parse",
    "source",
]
