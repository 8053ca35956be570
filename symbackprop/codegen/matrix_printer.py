"""The matrix form's operations as array source, for any backend: SymPy's array printer of the library (NumPy's,
JAX's, PyTorch's) taught matrix products (``@``), Hadamard products (``*``), products with a ones matrix (a
``sum`` or a broadcast) and the activations; and a statement that writes into its own buffer where it can
(``Delta1 = Delta2 @ W2; Delta1 *= ...``), so a backward pass allocates one array per statement, not one per
operation.
"""

from __future__ import annotations

import ast
import functools
from typing import TYPE_CHECKING, cast

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.printing.numpy import JaxPrinter, NumPyPrinter

from ..derive.matrix_form import applied_layer
from ..model.activations import Scalar
from ..model.network import Network
from .backends import Backend


def parenthesized(text: str) -> str:
    """Python source in parentheses unless it is a name, a constant, an attribute or a call already."""
    body = ast.parse(text, mode="eval").body
    return text if isinstance(body, (ast.Name, ast.Attribute, ast.Call, ast.Constant)) else f"({text})"


if TYPE_CHECKING:  # to mypy, the mixin is the SymPy array printer it is mixed into, whose _print it calls
    from sympy.printing.numpy import NumPyPrinter as _ArrayPrinter
else:
    _ArrayPrinter = object


class MatrixPrinting(_ArrayPrinter):
    """The matrix form's operations as array code, mixed into a SymPy array printer (NumPy's, JAX's, PyTorch's),
    which prints the scalar functions (log) in its own module."""

    def __init__(self, net: Network, backend: Backend) -> None:
        super().__init__({"fully_qualified_modules": True})
        self.net, self.backend = net, backend

    def wrap(self, e: sp.Basic) -> str:
        """The expression's source, in parentheses unless it is a name, an attribute or a call."""
        return parenthesized(self._print(e))

    def _print_MatrixSymbol(self, e: sp.MatrixSymbol) -> str:
        return e.name

    def _print_OneMatrix(self, e: sp.OneMatrix) -> str:
        return "1.0"  # broadcast

    def _print_Transpose(self, e: sp.Transpose) -> str:
        return f"{self.wrap(e.arg)}.T"

    def _print_MatAdd(self, e: sp.MatAdd) -> str:
        terms = sorted((self._print(t) for t in e.args), key=lambda t: t.startswith("-"))
        text = terms[0]
        for t in terms[1:]:
            text += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
        return text

    def _print_MatMul(self, e: sp.MatMul) -> str:
        """Products with a ones matrix: 1^T X sums X's rows, X 1 each row (kept as a column), 1 b broadcasts.
        Where the backend says so, 1^T X stays a product, ``ones @ X`` (``ones`` is the batch's vector of ones
        the module makes once per call): a BLAS product that took 0.25-0.4 of the time of X.sum(axis=0)."""
        coefficient, matrices = e.as_coeff_matrices()
        factors, head, tail = [m for m in matrices if not isinstance(m, sp.Identity)], False, False
        if len(factors) > 1 and isinstance(factors[0], sp.OneMatrix):
            head = factors.pop(0).shape[0] == 1  # 1_(1 x n) X sums the rows; 1_(n x 1) b broadcasts b
        if len(factors) > 1 and isinstance(factors[-1], sp.OneMatrix):
            ones = factors.pop()
            tail = ones.shape[0] != 1 or ones.shape[1] == 1  # X 1_(k x m) sums each row; b 1_(1 x m) broadcasts
        core = " @ ".join(self.wrap(f) for f in factors) if len(factors) > 1 else self._print(factors[0])
        square = factors[0] if len(factors) == 1 and isinstance(factors[0], sp.HadamardPower) else None
        if head and tail and self.backend.ones_product and square and square.exp == 2 and square.base.is_symbol:
            base = self._print(square.base)
            core = f"{self.backend.module}.vdot({base}, {base})"  # a sum of squares as one BLAS dot product
        elif head and not tail and self.backend.ones_product:
            core = f"ones @ {parenthesized(core)}"
        elif head or tail:
            axis = "" if head and tail else "axis=0" if head else "axis=1, keepdims=True"
            core = f"{parenthesized(core)}.sum({axis})"
        if coefficient == 1:
            return core
        if coefficient == -1:
            return f"-{parenthesized(core)}"
        return f"{self.coefficient(coefficient)} * {parenthesized(core)}"

    def coefficient(self, c: sp.Expr) -> str:
        """A scalar factor as a fraction in parentheses: (2/n), (1/n)."""
        numerator, denominator = sp.fraction(sp.together(c))
        if denominator == 1:
            return self.wrap(c)
        return f"({self._print(numerator)}/{self.wrap(denominator)})"

    def _print_HadamardProduct(self, e: sp.HadamardProduct) -> str:
        """X (.) Y as X * Y; a factor to the power -1 divides."""
        over = [f.base for f in e.args if isinstance(f, sp.HadamardPower) and f.exp == -1]
        times = [f for f in e.args if not (isinstance(f, sp.HadamardPower) and f.exp == -1)]
        text = " * ".join(self.wrap(f) for f in times) if times else "1.0"
        for f in over:
            text += f" / {self.wrap(f)}"
        return text

    def _print_HadamardPower(self, e: sp.HadamardPower) -> str:
        if e.exp == -1:
            return f"1.0 / {self.wrap(e.base)}"
        return f"{self.wrap(e.base)} ** {self._print(e.exp)}"

    def _print_ElementwiseApplyFunction(self, e: ElementwiseApplyFunction) -> str:
        found = applied_layer(e)
        if found is not None:
            return activation_source(self.net, found[0], found[1], self.backend)
        body, (variable,) = e.function.expr, e.function.variables  # SymPy keeps the function as a Lambda
        called = isinstance(body, sp.Function) and body.args == (variable,)  # log(x): no parentheses needed
        return self._print(body.xreplace({variable: sp.Symbol(self._print(e.expr) if called else self.wrap(e.expr))}))

    def _print_Symbol(self, e: sp.Symbol) -> str:
        return e.name


