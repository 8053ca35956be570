"""A claim about a layer, read from its syntax tree into the graph's names: each side becomes, for one value of
its free indices, a SymPy expression (or a matrix of them) in the layer graph's nodes and leaves, with every
\\frac{\\partial L}{\\partial q} the graph's own gradient of q.

What a letter means is the notation's (``layer_notation``): x_i, \\hat{x}_i, \\mu_B, \\sigma_B^2 of a batch
norm, X_{i+m,j+n}, K_{m,n} of a convolution, h_{t-1}, W_{hh} of a recurrent layer. Here is the arithmetic the
texts write: sums over a letter (\\sum_j, \\sum_{i=1}^{m}, \\sum_{i,j}, each applying to the factors after it up
to the next + or -), products (juxtaposition or \\cdot: the matrix product where both are matrices), \\odot,
^T, powers (entry by entry on a vector, as h_t^2 is written), \\sqrt, \\frac, and tanh, exp, log on each entry.
Nothing is evaluated as code: the tree is the grammar's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, Protocol

import numpy as np
import sympy as sp

from ..model.graph_functions import indicator
from ..model.graph_reading import MAX_EXPONENT
from ..syntax.tree import Binary, Binding, Frac, Group, Name, Neg, Node, Num, Product, Scripted, source
from .claim_nodes import after_mark

Value = Any  # an sp.Expr, or a 2-d numpy array of them (a matrix; a vector is a column)
FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {"\\tanh": sp.tanh, "\\exp": sp.exp, "\\log": sp.log}
FUNCTIONS["\\ln"] = sp.log
ACCENTS = ("\\hat", "\\bar", "\\tilde", "\\mathbf", "\\boldsymbol", "\\vec")
COSTS = frozenset({"L", "\\ell", "C", "E", "J", "\\mathcal{L}"})
NOT_WHOLE = -(10**9)  # an index (i-m)/s that is not whole: past every array, so the entry there is 0 (the zeros a
# dilation by the stride puts between dL/dY's entries)
MAX_TERMS = 200_000  # the terms of every sum in a claim, over all its entries: a few seconds of SymPy


class ReadError(ValueError):
    """The claim cannot be read in the layer's notation: the reason and where (an offset into the text)."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.position = reason, position


