"""The network's vocabulary as SymPy objects: indexed w, b, z, a, y, the cost C_0, and the
activation functions applied per layer.

Every quantity is an ``Indexed`` whose first index is the layer, so ``w[l, j, k]`` is
w_jk^(l) and ``a[0, k]`` is the input. Neuron indices are stored as the user numbers them
(from 0 or from 1), so printing needs no arithmetic.
"""

from __future__ import annotations

import sympy as sp

W = sp.IndexedBase("w")
B = sp.IndexedBase("b")
Z = sp.IndexedBase("z")
A = sp.IndexedBase("a")
Y = sp.IndexedBase("y")
C0 = sp.Symbol("C_0")
MEAN_COST = sp.Symbol("C_mean")  # C: the mean of the samples' costs over a batch of n samples
SAMPLES = sp.Symbol("n", integer=True, positive=True)  # n, the number of samples in that batch


class SampleCost(sp.Function):
    """C_i: the cost of sample ``i`` of the batch; its derivatives stand for numbers of their own."""

    nargs = 1

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return f"C_{{{printer.doprint(self.args[0])}}}"

    def _symbackprop_text(self, printer: sp.printing.str.StrPrinter) -> str:
        return f"C_{printer.doprint(self.args[0])}"


class ActivationBase(sp.Function):
    """g^(l)(z): the activation of layer ``l`` applied to ``z``; args are (l, z).

    Subclasses are made per catalogue entry (see ``activation_functions``); the derivative
    with respect to z is the matching ``ActivationPrimeBase``, so the chain rule stays in
    the textbook's symbols (sigma'(z)) until the catalogue's formula is asked for.
    """

    nargs = 2
    prime: type[ActivationPrimeBase]
    entry_name: str

    def fdiff(self, argindex: int = 2) -> sp.Expr:
        if argindex != 2:
            raise sp.ArgumentIndexError(self, argindex)
        return self.prime(*self.args)


class ActivationPrimeBase(sp.Function):
    """g'^(l)(z): the derivative of layer ``l``'s activation at ``z``; args are (l, z)."""

    nargs = 2
    entry_name: str
    second: type[ActivationSecondBase]

    def fdiff(self, argindex: int = 2) -> sp.Expr:
        if argindex != 2:
            raise sp.ArgumentIndexError(self, argindex)
        return self.second(*self.args)


class ActivationSecondBase(sp.Function):
    """g''^(l)(z): the second derivative of layer ``l``'s activation at ``z``; args are (l, z)."""

    nargs = 2
    entry_name: str


class SoftmaxExp(sp.Function):
    """exp(z) kept as its own function so products of exponentials never merge.

    Softmax is written with it in the composed cost; since its derivative is itself, a
    proof can treat each exp(z) as an independent generator of a rational function.
    """

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self


_CLASSES: dict[str, tuple[type[ActivationBase], type[ActivationPrimeBase]]] = {}


def activation_functions(name: str) -> tuple[type[ActivationBase], type[ActivationPrimeBase]]:
    """The (g, g') pair of SymPy function classes for a catalogue entry, one pair per name."""
    if name not in _CLASSES:
        safe = "".join(ch if ch.isalnum() else "_" for ch in name)
        second = type(f"{safe}_second", (ActivationSecondBase,), {"entry_name": name})
        prime = type(f"{safe}_prime", (ActivationPrimeBase,), {"entry_name": name, "second": second})
        func = type(safe, (ActivationBase,), {"entry_name": name, "prime": prime})
        _CLASSES[name] = (func, prime)
    return _CLASSES[name]


class OrderedProduct(sp.Expr):
    """A product kept in the order a derivation tells its factors (SymPy's Mul sorts them).

    Its value is the Mul of its factors (``doit``), so a proof compares values, never the order.
    A factor's leading minus sign is gathered in front: -(y/a) (1 - a) reads - y/a (1 - a).
    """

    is_commutative = True
    precedence = 50  # a product's, as SymPy's printers rank it

    def __new__(cls, *factors: sp.Expr) -> sp.Expr:
        flat: list[sp.Expr] = []
        negative = False
        for f in map(sp.sympify, factors):
            parts = f.args if isinstance(f, OrderedProduct) else (f,)
            for part in parts:
                if _negative(part):
                    negative, part = not negative, -part
                if part != 1:
                    flat.append(part)
        if negative:
            flat.insert(0, sp.S.NegativeOne)
        if len(flat) <= 1:
            return flat[0] if flat else sp.S.One
        return sp.Expr.__new__(cls, *flat)

    def doit(self, **hints: object) -> sp.Expr:
        return sp.Mul(*(a.doit(**hints) if isinstance(a, sp.Basic) else a for a in self.args))

    def could_extract_minus_sign(self) -> bool:
        return self.args[0] == -1

    def __neg__(self) -> sp.Expr:
        return OrderedProduct(sp.S.NegativeOne, *self.args)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.doit()._eval_evalf(prec)


def _negative(factor: sp.Expr) -> bool:
    """A negative number, or a product led by one: the sign an ordered product gathers in front."""
    if factor.is_Number:
        return bool(factor < 0)
    return bool(factor.is_Mul and factor.args[0].is_Number and factor.args[0] < 0)
