"""Gradient code generated from the matrix form: a plain module a user can keep.

The batch equations of ``matrix_form`` go through a few small passes, then a printer:

1. the 1/n of the mean moves into Delta^(L) once (every Delta^(l) is linear in Delta^(L), so each
   carries it and BP3/BP4 become plain sums and products);
2. an activation's derivative is written in its own output where the catalogue says how
   (sigmoid: A (1 - A)), so no layer computes g'(Z) from Z again;
3. a subexpression used twice (A - Y in the cost and in BP1, softmax's upstream gradient) is
   named once.

The printer is SymPy's array printer of the backend (NumPy, JAX or PyTorch) taught the matrix
operations: matrix products stay ``@``, Hadamard products ``*``, a product with a ones matrix a
``sum`` or a broadcast. A backend is data: its module, how it makes a float64 array, and the few
activations it spells differently.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import textwrap
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.printing.numpy import JaxPrinter, NumPyPrinter

from ..base.errors import SpecError
from ..base.stages import stage
from ..derive.matrix_form import Equations, N, Vocabulary, applied_layer, entrywise, hadamard, matrix_form
from ..model.activations import Scalar
from ..model.network import Network
from . import arguments

GradientFunction = Callable[..., tuple[float, list[Any], list[Any]]]

# Each activation in the backend's module {m}, as numeric.py computes it (sigmoid through tanh never
# overflows), and the derivatives the catalogue has no form in a = g(z) for. Tested against the catalogue.
FORWARD = {
    "sigmoid": "0.5 * (1.0 + {m}.tanh(0.5 * {z}))",
    "tanh": "{m}.tanh({z})",
    "relu": "{m}.maximum({z}, 0.0)",
    "leaky_relu": "{m}.where({z} > 0.0, {z}, {slope} * {z})",
    "softplus": "{m}.logaddexp(0.0, {z})",
    "identity": "{z}",
    "softmax": "_softmax({z})",
}
PRIME = {  # sigmoid, tanh and identity are written in A^(l) instead (see ``in_outputs``)
    "sigmoid": "0.5 * (1.0 + {m}.tanh(0.5 * {z})) * (1.0 - 0.5 * (1.0 + {m}.tanh(0.5 * {z})))",
    "tanh": "1.0 - {m}.tanh({z}) ** 2",
    "relu": "{z} > 0.0",
    "leaky_relu": "{m}.where({z} > 0.0, 1.0, {slope})",
    "softplus": "0.5 * (1.0 + {m}.tanh(0.5 * {z}))",
    "identity": "1.0",
}


@dataclass(frozen=True)
class Backend:
    """An array library the gradient can be generated for: its SymPy printer, its module as the code names
    it, the import lines, how an input becomes a float64 array, and the activations it spells differently."""

    name: str
    title: str  # as the docstring names it
    arrays: str  # what its functions return
    printer: Callable[[], type]  # its class, imported when first asked for
    module: str
    imports: str
    array: str  # {x}: an input, as a float64 array of this library
    forward: Mapping[str, str] = field(default_factory=dict)
    prime: Mapping[str, str] = field(default_factory=dict)

    def activation(self, key: str, prime: bool) -> str:
        """The template for g (or g') of this name: the backend's own spelling, else the common one."""
        own, common = (self.prime, PRIME) if prime else (self.forward, FORWARD)
        return own.get(key, common[key]).replace("{m}", self.module)


SOFTMAX = '''

def _softmax(z):
    """Each row's softmax, shifted by the row's maximum so exp never overflows."""
    e = {m}.exp(z - {m}.amax(z, axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
'''

DOMAIN = """

def _outside_domain(out, bad, needs):
    sample, j = (int(i) for i in {m}.argwhere(bad)[0])
    raise DomainError(
        f"cost {cost}: output a_{{{index}}}^(L) = {{float(out[sample, j]):.6g}} for sample {{sample}}, "
        f"but ln needs it {{needs}}"
    )
"""


# --- the passes ----------------------------------------------------------------------------------


def scaled(c: sp.Expr, e: sp.MatrixExpr) -> sp.MatrixExpr:
    """c e, with c merged into e's own scalar coefficient (SymPy's ``*`` would distribute it over sums)."""
    c0, matrices = e.as_coeff_matrices() if isinstance(e, sp.MatMul) else (sp.Integer(1), [e])
    coefficient = c * c0
    return sp.MatMul(coefficient, *matrices) if coefficient != 1 else sp.MatMul(*matrices)


def fold_mean(eqs: Equations) -> list[tuple[str, sp.MatrixExpr]]:
    """The statements of the backward pass, the mean's 1/n carried by Delta^(L) instead of BP3 and BP4."""
    out, depth = [], len(eqs.z)
    for eq in eqs.layers:
        delta = scaled(1 / N, pull_coefficients(eq.delta)) if eq.layer == depth else eq.delta
        out.append((f"Delta{eq.layer}", delta))
        out.append((f"dW{eq.layer}", scaled(N, eq.grad_w)))
        if eq.grad_b is not None:
            out.append((f"db{eq.layer}", scaled(N, eq.grad_b)))
    return out


