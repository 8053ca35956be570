"""Speed of the engine, as ratios against references measured in the same run.

    python benchmarks/run.py            # the full run
    python benchmarks/run.py --quick    # under a minute

1. Deriving every weight and bias gradient symbolically, against naive SymPy: sympy.diff of
   the fully composed cost, parameter by parameter (stopped after a time limit).
2. The numeric gradient the engine lambdifies, against a hand-written NumPy backward pass.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference

import symbackprop as sbp
from symbackprop import numeric


def timed(work, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def engine_derivation(layers: list[int]) -> float:
    net = sbp.Network(layers=layers, activation="sigmoid", cost="sse")
    return timed(lambda: [net.derive(r).result for r in net.parameters()])


def naive_sympy(layers: list[int], limit: float) -> float | None:
    """sympy.diff of the composed cost for every parameter; None when it passes ``limit`` seconds."""
    net = sbp.Network(layers=layers, activation="sigmoid", cost="sse")
    start = time.perf_counter()
    cost = net.composed_cost(concrete=True)
    for ref in net.parameters():
        sp.diff(cost, net.symbol(ref))
        if time.perf_counter() - start > limit:
            return None
    return time.perf_counter() - start


def numeric_ratio(layers: list[int], batch: int) -> tuple[float, float]:
    net = sbp.Network(layers=layers, activation="sigmoid", cost="sse")
    values = numeric.random_values(net, samples=batch, seed=1)
    engine = numeric.gradient_of_mean_cost(net)
    w, b = list(values.weights), list(values.biases)
    ours = timed(lambda: engine(values), repeat=5)
    hand = timed(lambda: reference.gradient(values.x, values.y, w, b), repeat=5)
    return ours, hand


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only, under a minute")
    args = parser.parse_args()
    limit = 5.0 if args.quick else 60.0
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    print("\n1. symbolic gradients of every weight and bias (seconds; ratio = naive / engine)")
    print(f"{'layers':>16} {'params':>7} {'engine':>9} {'naive':>9} {'ratio':>8}")
    sizes = [[2, 2, 2], [2, 3, 2], [3, 4, 3], [4, 4, 4], [4, 4, 4, 4]]
    if not args.quick:
        sizes += [[4, 8, 8, 3], [4, 4, 4, 4, 4]]
    for layers in sizes:
        params = len(sbp.Network(layers=layers).parameters())
        ours = engine_derivation(layers)
        naive = naive_sympy(layers, limit)
        shown = f"{naive:9.3f} {naive / ours:8.1f}" if naive is not None else f"{'>' + str(int(limit)):>9} {'':>8}"
        print(f"{'-'.join(map(str, layers)):>16} {params:7d} {ours:9.3f} {shown}")
    print("\n2. numeric gradient of the mean cost (seconds per call; ratio = engine / hand-written NumPy)")
    print(f"{'layers':>16} {'batch':>6} {'engine':>10} {'numpy':>10} {'ratio':>8}")
    for layers, batch in [([2, 3, 2], 1), ([2, 3, 2], 64), ([4, 8, 8, 3], 64)]:
        ours, hand = numeric_ratio(layers, batch)
        print(f"{'-'.join(map(str, layers)):>16} {batch:6d} {ours:10.2e} {hand:10.2e} {ours / hand:8.1f}")


if __name__ == "__main__":
    main()
