"""The parts a graph's module is written with: the array libraries (backends), SymPy's printers taught the
functions a graph node applies, the text of the helpers every module carries, and the names' identifiers.

A backend is data: its printer, its module as the code names it, how an input becomes a float64 array, and the
few functions it spells differently. The printer is SymPy's NumPy (or JAX) printer, taught σ, ReLU, the step
function with its value at 0 as written (Heaviside(x, 0) is 0 there, Heaviside(x) 1/2), max and min of arrays,
|x| and sign. PyTorch spells all of these as NumPy does, with ``torch.``, so its printer is NumPy's with another
module (SymPy's own PyTorch printer imports torch, which takes seconds, and writes ``torch.pow``); constants
aside: torch's functions take tensors, so ``exp(2)`` or pi is written as its number.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.numpy import JaxPrinter, NumPyPrinter

from ..base.errors import SpecError
from ..model.graph_functions import maxgate, plain, relu, sigmoid

RESERVED = frozenset({"numpy", "torch", "jax", "collections", "values"})  # names the functions' bodies use
# What the code can be written with: anything else in a node (or its derivative) is refused by name.
PRINTABLE = (
    sp.Symbol,
    sp.Rational,
    sp.Float,
    type(sp.E),
    type(sp.pi),
    sp.Add,
    sp.Mul,
    sp.Pow,
    sp.exp,
    sp.log,
    sp.tanh,
    sp.Abs,
    sp.sign,
    sp.Heaviside,
    sp.Max,
    sp.Min,
    sigmoid,
    relu,
    maxgate,
)
KNOWN = "+ - * /, powers, exp, log, tanh, sigmoid, relu, max, min, |x| and sign"


@dataclass(frozen=True)
class GraphBackend:
    """An array library the module can be written for: its printer, its module as the code names it, its
    imports, and how it spells what differs (conversion of an input, broadcasting, ReLU, the step function)."""

    title: str
    arrays: str
    printer: Callable[[], type]
    module: str
    imports: str
    array: str  # the helper turning one input into a float64 array of this library
    broadcast: str  # the inputs' arrays, broadcast to one shape: a list of copies
    relu: str  # {x}
    heaviside: str  # {x}, {h}: the value at 0
    fold_constants: bool = False  # write constant subexpressions (exp(2), pi) as numbers
    helpers: str = ""


if TYPE_CHECKING:  # to mypy, the mixin is the SymPy printer it is mixed into
    from sympy.printing.numpy import NumPyPrinter as _ArrayPrinter
else:
    _ArrayPrinter = object


class GraphPrinting(_ArrayPrinter):
    """Node expressions and local gradients as elementwise array code in the backend's module, each name as its
    identifier."""

    def __init__(self, names: Mapping[sp.Basic, str], backend: GraphBackend) -> None:
        super().__init__({"fully_qualified_modules": True})
        self.names, self.backend, self.m = names, backend, backend.module

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if self.backend.fold_constants and isinstance(expr, sp.Expr) and not expr.is_Number and not expr.free_symbols:
            return _number(expr)
        return super()._print(expr, **kwargs)

    def _print_Symbol(self, e: sp.Symbol) -> str:
        return self.names[e]

    def _print_Float(self, e: sp.Float) -> str:
        return repr(float(e))  # every digit of the double, where SymPy's printer writes 15

    def _call(self, name: str, e: sp.Expr) -> str:
        return f"{self.m}.{name}({self._print(e.args[0])})"

    def _print_exp(self, e: sp.Expr) -> str:
        return self._call("exp", e)

    def _print_log(self, e: sp.Expr) -> str:
        return self._call("log", e)

    def _print_tanh(self, e: sp.Expr) -> str:
        return self._call("tanh", e)

    def _print_Abs(self, e: sp.Expr) -> str:
        return self._call("abs", e)

    def _print_sign(self, e: sp.Expr) -> str:
        return self._call("sign", e)

    def _print_sigmoid(self, e: sp.Expr) -> str:
        return f"_sigmoid({self._print(e.args[0])})"

    def _print_relu(self, e: sp.Expr) -> str:
        return self.backend.relu.format(x=self._print(e.args[0]))

    def _print_Heaviside(self, e: sp.Expr) -> str:
        at_zero = e.args[1] if len(e.args) > 1 else sp.S.Half
        return self.backend.heaviside.format(x=self._print(e.args[0]), h=repr(float(at_zero)))

    def _print_Max(self, e: sp.Expr) -> str:
        return self._lattice(e, "maximum", "min")

    def _print_maxgate(self, e: sp.Expr) -> str:
        return self._lattice(e, "maximum", "min")

    def _print_Min(self, e: sp.Expr) -> str:
        return self._lattice(e, "minimum", "max")

    def _lattice(self, e: sp.Expr, name: str, bound: str) -> str:
        """Max or Min of any number of arguments as the library's elementwise function of two, nested; a constant
        last (torch clamps by a number, its maximum takes tensors only)."""
        variable = [a for a in e.args if a.free_symbols]
        text = self._print(variable[0])
        for a in variable[1:]:
            text = f"{self.m}.{name}({text}, {self._print(a)})"
        for c in (a for a in e.args if not a.free_symbols):
            clamped = self.backend.fold_constants  # torch
            text = (
                f"torch.clamp({text}, {bound}={_number(c)})"
                if clamped
                else f"{self.m}.{name}({text}, {self._print(c)})"
            )
        return text


def _number(c: sp.Expr) -> str:
    """A constant as a float literal, in parentheses when negative."""
    value = float(plain(c).evalf(30))  # σ and ReLU of a number, in SymPy's own functions, evaluate
    if value != value or value in (float("inf"), float("-inf")):
        raise SpecError(f"the constant {c} is not a finite number; it has no code")
    return f"({value!r})" if value < 0 else repr(value)


class NumPyGraphPrinter(GraphPrinting, NumPyPrinter):
    """NumPy source for a graph."""


class JaxGraphPrinter(GraphPrinting, JaxPrinter):
    """JAX source for a graph (jax.numpy mirrors NumPy's spelling)."""


class TorchGraphPrinter(GraphPrinting, NumPyPrinter):
    """PyTorch source for a graph: NumPy's printer with torch as its module (torch spells exp, log, tanh, sqrt,
    abs, sign, maximum and minimum as NumPy does), without importing torch."""

    _module = "torch"


SIGMOID = '''

def _sigmoid(x):
    """σ(x) = 1 / (1 + e^(-x)), written (1 + tanh(x/2)) / 2, which never overflows (as the engine computes it)."""
    return 0.5 * (1.0 + {m}.tanh(0.5 * x))
'''

NUMPY_ARRAY = '''def _array(name, value):
    """``value`` as a float64 array, or a ValueError naming the input."""
    try:
        array = numpy.asarray(value)
    except (TypeError, ValueError):
        array = None
    if array is None or array.dtype.kind not in "biuf":
        raise ValueError(f"values[{name!r}]: must be a real number or an array of real numbers")
    return array.astype(float)'''

JAX_ARRAY = NUMPY_ARRAY.replace("numpy.asarray", "jax.numpy.asarray").replace(
    "astype(float)", "astype(jax.numpy.float64)"
)

TORCH_ARRAY = '''def _array(name, value):
    """``value`` as a float64 tensor, or a ValueError naming the input."""
    if torch.is_tensor(value) and value.is_complex():
        raise ValueError(f"values[{name!r}]: must be real numbers, got a complex tensor")
    try:
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"values[{name!r}]: must be a real number or an array of real numbers") from None'''

TORCH_HEAVISIDE = '''

def _heaviside(x, at_zero):
    """The step function: 0 below 0, 1 above, ``at_zero`` at 0, as the derivation writes it."""
    return torch.heaviside(x, torch.full_like(x, at_zero))
'''

BACKENDS = {
    "numpy": GraphBackend(
        "NumPy",
        "NumPy arrays",
        lambda: NumPyGraphPrinter,
        "numpy",
        "import numpy",
        NUMPY_ARRAY,
        "[a.copy() for a in numpy.broadcast_arrays(*arrays)]",
        "numpy.maximum({x}, 0.0)",
        "numpy.heaviside({x}, {h})",
    ),
    "jax": GraphBackend(
        "JAX",
        "JAX arrays",
        lambda: JaxGraphPrinter,
        "jax.numpy",
        'import jax\nimport jax.numpy\n\njax.config.update("jax_enable_x64", True)  # float64, as the engine computes',
        JAX_ARRAY,
        "list(jax.numpy.broadcast_arrays(*arrays))",
        "jax.numpy.maximum({x}, 0.0)",
        "jax.numpy.heaviside({x}, {h})",
    ),
    "torch": GraphBackend(
        "PyTorch",
        "PyTorch tensors (float64)",
        lambda: TorchGraphPrinter,
        "torch",
        "import torch",
        TORCH_ARRAY,
        "[a.clone() for a in torch.broadcast_tensors(*arrays)]",
        "torch.relu({x})",
        "_heaviside({x}, {h})",
        fold_constants=True,
        helpers=TORCH_HEAVISIDE,
    ),
}


# --- names -----------------------------------------------------------------------------------------


def identifiers(names: Sequence[str]) -> dict[str, str]:
    r"""Each name -> a Python identifier: ``x_{12}`` -> ``x_12``, ``\alpha`` -> ``alpha``, ``\lambda`` ->
    ``lambda_``. The first name to have an identifier keeps it (unless it is ``grad_`` of another's, the name of
    that one's gradient); the others get the first free ``_2``, ``_3``, ..., in the order the names come.

    >>> list(identifiers(["x_{12}", "\\alpha", "\\lambda", "x_{1,2}", "x_1_2", "grad_x", "x"]).values())
    ['x_12', 'alpha', 'lambda_', 'x_1_2', 'x_1_2_2', 'grad_x_2', 'x']
    """
    natural = {name: _natural(name) for name in names}
    candidates = set(natural.values())
    owner: dict[str, str] = {}
    for name, candidate in natural.items():
        if candidate not in owner and candidate.removeprefix("grad_") not in candidates - {candidate}:
            owner[candidate] = name
    used = {*owner, *(f"grad_{c}" for c in owner)}
    out: dict[str, str] = {}
    for name in names:
        if owner.get(natural[name]) == name:
            out[name] = natural[name]
            continue
        k = 2
        while f"{natural[name]}_{k}" in used or f"grad_{natural[name]}_{k}" in used:
            k += 1
        out[name] = f"{natural[name]}_{k}"
        used.update((out[name], f"grad_{out[name]}"))
    return out


def _natural(name: str) -> str:
    text = re.sub(r"[^A-Za-z0-9_]", "_", name.replace("\\", "").replace("{", "").replace("}", ""))
    text = re.sub(r"_+", "_", text).strip("_")
    if not text or not text[0].isalpha():
        text = f"v_{text}".rstrip("_")
    return f"{text}_" if keyword.iskeyword(text) or text in RESERVED else text


def literal(name: str) -> str:
    """A name as a Python string literal, in double quotes where it can be."""
    if '"' in name or not name.isprintable():
        return repr(name)
    return '"' + name.replace("\\", "\\\\") + '"'


def comment(text: str) -> str:
    """``text`` on one line, fit for a comment (a newline in a name would end it)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


# --- the module ------------------------------------------------------------------------------------


INPUTS = '''def _inputs(values):
    """Each input's value as a float64 array, in LEAVES's order, all broadcast to one shape; a missing or an
    unknown name, or a value that is not real numbers, is a ValueError naming it."""
    if not isinstance(values, collections.abc.Mapping):
        raise TypeError(f"values: a dict from each input's name to a number or an array, got {type(values).__name__}")
    for name in values:
        if name not in _LEAF_SET:
            raise ValueError(_unknown(name))
    missing = [name for name in LEAVES if name not in values]
    if missing:
        raise ValueError(f"values: no value for {_listed(missing)}; every input needs one: {_listed(LEAVES)}")
    arrays = [_array(name, values[name]) for name in LEAVES]
    try:
        return {broadcast}
    except (ValueError, RuntimeError):
        shapes = ", ".join(f"{name!r} {tuple(a.shape)}" for name, a in zip(LEAVES, arrays))
        raise ValueError(f"values: the arrays' shapes do not broadcast to one shape: {shapes}") from None


def _unknown(name):
    """Why ``name`` is not an input, and the input it may have meant."""
    if name in _NODE_SET:
        return f"values: {name!r} is a node, computed from the inputs; give the inputs only: {_listed(LEAVES)}"
    near = [leaf for leaf in LEAVES if isinstance(name, str) and _plain(leaf) == _plain(name)]
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"values: {name!r} is not an input of this graph{hint}; its inputs are {_listed(LEAVES)}"


def _plain(name):
    return "".join(c for c in name if c not in "{} ")


def _listed(names):
    shown = ", ".join(repr(name) for name in names[:10])
    return shown + (f" and {len(names) - 10:,} more" if len(names) > 10 else "") if names else "none"
'''