def pull_coefficients(e: sp.MatrixExpr) -> sp.MatrixExpr:
    """Scalar factors of a Hadamard product's factors in front of it, to multiply once: (2X) (.) Y = 2 (X (.) Y)."""
    if not isinstance(e, sp.HadamardProduct):
        return e
    coefficient, factors = sp.Integer(1), []
    for f in e.args:
        c, matrices = f.as_coeff_matrices() if isinstance(f, sp.MatMul) else (sp.Integer(1), [f])
        if len(matrices) == 1:
            coefficient, f = coefficient * c, matrices[0]
        factors.append(f)
    return scaled(coefficient, hadamard(*factors))


def in_outputs(net: Network, e: sp.MatrixExpr) -> sp.MatrixExpr:
    """g'^(l)(Z^(l)) written in A^(l) = g^(l)(Z^(l)) wherever the catalogue gives the derivative in a."""
    v = Vocabulary(net, batch=True)
    a = sp.Symbol("a")

    def rewrite(f: ElementwiseApplyFunction) -> sp.MatrixExpr:
        layer, prime = applied_layer(f) or (0, False)
        act = net.activation(layer) if layer else None
        if not prime or act is None or act.prime_in_a is None:
            return f
        form = entrywise(act.prime_in_a(a), {a: v.a(layer)}, f.shape)
        return form if form.is_Matrix else sp.MatMul(form, sp.OneMatrix(*f.shape)).doit()  # a constant (identity's 1)

    e = e.replace(lambda x: isinstance(x, ElementwiseApplyFunction), rewrite)
    return e.replace(lambda x: isinstance(x, sp.HadamardProduct), lambda x: hadamard(*x.args))


def shared(statements: list[tuple[str, sp.MatrixExpr]]) -> list[tuple[str, sp.MatrixExpr]]:
    """Each composite subexpression used more than once computed once, as S1, S2, ..., before its first use."""
    count = 0
    while True:
        repeated = _repeated(statements)
        if repeated is None:
            return statements
        count += 1
        name = sp.MatrixSymbol(f"S{count}", *repeated.shape)
        first = next(i for i, (_, e) in enumerate(statements) if e.has(repeated))
        statements = [(t, e.xreplace({repeated: name})) for t, e in statements]
        statements.insert(first, (name.name, repeated))


def _repeated(statements: list[tuple[str, sp.MatrixExpr]]) -> sp.MatrixExpr | None:
    """The largest composite subexpression occurring twice or more, or None."""
    counts: Counter = Counter()
    for _, e in statements:
        counts.update(x for x in sp.preorder_traversal(e) if _worth_naming(x))
    found = [x for x, k in counts.items() if k > 1]
    return max(found, key=lambda x: (sp.count_ops(x), sp.default_sort_key(x))) if found else None


def _worth_naming(e: sp.Basic) -> bool:
    """Array arithmetic: sums, Hadamard products and powers, matrix products of two or more matrices."""
    if isinstance(e, (sp.MatAdd, sp.HadamardProduct, sp.HadamardPower)):
        return True
    return isinstance(e, sp.MatMul) and len(e.as_coeff_matrices()[1]) > 1 and not _has_ones(e)


def _has_ones(e: sp.MatMul) -> bool:
    return any(isinstance(m, sp.OneMatrix) for m in e.as_coeff_matrices()[1])


# --- the printer ---------------------------------------------------------------------------------


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
        """Products with a ones matrix: 1^T X sums X's rows, X 1 each row (kept as a column), 1 b broadcasts."""
        coefficient, matrices = e.as_coeff_matrices()
        factors, head, tail = [m for m in matrices if not isinstance(m, sp.Identity)], False, False
        if len(factors) > 1 and isinstance(factors[0], sp.OneMatrix):
            head = factors.pop(0).shape[0] == 1  # 1_(1 x n) X sums the rows; 1_(n x 1) b broadcasts b
        if len(factors) > 1 and isinstance(factors[-1], sp.OneMatrix):
            ones = factors.pop()
            tail = ones.shape[0] != 1 or ones.shape[1] == 1  # X 1_(k x m) sums each row; b 1_(1 x m) broadcasts
        core = " @ ".join(self.wrap(f) for f in factors) if len(factors) > 1 else self._print(factors[0])
        if head or tail:
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


