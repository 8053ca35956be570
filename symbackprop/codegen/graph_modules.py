"""A computation graph's forward and backward pass as a plain module a student can read and keep.

The code is the derivation written out (``derive_graph(graph, None)``): one line per node for the forward pass,
then one line per step of the backward pass, ``grad_q = grad_f * (local)``, summed over the nodes that use q,
in the derivation's order, each under a comment naming its gates. A local gradient that contains its node's own
expression is written in the node's value (tanh: ``1 - o**2``, σ: ``s*(1 - s)``), as a lesson writes it: the
same number, computed once. Names such as ``w_{0}``, ``x_{12}`` or ``\\alpha`` become Python identifiers
(``w_0``, ``x_12``, ``alpha``, see ``graph_code.identifiers``); the dictionaries the module takes and gives keep
the graph's names. The module checks its argument: a missing or an unknown name is a ValueError naming it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import sympy as sp

from ..base.errors import SpecError
from ..base.trees import count_nodes
from ..derive.graph_backprop import BackStep, LocalGradient, derive_graph
from ..model.graph import Graph, GraphNode
from .graph_code import (
    BACKENDS,
    INPUTS,
    KNOWN,
    PRINTABLE,
    SIGMOID,
    GraphBackend,
    GraphPrinting,
    comment,
    identifiers,
    literal,
)
from .matrix_printer import parenthesized

MAX_TERMS = 400_000  # nodes of the expressions printed (each node's, each local gradient's), checked before printing
MAX_CHARACTERS = 4_000_000  # of the module's text
WIDTH = 100  # of the lines that list names


def graph_module_source(graph: Graph, backend: str = "numpy") -> str:
    """The source of a module needing only NumPy (or PyTorch, or JAX) whose ``forward(values)`` gives every
    name's value and ``gradients(values)`` d(output)/d(name) for every name (0 where the output does not depend
    on it), each a dict keyed by the graph's names; ``values`` maps every input to a number or an array (a batch,
    computed elementwise). The same graph gives the same text; a graph whose module would pass ``MAX_CHARACTERS``
    is a SpecError.

    >>> from symbackprop.model.graph import Graph
    >>> g = Graph.build({"q": "x + y", "f": "q z"}, {"x": -2.0, "y": 5.0, "z": -4.0})
    >>> source = graph_module_source(g)
    >>> print("\\n".join(line for line in source.splitlines() if line.startswith("    grad_")))
        grad_f = numpy.ones_like(f)
        grad_q = grad_f * z
        grad_x = grad_q
        grad_y = grad_q
        grad_z = grad_f * q
    >>> module = {}
    >>> exec(source, module)
    >>> {name: float(d) for name, d in module["gradients"]({"x": -2.0, "y": 5.0, "z": -4.0}).items()}
    {'x': -4.0, 'y': -4.0, 'z': 3.0, 'q': -4.0, 'f': 1.0}
    """
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise SpecError(f"unknown backend {backend!r:.60}; known: {', '.join(BACKENDS)}")
    lib = BACKENDS[backend]
    derivation = derive_graph(graph, None)
    names = identifiers(graph.names)
    printer = lib.printer()({graph.symbols[name]: ident for name, ident in names.items()}, lib)
    _check(graph, printer, [use for step in derivation.steps for use in step.uses])
    try:
        forward = [_node_line(graph, node, names, printer) for node in graph.nodes]
        backward = [line for step in derivation.steps for line in _step_lines(graph, step, names, printer)]
    except (RecursionError, SyntaxError):  # SymPy's printer and Python's parser are recursive
        raise SpecError("a node's expression or local gradient nests too deeply to be written as code") from None
    source = _module(graph, lib, names, forward, backward, {step.name for step in derivation.steps})
    if len(source) > MAX_CHARACTERS:
        raise SpecError(f"the graph's module would be {len(source):,} characters; the limit is {MAX_CHARACTERS:,}")
    try:
        compile(source, "<graph module>", "exec", dont_inherit=True)
    except (SyntaxError, RecursionError, MemoryError, ValueError) as err:
        raise SpecError(f"the graph's module nests too deeply for Python to read ({type(err).__name__})") from None
    return source


def _check(graph: Graph, printer: GraphPrinting, uses: list[LocalGradient]) -> None:
    """Every node's expression and every local gradient in what the code is written with, and all of them, as
    printed, within ``MAX_TERMS``: a SpecError naming the first that is not, before any is printed."""
    sizes: dict[sp.Basic, int] = {}
    total = 0
    parts = [(f"node {node.name}", node.expression) for node in graph.nodes]
    parts += [(f"d{use.node}/d{use.name}", use.value) for use in uses]
    for _, expr in parts:
        total += count_nodes(expr, sizes)  # its size written out: each distinct part is walked once
        if total > MAX_TERMS:
            raise SpecError(f"the graph's expressions and local gradients pass {MAX_TERMS:,} terms; too large for code")
    bad = next((e for e in sizes if not isinstance(e, PRINTABLE) or (e.is_Symbol and e not in printer.names)), None)
    if bad is not None:
        where = next(where for where, expr in parts if expr.has(bad))
        what = bad.name if isinstance(bad, sp.Symbol) else type(bad).__name__
        raise SpecError(f"{comment(where)}: {what} has no code here; a graph's code knows {KNOWN}")


def _node_line(graph: Graph, node: GraphNode, names: Mapping[str, str], printer: GraphPrinting) -> str:
    """``q = x + y``, with the node as written in a comment; a constant node has the inputs' shape."""
    code = printer.doprint(node.expression)
    if not node.expression.free_symbols:
        first = names[graph.leaves[0]] if graph.leaves else None
        code = f"{printer.m}.full_like({first}, {code})" if first else f"_array({literal(node.name)}, {code})"
    text = comment(node.text)
    if len(text) > 80:
        text = text[:77] + "..."
    renamed = names[node.name] != node.name
    same = not renamed and text.replace(" ", "") == code.replace(" ", "")  # q = x + y needs no comment
    note = "" if same else f"{node.name} = {text}" if text else node.name if renamed else ""
    return f"{names[node.name]} = {code}" + (f"  # {comment(note)}" if note else "")


