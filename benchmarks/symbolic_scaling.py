"""Section 3: the cost of deriving and proving as the network grows, with fitted exponents in parameters.

- derive --wrt all: ``net.derive(ref)`` for every weight and bias of a fresh network, SymPy's cache cleared
  first (cold), the best of ``repeat`` runs;
- proof: ``check()`` of the first layer's weight w_00^(1), the deepest, on a fresh network with the cache
  cleared (its derivation made untimed first);
- the command ``symbackprop derive --layers=... --wrt all --to tex -o FILE`` as a fresh process (wall time).

Widths 4, 8, 16, 32 (and 64 in the full run) at depth 3. A size whose time, predicted from the last one and the
exponent so far, would pass the time limit is not run. The exponent is the least-squares slope of log time
against log parameters over the sizes timed (those above 20 ms, where the clock's resolution does not count).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sympy.core.cache import clear_cache
from timing import command_seconds, fitted_exponent, timed

import symbackprop as sbp

TARGETS = {"derive --wrt all": 1.05, "check() of w_00^(1)": 1.2}
CHECK_32 = 5.0  # seconds: check() of the deepest weight of 32-32-32-32
COMMAND_PARAMETERS = 8_000  # the size for derive --wrt all


def network(width: int) -> sbp.Network:
    return sbp.Network(layers=[width] * 4, activation="sigmoid", cost="sse")


def derive_all(width: int) -> float:
    clear_cache()
    net = network(width)
    return timed(lambda: [net.derive(ref).result for ref in net.parameters()])


def check_deepest(width: int) -> float:
    clear_cache()
    net = network(width)
    deepest = next(ref for ref in net.parameters() if ref.kind == "w" and ref.layer == 1)
    d = net.derive(deepest)
    return timed(d.check)


def parameters(width: int) -> int:
    return 3 * (width * width + width)


def sweep(title: str, work: Callable[[int], float], widths: tuple[int, ...], repeat: int, limit: float) -> float:
    """Time ``work`` at each width until the next would pass ``limit``; print the rows and the exponent."""
    points: list[tuple[float, float]] = []
    print(f"  {title}")
    for width in widths:
        p = parameters(width)
        if points:
            slope = fitted_exponent(points) if len(points) >= 2 else 1.5
            predicted = points[-1][1] * (p / points[-1][0]) ** max(slope, 1.0)
            if predicted > limit:
                print(f"{'-'.join([str(width)] * 4):>22} {p:7d}   not run: about {predicted:.0f} s predicted")
                break
        seconds = min(work(width) for _ in range(repeat))
        points.append((p, seconds))
        print(f"{'-'.join([str(width)] * 4):>22} {p:7d} {seconds:9.3f}", flush=True)
    timed_points = [(p, t) for p, t in points if t > 0.02]
    exponent = fitted_exponent(timed_points) if len(timed_points) >= 2 else float("nan")
    target = TARGETS[title]
    shown = "MISSED" if not exponent <= target else "met"
    print(f"{'':>22} fitted exponent in parameters: {exponent:.2f}  (target <= {target:g}: {shown})")
    if title.startswith("check") and any(p == parameters(32) for p, _ in points):
        seconds = dict(points)[parameters(32)]
        shown = "met" if seconds < CHECK_32 else "MISSED"
        print(f"{'':>22} 32-32-32-32 in {seconds:.2f} s  (target < {CHECK_32:g} s: {shown})")
    return exponent


def command_sweep(widths: tuple[int, ...], limit: float) -> None:
    """derive --wrt all --to tex as a command; the largest size near COMMAND_PARAMETERS is tried last."""
    try:
        from symbackprop.derive.bounds import MAX_ALL_PARAMETERS
    except ImportError:
        MAX_ALL_PARAMETERS = None
    cap = f"; this checkout refuses --wrt all documents above {MAX_ALL_PARAMETERS:,}" if MAX_ALL_PARAMETERS else ""
    print(f"  symbackprop derive --layers=W,W,W,W --wrt all --to tex (a fresh process, wall time{cap})")
    points, stopped = [], False
    with tempfile.TemporaryDirectory() as work:
        for width in widths:
            size = f"{'-'.join([str(width)] * 4):>22} {parameters(width):7d}"
            if stopped and width != widths[-1]:
                continue  # past the limit once: only the largest size is still tried
            out = str(Path(work) / "all.tex")
            layers = ",".join([str(width)] * 4)
            command = [sys.executable, "-m", "symbackprop", "derive", f"--layers={layers}", "--wrt", "all"]
            start = time.perf_counter()
            try:
                seconds, status, last = command_seconds([*command, "--to", "tex", "-o", out], 1, work, timeout=limit)
            except TimeoutError:
                print(f"{size}   stopped past {limit:g} s", flush=True)
                stopped = True
                continue
            if status:
                why = last.removeprefix("symbackprop derive: error: ")[:100]
                print(f"{size} {time.perf_counter() - start:9.2f}  exit {status}: {why}", flush=True)
                continue
            points.append((parameters(width), seconds))
            print(f"{size} {seconds:9.2f}", flush=True)
    if len(points) >= 2:
        print(f"{'':>22} fitted exponent (start-up included): {fitted_exponent(points):.2f}")


def scaling_section(quick: bool) -> None:
    limit = 5.0 if quick else 60.0
    widths = (4, 8, 16, 32) if quick else (4, 8, 16, 32, 64)
    repeat = 1 if quick else 3
    print(f"\n3. derive and proof cost against parameters, depth 3 (seconds; cold; a size past {limit:g} s not run)")
    sweep("derive --wrt all", derive_all, widths, repeat, limit)
    sweep("check() of w_00^(1)", check_deepest, widths, 1, limit)
    near = int((COMMAND_PARAMETERS / 3) ** 0.5)  # the width of about 8,000 parameters at depth 3
    command_sweep((4, 8, 13, 16, 32, near) if not quick else (4, 8, near), limit)