JAX_IMPORTS = """import jax
import jax.numpy

jax.config.update("jax_enable_x64", True)  # float64, as the engine computes"""


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


BACKENDS = {
    "numpy": Backend(
        "numpy",
        "NumPy",
        "NumPy arrays",
        lambda: NumPyMatrixPrinter,
        "numpy",
        "import numpy",
        "numpy.asarray({x}, dtype=float)",
    ),
    "jax": Backend(
        "jax",
        "JAX",
        "JAX arrays",
        lambda: JaxMatrixPrinter,
        "jax.numpy",
        JAX_IMPORTS,
        "jax.numpy.asarray({x}, dtype=jax.numpy.float64)",
    ),
    "torch": Backend(
        "torch",
        "PyTorch",
        "PyTorch tensors",
        torch_matrix_printer,
        "torch",
        "import torch",
        "torch.as_tensor({x}, dtype=torch.float64)",
        forward={  # torch.maximum and torch.logaddexp take tensors only
            "relu": "torch.clamp({z}, min=0.0)",
            "softplus": "torch.logaddexp(torch.zeros_like({z}), {z})",
        },
        prime={"leaky_relu": "torch.where({z} > 0.0, torch.ones_like({z}), torch.full_like({z}, {slope}))"},
    ),
}


def activation_source(net: Network, layer: int, prime: bool, backend: Backend) -> str:
    """g^(l)(Z^(l)) or g'^(l)(Z^(l)) for layer l, in the backend's module."""
    act = net.activation(layer)
    key = "leaky_relu" if act.name.startswith("leaky_relu") else act.name
    prime_of = cast(Scalar, act.prime)  # read only for leaky_relu, which ``activations._leaky`` gives its derivative
    slope = repr(float(prime_of(sp.Integer(-1)))) if key == "leaky_relu" else ""
    return backend.activation(key, prime).format(z=f"Z{layer}", a=f"A{layer}", slope=slope)


# --- the module ----------------------------------------------------------------------------------


def module_source(net: Network, backend: str = "numpy") -> str:
    """A complete module needing only the backend's library (NumPy by default) whose ``gradient(x, y, weights,
    biases)`` gives the mean cost and its gradient; the same network gives the same text."""
    _require_numbers(net)
    lib = backend_named(backend)
    stage("deriving the matrix form")
    printer, eqs = lib.printer()(net, lib), matrix_form(net).batch
    stage("writing the code")
    body = _inputs(net, lib) + _forward(net, eqs, printer)
    statements = shared([("cost", eqs.cost), *[(t, in_outputs(net, e)) for t, e in fold_mean(eqs)]])
    body += _backward(net, statements, printer)
    grads_b = [f"db{layer}" for layer in range(1, net.depth + 1)] if net.spec.bias != "none" else []
    grads_w = [f"dW{layer}" for layer in range(1, net.depth + 1)]
    body.append(f"return cost, [{', '.join(grads_w)}], [{', '.join(grads_b)}]")
    return _header(net, lib) + "\n".join(f"    {line}" if line else "" for line in body) + "\n" + _helpers(net, lib)


def _header(net: Network, lib: Backend) -> str:
    """The module's docstring naming the network, the import, and the function's signature."""
    network = (
        f"Network: layers {_shape(net)}; activations {', '.join(net.spec.activations)}; "
        f"cost {net.spec.cost}; bias {net.spec.bias}; neurons numbered from {net.spec.index_base}."
    )
    domain = "DomainError = ValueError  # raised when an output is outside the cost's logarithm's domain\n\n"
    arrays = "" if lib.name == "numpy" else f" Inputs may be NumPy arrays or lists; results are {lib.arrays}."
    return (
        '"""The mean cost and its gradient, generated by symbackprop from the matrix form of backpropagation\n'
        f"(BP1-BP4). It needs only {lib.title}.{arrays}\n\n"
        f"{textwrap.fill(network, width=100)}\n"
        f'"""\n\n{lib.imports}\n\n'
        f"{domain if _log(net) else ''}\n"
        "def gradient(x, y, weights, biases=()):\n"
        '    """(mean cost, [dC/dW^(l)], [dC/db^(l)]) for a batch: x is (n, n_0), y is (n, n_L), a row per\n'
        '    sample; weights[l - 1] is W^(l), shaped (n_l, n_(l-1)); biases[l - 1] is b^(l)."""\n'
    )


