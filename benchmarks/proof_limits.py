"""How long the proofs take at the sizes that choose their method: the measurements behind the limits.

    python benchmarks/proof_limits.py            # 300 random networks of each kind
    python benchmarks/proof_limits.py --quick    # 40 of each

A proof cancels symbolically when the composed cost has at most SYMBOLIC_NODES nodes (and the
derivative runs through at most SYMBOLIC_LAYERS layers), a second derivative at most
second.SYMBOLIC_NODES; above, the randomized identity test decides. The limits are chosen so the
symbolic proofs take seconds: this prints the slowest symbolic proofs of random networks within the
limits, and the randomized test's time on the largest networks derive accepts. Time limits inside the
proofs are only a guard against hanging (GUARD_SECONDS); this shows how far within it they stay.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import symbackprop as sbp
from symbackprop.base.trees import tree_size
from symbackprop.derive import second
from symbackprop.derive.bounds import paths
from symbackprop.model.references import Ref
from symbackprop.prove.element import (
    SYMBOLIC_LAYERS,
    SYMBOLIC_NODES,
    _layers_used,
    _symbolic_difference_vanishes,
    prove,
)
from symbackprop.prove.proof import GUARD_SECONDS

HIDDEN = ["sigmoid", "tanh", "relu", "softplus", "identity", "softmax", "g"]
OUTPUT = {
    "sse": HIDDEN,
    "mse": HIDDEN,
    "cross_entropy": ["sigmoid", "softmax"],
    "binary_cross_entropy": ["sigmoid", "softmax"],
}


def random_network(rng: random.Random, depth: int, width: int) -> sbp.Network:
    layers = [rng.randint(1, width) for _ in range(depth + 1)]
    cost = rng.choice(sorted(OUTPUT))
    acts = [rng.choice([h for h in HIDDEN if layers[k] > 1 or h != "softmax"]) for k in range(1, depth)]
    acts.append(rng.choice([h for h in OUTPUT[cost] if layers[-1] > 1 or h != "softmax"]))
    return sbp.Network(layers=layers, activation=acts, cost=cost)


def random_reference(rng: random.Random, net: sbp.Network) -> Ref:
    kind = rng.choice("wbaz")
    if kind in "wb":
        return rng.choice(net.parameters())
    layer = rng.randint(0 if kind == "a" else 1, net.depth)
    return Ref(kind, layer, (rng.choice(list(net.neurons(layer))),))


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def first_derivatives(count: int) -> list[tuple[float, str]]:
    """Symbolic proofs of random derivations within the limits: (seconds, what)."""
    rng, found = random.Random(2), []
    while len(found) < count:
        net = random_network(rng, rng.randint(1, 10), 4)
        ref = random_reference(rng, net)
        d = net.derive(ref)
        nodes, layers = tree_size(net.composed_cost(d.start)), len(_layers_used(d))
        if paths(net, ref) > 4_000 or nodes > SYMBOLIC_NODES or layers > SYMBOLIC_LAYERS:
            continue
        seconds = timed(lambda d=d: _symbolic_difference_vanishes(d))
        found.append((seconds, f"{nodes:>5} nodes  {net.spec.layers} {net.spec.activations} {net.spec.cost} {ref}"))
    return found


def second_derivatives(count: int) -> list[tuple[float, str]]:
    rng, found = random.Random(3), []
    while len(found) < count:
        net = random_network(rng, rng.randint(1, 4), 3)
        nodes = tree_size(net.composed_cost())
        if nodes > second.SYMBOLIC_NODES:
            continue
        first, other = rng.choice(net.parameters()), rng.choice(net.parameters())
        d2 = second.derive_second(net, first, other)
        seconds = timed(lambda d2=d2: second._vanishes(d2))
        found.append((seconds, f"{nodes:>5} nodes  {net.spec.layers} {net.spec.activations} {net.spec.cost}"))
    return found


LARGEST = [  # large networks derive accepts, each proven by the randomized identity test
    ([1] * 65, "w^{(1)}"),  # the deepest
    ([1, 10, 10, 10, 10, 1], "w_{00}^{(1)}"),  # 1,000 paths
    ([2] * 13, "w_{00}^{(L)}"),
    ([16, 32, 24, 4], "w_{00}^{(1)}"),  # 1,436 weights and biases, near the 1,500 allowed
]


def report(title: str, rows: list[tuple[float, str]]) -> None:
    rows = sorted(rows, reverse=True)
    print(f"{title}: {len(rows)} proofs, slowest {rows[0][0]:.2f} s, median {rows[len(rows) // 2][0]:.2f} s")
    for seconds, what in rows[:5]:
        print(f"  {seconds:6.2f} s  {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 networks of each kind instead of 300")
    count = 40 if parser.parse_args().quick else 300
    print(f"guard against hanging: {GUARD_SECONDS:g} s")
    report(f"first derivatives, cancelled (composed cost <= {SYMBOLIC_NODES:,} nodes)", first_derivatives(count))
    report(f"second derivatives, cancelled (<= {second.SYMBOLIC_NODES:,} nodes)", second_derivatives(count))
    rows = []
    for layers, ref in LARGEST:
        d = sbp.Network(layers=layers).derive(ref)
        rows.append((timed(lambda d=d: prove(d)), f"{'-'.join(map(str, layers))} {ref}"))
    report("randomized identity test, whole proof, largest networks", rows)


if __name__ == "__main__":
    main()
