"""A graph spec's claimed numbers against the engine's: forward values, gradients of the output, and local
gradients ("f/q": d(node f's own expression)/dq), each agreeing within half a unit of its last written decimal
place, as a published circuit prints them (CS231n writes 0.73 for σ(1) = 0.7311).

>>> import tomllib
>>> from symbackprop.model import graph_spec
>>> spec = graph_spec.from_mapping({"graph": {"q": "x + y", "f": "q z"}, "values": {"x": -2.0, "y": 5.0, "z": -4.0},
...     "claims": {"gradients": {"x": Decimal("-4"), "z": Decimal("3.1")}}})
>>> [(c.reference, c.verdict) for c in check_graph_numbers(spec)]
[('x', 'confirmed'), ('z', 'wrong')]
"""

from __future__ import annotations

from decimal import Decimal

from ..derive.graph_backprop import derive_graph
from ..model.graph_spec import GraphSpec
from .claimed_numbers import CONFIRMED, WRONG, NumberCheck, half_unit
from .graph_numbers import graph_numbers, local_numbers


def check_graph_numbers(spec: GraphSpec) -> list[NumberCheck]:
    """One row per claimed number, in the order values, gradients, local, each as the spec wrote them."""
    claims = spec.claims
    if claims is None or not len(claims):
        return []
    numbers = graph_numbers(derive_graph(spec.graph, None))
    local = local_numbers(spec.graph, list(claims.local), numbers.values)
    rows = [_check("values", name, claimed, numbers.values[name]) for name, claimed in claims.values.items()]
    rows += [_check("gradients", name, claimed, numbers.gradients[name]) for name, claimed in claims.gradients.items()]
    rows += [_check("local", f"{n}/{q}", claimed, local[(n, q)]) for (n, q), claimed in claims.local.items()]
    return rows


def _check(section: str, reference: str, claimed: Decimal, computed: float) -> NumberCheck:
    allowed = half_unit(claimed)
    agreed = (
        computed == computed and abs(computed) != float("inf") and abs(Decimal(repr(computed)) - claimed) <= allowed
    )
    note = ""
    if not agreed and claimed != 0 and computed != 0 and (claimed < 0) != (computed < 0):
        note = "it has the other sign than the exact value"
    return NumberCheck(section, reference, None, claimed, computed, allowed, CONFIRMED if agreed else WRONG, note)
