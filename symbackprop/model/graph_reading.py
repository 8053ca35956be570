"""A graph node's expression, read from the LaTeX-like text a spec gives it into SymPy.

The text is parsed by the project's grammar (``syntax``), never by eval or sympify; here each part of the tree
becomes SymPy: a name must be a node or a value the graph knows, a function one of ``graph_functions``, an
exponent a number. Every error is one line naming the node, what is wrong and the column where it is.

>>> import sympy as sp
>>> q, z = sp.symbols("q z", real=True)
>>> read_expression(r"\\frac{q z}{2} + \\sigma(q)", {"q": q, "z": z}, "node f")
q*z/2 + sigmoid(q)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import TypeGuard

import sympy as sp

from ..base.errors import SpecError, did_you_mean
from ..syntax.errors import ClaimError
from ..syntax.tree import Binary, Frac, Group, Name, Neg, Node, Num, Product, Scripted, parse, source
from . import graph_functions as functions

_GREEK_NAMES = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho varrho "
    "tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
GREEK = frozenset("\\" + name for name in _GREEK_NAMES.split(" "))  # as LaTeX has them (no \omicron: it is o)
RESERVED = frozenset({"\\sigma", "\\pi", "e"})  # the sigmoid, pi and Euler's number when not a graph's own name
MAX_DIGITS = 30  # digits of a number in an expression
MAX_EXPONENT = 100  # |n| of a power x^{n}
_SUBSCRIPT = re.compile(r"[A-Za-z0-9]+(,[A-Za-z0-9]+)*")


def name_key(text: str, where: str) -> str:
    """The one spelling of a name as written (``x``, ``w_0``, ``x_{1}``, ``\\alpha``): ``x_{1}`` is ``x_1``."""
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"{where}: a name is a letter with an optional subscript (x, w_0, x_{{1}}) or a Greek letter")
    try:
        (node,) = parse(text).sides
    except (ClaimError, ValueError):
        node = None
    key = _key(node, text) if node is not None else None
    if key is None:
        raise SpecError(
            f"{where}: {text!r} is not a name; a name is a letter with an optional subscript (x, w_0, x_{{1}}) or "
            "a Greek letter (\\alpha)"
        )
    if key in ("\\sigma", "\\pi") or key in functions.ONE or key in functions.TWO:
        raise SpecError(f"{where}: {text!r} is a function or a constant here; name it otherwise")
    return key


def _key(node: Node, text: str) -> str | None:
    base, subscript = node, ""
    if isinstance(node, Scripted):
        if len(node.scripts) != 1 or node.scripts[0][0] != "_" or node.scripts[0][1] is None:
            return None
        base, script = node.base, node.scripts[0][1]
        subscript = "".join(source(text, script).split()).removeprefix("{").removesuffix("}")
        if not _SUBSCRIPT.fullmatch(subscript):
            return None
    if not isinstance(base, Name) or not ((len(base.name) == 1 and base.name.isalpha()) or base.name in GREEK):
        return None
    if not subscript:
        return base.name
    return f"{base.name}_{subscript}" if len(subscript) == 1 else f"{base.name}_{{{subscript}}}"


def read_expression(text: str, known: Mapping[str, sp.Symbol], where: str) -> sp.Expr:
    """The SymPy expression ``text`` writes, in the symbols of ``known`` (name key -> symbol)."""
    if not isinstance(text, str):
        raise SpecError(f"{where}: an expression is a quoted string, such as 'x + y'")
    if not text.strip():
        raise SpecError(f"{where}: the expression is empty")
    try:
        parsed = parse(text)
    except ClaimError as err:
        raise SpecError(f"{where}: {err.reason}{_column(err.position)} of {text!r}") from None
    if len(parsed.sides) != 1:
        raise SpecError(f"{where}: an expression has no '='; the node's name is the key before it")
    return _real(_Reader(text, known, where).expr(parsed.sides[0]), text, where)


def _real(expr: sp.Expr, text: str, where: str) -> sp.Expr:
    """``expr``, when each of its constant parts is a real number: 1/0 or (-8)^{1/3} is refused, not computed
    as infinity or a complex number."""
    if expr.has(sp.zoo, sp.oo, sp.nan):
        raise SpecError(f"{where}: a division by zero in {text!r}")
    for part in sp.preorder_traversal(expr):
        if isinstance(part, sp.Expr) and part.is_number and part.is_extended_real is False:
            raise SpecError(f"{where}: {part} is not a real number, in {text!r}")
    return expr


def read_node(
    node: Node,
    text: str,
    known: Mapping[str, sp.Symbol],
    where: str,
    special: Callable[[Node], sp.Expr | None] | None = None,
) -> sp.Expr:
    """One parsed part of ``text`` read as an expression; ``special`` may read a part itself first (a claim's
    \\frac{\\partial f}{\\partial q}), returning None for the parts it leaves to the reader."""
    return _real(_Reader(text, known, where, special).expr(node), text, where)


def _column(position: int | None) -> str:
    return f" at column {position}" if position is not None else ""


class _Reader:
    """The tree of one expression to SymPy; ``fail`` places an error by its column."""

    def __init__(
        self,
        text: str,
        known: Mapping[str, sp.Symbol],
        where: str,
        special: Callable[[Node], sp.Expr | None] | None = None,
    ) -> None:
        self.text, self.known, self.where, self.special = text, known, where, special

    def fail(self, node: Node, message: str) -> SpecError:
        return SpecError(f"{self.where}: {message}{_column(node.start + 1)} of {self.text!r}")

    def expr(self, node: Node) -> sp.Expr:
        if self.special is not None and (read := self.special(node)) is not None:
            return read
        if isinstance(node, Num):
            return self.number(node)
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Scripted):
            return self.scripted(node)
        if isinstance(node, Product):
            return self.product(node)
        if isinstance(node, Binary):
            left, right = self.expr(node.left), self.expr(node.right)
            return left + right if node.op == "+" else left - right if node.op == "-" else left / right
        if isinstance(node, Neg):
            return -self.expr(node.operand)
        if isinstance(node, Frac):
            return self.expr(node.numerator) / self.expr(node.denominator)
        if isinstance(node, Group):
            return self.group(node)
        raise self.fail(node, f"'{source(self.text, node)}' is not part of an expression")

    def number(self, node: Num) -> sp.Expr:
        if len(node.text.replace(".", "")) > MAX_DIGITS:
            raise self.fail(node, f"a number of more than {MAX_DIGITS} digits")
        return sp.Rational(node.text)

    def name(self, node: Name) -> sp.Expr:
        if node.name in self.known:
            return self.known[node.name]
        if node.name == "e":
            raise self.fail(node, "e is neither a node above nor a name in [values]; Euler's number is written e^{1}")
        if node.name == "\\pi":
            return sp.pi
        if node.name in functions.ONE or node.name in functions.TWO:
            raise self.fail(node, f"{node.name} needs its argument, as {node.name}(x)")
        if len(node.name) == 1 or node.name in GREEK:
            hint = did_you_mean(node.name, self.known)
            raise self.fail(node, f"{node.name} is neither a node above nor a name in [values]{hint}")
        raise self.fail(node, f"unknown function or command {node.name}; a node may use {', '.join(functions.NAMES)}")

    def group(self, node: Group) -> sp.Expr:
        if len(node.items) != 1:
            what = "empty brackets" if not node.items else "a list separated by commas"
            raise self.fail(node, f"{what} where a value belongs")
        inner = self.expr(node.items[0])
        return sp.Abs(inner) if node.delim == "|" else inner

    def scripted(self, node: Scripted) -> sp.Expr:
        subscripts = [arg for mark, arg in node.scripts if mark == "_"]
        if any(mark == "'" for mark, _ in node.scripts):
            raise self.fail(node, "a prime has no meaning in a node; a graph's derivatives are what derive gives")
        if subscripts:
            value = self.subscripted(node, subscripts)
        elif isinstance(node.base, Name) and node.base.name == "e" and "e" not in self.known:
            return sp.exp(self.exponent_expr(node))
        else:
            value = self.expr(node.base)
        for mark, arg in node.scripts:
            if mark == "^" and arg is not None:
                value = value ** self.exponent(arg)
        return value

    def subscripted(self, node: Scripted, subscripts: list[Node | None]) -> sp.Expr:
        first = next(i for i, (mark, _) in enumerate(node.scripts) if mark == "_")
        written = Scripted(node.start, node.end, node.base, (node.scripts[first],))
        key = _key(written, self.text) if len(subscripts) == 1 else None
        if key is None:
            raise self.fail(node, f"'{source(self.text, node)}' is not a name: one subscript of letters and digits")
        if key not in self.known:
            hint = did_you_mean(key, self.known)
            raise self.fail(node, f"{key} is neither a node above nor a name in [values]{hint}")
        return self.known[key]

    def exponent_expr(self, node: Scripted) -> sp.Expr:
        """e^{...}: the exponent, any expression."""
        (arg,) = [arg for mark, arg in node.scripts if mark == "^"]
        return self.expr(_unbraced(arg))

    def exponent(self, arg: Node) -> sp.Expr:
        if isinstance(arg, Num) and len(arg.text) > 1:
            written = arg.text
            message = f"^{written} is ^{{{written[0]}}}{written[1:]} in LaTeX; write ^{{{written}}} for that power"
            raise self.fail(arg, message)
        value = self.expr(_unbraced(arg))
        if not value.is_Rational:
            raise self.fail(arg, "an exponent is a number here (x^{2}, x^{0.5}); e^{...} takes any expression")
        if abs(value) > MAX_EXPONENT:
            raise self.fail(arg, f"an exponent beyond {MAX_EXPONENT}")
        return value

    def product(self, node: Product) -> sp.Expr:
        value: sp.Expr = sp.Integer(1)
        factors = list(node.factors)
        for before, after in pairwise(factors):
            if isinstance(before, Num) and isinstance(after, Name) and after.name in "eE" and before.end == after.start:
                raise self.fail(before, "a number is not written with e here (1e-3); write 10^{-3} or 0.001")
        while factors:
            factor = factors.pop(0)
            head = _head(factor)
            if head is None:
                value = value * self.expr(factor)
                continue
            if not factors:
                raise self.fail(factor, f"{head} needs its argument, as {head}(x)")
            arg = factors.pop(0)
            if head == "\\sqrt" and isinstance(arg, Group) and arg.delim == "[":
                value = value * self.root(factor, arg, factors)
                continue
            value = value * self.apply(factor, head, arg)
        return value

    def root(self, where: Node, index: Group, factors: list[Node]) -> sp.Expr:
        """\\sqrt[n]{x}: x^{1/n}, for a whole n of at least 2."""
        n = self.expr(index.items[0]) if len(index.items) == 1 else None
        if n is None or not n.is_Integer or not 2 <= n <= MAX_EXPONENT:
            raise self.fail(index, "the n of \\sqrt[n]{x} is a whole number from 2 to 100")
        if not factors:
            raise self.fail(where, "\\sqrt[n] needs its argument, as \\sqrt[3]{x}")
        return self.expr(_unbraced(factors.pop(0))) ** sp.Rational(1, n)

    def apply(self, where: Node, head: str, arg: Node) -> sp.Expr:
        if _powered_group(arg):  # \\sigma(x)^{2} is (\\sigma(x))^2, as in LaTeX
            value = self.apply(where, head, arg.base)
            for _, exponent in arg.scripts:
                assert exponent is not None
                value = value ** self.exponent(exponent)
            return value
        items = arg.items if isinstance(arg, Group) and arg.delim in "([{" else (arg,)
        if head in functions.TWO:
            if len(items) != 2:
                raise self.fail(where, f"{head} takes two values, as {head}(a, b)")
            return functions.TWO[head](self.expr(items[0]), self.expr(items[1]))
        if len(items) != 1:
            raise self.fail(where, f"{head} takes one value")
        return functions.ONE[head](self.expr(items[0]))


def _powered_group(node: Node) -> TypeGuard[Scripted]:
    """(x)^{2}: a parenthesised group with powers only, which a function before it applies to whole."""
    if not isinstance(node, Scripted) or not isinstance(node.base, Group) or node.base.delim not in "([":
        return False
    return all(mark == "^" for mark, _ in node.scripts)


def _head(node: Node) -> str | None:
    """The function a factor names, if it is one (\\sigma, \\tanh, \\operatorname{relu}, ...)."""
    if isinstance(node, Name) and (node.name in functions.ONE or node.name in functions.TWO):
        return node.name
    return None


def _unbraced(node: Node | None) -> Node:
    assert node is not None  # the grammar gives every ^ its argument
    while isinstance(node, Group) and node.delim == "{" and len(node.items) == 1:
        node = node.items[0]
    return node
