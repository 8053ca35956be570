"""A graph spec: a TOML file with a [graph] table, read and checked into a ``Graph`` and its claimed numbers.

The layout (the contract a spec file follows)::

    title = "A circuit"
    output = "f"            # the node whose gradient is taken
    [graph]                 # nodes in order; each an expression of names above or in [values]
    q = 'x + y'
    f = 'q z'
    [values]                # every name that is not a node: inputs and parameters
    x = -2.0
    y = 5.0
    z = -4.0
    [claims.values]         # published numbers to check: forward values,
    q = 3.0
    [claims.gradients]      # derivatives of the output,
    x = -4.0
    [claims.local]          # and local gradients, "f/q" for df/dq of node f's own expression
    "f/q" = -4.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..base.errors import SpecError, did_you_mean
from ..base.output import shown
from .graph import Graph
from .spec import one_line_text, printed_number, read_toml

KEYS = ("title", "author", "output", "graph", "values", "claims")
CLAIM_TABLES = ("values", "gradients", "local")


@dataclass(frozen=True)
class GraphClaims:
    """Numbers a source printed, each with the digits it was written with: forward values and gradients by name,
    local gradients by (node, input)."""

    values: Mapping[str, Decimal] = field(default_factory=dict)
    gradients: Mapping[str, Decimal] = field(default_factory=dict)
    local: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.values) + len(self.gradients) + len(self.local)


@dataclass(frozen=True, eq=False)
class GraphSpec:
    """A checked graph spec: the graph, its claimed numbers, and what a document says it is by."""

    graph: Graph
    claims: GraphClaims | None = None
    author: str | None = None
    # a claim's name for a quantity the graph names otherwise (a network's w_{12}^{(L)}), or None: its graph name
    names: Callable[[str], str | None] | None = None


def is_graph(data: Mapping[str, Any]) -> bool:
    """Whether parsed TOML is a graph spec (it has a [graph] table) rather than a network's."""
    return "graph" in data


def from_toml(path: str | Path) -> GraphSpec:
    """Read and check a graph spec file; errors name the file."""
    path, data = read_toml(path)
    try:
        return from_mapping(data)
    except SpecError as err:
        raise SpecError(f"{shown(path)}: {err}") from None


def from_mapping(data: Mapping[str, Any]) -> GraphSpec:
    """Check a graph spec given as a mapping (parsed TOML)."""
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        key = unknown[0]
        raise SpecError(f"unknown key {key!r} in a graph spec; known: {', '.join(KEYS)}{did_you_mean(key, KEYS)}")
    nodes, values = data.get("graph"), data.get("values", {})
    if not isinstance(nodes, Mapping):
        raise SpecError("graph: a table of nodes, each name = 'expression', as [graph] then q = 'x + y'")
    if not isinstance(values, Mapping):
        raise SpecError("values: a table of numbers, each name = number, as [values] then x = -2.0")
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f"[values] {name}: a number, got {_short(value)}")
    for key in ("title", "author", "output"):
        if key in data and not isinstance(data[key], str):
            raise SpecError(f"{key}: a quoted text, got {_short(data[key])}")
    for key in ("title", "author"):
        if key in data:
            one_line_text(key, data[key])  # as a network's spec has them: one line, at most 300 characters
    numbers = {name: float(value) for name, value in values.items()}
    graph = Graph.build(dict(nodes), numbers, data.get("output"), data.get("title"))
    claims = _claims(data["claims"], graph) if "claims" in data else None
    return GraphSpec(graph, claims, data.get("author"))


def _claims(table: Any, graph: Graph) -> GraphClaims:
    if not isinstance(table, Mapping) or set(table) - set(CLAIM_TABLES):
        extra = sorted(set(table) - set(CLAIM_TABLES)) if isinstance(table, Mapping) else []
        what = f"unknown table [claims.{extra[0]}]; " if extra else ""
        raise SpecError(f"claims: {what}a graph's claims are [claims.values], [claims.gradients], [claims.local]")
    found: dict[str, dict[Any, Decimal]] = {}
    for section in CLAIM_TABLES:
        entries = table.get(section, {})
        if not isinstance(entries, Mapping):
            raise SpecError(f"[claims.{section}]: a table of name = number")
        found[section] = {}
        for key, number in entries.items():
            where = f"[claims.{section}] {key}"
            if isinstance(number, bool) or not isinstance(number, (int, Decimal)):
                raise SpecError(f"{where}: a number as the source printed it, got {_short(number)}")
            if not printed_number(Decimal(number)):
                raise SpecError(f"{where}: {number} is not a number a source prints; give a finite one")
            name = _local(key, graph, where) if section == "local" else _name(key, graph, where)
            found[section][name] = Decimal(number)
    return GraphClaims(found["values"], found["gradients"], found["local"])


def _name(key: str, graph: Graph, where: str) -> str:
    from .graph_reading import name_key  # here: a network's spec, read by ``is_graph`` first, needs no reader

    name = name_key(key, where)
    if name not in graph.symbols:
        raise SpecError(f"{where}: no node or value of that name; the graph has {', '.join(graph.names)}")
    return name


def _local(key: str, graph: Graph, where: str) -> tuple[str, str]:
    """ "f/q": node f and one of the names its own expression uses."""
    from .graph_reading import name_key

    node_name, slash, input_name = key.partition("/")
    if not slash:
        raise SpecError(f'{where}: a local gradient is keyed "node/input", as "f/q" for df/dq')
    node, used = name_key(node_name.strip(), where), name_key(input_name.strip(), where)
    symbol = graph.symbols.get(node)
    if symbol is None or symbol not in graph.node_of:
        raise SpecError(f"{where}: {node} is not a node of the graph")
    inputs = [s.name for s in graph.node_of[symbol].inputs]
    if used not in inputs:
        raise SpecError(f"{where}: node {node}'s expression does not use {used}; it uses {', '.join(inputs)}")
    return node, used


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
