"""Section 4: the engine against naive sympy.diff, both timed the same way.

Each side does the same work from the same start: build the network (``sbp.Network(layers=...)``, sigmoid, sse),
then every weight's and bias's derivative: the engine by ``net.derive(ref)``, naive SymPy by ``sympy.diff`` of
the fully composed cost (``net.composed_cost(concrete=True)``, built inside the timed part) parameter by
parameter. Every measurement runs in a fresh process (this file, ``--child``) that imports first (SymPy and the whole
engine, the same for both sides: ``symbackprop`` imports its stages lazily) and then times the work alone:

- cold: the work once, in a process that has done nothing else;
- warm: the work once untimed, then once timed, in the same process (SymPy's caches and the engine's full).

A side that passes the time limit is stopped (its process killed). The ratio is naive / engine.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import time
from pathlib import Path

from timing import CHECKOUT

HERE = Path(__file__).resolve().parent


def _work(side: str, layers: list[int]) -> None:
    import sympy as sp

    import symbackprop as sbp

    net = sbp.Network(layers=layers, activation="sigmoid", cost="sse")
    if side == "engine":
        for ref in net.parameters():
            net.derive(ref).result  # noqa: B018 - the result is the work
        return
    cost = net.composed_cost(concrete=True)
    for ref in net.parameters():
        sp.diff(cost, net.symbol(ref))


def child(side: str, layers: list[int], warm: bool) -> None:
    """Print the seconds of one run of the work, after one untimed run when ``warm``."""
    sys.path.insert(0, str(HERE.parent))
    import symbackprop as sbp

    sbp.derive  # noqa: B018 - the API's modules (the whole engine, SymPy with it) imported before the clock, both sides

    if warm:
        _work(side, layers)
    start = time.perf_counter()
    _work(side, layers)
    print(time.perf_counter() - start)


def measured(side: str, layers: tuple[int, ...], warm: bool, limit: float, repeat: int) -> float | None:
    """The best of ``repeat`` child processes' seconds; None when one passes ``limit``."""
    command = [sys.executable, str(Path(__file__)), "--child", side, ",".join(map(str, layers))]
    best = float("inf")
    for _ in range(repeat):
        try:
            done = subprocess.run(
                command + (["--warm"] if warm else []),
                capture_output=True,
                text=True,
                env=CHECKOUT,
                timeout=limit * (2 if warm else 1) + 10,  # the warm-up run, and the imports
            )
        except subprocess.TimeoutExpired:
            return None
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-300:]}")
        best = min(best, float(done.stdout.split()[-1]))
        if best > limit:
            return None
    return best


def naive_section(quick: bool) -> None:
    limit = 5.0 if quick else 60.0
    sizes = [(4, 4), (4, 4, 4)] if quick else [(4, 4), (4, 4, 4), (4, 4, 4, 4), (8, 8), (8, 8, 8)]
    repeat = 1 if quick else 3
    print("\n4. the engine against naive sympy.diff of the composed cost (seconds; each a fresh process,")
    print(f"   network built inside the timed part; naive stopped past {limit:g} s; ratio = naive / engine)")
    print(f"{'layers':>12} {'params':>7} | {'cold engine':>11} {'naive':>8} {'ratio':>6} |", end="")
    print(f" {'warm engine':>11} {'naive':>8} {'ratio':>6}")
    for layers in sizes:
        params = sum(n * m + n for m, n in itertools.pairwise(layers))
        line = f"{'-'.join(map(str, layers)):>12} {params:7d} |"
        for warm in (False, True):
            ours = measured("engine", layers, warm, limit, repeat)
            naive = measured("naive", layers, warm, limit, 1 if params > 40 else repeat)
            ours_text = f"{ours:11.3f}" if ours is not None else f"{'stopped':>11}"
            if naive is None:
                line += f" {ours_text} {'stopped':>8} {'':>6} |"
            else:
                ratio = f"{naive / ours:6.1f}" if ours else f"{'':>6}"
                line += f" {ours_text} {naive:8.3f} {ratio} |"
        print(line.rstrip(" |"), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="one timed run of one side, in this fresh process")
    parser.add_argument("--child", choices=("engine", "naive"), required=True)
    parser.add_argument("layers")
    parser.add_argument("--warm", action="store_true")
    arguments = parser.parse_args()
    child(arguments.child, [int(n) for n in arguments.layers.split(",")], arguments.warm)