def _step_lines(graph: Graph, step: BackStep, names: Mapping[str, str], printer: GraphPrinting) -> list[str]:
    """One step of the backward pass: its comment and ``grad_q = grad_f * (local) + ...``."""
    grad = f"grad_{names[step.name]}"
    if not step.uses:
        name = comment(step.name)
        return [f"# {name}: the output, d{name}/d{name} = 1", f"{grad} = {printer.m}.ones_like({names[step.name]})"]
    return [*_step_comment(step.name, step.uses), f"{grad} = {_sum(graph, step.uses, names, printer)}"]


def _step_comment(name: str, uses: Sequence[LocalGradient]) -> list[str]:
    """``# x: used by q (add gate), p (multiply gate); the gradients add``."""
    gates = ", ".join(
        f"{use.node} ({'an expression' if use.rule == 'expression' else use.rule + ' gate'})" for use in uses
    )
    text = comment(f"{name}: used by {gates}" + ("; the gradients add" if len(uses) > 1 else ""))
    return textwrap.wrap(text, width=WIDTH - 4, initial_indent="# ", subsequent_indent="#   ")


def _sum(graph: Graph, uses: Sequence[LocalGradient], names: Mapping[str, str], printer: GraphPrinting) -> str:
    """Upstream gradient times local gradient, summed over the uses, in the derivation's order; a local gradient
    of 1 (an add gate's) leaves the upstream gradient alone."""
    text = ""
    for use in uses:
        local = use.value
        if not use.expression.is_Atom:  # tanh'(n) = 1 - tanh(n)^2 in the node's value: 1 - o^2
            local = local.xreplace({use.expression: graph.symbols[use.node]})
        upstream = f"grad_{names[use.node]}"
        term = upstream if local in (1, -1) else f"{upstream} * {parenthesized(printer.doprint(local))}"
        minus = local == -1
        if not text:
            text = f"-{term}" if minus else term
        else:
            text += f" - {term}" if minus else f" + {term}"
    return text


