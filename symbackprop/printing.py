"""SymPy printers for the textbook's notation: w_{jk}^{(L)}, sigma'(z), g'^{(l)}(z), partials.

The mathematics is printed by SymPy; these subclasses only teach it our symbols, with the
notation preset and the layer sizes passed in as settings, never stored on the expressions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from . import activations
from .notation import Notation
from .symbols import C0, MEAN_COST, SAMPLES, ActivationBase, ActivationPrimeBase, ActivationSecondBase, SoftmaxExp


class _Notation:
    """What both printers share: how an indexed quantity's name, subscript and layer read."""

    _settings: dict
    _times: str
    _open: str
    _close: str

    def _parts(self, expr: sp.Indexed) -> tuple[str, list[sp.Expr], sp.Expr | None]:
        name = str(expr.base)
        idx = list(expr.indices)
        if name == "y":
            return name, idx, None
        return name, idx[1:], idx[0]

    def _layer_text(self, layer: sp.Expr) -> str:
        """The layer superscript: L, L-1, ... (or 0, 1, ...), or a letter l for a general layer."""
        notation: Notation = self._settings["notation"]
        depth = len(self._settings["layers"]) - 1
        text = notation.layer(int(layer), depth) if layer.is_Integer else str(layer).replace(" ", "")
        return f"({text})" if notation.layer_parens or not text.isalnum() else text

    def _subscript(self, name: str, indices: list[sp.Expr], layer: sp.Expr | None) -> str:
        """The neuron indices, left out where every layer they index has one neuron."""
        layers: Sequence[int] = self._settings["layers"]
        if layer is not None and layer.is_Integer and indices:
            layer = int(layer)
            touched = [layer, layer - 1] if name == "w" else [layer]
            if all(layers[t] == 1 for t in touched):
                return ""
        if name == "y" and layers[-1] == 1:
            return ""
        texts = [str(i) for i in indices]
        return ("," if any(len(t) > 1 for t in texts) else "").join(texts)

    def _weight_first(self, expr: sp.Mul) -> tuple[sp.Expr, sp.Expr] | None:
        """A term w_jk a_k of a weighted sum, which the texts write weight first."""
        if len(expr.args) == 2 and all(isinstance(a, sp.Indexed) for a in expr.args):
            by_name = {str(a.base): a for a in expr.args}
            if set(by_name) == {"w", "a"}:
                return by_name["w"], by_name["a"]
        return None

    def _sum_first(self, expr: sp.Mul) -> tuple[list[sp.Expr], sp.Expr] | None:
        """A product holding a sum over a layer: the texts write the sum first, in parentheses."""
        sums = [a for a in expr.args if isinstance(a, sp.Sum)]
        rest = [a for a in expr.args if not isinstance(a, sp.Sum)]
        return (sums, sp.Mul(*rest)) if sums and rest else None

    def _textbook_product(self, expr: sp.Mul) -> str | None:
        """w_jk a_k weight first, and a sum over a layer first in parentheses; None for SymPy's own order.
        A sum over the samples goes after its factor in n: 1/n sum_i dC_i/dw, the mean as texts write it."""
        pair = self._weight_first(expr)
        if pair:
            return self._times.join(map(self._print, pair))
        split = self._sum_first(expr)
        if split and split[1].free_symbols <= {SAMPLES} and all(s.has(SAMPLES) for s in split[0]):
            return self._times.join([self._print(split[1]), *(self._print(s) for s in split[0])])
        split = self._sum_first(expr)
        if split:
            sums = [f"{self._open}{self._print(s)}{self._close}" for s in split[0]]
            return self._times.join([*sums, self._print(split[1])])
        return None

    def _activation_name(self, expr: sp.Basic) -> tuple[str, str, bool]:
        """(latex, text, generic) for the activation behind an applied g or g'."""
        entry = activations.activation(type(expr).entry_name)
        if entry.generic:
            g = self._settings["notation"].generic_activation
            return g, g, True
        return entry.latex, entry.text, False