class NumPyMatrixPrinter(MatrixPrinting, NumPyPrinter):
    """NumPy source for the matrix form."""


class JaxMatrixPrinter(MatrixPrinting, JaxPrinter):
    """JAX source for the matrix form (jax.numpy mirrors NumPy's spelling)."""


@functools.cache
def torch_matrix_printer() -> type:
    """PyTorch source for the matrix form (tensors take NumPy's axis= and keepdims= as well). SymPy's PyTorch
    printer imports torch itself, which takes seconds, so it is imported only for this backend."""
    from sympy.printing.pytorch import TorchPrinter

    return type("TorchMatrixPrinter", (MatrixPrinting, TorchPrinter), {"__doc__": torch_matrix_printer.__doc__})


def printer_for(backend: Backend) -> type[MatrixPrinting]:
    """The matrix printer class of this backend (PyTorch's imported only when asked for: it imports torch)."""
    if backend.name == "torch":
        return cast(type[MatrixPrinting], torch_matrix_printer())
    return JaxMatrixPrinter if backend.name == "jax" else NumPyMatrixPrinter


def activation_key(net: Network, layer: int) -> str:
    """The activation's name as the backends' tables know it (every leaky relu is "leaky_relu")."""
    name = net.activation(layer).name
    return "leaky_relu" if name.startswith("leaky_relu") else name


def activation_source(net: Network, layer: int, prime: bool, backend: Backend, in_place: bool = False) -> str:
    """g^(l)(Z^(l)) or g'^(l)(Z^(l)) for layer l, in the backend's module; with ``in_place``, g^(l) written over
    Z^(l)'s own buffer where the backend can (the caller knows Z^(l) is not needed again)."""
    act, key = net.activation(layer), activation_key(net, layer)
    prime_of = cast(Scalar, act.prime)  # read only for leaky_relu, which ``activations._leaky`` gives its derivative
    slope = repr(float(prime_of(sp.Integer(-1)))) if key == "leaky_relu" else ""
    template = backend.in_place[key] if in_place and not prime and key in backend.in_place else None
    template = template or backend.activation(key, prime)
    return template.format(z=f"Z{layer}", a=f"A{layer}", slope=slope)


