"""The matrix form's equations in LaTeX, printed from the very expressions its proof checks.

matrix_form.stated writes each equation for a general layer, its symbols named ``letter@base+offset``
(W@l+1 is W^(l+1), delta@L+0 is the output layer's delta); this printer reads those names in the
network's notation, and prints Hadamard products with a circled dot, as the source texts do.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..derive.matrix_form import Stated
from ..model.network import Network
from ..model.notation import Notation
from ..model.printing import TexPrinter
from ..model.symbols import ActivationBase, ActivationPrimeBase

LETTERS = {"delta": r"\delta", "Delta": r"\Delta"}


def preset_letter(notation: Notation, letter: str) -> str:
    """A matrix's letter in the preset's symbols: a column a, z or delta as the preset writes its entries, a batch's
    A, Z or Delta as the capital of that letter, and W, b, y as they are."""
    small = {"A": "a", "Z": "z", "Delta": "delta"}.get(letter, letter)
    own = notation.letter(small) if small in ("a", "z", "delta") else small
    if own == "delta":
        return LETTERS[letter]
    return own.upper() if letter in ("A", "Z", "Delta") else own


class MatrixTexPrinter(TexPrinter):
    """LaTeX for matrix expressions written for a general layer, in one network's notation."""

    _default_settings = {**TexPrinter._default_settings, "hidden": None}  # see matrix_printer

    def label(self, base: str, offset: int) -> str:
        """The layer superscript: l, l+1, l-1 for a general layer; the output layer's own name for L."""
        notation, depth = self._settings["notation"], len(self._settings["layers"]) - 1
        text = notation.layer(depth + offset, depth) if base == "L" else f"l{offset:+d}" if offset else "l"
        return f"({text})" if notation.layer_parens else text

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol, style: str = "plain") -> str:
        letter, _, layer = expr.name.partition("@")
        notation = self._settings["notation"]
        if letter == "nabla":  # the cost's gradient with respect to the output activations
            by = r"\hat{y}" if notation.story == "algorithm" else notation.letter("a")
            return rf"\nabla_{{{by}}} {notation.cost_symbol}"
        name = preset_letter(notation, letter)
        if not layer:
            return name
        return f"{name}^{{{self.label(layer[0], int(layer[1:]))}}}"

    def _print_ElementwiseApplyFunction(self, expr: ElementwiseApplyFunction) -> str:
        body = expr.function.expr
        if not isinstance(body, (ActivationBase, ActivationPrimeBase)):
            return super()._print_ElementwiseApplyFunction(expr)
        name, _, generic = self._activation_name(body)
        mark = r"\prime" if isinstance(body, ActivationPrimeBase) else ""
        letter = str(body.args[0])
        hidden = self._settings.get("hidden")
        if generic and hidden is not None and letter == "l":  # every hidden layer applies this one activation
            name, generic = hidden, False
        if generic:
            head = f"{name}^{{{mark} {self.label(letter, 0)}}}" if mark else f"{name}^{{{self.label(letter, 0)}}}"
        else:
            head = f"{name}^{{{mark}}}" if mark else name
        return rf"{head}\left({self._print(expr.expr)}\right)"

    def _grouped(self, expr: sp.Basic, kinds: tuple[type, ...]) -> str:
        """A factor in parentheses when it is a sum or product of another kind, so no reader has to guess."""
        text = self._print(expr)
        return rf"\left({text}\right)" if isinstance(expr, kinds) else text

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        """Entries multiplied (odot); a factor to the Hadamard power -1 as a division entry by entry (oslash)."""
        over = [a.base for a in expr.args if isinstance(a, sp.HadamardPower) and a.exp == -1]
        kept = [a for a in expr.args if not (isinstance(a, sp.HadamardPower) and a.exp == -1)]
        text = r" \odot ".join(self._grouped(a, (sp.MatMul, sp.MatAdd)) for a in kept) if kept else r"\mathbf{1}"
        for base in over:
            text += r" \oslash " + self._grouped(base, (sp.MatMul, sp.MatAdd, sp.HadamardProduct))
        return text

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        coefficient, factors = expr.as_coeff_matrices()
        sign = "- " if coefficient.is_negative else ""
        scalar = "" if abs(coefficient) == 1 else self._print(abs(coefficient)) + " "
        return sign + scalar + " ".join(self._grouped(a, (sp.HadamardProduct, sp.MatAdd)) for a in factors)

    def _print_HadamardPower(self, expr: sp.HadamardPower) -> str:
        base = self._print(expr.base)
        base = rf"\left({base}\right)" if "^" in base or not isinstance(expr.base, sp.MatrixSymbol) else base
        return rf"{base}^{{\circ {self._print(expr.exp)}}}"

    def _print_OneMatrix(self, expr: sp.OneMatrix) -> str:
        rows, cols = expr.shape
        if rows == 1 and cols == 1:
            return "1"
        return r"\mathbf{1}^{T}" if rows == 1 else r"\mathbf{1}"

    def _print_DiagMatrix(self, expr: sp.Basic) -> str:
        return rf"\operatorname{{diag}}\left({self._print(expr.args[0])}\right)"


def matrix_printer(net: Network) -> MatrixTexPrinter:
    """The printer of ``net``'s matrix form; a general elementwise hidden layer's activation is named when every
    such layer applies the same one (Nielsen's sigma'(z^l)), else it is g^l, which the document defines."""
    hidden = {net.activation(layer) for layer in range(1, net.depth) if net.activation(layer).elementwise}
    named = None
    if len(hidden) == 1:
        act = hidden.pop()
        named = None if act.generic else act.latex
    settings = {"notation": net.notation, "layers": tuple(net.layers), "mul_symbol": None, "hidden": named}
    return MatrixTexPrinter(settings)


def equation_tex(net: Network, row: Stated, printer: MatrixTexPrinter | None = None) -> tuple[str, str]:
    """(lhs, rhs) of one stated equation: a delta as itself, a gradient as the cost's partial derivative."""
    printer = printer or matrix_printer(net)
    lhs = printer.doprint(row.lhs)
    if row.kind in ("bias", "weights"):
        cost = net.notation.batch_cost_symbol if row.batch else net.notation.cost_symbol
        lhs = rf"\frac{{\partial {cost}}}{{\partial {lhs}}}"
    return lhs, printer.doprint(row.rhs)
