"""A graph's expressions printed as a lesson writes them: σ(s), ReLU(s), 𝟙[x > y] for a max's routing, |x|,
and each upstream gradient as ∂f/∂q, in plain text and in LaTeX.

>>> import sympy as sp
>>> from symbackprop.model.graph_functions import sigmoid
>>> s = sp.Symbol("s", real=True)
>>> text(sigmoid(s) * (1 - sigmoid(s))), tex(sp.Heaviside(s, 0))
('(1 - σ(s))·σ(s)', '\\\\mathbf{1}\\\\left[s > 0\\\\right]')
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from ..derive.graph_backprop import Upstream

GREEK_TEXT = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "omicron": "ο", "rho": "ρ", "varrho": "ϱ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip


def name_text(name: str) -> str:
    """A name in plain text: x_{12} is x_12, \\alpha is α."""
    base, _, subscript = name.partition("_")
    base = GREEK_TEXT.get(base.removeprefix("\\"), base) if base.startswith("\\") else base
    subscript = subscript.removeprefix("{").removesuffix("}")
    return f"{base}_{subscript}" if subscript else base


def _comparison(arg: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """u > 0 read as a > b where u is a - b: the max routes to x where x > y."""
    if isinstance(arg, sp.Add) and len(arg.args) == 2:
        positive = [a for a in arg.args if not a.could_extract_minus_sign()]
        negative = [a for a in arg.args if a.could_extract_minus_sign()]
        if len(positive) == 1 and len(negative) == 1:
            return positive[0], -negative[0]
    return arg, sp.Integer(0)


def _at_least(expr: sp.Heaviside) -> bool:
    """Whether the step is 1 at 0 (Heaviside(x, 1), a max gate's first input at a tie): x >= 0, not x > 0."""
    return len(expr.args) > 1 and expr.args[1] == 1


class GraphText(StrPrinter):
    """Plain text: products with ·, σ, ReLU, |x|, 𝟙[x > y], ∂f/∂q."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        if isinstance(expr, Upstream):
            return f"∂{name_text(expr.output)}/∂{name_text(expr.of)}"
        return name_text(expr.name)

    def _print_Mul(self, expr: sp.Mul) -> str:
        return super()._print_Mul(expr).replace("*", "·")  # powers are printed with ^, so * is only a product

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_sigmoid(self, expr: sp.Basic) -> str:
        return f"σ({self._print(expr.args[0])})"

    def _print_relu(self, expr: sp.Basic) -> str:
        return f"ReLU({self._print(expr.args[0])})"

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        left, right = _comparison(expr.args[0])
        return f"1[{self._print(left)} {'≥' if _at_least(expr) else '>'} {self._print(right)}]"

    def _print_Max(self, expr: sp.Max) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_maxgate(self, expr: sp.Basic) -> str:
        return self._print_Max(expr)

    def _print_Min(self, expr: sp.Min) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_log(self, expr: sp.log) -> str:
        return f"ln({self._print(expr.args[0])})"


class GraphTex(LatexPrinter):
    """LaTeX: \\sigma, \\operatorname{ReLU}, \\mathbf{1}[x > y], \\frac{\\partial f}{\\partial q}."""

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if isinstance(expr, Upstream):
            return f"\\frac{{\\partial {expr.output}}}{{\\partial {expr.of}}}"
        return expr.name

    def _print_sigmoid(self, expr: sp.Basic, exp: str | None = None) -> str:
        out = f"\\sigma\\left({self._print(expr.args[0])}\\right)"
        return f"{out}^{{{exp}}}" if exp else out

    def _print_relu(self, expr: sp.Basic, exp: str | None = None) -> str:
        out = f"\\operatorname{{ReLU}}\\left({self._print(expr.args[0])}\\right)"
        return f"{out}^{{{exp}}}" if exp else out

    def _print_Heaviside(self, expr: sp.Heaviside, exp: str | None = None) -> str:
        left, right = _comparison(expr.args[0])
        relation = "\\geq" if _at_least(expr) else ">"
        out = f"\\mathbf{{1}}\\left[{self._print(left)} {relation} {self._print(right)}\\right]"
        return f"{out}^{{{exp}}}" if exp else out

    def _print_maxgate(self, expr: sp.Basic, exp: str | None = None) -> str:
        out = f"\\max\\left({', '.join(self._print(a) for a in expr.args)}\\right)"
        return f"{out}^{{{exp}}}" if exp else out


_TEXT, _TEX = GraphText(), GraphTex({"ln_notation": True})


def text(expr: sp.Basic) -> str:
    return _TEXT.doprint(expr)


def tex(expr: sp.Basic) -> str:
    return _TEX.doprint(expr)
