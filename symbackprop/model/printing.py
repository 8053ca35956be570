"""SymPy printers for the textbook's notation: w_{jk}^{(L)}, sigma'(z), g'^{(l)}(z), partials.

The mathematics is printed by SymPy; these subclasses only teach it our symbols, with the
notation preset and the layer sizes passed in as settings, never stored on the expressions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from . import activations
from .notation import Notation
from .symbols import (
    C0,
    MEAN_COST,
    SAMPLES,
    ActivationBase,
    ActivationPrimeBase,
    ActivationSecondBase,
    OrderedProduct,
    SoftmaxExp,
)

_TALL = re.compile(r"\\(?:[dt]?frac|sum|prod|int|binom|left|[bB]igg?l|substack|begin)(?![A-Za-z])")
_SIZED = re.compile(r"\\(left|right)(?![A-Za-z])\s*(\\[{}]|[()\[\].|])")


def is_tall(tex: str) -> bool:
    """Whether a formula stands taller than a line of text: a fraction, a big operator or sized delimiters."""
    return _TALL.search(tex) is not None


def paren_tex(tex: str) -> str:
    """Parentheses around a formula: plain ones, or \\left( \\right) when the content is tall."""
    return rf"\left({tex}\right)" if is_tall(tex) else f"({tex})"


def relax_parens(tex: str) -> str:
    """Every \\left( ... \\right) around content no taller than a line becomes plain ( ... ).

    Sized parentheses around a superscripted symbol, sigma'(z^{(L)}), come out visibly too large.
    """
    out, _ = _relax(tex, 0)
    return out


def _relax(tex: str, pos: int) -> tuple[str, int]:
    """The text from ``pos`` up to the \\right that closes the current \\left (or the end), relaxed."""
    out: list[str] = []
    while True:
        m = _SIZED.search(tex, pos)
        if m is None:
            out.append(tex[pos:])
            return "".join(out), len(tex)
        out.append(tex[pos : m.start()])
        pos = m.end()
        if m.group(1) == "right":
            return "".join(out), m.start()
        inner, end = _relax(tex, pos)
        right = _SIZED.match(tex, end)
        if right is None:  # unbalanced: leave the rest as it is
            out.append(m.group(0) + inner)
            return "".join(out), len(tex)
        pos = right.end()
        if m.group(2) == "(" and right.group(2) == ")" and not is_tall(inner):
            out.append(f"({inner.strip()})")
        else:
            out.append(m.group(0) + inner + right.group(0))


class _Notation:
    """What both printers share: how an indexed quantity's name, subscript and layer read."""

    _settings: dict
    _times: str
    _digit_times: str
    _ungrouped: bool  # plain text cannot group a superscript, so a^(l-1) keeps parentheses there; LaTeX braces do
    _print: Callable[..., str]  # SymPy's Printer._print, from the SymPy printer each subclass also derives from

    def _paren(self, text: str) -> str:
        raise NotImplementedError

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
        return f"({text})" if notation.layer_parens or (self._ungrouped and not text.isalnum()) else text

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
        """w_jk a_k weight first, a sum over a layer first in parentheses, a logarithm last (y log a), and a
        minus sign in front; None for SymPy's own order. A sum over the samples goes after its factor in n:
        1/n sum_i dC_i/dw, the mean as texts write it."""
        if expr.args[0] == -1:
            return "-" + self._factor(sp.Mul(*expr.args[1:]))
        half = self._fraction_first(expr)
        if half:
            return half
        pair = self._weight_first(expr)
        if pair:
            return self._times.join(map(self._print, pair))
        split = self._sum_first(expr)
        if split and split[1].free_symbols <= {SAMPLES} and all(s.has(SAMPLES) for s in split[0]):
            return self._times.join([self._print(split[1]), *(self._print(s) for s in split[0])])
        split = self._sum_first(expr)
        if split:
            sums = [self._paren(self._print(s)) for s in split[0]]
            return self._times.join([*sums, self._factor(split[1])])
        symbols_first = self._symbols_first(expr)
        if symbols_first:
            return symbols_first
        logs = [a for a in expr.args if isinstance(a, sp.log)]
        if logs and len(logs) < len(expr.args) and not expr.args[0].is_Number:
            rest = [a for a in expr.args if not isinstance(a, sp.log)]
            return self._times.join([self._factor(sp.Mul(*rest)), *map(self._print, logs)])
        return None

    def _fraction_first(self, expr: sp.Mul) -> str | None:
        """A constant fraction in front, 1/2 (a - y)^2 as the quadratic cost is written, not (a - y)^2/2."""
        coeff, rest = expr.as_coeff_Mul()
        if not (coeff.is_Rational and not coeff.is_Integer and coeff > 0):
            return None
        if any(p.is_Pow and p.exp.is_negative for p in sp.Mul.make_args(rest)):
            return None
        return self._times.join([self._print(coeff), self._factor(rest)])

    def _factor(self, expr: sp.Expr) -> str:
        """An expression printed as one factor of a product: a sum in parentheses."""
        text = self._print(expr)
        return self._paren(text) if isinstance(expr, sp.Add) else text

    def _symbols_first(self, expr: sp.Mul) -> str | None:
        """A quantity times a sum of the same layer's quantities, the quantity first: a (1 - a), as the texts
        write sigmoid's slope, and a_i ([i = j] - a_j), softmax's."""
        if len(expr.args) != 2:
            return None
        quantity, total = sorted(expr.args, key=lambda a: isinstance(a, sp.Add))
        if not (isinstance(quantity, sp.Indexed) and isinstance(total, sp.Add)):
            return None
        layer = (quantity.base, quantity.indices[0])
        if not any((x.base, x.indices[0]) == layer for x in total.atoms(sp.Indexed)):
            return None
        return self._times.join([self._print(quantity), self._paren(self._print(total))])

    def _print_OrderedProduct(self, expr: OrderedProduct) -> str:
        """The factors in the order the derivation gives them, each a sum in parentheses."""
        args = list(expr.args)
        sign = "-" if args[0] == -1 else ""
        factors = args[1:] if sign else args
        parts = []
        for n, factor in enumerate(factors):
            text = self._print(factor)
            if isinstance(factor, (sp.Add, sp.Sum)) or (n > 0 and text.startswith("-")):
                text = self._paren(text)
            parts.append(text)
        out = parts[0]
        for text in parts[1:]:
            out += self._digit_times if text[:1].isdigit() else self._times
            out += text
        return sign + out

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        """Softmax's 1-or-0 as the bracket [i = j], never delta_ij, which the error delta_j^(l) would clash with."""
        first, second = expr.args
        if first.is_Number and not second.is_Number:
            first, second = second, first
        return f"[{self._print(first)} = {self._print(second)}]"

    def _negative_sum(self, expr: sp.Sum) -> str | None:
        """A sum of negative terms, -sum_j (...) rather than sum_j -(...)."""
        if expr.function.could_extract_minus_sign():
            return "-" + self._print(sp.Sum(-expr.function, *expr.limits))
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

    _times, _digit_times, _ungrouped = "*", "*", True

    def _paren(self, text: str) -> str:
        return f"({text})"

    def _print_Mul(self, expr: sp.Mul) -> str:
        return self._textbook_product(expr) or super()._print_Mul(expr)

    def _print_Sum(self, expr: sp.Sum) -> str:
        negative = self._negative_sum(expr)
        if negative is not None:
            return negative
        limits = ", ".join(f"{self._print(i)}={self._print(lo)}..{self._print(hi)}" for i, lo, hi in expr.limits)
        return f"Σ_[{limits}] {self.parenthesize(expr.function, 60)}"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        name, indices, layer = self._parts(expr)
        sub = self._subscript(name, indices, layer)
        name = self._settings["notation"].letter(name)
        name = "δ" if name == "delta" else name.replace("\\", "")
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

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"|{self._print(expr.args[0])}|"

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

    def doprint(self, expr: sp.Basic) -> str:
        """SymPy's LaTeX with parentheses sized only where their content is tall."""
        return relax_parens(super().doprint(expr))

    def _print_Pow(self, expr: sp.Pow) -> str:
        """A power of a layered symbol gets parentheses: (a_j^{(L)})^2, never a double superscript."""
        if isinstance(expr.base, sp.Indexed) and expr.exp.is_Integer and expr.exp > 0:
            return rf"({self._print(expr.base)})^{{{self._print(expr.exp)}}}"
        return super()._print_Pow(expr)

    _times, _digit_times, _ungrouped = " ", r" \cdot ", False

    def _paren(self, text: str) -> str:
        return paren_tex(text)

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        """Each term with its own sign, "a - b" rather than "a + -b", whatever kind of term it is."""
        out = ""
        for n, term in enumerate(self._as_ordered_terms(expr, order=order)):
            text = self._print(term)
            if self._needs_add_brackets(term):
                text = paren_tex(text)
            if n == 0:
                out = text
            elif text.startswith("-"):
                out += " - " + text[1:].lstrip()
            else:
                out += " + " + text
        return out

    def _print_Sum(self, expr: sp.Sum) -> str:
        negative = self._negative_sum(expr)
        return negative if negative is not None else super()._print_Sum(expr)

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        head = rf"\log^{{{exp}}}" if exp else r"\log"
        return head + paren_tex(self._print(expr.args[0]))

    def _print_Mul(self, expr: sp.Mul) -> str:
        return self._textbook_product(expr) or super()._print_Mul(expr)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        name, indices, layer = self._parts(expr)
        sub = self._subscript(name, indices, layer)
        name = self._settings["notation"].letter(name)
        name = r"\delta" if name == "delta" else name
        text = name + (f"_{{{sub}}}" if sub else "")
        return text + (f"^{{{self._layer_text(layer)}}}" if layer is not None else "")

    def _function(self, expr: sp.Basic, prime: int, exp: str | None) -> str:
        name, _, generic = self._activation_name(expr)
        mark = "\\prime" * int(prime)
        if generic:
            head = f"{name}^{{{mark} {self._layer_text(expr.args[0])}}}"
        else:
            head = f"{name}^{{{mark}}}" if prime else name
        body = head + paren_tex(self._print(expr.args[1]))
        return rf"({body})^{{{exp}}}" if exp else body

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