def _inputs(net: Network, lib: Backend) -> list[str]:
    def array(x: str) -> str:
        return lib.array.format(x=x)

    lines = [
        f"A0 = {lib.module}.atleast_2d({array('x')})",
        f"Y = {array('y')}.reshape(A0.shape[0], {net.layers[-1]})",
        "n = A0.shape[0]",
    ]
    lines += [f"W{layer} = {array(f'weights[{layer - 1}]')}" for layer in range(1, net.depth + 1)]
    if net.spec.bias != "none":
        lines += [f"b{layer} = {array(f'biases[{layer - 1}]')}" for layer in range(1, net.depth + 1)]
    return lines


def _forward(net: Network, eqs: Equations, printer: MatrixPrinting) -> list[str]:
    bias = "" if net.spec.bias == "none" else " + 1 b^(l)"
    lines = [f"# forward: Z^(l) = A^(l-1) W^(l)T{bias}, A^(l) = g^(l)(Z^(l))"]
    for layer in range(1, net.depth + 1):
        lines.append(f"Z{layer} = {printer.doprint(eqs.z[layer - 1])}")
        lines.append(f"A{layer} = {activation_source(net, layer, False, printer.backend)}")
    if _log(net):
        out = f"A{net.depth}"
        if net.spec.cost == "cross_entropy":
            check, needs = f"{out} <= 0.0", "above 0"
        else:
            check, needs = f"({out} <= 0.0) | ({out} >= 1.0)", "strictly between 0 and 1"
        lines += [f"if ({check}).any():", f"    _outside_domain({out}, {check}, {needs!r})"]
    return lines


def _backward(net: Network, statements: list[tuple[str, sp.MatrixExpr]], printer: MatrixPrinting) -> list[str]:
    """The cost, then BP1 to BP4 layer by layer from the output back, shared subexpressions first."""
    lines = []
    for target, expr in statements:
        text = printer.doprint(expr)
        if target == "cost":
            lines += ["# the mean cost", f"cost = float({text})"]
            continue
        if target.startswith("Delta"):
            layer = int(target.removeprefix("Delta"))
            rule = "BP1" if layer == net.depth else "BP2"
            lines.append(f"# {rule}: Delta^({layer}), carrying the 1/n of the mean; then BP4 and BP3")
        if target.startswith("db") and net.spec.bias == "layer":
            text = f"{printer.backend.module}.reshape({text}, (1,))"  # one shared bias: a vector of one, as numeric.py
        lines.append(f"{target} = {text}")
    return lines


def _helpers(net: Network, lib: Backend) -> str:
    text = ""
    if any(name == "softmax" for name in net.spec.activations):
        text += SOFTMAX.replace("{m}", lib.module)
    if _log(net):
        index = "j + 1" if net.spec.index_base else "j"
        text += DOMAIN.replace("{m}", lib.module).format(cost=net.spec.cost, index=index)
    return text


def _log(net: Network) -> bool:
    return net.cost.logarithmic


# --- compiled ------------------------------------------------------------------------------------


def gradient_function(net: Network, backend: str = "numpy") -> GradientFunction:
    """The generated ``gradient(x, y, weights, biases)``, compiled; a cost outside its log's domain is a SpecError."""
    source = module_source(net, backend)
    _require_installed(backend)
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<symbackprop gradient for {_shape(net)}, {backend}>", "exec"), namespace)
    namespace["DomainError"] = SpecError  # the module raises ValueError on its own; here, the engine's error
    return _checking(net, namespace["gradient"])


def _checking(net: Network, gradient: GradientFunction) -> GradientFunction:
    """``gradient`` behind a check of its arguments, so a wrong shape or a non-number is a SpecError naming
    the argument (see ``arguments``), not an error from inside its matrix products."""

    @functools.wraps(gradient)
    def checked(x: Any, y: Any, weights: Any, biases: Any = ()) -> tuple[float, list[Any], list[Any]]:
        return gradient(*arguments.checked(net, x, y, weights, biases))

    return checked


def backend_named(name: str) -> Backend:
    """The backend of this name, or a SpecError naming those there are."""
    if not isinstance(name, str) or name not in BACKENDS:
        raise SpecError(f"unknown backend {name!r:.60}; known: {', '.join(BACKENDS)}")
    return BACKENDS[name]


def _require_installed(backend: str) -> None:
    if importlib.util.find_spec(backend) is None:
        raise SpecError(f"backend {backend!r} needs the {backend} package, which is not installed; use 'numpy'")


def _require_numbers(net: Network) -> None:
    for layer in range(1, net.depth + 1):
        if net.activation(layer).generic:
            raise SpecError(f"layer {layer} uses the generic activation g, which has no numbers; name a concrete one")


def _shape(net: Network) -> str:
    return "-".join(str(n) for n in net.layers)