# --- statements that write into their own buffer ---------------------------------------------------


def assignment(printer: MatrixPrinting, target: str, e: sp.MatrixExpr) -> list[str]:
    """``target = e`` as statements. A Hadamard product or a sum one of whose operands makes a fresh array of the
    full shape is computed into that array (``*=``, ``/=``, ``+=``, ``-=``), and a scalar factor applied last,
    so the statement allocates one array, not one per operation (the sigmoid written so took 0.94 (float64) to
    0.76 (float32) of the time of its plain expression: benchmarks/kernels.py)."""
    coefficient, core = _coefficient_and_core(e)
    steps = _in_place(printer, core)
    if steps is None:
        return [f"{target} = {printer.doprint(e)}"]
    base, updates = steps
    lines = [f"{target} = {base}"] + [f"{target} {op}= {operand}" for op, operand in updates]
    if coefficient != 1:
        lines.append(f"{target} *= {printer.coefficient(coefficient)}")
    return lines


def _coefficient_and_core(e: sp.MatrixExpr) -> tuple[sp.Expr, sp.MatrixExpr]:
    if isinstance(e, sp.MatMul):
        c, matrices = e.as_coeff_matrices()
        if len(matrices) == 1:
            return c, matrices[0]
    return sp.Integer(1), e


def _in_place(printer: MatrixPrinting, e: sp.MatrixExpr) -> tuple[str, list[tuple[str, str]]] | None:
    """The first operand (a fresh full-size array) and the in-place updates that finish ``e``, or None."""
    if isinstance(e, sp.HadamardProduct):
        over = [f.base for f in e.args if isinstance(f, sp.HadamardPower) and f.exp == -1]
        times = [f for f in e.args if not (isinstance(f, sp.HadamardPower) and f.exp == -1)]
        base = next((f for f in times if _fresh(f)), None)
        if base is None:
            return None
        updates = [("*", printer.doprint(f)) for f in times if f is not base]
        return printer.doprint(base), updates + [("/", printer.doprint(f)) for f in over]
    if isinstance(e, sp.MatAdd):
        terms = sorted(e.args, key=lambda t: printer.doprint(t).startswith("-"))
        base = next((t for t in terms if _fresh(t)), None)
        if base is None or printer.doprint(base).startswith("-"):
            return None  # a plain A - Y allocates once too
        updates = []
        for t in terms:
            if t is not base:
                text = printer.doprint(t)
                updates.append(("-", text[1:]) if text.startswith("-") else ("+", text))
        return printer.doprint(base), updates
    return None


def _fresh(e: sp.MatrixExpr) -> bool:
    """Whether ``e``'s source makes a new float array of its full shape (not a name, a view, a row sum or a
    broadcast row, nor an activation's source, which may be a comparison's booleans)."""
    if isinstance(e, (sp.MatAdd, sp.HadamardProduct)):
        return _full(e)
    if isinstance(e, sp.HadamardPower):
        return _full(e.base)
    if isinstance(e, sp.MatMul):
        c, matrices = e.as_coeff_matrices()
        return _full(e) and (len(matrices) > 1 or c != 1)
    return False


def _full(e: sp.MatrixExpr) -> bool:
    """Whether ``e``'s source has its full shape, not a sum over an axis or a row to broadcast."""
    if isinstance(e, sp.OneMatrix):
        return False
    if isinstance(e, sp.MatMul):
        return not any(isinstance(m, sp.OneMatrix) for m in e.as_coeff_matrices()[1])
    if isinstance(e, (sp.MatAdd, sp.HadamardProduct)):
        return any(_full(a) for a in e.args)
    if isinstance(e, sp.HadamardPower):
        return _full(e.base)
    if isinstance(e, ElementwiseApplyFunction):
        return _full(e.expr)
    return True
