"""A family of a graph's nodes told once, with the index free: ``a^{(2)}_{n,c,i,j} = ReLU(z^{(1)}_{n,c,i,j})`` for
every element, instead of one line per element.

A node's name is a base and an index tuple (``z^{(1)}_{0,1,2,3}``, ``C_3``). A family's equation is its first
member's expression with every name whose indices start with the member's own (or are a start of them) written
with index letters; it is kept only when instantiating it at every member's indices gives that member's expression
exactly, so a general equation printed is true of each element it stands for.

>>> import sympy as sp
>>> z0, z1 = sp.symbols("z_{0} z_{1}", real=True)
>>> family = [("a_{0}", sp.exp(z0)), ("a_{1}", sp.exp(z1))]
>>> general(family)
exp(z_{n})
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sympy as sp

NAME = re.compile(r"^(?P<base>[^_]+)_(?:\{(?P<braced>\d+(?:,\d+)*)\}|(?P<plain>\d))$")
LETTERS = {1: "n", 2: "nj", 3: "nci", 4: "ncij", 5: "ncijk"}
T = TypeVar("T")


def split(name: str) -> tuple[str, tuple[int, ...]] | None:
    """``z^{(1)}_{0,1}`` as ``("z^{(1)}", (0, 1))``; a name without a numeric subscript gives None."""
    found = NAME.match(name)
    if found is None:
        return None
    digits = found["braced"] or found["plain"]
    return found["base"], tuple(int(d) for d in digits.split(","))


def letters(length: int) -> tuple[str, ...]:
    """The index letters of a tuple of ``length`` (the sample first): n; n, j; n, c, i; n, c, i, j; ..."""
    return tuple(LETTERS.get(length, "n" + "abcdefghijklm"[: length - 1]))


def indexed(base: str, subscript: Sequence[object]) -> str:
    return f"{base}_{{{','.join(str(s) for s in subscript)}}}"


def _renamed(name: str, index: tuple[int, ...]) -> str | None:
    """A name with the indices it shares with ``index`` (from the first) written as letters."""
    parts = split(name)
    if parts is None:
        return None
    base, own = parts
    shared = min(len(own), len(index))
    if own[:shared] != index[:shared]:
        return None
    return indexed(base, [*letters(len(index))[:shared], *own[shared:]])


def generalise(expr: sp.Expr, index: tuple[int, ...], make: Callable[[sp.Symbol, str], sp.Symbol]) -> sp.Expr:
    """``expr`` with each name sharing ``index``'s leading indices written with letters."""
    swaps = {}
    for s in expr.free_symbols:
        new = _renamed(_name_of(s), index)
        if new is not None:
            swaps[s] = make(s, new)
    return expr.xreplace(swaps)


def instantiate(expr: sp.Expr, index: tuple[int, ...], make: Callable[[sp.Symbol, str], sp.Symbol]) -> sp.Expr:
    """A general expression at ``index``: each letter of ``letters(len(index))`` replaced by its number."""
    names = dict(zip(letters(len(index)), (str(i) for i in index), strict=True))
    swaps = {}
    for s in expr.free_symbols:
        name = _name_of(s)
        base, _, rest = name.partition("_")
        subscript = rest.removeprefix("{").removesuffix("}").split(",")
        if any(part in names for part in subscript):
            swaps[s] = make(s, indexed(base, [names.get(part, part) for part in subscript]))
    return expr.xreplace(swaps)


def _name_of(s: sp.Basic) -> str:
    return str(getattr(s, "of", None) or getattr(s, "name", ""))


def symbol_like(s: sp.Symbol, name: str) -> sp.Symbol:
    """A symbol of ``name`` with ``s``'s assumptions (a graph's names are real)."""
    return sp.Symbol(name, **s.assumptions0)


def general(
    members: Sequence[tuple[str, sp.Expr]], make: Callable[[sp.Symbol, str], sp.Symbol] = symbol_like
) -> sp.Expr | None:
    """The family's equation with the index free, if it holds at every member (at least two), else None."""
    if len(members) < 2:
        return None
    parsed = [split(name) for name, _ in members]
    if any(p is None for p in parsed) or len({(p[0], len(p[1])) for p in parsed if p is not None}) != 1:
        return None
    indices = [p[1] for p in parsed if p is not None]
    pattern = generalise(members[0][1], indices[0], make)
    for index, (_, expr) in zip(indices, members, strict=True):
        if instantiate(pattern, index, make) != expr:
            return None
    return pattern


def families(names: Sequence[T], name_of: Callable[[T], str]) -> list[list[T]]:
    """Items grouped by their name's base and index length, each group where its first member stands."""
    groups: dict[tuple[str, int] | str, list[T]] = {}
    for item in names:
        name = name_of(item)
        parts = split(name)
        key: tuple[str, int] | str = (parts[0], len(parts[1])) if parts is not None else name
        groups.setdefault(key, []).append(item)
    return list(groups.values())


def ranges(indices: Sequence[tuple[int, ...]]) -> dict[str, str]:
    """Each index letter's values over a family, as words: ``0..3``, ``0, 1``, ``2``."""
    out = {}
    for letter, values in zip(letters(len(indices[0])), zip(*indices, strict=True), strict=True):
        seen = sorted(set(values))
        if len(seen) > 2 and seen == list(range(seen[0], seen[-1] + 1)):
            out[letter] = f"{seen[0]}..{seen[-1]}"
        else:
            out[letter] = ", ".join(str(v) for v in seen)
    return out


@dataclass(frozen=True)
class Equation:
    """One line of a graph's equations: a node's, or a family's with the index free (``members`` > 1, ``ranges``
    its letters' values). ``expression`` is SymPy for the printers; a layer's own form (a sum over a window) comes
    as finished ``tex`` and ``text`` instead, checked where it is made."""

    name: str
    expression: sp.Expr | None
    members: int = 1
    ranges: Mapping[str, str] | None = None
    tex: str | None = None
    text: str | None = None
    note: str | None = None  # a formula (LaTeX) that defines a name the equation uses


def graph_equations(
    nodes: Sequence[tuple[str, sp.Expr]], special: Mapping[str, Equation] | None = None
) -> list[Equation]:
    """The graph's equations, each family told once where its general equation holds at every member (or by
    ``special``, a family's own form by its base), the rest one node a line."""
    special = special or {}
    out: list[Equation] = []
    for family in families(nodes, lambda item: item[0]):
        parts = split(family[0][0])
        if parts is not None and parts[0] in special and len(family) > 1:
            out.append(special[parts[0]])
            continue
        pattern = general(family)
        if pattern is None or parts is None:
            out += [Equation(name, expr) for name, expr in family]
            continue
        indices = [p[1] for p in (split(name) for name, _ in family) if p is not None]
        out.append(Equation(indexed(parts[0], letters(len(parts[1]))), pattern, len(family), ranges(indices)))
    return out