class TextPrinter(_Notation, StrPrinter):
    """Plain-text printing: w_12^(L), σ'(z_1^(L)), C_0."""

    printmethod = "_symbackprop_text"  # not "_sympystr": Indexed would print itself as w[2, 1, 2]
    _default_settings = {**StrPrinter._default_settings, "notation": None, "layers": None}

    def doprint(self, expr: sp.Basic) -> str:
        """SymPy's text with ^ for powers and a middle dot for products, as a reader writes them."""
        return super().doprint(expr).replace("**", "^").replace("*", "·")

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if isinstance(expr.base, sp.Indexed) and expr.exp.is_Integer and expr.exp > 0:
            return f"({self._print(expr.base)})**{self._print(expr.exp)}"
        return super()._print_Pow(expr, rational)

    _times, _open, _close = "*", "(", ")"

    def _print_Mul(self, expr: sp.Mul) -> str:
        return self._textbook_product(expr) or super()._print_Mul(expr)

    def _print_Sum(self, expr: sp.Sum) -> str:
        limits = ", ".join(f"{self._print(i)}={self._print(lo)}..{self._print(hi)}" for i, lo, hi in expr.limits)
        return f"Σ_[{limits}] {self.parenthesize(expr.function, 60)}"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        name, indices, layer = self._parts(expr)
        sub = self._subscript(name, indices, layer)
        name = "δ" if name == "delta" else name
        text = name + (f"_{sub}" if sub else "")
        return text + (f"^{self._layer_text(layer)}" if layer is not None else "")

    def _print_ActivationBase(self, expr: ActivationBase) -> str:
        _, name, generic = self._activation_name(expr)
        layer = f"^{self._layer_text(expr.args[0])}" if generic else ""
        return f"{name}{layer}({self._print(expr.args[1])})"

    def _print_ActivationPrimeBase(self, expr: ActivationPrimeBase) -> str:
        _, name, generic = self._activation_name(expr)
        layer = f"^{self._layer_text(expr.args[0])}" if generic else ""
        return f"{name}'{layer}({self._print(expr.args[1])})"

    def _print_ActivationSecondBase(self, expr: ActivationSecondBase) -> str:
        _, name, generic = self._activation_name(expr)
        layer = f"^{self._layer_text(expr.args[0])}" if generic else ""
        return f"{name}''{layer}({self._print(expr.args[1])})"

    def _print_SoftmaxExp(self, expr: SoftmaxExp) -> str:
        return f"exp({self._print(expr.args[0])})"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        return f"δ_{self._print(expr.args[0])}{self._print(expr.args[1])}"

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        if expr == C0:
            return self._settings["notation"].cost_symbol
        if expr == MEAN_COST:
            return self._settings["notation"].batch_cost_symbol
        if re.fullmatch(r"\w_\{\w\}", expr.name):  # a layer's size n_{l}: plain text needs no braces
            return expr.name.replace("{", "").replace("}", "")
        return super()._print_Symbol(expr)


class TexPrinter(_Notation, LatexPrinter):
    """LaTeX printing in the textbook's notation."""

    _default_settings = {**LatexPrinter._default_settings, "notation": None, "layers": None}

    def _print_Pow(self, expr: sp.Pow) -> str:
        """A power of a layered symbol gets parentheses: (a_j^{(L)})^2, never a double superscript."""
        if isinstance(expr.base, sp.Indexed) and expr.exp.is_Integer and expr.exp > 0:
            return rf"\left({self._print(expr.base)}\right)^{{{self._print(expr.exp)}}}"
        return super()._print_Pow(expr)

    _times, _open, _close = " ", r"\left(", r"\right)"

    def _print_Mul(self, expr: sp.Mul) -> str:
        return self._textbook_product(expr) or super()._print_Mul(expr)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        name, indices, layer = self._parts(expr)
        sub = self._subscript(name, indices, layer)
        name = r"\delta" if name == "delta" else name
        text = name + (f"_{{{sub}}}" if sub else "")
        return text + (f"^{{{self._layer_text(layer)}}}" if layer is not None else "")

    def _function(self, expr: sp.Basic, prime: bool, exp: str | None) -> str:
        name, _, generic = self._activation_name(expr)
        mark = "\\prime" * int(prime)
        if generic:
            head = f"{name}^{{{mark}{self._layer_text(expr.args[0])}}}"
        else:
            head = f"{name}^{{{mark}}}" if prime else name
        body = rf"{head}\left({self._print(expr.args[1])}\right)"
        return rf"\left({body}\right)^{{{exp}}}" if exp else body

    def _print_ActivationBase(self, expr: ActivationBase, exp: str | None = None) -> str:
        return self._function(expr, False, exp)

    def _print_ActivationPrimeBase(self, expr: ActivationPrimeBase, exp: str | None = None) -> str:
        return self._function(expr, True, exp)

    def _print_ActivationSecondBase(self, expr: ActivationSecondBase, exp: str | None = None) -> str:
        return self._function(expr, 2, exp)

    def _print_SoftmaxExp(self, expr: SoftmaxExp, exp: str | None = None) -> str:
        body = f"e^{{{self._print(expr.args[0])}}}"
        return rf"\left({body}\right)^{{{exp}}}" if exp else body

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr == C0:
            return self._settings["notation"].cost_symbol
        if expr == MEAN_COST:
            return self._settings["notation"].batch_cost_symbol
        return super()._print_Symbol(expr, style)


def printers(notation: Notation, layers: Sequence[int]) -> tuple[TextPrinter, TexPrinter]:
    """A text and a LaTeX printer for one network in one notation."""
    settings = {"notation": notation, "layers": tuple(layers)}
    return TextPrinter(settings), TexPrinter(dict(settings, mul_symbol=None))


def partial_text(printer: TextPrinter, of: sp.Expr, wrt: sp.Expr) -> str:
    return f"∂{printer.doprint(of)}/∂{printer.doprint(wrt)}"


def partial_tex(printer: TexPrinter, of: sp.Expr, wrt: sp.Expr) -> str:
    return rf"\frac{{\partial {printer.doprint(of)}}}{{\partial {printer.doprint(wrt)}}}"