def _module(
    graph: Graph,
    lib: GraphBackend,
    names: Mapping[str, str],
    forward: list[str],
    backward: list[str],
    stepped: set[str],
) -> str:
    m, out = lib.module, names[graph.output]
    leaves = [names[leaf] for leaf in graph.leaves]
    every = [names[name] for name in graph.names]
    grads = []
    for name in graph.names:
        if name in stepped:
            grads.append(f"        {literal(name)}: grad_{names[name]},")
        else:
            note = f"{comment(graph.output)} does not depend on {comment(name)}"
            grads.append(f"        {literal(name)}: {m}.zeros_like({out}),  # {note}")
    renamed = [f"{comment(leaf)} -> {names[leaf]}" for leaf in graph.leaves if names[leaf] != leaf]
    renamed_lines = _packed(["the inputs in the code:", *(f"{r}," for r in renamed[:-1]), *renamed[-1:]], "")
    renamed_lines = renamed_lines if renamed else []
    lines = [
        _docstring(graph, lib),
        "",
        "import collections.abc",
        "",
        lib.imports,
        "",
        *_wrapped("LEAVES = ", [literal(leaf) for leaf in graph.leaves], ""),
        *_wrapped("NODES = ", [literal(node.name) for node in graph.nodes], ""),
        f"OUTPUT = {literal(graph.output)}",
        "NAMES = LEAVES + NODES",
        "_LEAF_SET, _NODE_SET = frozenset(LEAVES), frozenset(NODES)",
        "",
        "",
        "def forward(values):",
        '    """Every name\'s value by name: the inputs\' (broadcast to one shape), then each node\'s."""',
        "    return dict(zip(NAMES, _forward(*_inputs(values))))",
        "",
        "",
        "def gradients(values):",
        '    """d(output)/d(name) for every name, by the backward pass: the output\'s gradient is 1, and each',
        "    name's is the sum, over the nodes that use it, of the node's gradient (upstream) times the local",
        '    gradient, the derivative of that node\'s own expression."""',
        *_wrapped("", every, " = _forward(*_inputs(values))", indent="    ", bare=True),
        "    # the backward pass, from the output back",
        *(f"    {line}" for line in backward),
        "    return {",
        *grads,
        "    }",
        "",
        "",
        *_wrapped("def _forward", leaves, ":", comma=False),
        '    """The forward pass: each node from the inputs and the nodes before it, in the graph\'s order."""',
        *(f"    # {line}" for line in renamed_lines),
        *(f"    {line}" for line in forward),
        *_wrapped("return ", every, "", indent="    ", bare=True),
    ]
    helpers = INPUTS.replace("{broadcast}", lib.broadcast)
    text = "\n".join(lines) + "\n\n\n" + helpers.rstrip("\n") + "\n\n\n" + lib.array + "\n"
    if "_sigmoid(" in text:
        text += SIGMOID.replace("{m}", m)
    if "_heaviside(" in text:
        text += lib.helpers
    return text


def _wrapped(
    head: str, items: list[str], tail: str, indent: str = "", bare: bool = False, comma: bool = True
) -> list[str]:
    """``head(a, b)tail`` (or ``head a, b tail`` if ``bare``) on one line where it fits, else the items packed on
    lines of their own between ``head(`` and ``)tail``; one item keeps a tuple's comma."""
    inner = ", ".join(items) + ("," if comma and len(items) == 1 else "")
    one = f"{indent}{head}{inner}{tail}" if bare else f"{indent}{head}({inner}){tail}"
    if len(one) <= WIDTH or not items:
        return [one]
    packed = _packed(items, ",", WIDTH - len(indent) - 4)
    return [f"{indent}{head}(", *(f"{indent}    {line}" for line in packed), f"{indent}){tail}"]


def _packed(items: list[str], after: str, width: int = WIDTH - 6) -> list[str]:
    """The items, each followed by ``after``, packed on as few lines of ``width`` as they fit (never split)."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(item) + len(after) + 1 <= width:
            lines[-1] += f" {item}{after}"
        else:
            lines.append(f"{item}{after}")
    return lines


def _docstring(graph: Graph, lib: GraphBackend) -> str:
    """What the module computes, of which graph, and how it is called; raw, so a name's backslash stays one."""
    title = f" ({comment(graph.title)})" if graph.title else ""
    names = (
        f"Output: {literal(graph.output)}. Inputs: {_listed(graph.leaves, 'LEAVES')}. "
        f"Nodes: {_listed([node.name for node in graph.nodes], 'NODES')}."
    )
    use = (
        "forward(values) gives every name's value; gradients(values) gives d(output)/d(name) for every name, 0 "
        "where the output does not depend on it. values maps each input's name, as the graph writes it, to a "
        "number or an array of numbers: arrays are a batch, computed elementwise and broadcast to one shape. "
        f"Results are {lib.arrays}, keyed by name; a missing or an unknown name is a ValueError naming it."
    )
    head = (
        f"Forward and backward pass of a computation graph{title}, generated by symbackprop from its derivation "
        f"(the chain rule, one step per name). It needs only {lib.title}."
    )
    text = "\n\n".join(
        textwrap.fill(p, WIDTH, break_long_words=False, break_on_hyphens=False) for p in (head, names, use)
    )
    return 'r"""' + text.replace('"""', '""\\"') + '\n"""'


def _listed(names: Sequence[str], constant: str) -> str:
    shown = ", ".join(literal(name) for name in names[:20])
    return f"{shown}, ... ({len(names):,} in all: see {constant})" if len(names) > 20 else shown or "none"
