"""The NumPy module's gradient rewritten to compute its temporaries into arrays kept across calls.

``gradient_function(reuse=True)`` runs this variant. The printed module allocates a new array for every
product and elementwise operation of a pass, and glibc's malloc hands the larger ones back to the system when
they are freed, so the next call faults the same pages in again: in fresh processes, 784-512-512-10 in float64 at
batch 64 faulted 240 pages a call with only its gradients kept, and none with its temporaries kept too (``python3
benchmarks/allocator.py 784-512-512-10 relu+CE float64 64``). The rewrite is mechanical, on the module's syntax
tree: each operation ``a op b`` of the body (``@ + - * /``, a comparison, ``x ** 2``, a NumPy function of one
array, a helper of the module's that takes ``out``) becomes ``_kept(_work, site, ufunc, a, b)``, which computes
it as the module does at a site's first call and into that call's result at every later one. The gradients' own
statements are left alone (they are written into the caller's ``out``), and so is the cost (a number). What the
rewrite does not reach still allocates each call: leaky_relu's ``numpy.where``, an input converted to the dtype
computed in (integers, or a y of another dtype), the helpers' own temporaries (log-softmax's), and the arrays
smaller than ``SMALL``.

A workspace is only ever used with arguments of the signature it was made with (``Workspaces``: the dtype, x's and
y's shapes and layouts, the weights' and biases' shapes): the body is straight-line code whose every array's
shape, dtype and layout follow from those, so each site's kept array is always the one its operation gives, and
the numbers are the printed module's, bit for bit.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any, cast

import numpy as np

WORK = "_work"  # the variant's extra argument: the workspace, a dict of kept arrays by site
KEPT = "_kept"
LIMIT = 4  # workspaces kept at once (a training run's batch and its last, shorter one fit twice over)
SMALL = 1 << 17  # bytes: glibc's malloc keeps smaller blocks in its heap (its mmap threshold, 128 KiB)
TAKING_OUT = ("_sigmoid", "_softplus", "_relu", "_softmax")  # the module's helpers of one array that take out=

_BINARY: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.MatMult: ("matmul", operator.matmul),
    ast.Add: ("add", operator.add),
    ast.Sub: ("subtract", operator.sub),
    ast.Mult: ("multiply", operator.mul),
    ast.Div: ("true_divide", operator.truediv),
    ast.Gt: ("greater", operator.gt),
    ast.GtE: ("greater_equal", operator.ge),
    ast.Lt: ("less", operator.lt),
    ast.LtE: ("less_equal", operator.le),
}
# the operator each ufunc stands for, so that a site computes exactly what the printed module computes: a
# Python number stays a Python number (2/n), where the ufunc would make it a NumPy scalar of another type
_PLAIN: dict[Any, Callable[..., Any]] = {getattr(np, name): plain for name, plain in _BINARY.values()}
_PLAIN[np.square] = lambda a: a**2  # NumPy computes x ** 2 as square(x)
_SKIP = object()  # a site whose result is not an array: nothing to keep


def _kept(work: dict[int, Any], site: int, ufunc: Any, *operands: Any) -> Any:
    """``ufunc`` of the operands, into the array kept for ``site`` where there is one."""
    kept = work.get(site)
    if kept is None:
        result = _PLAIN.get(ufunc, ufunc)(*operands)
        work[site] = result if isinstance(result, np.ndarray) else _SKIP
        return result
    if kept is _SKIP:
        return _PLAIN.get(ufunc, ufunc)(*operands)
    return ufunc(*operands, out=kept)


class _Sites(ast.NodeTransformer):
    """Each array operation of an expression as a ``_kept`` call with a site number of its own."""

    def __init__(self) -> None:
        self.count = 0

    def _call(self, ufunc: str, operands: list[ast.expr]) -> ast.Call:
        return self._kept(ast.Attribute(ast.Name("numpy", ast.Load()), ufunc, ast.Load()), operands)

    def _kept(self, function: ast.expr, operands: list[ast.expr]) -> ast.Call:
        self.count += 1
        site = [ast.Name(WORK, ast.Load()), ast.Constant(self.count), function]
        return ast.Call(ast.Name(KEPT, ast.Load()), [*site, *operands], [])

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) and node.right.value == 2:
            return self._call("square", [node.left])
        found = _BINARY.get(type(node.op))
        return self._call(found[0], [node.left, node.right]) if found else node

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        self.generic_visit(node)
        found = _BINARY.get(type(node.ops[0])) if len(node.ops) == 1 else None
        return self._call(found[0], [node.left, node.comparators[0]]) if found else node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        func, one = node.func, len(node.args) == 1 and not node.keywords  # numpy.tanh(Z1, out=Z1) stays
        if one and isinstance(func, ast.Name) and func.id in TAKING_OUT:
            return self._kept(func, list(node.args))  # _softplus(Z1): the module's helper, given out= later
        if one and _numpy_ufunc(func):
            return self._call(cast(ast.Attribute, func).attr, list(node.args))  # numpy.exp(LS2)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        node.body, node.orelse = self.visit(node.body), self.visit(node.orelse)  # the test (n > 64) stays
        return node


def working_source(source: str) -> str:
    """The module's source with its ``gradient`` taking a workspace (``_work``, after ``out``) and computing each
    temporary into it; the rest of the module unchanged."""
    tree = ast.parse(source)
    if {WORK, KEPT} & _names(tree):
        raise ValueError(f"the module already uses {WORK} or {KEPT}")
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "gradient")
    function.args.kwonlyargs.append(ast.arg(WORK))  # gradient(x, y, weights, biases=(), out=None, *, _work=None)
    function.args.kw_defaults.append(ast.Constant(None))
    sites = _Sites()
    for statement in function.body:
        if isinstance(statement, ast.Assign | ast.AugAssign) and not _result(statement):
            statement.value = sites.visit(statement.value)
    return ast.unparse(ast.fix_missing_locations(tree))


def _numpy_ufunc(func: ast.expr) -> bool:
    """Whether ``func`` names one of NumPy's ufuncs, as ``numpy.exp``."""
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "numpy"):
        return False
    return isinstance(getattr(np, func.attr, None), np.ufunc)