class Notation(Protocol):
    """What the letters of one layer's notation mean (see ``layer_notation``)."""

    def quantity(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        """The graph's symbols a letter names (an sp.Expr or a matrix), or None if the notation has no such letter;
        a ReadError where it has the letter and the indices do not fit."""

    def gradient(self, quantity: Value) -> Value:
        """d(cost)/d(each symbol of the quantity), in the graph's names."""

    def sum_range(self, letter: str) -> range:
        """The values a letter summed without bounds takes."""

    def axes(self, name: str, count: int) -> tuple[int, ...] | None:
        """The sizes of the axes a quantity's ``count`` indices run over, for a free index on the left."""

    def apart(self, a: sp.Expr, b: sp.Expr) -> bool:
        """Whether \\mathbb{1}[a = b] compares an input with an output whose window does not hold it: 0 there,
        whatever their values (max pooling's routing sums over the windows that hold X_{i,j})."""


class LayerReader:
    """One side of a claim read at one value of the free indices (``env``: letter -> whole number)."""

    def __init__(self, text: str, notation: Notation) -> None:
        self.text, self.notation = text, notation
        self.terms = 0  # summed so far, against MAX_TERMS

    def fail(self, node: Node, reason: str) -> ReadError:
        return ReadError(f"{reason}: '{source(self.text, node)}'", node.start + 1)

    def failing(self, node: Node, reason: str) -> Callable[[], ReadError]:
        return lambda: self.fail(node, reason)

    def read(self, node: Node, env: Mapping[str, int]) -> Value:
        if isinstance(node, Num):
            return sp.Rational(node.text)
        if isinstance(node, Binary) and node.op in "+-" and _ends_in_sum(node.left):
            # \\sum_i -2(x_i - \\mu): the sign belongs to the summed term, not to a subtraction
            term = node.right if node.op == "+" else Neg(node.start, node.end, node.right)
            heads = list(node.left.factors) if isinstance(node.left, Product) else [node.left]
            return self.product([*heads, term], env)
        if isinstance(node, Binary):
            left, right = self.read(node.left, env), self.read(node.right, env)
            if node.op == "/":
                return divide(left, right, self.failing(node, "a division by a matrix"))
            return add(left, right if node.op == "+" else negate(right), self.failing(node, "shapes that differ"))
        if isinstance(node, Neg):
            return negate(self.read(node.operand, env))
        if isinstance(node, Frac):
            if (quantity := self.derivative(node, env)) is not None:
                step = self.step_loss(node, env)
                if step is not None:
                    return self.notation.direct(quantity, step)  # type: ignore[attr-defined]
                return self.notation.gradient(quantity)
            numerator, denominator = self.read(node.numerator, env), self.read(node.denominator, env)
            return divide(numerator, denominator, self.failing(node, "a division by a matrix"))
        if isinstance(node, Product):
            return self.product(list(node.factors), env)
        if isinstance(node, Group):
            if len(node.items) != 1 or node.delim == "|":
                raise self.fail(node, "a list or bars where a value belongs")
            return self.read(node.items[0], env)
        if isinstance(node, (Name, Scripted)):
            return self.scripted(node, env)
        raise self.fail(node, "not part of a formula here")

    def derivative(self, node: Frac, env: Mapping[str, int]) -> Value:
        """The quantity q of \\frac{\\partial L}{\\partial q} (None if the fraction is not a derivative)."""
        of, wrt = after_mark(node.numerator), after_mark(node.denominator)
        if of is None or wrt is None:
            return None
        if source(self.text, of) not in COSTS and self.step_loss(node, env) is None:
            raise self.fail(of, "a derivative of the cost is written with L, \\ell, C, E or J")
        quantity = self.quantity(wrt, env)
        if quantity is None:
            raise self.fail(wrt, "no quantity of this layer's notation")
        return quantity

    def step_loss(self, node: Frac, env: Mapping[str, int]) -> int | None:
        """t of \\frac{\\partial L_t}{\\partial q}, the loss of step t, on a notation that has one (an rnn's)."""
        of = after_mark(node.numerator)
        if not (isinstance(of, Scripted) and source(self.text, of.base) in COSTS and hasattr(self.notation, "direct")):
            return None
        subscripts = [arg for mark, arg in of.scripts if mark == "_" and arg is not None]
        if len(subscripts) != 1 or len(of.scripts) != 1:
            return None
        return self.index(subscripts[0], env)

    def quantity(self, node: Node, env: Mapping[str, int]) -> Value:
        """A letter with its subscripts as the notation names it (\\hat{x}_i, \\sigma_B^2), or None."""
        value, powers = self.named(node, env)
        return value if not powers else None

    def named(self, node: Node, env: Mapping[str, int], accent: str = "") -> tuple[Value, list[Node]]:
        """The notation's quantity for a letter, its accent and subscripts, and the powers left to apply."""
        if isinstance(node, Product) and len(node.factors) == 2 and _name(node.factors[0]) in ACCENTS:
            return self.named(node.factors[1], env, _name(node.factors[0]) or "")
        scripts = node.scripts if isinstance(node, Scripted) else ()
        base = node.base if isinstance(node, Scripted) else node
        while isinstance(base, Group) and base.delim == "{" and len(base.items) == 1:
            base = base.items[0]
        if isinstance(base, Group) and base.delim in "([" and len(base.items) == 1 and len(scripts) == 1:
            return self.entry(base.items[0], [arg for _, arg in scripts if arg is not None], env), []
        if not isinstance(base, Name):
            return None, []
        subscripts = [arg for mark, arg in scripts if mark == "_" and arg is not None]
        powers = [arg for mark, arg in scripts if mark == "^" and arg is not None]
        name = f"{accent}{{{base.name}}}" if accent else base.name
        if name == "\\sigma" and powers and source(self.text, powers[0]).strip("{} ") == "2":
            name, powers = "\\sigma^2", powers[1:]
        return self.notation.quantity(name, subscripts, env, self), powers

    def entry(self, matrix: Node, subscripts: list[Node], env: Mapping[str, int]) -> Value:
        """(W_{hh})_{jk}: the matrix's entry, counted as the notation counts (0 past its edges); None where the
        parenthesis holds no matrix or the subscript is no pair of indices."""
        value = self.read(matrix, env)
        items = letters_apart(subscripts[0]) if subscripts and subscripts[0] is not None else ()
        if not isinstance(value, np.ndarray) or len(items) != 2:
            return None
        base = getattr(self.notation, "base", 0)
        r, c = (self.index(i, env) - base for i in items)
        inside = 0 <= r < value.shape[0] and 0 <= c < value.shape[1]
        return value[r, c] if inside else sp.Integer(0)

    def scripted(self, node: Name | Scripted, env: Mapping[str, int]) -> Value:
        """A letter with its scripts: the notation's quantity, then its powers and transposes (\\sigma^2 is the
        variance's own letter)."""
        scripts = node.scripts if isinstance(node, Scripted) else ()
        if any(mark == "'" for mark, _ in scripts):
            raise self.fail(node, "a prime has no meaning in this layer's notation")
        base = node.base if isinstance(node, Scripted) else node
        if isinstance(base, Group) and base.delim != "{" and all(mark == "^" for mark, _ in scripts):
            return self.powered(self.read(base, env), [arg for _, arg in scripts if arg is not None], env)
        value, powers = self.named(node, env)
        if value is None:
            raise self.fail(node, "no quantity of this layer's notation")
        return self.powered(value, powers, env)

    def powered(self, value: Value, powers: list[Node], env: Mapping[str, int]) -> Value:
        for arg in powers:
            if source(self.text, arg).strip("{} ") in ("T", "\\top", "\\intercal", "\\mathsf{T}", "\\mathsf T"):
                if not isinstance(value, np.ndarray):
                    raise self.fail(arg, "the transpose of a number")
                value = value.T
                continue
            exponent = self.read(arg, env)
            if not (isinstance(exponent, sp.Rational) and abs(exponent) <= MAX_EXPONENT):
                raise self.fail(arg, "an exponent is a number here")
            value = each(value, _power(exponent))
        return value

    def product(self, factors: list[Node], env: Mapping[str, int]) -> Value:
        value: Value = sp.Integer(1)
        hadamard = False
        while factors:
            factor = factors.pop(0)
            name = _name(factor)
            if name in ("\\odot", "\\circ"):
                hadamard = True
                continue
            if name in ("\\cdot", "\\times"):
                continue
            if _is_sum(factor):
                part = self.summed(factor, list(factors), env)  # type: ignore[arg-type]
                factors = []
            elif name in ACCENTS and factors:
                arg = factors.pop(0)
                quantity, powers = self.named(Product(factor.start, arg.end, (factor, arg)), env)
                if quantity is None:
                    raise self.fail(arg, "no quantity of this layer's notation")
                part = self.powered(quantity, powers, env)
            elif name == "1" and factors and _is_condition(factors[0]):
                part = self.indicator(factors.pop(0), env)  # type: ignore[arg-type]
            elif name == "\\sqrt" and factors:
                part = each(self.read(factors.pop(0), env), sp.sqrt)
            elif name in FUNCTIONS and factors:
                arg = factors.pop(0)
                inner = arg.base if isinstance(arg, Scripted) and isinstance(arg.base, Group) else arg
                part = each(self.read(inner, env), FUNCTIONS[name])
                if inner is not arg:
                    part = self.powered(part, _powers(arg), env)
            else:
                part = self.read(factor, env)
            fail = self.failing(factor, "shapes that do not fit")
            value = hadamard_product(value, part, fail) if hadamard else multiply(value, part, fail)
            hadamard = False
        return value

    def indicator(self, group: Group, env: Mapping[str, int]) -> Value:
        """\\mathbb{1}[a = b]: 1 where the two are equal, else 0 (max pooling's routing)."""
        (condition,) = group.items
        assert isinstance(condition, Binding)
        left, right = self.read(condition.name, env), self.read(condition.value, env)
        if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
            raise self.fail(group, "an indicator of two numbers, not matrices")
        if self.notation.apart(left, right):
            return sp.Integer(0)
        return indicator(left, right)

    def summed(self, head: Scripted, rest: list[Node], env: Mapping[str, int]) -> Value:
        """\\sum_j, \\sum_{i,j}, \\sum_{j=1}^{m}: what follows it in the product, added over the letters' values."""
        if not rest:
            raise self.fail(head, "a sum of nothing")
        lower = next((arg for mark, arg in head.scripts if mark == "_"), None)
        upper = next((arg for mark, arg in head.scripts if mark == "^"), None)
        if lower is None:
            raise self.fail(head, "a sum without its letter (write \\sum_j)")
        items = _unbraced_items(lower)
        letters: list[tuple[str, range]] = []
        for item in items:
            if isinstance(item, Binding) and isinstance(item.name, Name) and upper is not None and len(items) == 1:
                low, high = self.index(item.value, env), self.index(upper, env)
                letters.append((item.name.name, range(low, high + 1)))
            elif isinstance(item, Name) and len(item.name) == 1 and upper is None:
                letters.append((item.name, self.notation.sum_range(item.name)))
            else:
                raise self.fail(item, "a sum's letter is one letter, with bounds as \\sum_{j=1}^{m}")
        self.terms += math.prod(len(r) for _, r in letters)
        if self.terms > MAX_TERMS:
            raise self.fail(head, f"more than {MAX_TERMS:,} terms summed in all; a claim about a smaller layer")
        total: Value = sp.Integer(0)
        for values in _grid([r for _, r in letters]):
            inner = {**env, **dict(zip((letter for letter, _ in letters), values, strict=True))}
            total = add(total, self.product(list(rest), inner), lambda: self.fail(head, "terms of other shapes"))
        return total

    def index(self, node: Node, env: Mapping[str, int]) -> int:
        """A whole number written in the indices' letters: i+m, t-1, 2i, m, T, \\lfloor i/2 \\rfloor."""
        written = source(self.text, node)
        if written.startswith("\\lfloor") and written.endswith("\\rfloor"):
            return math.floor(self.exact(node, env))
        if isinstance(node, Group) and len(node.items) == 1:
            return self.index(node.items[0], env)
        if isinstance(node, Num) and node.text.isdigit():
            return int(node.text)
        if isinstance(node, Name) and node.name in env:
            return env[node.name]
        if isinstance(node, Name):
            constant = self.notation.quantity(node.name, [], env, self)
            if isinstance(constant, sp.Integer):
                return int(constant)
        if isinstance(node, Binary) and node.op in "+-":
            left, right = self.index(node.left, env), self.index(node.right, env)
            return left + right if node.op == "+" else left - right
        if (isinstance(node, Binary) and node.op == "/") or isinstance(node, Frac):
            top, bottom = (node.left, node.right) if isinstance(node, Binary) else (node.numerator, node.denominator)
            quotient = Fraction(self.index(top, env), self.index(bottom, env) or 1)
            return int(quotient) if quotient.denominator == 1 else NOT_WHOLE
        if isinstance(node, Neg):
            return -self.index(node.operand, env)
        if isinstance(node, Product) and len(node.factors) == 2:
            return self.index(node.factors[0], env) * self.index(node.factors[1], env)
        raise self.fail(node, "an index is a letter, a whole number, or their sum")

    def exact(self, node: Node, env: Mapping[str, int]) -> Fraction:
        """An index inside \\lfloor \\rfloor, as a fraction: i/2, (i+1)/2 (the brackets' own names count as 1)."""
        if isinstance(node, Product):
            value = Fraction(1)
            for factor in node.factors:
                if _name(factor) not in ("\\lfloor", "\\rfloor"):
                    value *= self.exact(factor, env)
            return value
        if isinstance(node, Binary):
            left, right = self.exact(node.left, env), self.exact(node.right, env)
            if node.op == "/":
                if right == 0:
                    raise self.fail(node, "a division by zero in an index")
                return left / right
            return left + right if node.op == "+" else left - right
        if isinstance(node, Group) and len(node.items) == 1:
            return self.exact(node.items[0], env)
        return Fraction(self.index(node, env))


def letters_apart(s: Node) -> tuple[Node, ...]:
    """A subscript's indices: {i,j} is two, and so is {jk}, letters written side by side."""
    items = s.items if isinstance(s, Group) and s.delim == "{" else (s,)
    first = items[0] if len(items) == 1 else None
    if isinstance(first, Product) and all(isinstance(f, Name) and len(f.name) == 1 for f in first.factors):
        return first.factors
    return items


def _name(node: Node) -> str | None:
    return node.name if isinstance(node, Name) else None


def _power(exponent: sp.Rational) -> Callable[[sp.Expr], sp.Expr]:
    return lambda e: e**exponent


def _is_condition(node: Node) -> bool:
    return (
        isinstance(node, Group) and node.delim in "([" and len(node.items) == 1 and isinstance(node.items[0], Binding)
    )


def _ends_in_sum(node: Node) -> bool:
    return _is_sum(node.factors[-1]) if isinstance(node, Product) else _is_sum(node)


def _is_sum(node: Node) -> bool:
    return isinstance(node, Scripted) and _name(node.base) == "\\sum"


def _powers(node: Node) -> list[Node]:
    return [arg for mark, arg in node.scripts if mark == "^" and arg is not None] if isinstance(node, Scripted) else []


def _unbraced_items(node: Node) -> tuple[Node, ...]:
    return node.items if isinstance(node, Group) and node.delim == "{" else (node,)


def _grid(ranges: list[range]) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = [()]
    for r in ranges:
        out = [(*before, v) for before in out for v in r]
    return out


def each(value: Value, f: Callable[[sp.Expr], sp.Expr]) -> Value:
    """``f`` on a number, or on each entry of a matrix."""
    if isinstance(value, np.ndarray):
        return np.vectorize(f, otypes=[object])(value) if value.size else value
    return f(value)


def negate(value: Value) -> Value:
    return each(value, lambda e: -e)


def add(a: Value, b: Value, fail: Callable[[], ReadError]) -> Value:
    """a + b; a number added to a matrix is added to each entry (1 - h_t^2, as the texts write it)."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape != b.shape:
        raise fail()
    return a + b


def divide(a: Value, b: Value, fail: Callable[[], ReadError]) -> Value:
    if isinstance(b, np.ndarray):
        raise fail()
    return each(a, lambda e: e / b)


def multiply(a: Value, b: Value, fail: Callable[[], ReadError]) -> Value:
    """The matrix product of two matrices, else a number times each entry."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if a.shape[1] != b.shape[0]:
            raise fail()
        return np.dot(a, b)
    if isinstance(a, np.ndarray):
        return each(a, lambda e: e * b)
    return each(b, lambda e: a * e)


def hadamard_product(a: Value, b: Value, fail: Callable[[], ReadError]) -> Value:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape != b.shape:
        raise fail()
    return a * b
