"""Andrew Ng's names for the gradients, read as the notations the reader knows: dz^{[l]} is the error
\\delta^{[l]} = dC/dz^{[l]}, dW^{[l]}, db^{[l]} and da^{[l]} are \\nabla_{W^{[l]}} C, \\nabla_{b^{[l]}} C and
\\nabla_{a^{[l]}} C, and a batch's dZ^{[l]} is \\Delta^{[l]}, its samples' errors side by side.

A d is read so only where it is written against a quantity with Ng's bracketed layer, d then W^{[l]} with nothing
between: d alone means nothing in a claim (it belongs in a derivative, dC/dw), so the reading takes nothing away.
Ng's * between two of them is the entrywise product, as NumPy's is; the matrix reader reads it so (claim_matrices).
This is work on the syntax tree, never on the text: each name keeps the place it was written at. A fraction is
left as it is: there d is the derivative's own mark (\\frac{dC}{dz^{[2]}}, dC/dz^{[2]}).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeGuard

from ..syntax.tree import Binary, Claim, Group, Name, Neg, Node, Product, Scripted
from .claim_nodes import unbrace

GRADIENTS = {"W": "W", "w": "W", "b": "b", "a": "a"}  # d then one of these: the gradient of C with respect to it
ERRORS = {"z": "\\delta", "Z": "\\Delta"}  # d then z: the error, \delta; a batch's dZ: \Delta


def ng_forms(claim: Claim) -> Claim:
    """``claim`` with Ng's dz^{[l]}, dW^{[l]}, db^{[l]}, da^{[l]} and dZ^{[l]} read as the gradients they name."""
    return replace(claim, sides=tuple(_side(side, claim.text) for side in claim.sides))


def _side(node: Node, text: str) -> Node:
    if isinstance(node, Product):
        return _product(node, text)
    if isinstance(node, Binary):  # a + b, a - b, a / b
        return replace(node, left=_side(node.left, text), right=_side(node.right, text))
    if isinstance(node, Neg):
        return replace(node, operand=_side(node.operand, text))
    if isinstance(node, Group):
        return replace(node, items=tuple(_side(item, text) for item in node.items))
    return node


def _product(node: Product, text: str) -> Node:
    out: list[Node] = []
    factors = node.factors
    i = 0
    while i < len(factors):
        f = factors[i]
        after = factors[i + 1] if i + 1 < len(factors) else None
        if isinstance(f, Name) and f.name == "d" and after is not None and _ng_quantity(after, f.end):
            out.extend(_gradient(f, after))
            i += 2
            continue
        out.append(_side(f, text))
        i += 1
    return out[0] if len(out) == 1 else replace(node, factors=tuple(out))


def _ng_quantity(node: Node, d_end: int) -> TypeGuard[Scripted]:
    """Whether ``node`` is W^{[l]} (z, b, a, Z) written against the d before it."""
    if not (isinstance(node, Scripted) and isinstance(node.base, Name) and node.start == d_end):
        return False
    if node.base.name not in GRADIENTS and node.base.name not in ERRORS:
        return False
    sups = [unbrace(s) for mark, s in node.scripts if mark == "^" and s is not None]
    return bool(sups) and _bracketed(sups[0])


def _bracketed(node: Node) -> bool:
    """[l], [2], or [2]T, [l]\\top: Ng's layer, perhaps with a transpose after it."""
    if isinstance(node, Group):
        return node.delim == "["
    return isinstance(node, Product) and isinstance(node.factors[0], Group) and node.factors[0].delim == "["


def _gradient(d: Name, quantity: Scripted) -> list[Node]:
    """dz^{[l]} as \\delta^{[l]}; dW^{[l]} as \\nabla_{W^{[l]}} C, at the places they were written."""
    base = quantity.base
    assert isinstance(base, Name)
    if base.name in ERRORS:
        return [replace(quantity, start=d.start, base=Name(d.start, base.end, ERRORS[base.name]))]
    of = replace(quantity, base=replace(base, name=GRADIENTS[base.name]))
    nabla = Scripted(d.start, quantity.end, Name(d.start, d.end, "\\nabla"), (("_", of),))
    return [nabla, Name(quantity.end, quantity.end, "C")]
