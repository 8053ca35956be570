"""The values a claim in vector and matrix notation is made of: matrices of explicit entries, with the operations
the texts write on them (the matrix product, the Hadamard product, the transpose, sums, a scalar times a matrix, a
function entry by entry, diag) and the shapes each needs.

A ``Mat`` holds every entry as a formula in the network's own quantities (a, z, w, b, y, g' and derivatives of C_0),
so a claim is checked entry by entry against the element derivatives. It also carries the claim as read, in text and
in LaTeX, built here from the reading and never copied from what the user typed. A product whose shapes do not fit
is a ``ShapeMismatch`` naming both shapes: a verdict on the claim, not a failure to read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..syntax.errors import ClaimError


class ShapeMismatch(ClaimError):
    """Two matrices an operation cannot combine: the claim is incorrect, and the message names both shapes."""


@dataclass(frozen=True)
class Mat:
    """A matrix of explicit entries with how it was read; ``scalar`` for a number, which multiplies any shape."""

    entries: sp.ImmutableMatrix
    text: str
    latex: str
    scalar: bool = False
    atom: bool = True  # written without brackets around it when it is transposed or multiplied
    samples: str = ""  # a batch: "rows" (n x p, one row a sample) or "cols" (p x n); "summed" over the samples

    @property
    def shape(self) -> tuple[int, int]:
        return self.entries.shape

    def wrapped(self) -> tuple[str, str]:
        """Text and LaTeX with brackets where a compound needs them."""
        if self.atom:
            return self.text, self.latex
        return f"({self.text})", rf"\left({self.latex}\right)"


def shape_words(m: Mat) -> str:
    """A shape as a text says it: 3 x 1 (a column), 1 x 3 (a row), 3 x 2."""
    rows, cols = m.shape
    if m.scalar:
        return "a number"
    if m.samples in ("rows", "cols"):
        return f"n x {cols} (a row per sample)" if m.samples == "rows" else f"{rows} x n (a column per sample)"
    kind = " (a column)" if cols == 1 and rows > 1 else " (a row)" if rows == 1 and cols > 1 else ""
    return f"{rows} x {cols}{kind}"


def scalar(value: sp.Expr, text: str, latex: str) -> Mat:
    return Mat(sp.ImmutableMatrix([[value]]), text, latex, scalar=True)


def product(left: Mat, right: Mat, position: int) -> Mat:
    """The matrix product (juxtaposition, \\cdot), or a number times a matrix."""
    lt, ll = left.wrapped()
    rt, rl = right.wrapped()
    text, latex = f"{lt} {rt}", f"{ll} {rl}"
    if left.scalar or right.scalar:
        number, other = (left, right) if left.scalar else (right, left)
        value = number.entries[0, 0]
        entries = other.entries.applyfunc(lambda e: value * e)
        return Mat(entries, text, latex, scalar=other.scalar, atom=False, samples=other.samples)
    if left.samples or right.samples:
        return _batch_product(left, right, text, latex, position)
    if left.shape[1] != right.shape[0]:
        raise ShapeMismatch(
            f"the product {left.text} {right.text} does not fit: {left.text} is {shape_words(left)} and "
            f"{right.text} is {shape_words(right)}",
            position,
        )
    return Mat(sp.ImmutableMatrix(left.entries * right.entries), text, latex, atom=False)


_CONTRACTED = {("cols", "rows"): "summed", ("rows", ""): "rows", ("", "cols"): "cols", ("summed", ""): "summed"}
_CONTRACTED |= {("", "summed"): "summed"}


def _batch_product(left: Mat, right: Mat, text: str, latex: str, position: int) -> Mat:
    """A product with a batch in it: p x n times n x q sums over the samples (Delta^T A, the mean's sum); n x p
    times p x q works row by row. Each sample is held as one generic sample's entries."""
    kind = _CONTRACTED.get((left.samples, right.samples))
    inner_left = left.shape[1] if left.samples != "cols" else 1
    inner_right = right.shape[0] if right.samples != "rows" else 1
    if kind is None or inner_left != inner_right:
        raise ShapeMismatch(
            f"the product {left.text} {right.text} does not fit: {left.text} is {shape_words(left)} and "
            f"{right.text} is {shape_words(right)}",
            position,
        )
    return Mat(sp.ImmutableMatrix(left.entries * right.entries), text, latex, atom=False, samples=kind)


def hadamard(left: Mat, right: Mat, position: int) -> Mat:
    """The Hadamard product, entry by entry: both of one shape."""
    lt, ll = left.wrapped()
    rt, rl = right.wrapped()
    if (left.shape != right.shape or left.samples != right.samples) and not (left.scalar or right.scalar):
        raise ShapeMismatch(
            f"the Hadamard product {left.text} ⊙ {right.text} needs one shape: {left.text} is {shape_words(left)} "
            f"and {right.text} is {shape_words(right)}",
            position,
        )
    if left.scalar or right.scalar:
        return product(left, right, position)
    entries = sp.ImmutableMatrix(left.entries.multiply_elementwise(right.entries))
    return Mat(entries, f"{lt} ⊙ {rt}", rf"{ll} \odot {rl}", atom=False, samples=left.samples)


def added(left: Mat, right: Mat, sign: int, position: int) -> Mat:
    """left + right, or left - right: both of one shape (or both numbers), or a number and a matrix (1 - a)."""
    op = "+" if sign > 0 else "-"
    if _constant(left) != _constant(right) and not (left.scalar and right.scalar):
        return _shifted(left, right, sign, op)
    if left.shape != right.shape or left.scalar != right.scalar or left.samples != right.samples:
        raise ShapeMismatch(
            f"{left.text} {op} {right.text} needs one shape: {left.text} is {shape_words(left)} and {right.text} is "
            f"{shape_words(right)}",
            position,
        )
    entries = sp.ImmutableMatrix(left.entries + sign * right.entries)
    rt, rl = right.wrapped() if sign < 0 else (right.text, right.latex)
    text, latex = f"{left.text} {op} {rt}", f"{left.latex} {op} {rl}"
    return Mat(entries, text, latex, scalar=left.scalar, atom=False, samples=left.samples)


def _constant(m: Mat) -> bool:
    """A number written as one (the 1 of 1 - a), not a quantity of one entry."""
    return m.scalar and bool(m.entries[0, 0].is_number)


def _shifted(left: Mat, right: Mat, sign: int, op: str) -> Mat:
    """A number plus or minus a matrix, entry by entry, as the texts write sigmoid's a ⊙ (1 - a) and tanh's 1 - a ⊙ a
    (Ng's g'(z) = a .* (1 - a)): the number stands for a matrix of it of the other's shape."""
    number, other = (left, right) if _constant(left) else (right, left)
    c = number.entries[0, 0]
    if other is right:
        entries = right.entries.applyfunc(lambda e: c + sign * e)
    else:
        entries = left.entries.applyfunc(lambda e: e + sign * c)
    rt, rl = right.wrapped() if sign < 0 else (right.text, right.latex)
    text, latex = f"{left.text} {op} {rt}", f"{left.latex} {op} {rl}"
    return Mat(sp.ImmutableMatrix(entries), text, latex, atom=False, samples=other.samples)


def negated(m: Mat) -> Mat:
    text, latex = m.wrapped()
    entries = m.entries.applyfunc(lambda e: -e)
    return Mat(entries, f"-{text}", f"-{latex}", scalar=m.scalar, atom=False, samples=m.samples)


def powered(m: Mat, k: int) -> Mat:
    """A whole-number power of a vector or matrix, entry by entry, as Ng's notes write tanh's derivative
    1 - (a^{[1]})^2 (NumPy's ``A1 ** 2``): the matrix power is never written so for a vector, which has none."""
    text, latex = m.wrapped()
    entries = m.entries.applyfunc(lambda e: e**k)
    return Mat(entries, f"{text}^{k}", f"{latex}^{{{k}}}", scalar=m.scalar, atom=False, samples=m.samples)


def transposed(m: Mat) -> Mat:
    text, latex = m.wrapped()
    samples = {"rows": "cols", "cols": "rows"}.get(m.samples, m.samples)
    return Mat(sp.ImmutableMatrix(m.entries.T), f"{text}ᵀ", f"{latex}^{{T}}", scalar=m.scalar, samples=samples)


def divided(m: Mat, by: Mat, position: int) -> Mat:
    """A matrix over a number."""
    if not by.scalar:
        raise ShapeMismatch(f"{m.text} / {by.text}: a matrix is divided only by a number", position)
    value = by.entries[0, 0]
    if value == 0:
        raise ClaimError(f"division by zero in '{by.text}'", position)
    text = m.wrapped()[0]
    latex = rf"\frac{{{m.latex}}}{{{by.latex}}}"
    return Mat(m.entries.applyfunc(lambda e: e / value), f"{text}/{by.text}", latex, samples=m.samples)


def diagonal(m: Mat, position: int) -> Mat:
    """diag(v): the square matrix with the vector v on its diagonal."""
    rows, cols = m.shape
    if min(rows, cols) != 1 or m.scalar or m.samples:
        raise ShapeMismatch(f"diag({m.text}) needs a vector: {m.text} is {shape_words(m)}", position)
    values = list(m.entries)  # Indexed entries (a[1, 0]) have a .shape of their own that sympy.diag would read
    square = sp.ImmutableMatrix(len(values), len(values), lambda i, j: values[i] if i == j else 0)
    return Mat(square, f"diag({m.text})", rf"\operatorname{{diag}}\left({m.latex}\right)")


class Written(sp.Expr):
    """A formula as read, printed as built by the reader: its text and its LaTeX (the claim in vector notation)."""

    def __new__(cls, text: str, latex: str) -> Written:
        return sp.Expr.__new__(cls, sp.Symbol(text), sp.Symbol(latex))

    def _symbackprop_text(self, printer: sp.printing.str.StrPrinter) -> str:
        return self.args[0].name

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return self.args[1].name


def summed(m: Mat, text: str, latex: str) -> Mat:
    """A sum over the samples of one sample's matrix (\\sum_x \\delta^{x,l} (a^{x,l-1})^T)."""
    return Mat(m.entries, text, latex, atom=False, samples="summed")


_GATES = {">": (1, 0), "gt": (1, 0), "<": (-1, 0), "lt": (-1, 0)}
_GATES |= {">=": (1, 1), "ge": (1, 1), "geq": (1, 1), "<=": (-1, 1), "le": (-1, 1), "leq": (-1, 1)}


def entrywise_gate(m: Mat, op: str, bound: sp.Expr, written: str) -> Mat:
    """The indicator of ``entry op bound`` on each entry of ``m``, a step function (Heaviside) of the entry."""
    sign, at_zero = _GATES[op]
    entries = m.entries.applyfunc(lambda e: sp.Heaviside(sign * (e - bound), at_zero))
    shown = {(1, 0): ">", (-1, 0): "<", (1, 1): r"\geq", (-1, 1): r"\leq"}[sign, at_zero]
    latex = rf"\mathbb{{1}}\left[{m.latex} {shown} {sp.latex(bound)}\right]"
    return Mat(entries, f"1[{written}]", latex, samples=m.samples)