def _names(tree: ast.AST) -> set[str]:
    """Every name the module binds or reads: variables, arguments, functions, classes and imports."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.split(".")[0])
    return found


def _result(statement: ast.Assign | ast.AugAssign) -> bool:
    """Whether the statement computes what the function returns: the cost, or a gradient (into ``out``)."""
    target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
    return isinstance(target, ast.Name) and (target.id == "cost" or target.id.startswith(("dW", "db")))


def helpers() -> dict[str, Any]:
    """What the variant's namespace needs beside the module's own names."""
    return {KEPT: _kept}


class Workspaces:
    """One workspace per signature of the arguments (the dtype computed in, x's and y's shapes and memory layouts,
    and every weight's and bias's shape), the ``LIMIT`` most recently used kept: a caller whose batch size changes
    at every call holds at most that many. x's and y's layouts are part of it because an elementwise result takes
    its operands' layout (a Fortran-ordered y gives a Fortran-ordered A - Y, and a product of it may round
    differently from a product of a C-ordered one).

    None where every temporary is smaller than ``SMALL`` (a batch times the widest layer): malloc reuses those
    blocks without faulting, and on a small pass a ``_kept`` call at each of its 20-40 sites costs more than it
    spares; the caller then runs the printed module."""

    def __init__(self, widest: int) -> None:
        self.widest = widest
        self.kept: dict[tuple[Any, ...], dict[int, Any]] = {}

    def get(self, dtype: np.dtype, x: np.ndarray, y: np.ndarray, weights: Any, biases: Any) -> dict[int, Any] | None:
        """The workspace for these arguments, made (empty) if there is none; None if they need none."""
        if (x.shape[0] if x.ndim == 2 else 1) * self.widest * dtype.itemsize < SMALL:
            return None
        weight_shapes, bias_shapes = ([tuple(np.shape(a)) for a in group] for group in (weights, biases))
        key = (x.dtype, x.shape, x.strides, y.shape, y.strides, *weight_shapes, None, *bias_shapes)  # byte order too
        work = self.kept.pop(key, None)  # taken out and put back last: the least recently used goes first
        if work is None and len(self.kept) >= LIMIT:
            del self.kept[next(iter(self.kept))]
        self.kept[key] = work = {} if work is None else work
        return work
