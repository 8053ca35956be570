"""Speed of the engine, as ratios against references measured in the same run.

    python benchmarks/run.py            # the full run
    python benchmarks/run.py --quick    # under a minute

1. Deriving every weight and bias gradient symbolically, against naive SymPy: sympy.diff of
   the fully composed cost, parameter by parameter (stopped after a time limit).
2. The generated gradient code (Network.gradient_function, from the matrix form) on a
   784-128-64-10 sigmoid network, against a hand-written NumPy backward pass (reference.py)
   and PyTorch's CPU autograd where torch is installed.
3. Call latency on a 2-3-2 network, batch 1: generated code, hand-written NumPy, PyTorch where
   installed, and the element-by-element lambdified formulas that evaluate and gradcheck use.

Timed calls take turns round by round and the best round counts, so another process busy on
the machine slows each side alike; a ratio is only ever taken between numbers of one run.
4. Wall time of derive --to tex and --to pdf for the source texts' networks, and --wrt all.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sympy as sp
from sympy.core.cache import clear_cache

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

import reference

import symbackprop as sbp
from symbackprop.numeric import numbers as numeric

PAUSE = 0.2  # seconds between timed turns: OpenMP and BLAS worker threads stop spinning within it
CHECKOUT = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}  # commands run this checkout


def timed(work, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def engine_derivation(layers: list[int], repeat: int = 3) -> tuple[float, int]:
    """Seconds to derive every weight and bias of a fresh network, the best of ``repeat`` cold runs (SymPy's
    cache cleared before each, so no run profits from an earlier one), and the results' size in distinct nodes."""
    best, results = float("inf"), []
    for _ in range(repeat):
        clear_cache()
        net = sbp.Network(layers=layers, activation="sigmoid", cost="sse")
        results = []
        best = min(best, timed(lambda net=net, out=results: out.extend(net.derive(r).result for r in net.parameters())))
    return best, dag_size(results)


def dag_size(exprs: list[sp.Expr]) -> int:
    """Distinct subexpressions: the size of the results as SymPy stores them, shared parts once."""
    seen: set[sp.Basic] = set()
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if e not in seen:
            seen.add(e)
            stack.extend(e.args)
    return len(seen)


def fitted_exponent(points: list[tuple[int, float]]) -> float:
    """The slope of log(time) against log(parameters): 1 is linear growth."""
    xs, ys = np.log([p for p, _ in points]), np.log([t for _, t in points])
    return float(np.polyfit(xs, ys, 1)[0])


def symbolic_section(quick: bool) -> None:
    limit = 5.0 if quick else 60.0
    print(f"\n1. symbolic gradients of every weight and bias (seconds; naive SymPy stopped past {limit:g} s)")
    sweeps = {
        "depth 1..12, width 4": [[4] * (d + 1) for d in range(1, 13)],
        "depth 1..12, width 8": [[8] * (d + 1) for d in range(1, 13)],
        "width 4..64, depth 3": [[w] * 4 for w in (4, 8, 16, 32, 64)],
    }
    if quick:
        sweeps = {
            "depth 1..6, width 4": [[4] * (d + 1) for d in range(1, 7)],
            "width 4..32, depth 3": [[w] * 4 for w in (4, 8, 16, 32)],
        }
    for title, sizes in sweeps.items():
        print(f"  {title}")
        print(f"{'layers':>28} {'params':>7} {'engine':>9} {'nodes':>9} {'naive':>9} {'ratio':>8}")
        points, naive_on = [], True
        for layers in sizes:
            params = len(sbp.Network(layers=layers).parameters())
            ours, nodes = engine_derivation(layers)
            points.append((params, ours))
            naive = naive_sympy(tuple(layers), limit) if naive_on else None
            naive_on = naive is not None
            shown = f"{naive:9.3f} {naive / ours:8.1f}" if naive is not None else f"{'-':>9} {'':>8}"
            print(f"{'-'.join(map(str, layers)):>28} {params:7d} {ours:9.3f} {nodes:9d} {shown}")
        timed_points = [(p, t) for p, t in points if t > 0.02]
        if len(timed_points) >= 2:
            print(f"{'':>28} fitted exponent of engine time in parameters: {fitted_exponent(timed_points):.2f}")


@functools.cache  # the sweeps share sizes: time each once
def naive_sympy(layers: tuple[int, ...], limit: float) -> float | None:
    """sympy.diff of the composed cost for every parameter; None when it passes ``limit`` seconds."""
    clear_cache()  # cold, as the engine's runs are
    net = sbp.Network(layers=list(layers), activation="sigmoid", cost="sse")
    start = time.perf_counter()
    cost = net.composed_cost(concrete=True)
    for ref in net.parameters():
        sp.diff(cost, net.symbol(ref))
        if time.perf_counter() - start > limit:
            return None
    return time.perf_counter() - start


def per_call(works: dict[str, Callable[[], object]], calls: int, rounds: int = 7) -> dict[str, float]:
    """Seconds per call of each work: the best of ``rounds`` rounds of ``calls`` calls, the works taking turns
    round by round (each round starting with the next one, after a pause, so that no work always runs while
    another library's worker threads are still spinning), so a busy machine slows every one of them alike."""
    best = dict.fromkeys(works, float("inf"))
    names = list(works)
    gc.collect()
    gc.disable()  # as timeit does: a collection of section 1's SymPy objects is not the code's time
    try:
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                time.sleep(PAUSE)
                best[name] = min(best[name], timed(lambda w=works[name]: [w() for _ in range(calls)]) / calls)
    finally:
        gc.enable()
    return best


def mnist_values(batch: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    layers = [784, 128, 64, 10]
    weights = [rng.normal(0.0, 0.1, (n, m)) for m, n in itertools.pairwise(layers)]
    biases = [rng.normal(0.0, 0.1, n) for n in layers[1:]]
    return rng.normal(size=(batch, 784)), rng.uniform(size=(batch, 10)), weights, biases


def torch_gradient():
    """PyTorch CPU autograd of the same mean sse cost, or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None

    def gradient(x, y, weights, biases):
        ws = [torch.tensor(w, requires_grad=True) for w in weights]
        bs = [torch.tensor(b, requires_grad=True) for b in biases]
        a = torch.tensor(x)
        for w, b in zip(ws, bs, strict=True):
            a = torch.sigmoid(a @ w.T + b)
        cost = ((a - torch.tensor(y)) ** 2).sum() / x.shape[0]
        cost.backward()
        return cost.item(), [w.grad for w in ws], [b.grad for b in bs]

    return gradient


TARGETS = {1: 2.0, 64: 1.2, 1024: 1.2}  # generated / hand-written NumPy, at most, by batch size


def generated_section(quick: bool) -> None:
    print("\n2. gradient of the mean cost, 784-128-64-10 sigmoid, sse, float64 (seconds per call)")
    print("   generated = Network.gradient_function(); numpy = benchmarks/reference.py; ratio = generated / other")
    net = sbp.Network(layers=[784, 128, 64, 10], activation="sigmoid", cost="sse")
    ours, torch_grad = net.gradient_function(), torch_gradient()
    print(f"{'batch':>6} {'generated':>10} {'numpy':>10} {'ratio':>7} {'target':>12} {'torch':>10} {'ratio':>7}")
    for batch, calls in ((1, 200 if quick else 500), (64, 40 if quick else 100), (1024, 4 if quick else 10)):
        x, y, w, b = mnist_values(batch)
        check_against_reference(ours, x, y, w, b)
        works = {"ours": lambda: ours(x, y, w, b), "hand": lambda: reference.gradient(x, y, w, b)}  # noqa: B023
        if torch_grad is not None:
            works["torch"] = lambda: torch_grad(x, y, w, b)  # noqa: B023
        t = per_call(works, calls, rounds=7 if quick else 15)
        ratio, target = t["ours"] / t["hand"], TARGETS[batch]
        verdict = "met" if ratio <= target else "MISSED"
        line = f"{batch:6d} {t['ours']:10.2e} {t['hand']:10.2e} {ratio:7.2f} {f'<={target:g} {verdict}':>12}"
        print(line + torch_columns(t))


def check_against_reference(ours, x, y, w, b) -> None:
    """The generated gradient and the hand-written one agree before either is timed."""
    cost, grads_w, grads_b = ours(x, y, w, b)
    ref_cost, ref_w, ref_b = reference.gradient(x, y, w, b)
    assert np.isclose(cost, ref_cost, rtol=1e-12)
    assert all(np.allclose(g, r, rtol=1e-10, atol=1e-14) for g, r in zip(grads_w + grads_b, ref_w + ref_b, strict=True))


def torch_columns(t: dict[str, float]) -> str:
    if "torch" not in t:
        return f" {'torch not installed':>18}"
    return f" {t['torch']:10.2e} {t['ours'] / t['torch']:7.2f}"


def latency_section(quick: bool) -> None:
    print("\n3. call latency, 2-3-2 sigmoid, sse, batch 1 (seconds per call; ratio = x / hand-written NumPy)")
    net = sbp.Network(layers=[2, 3, 2], activation="sigmoid", cost="sse")
    values = numeric.random_values(net, samples=1, seed=1)
    x, y, w, b = values.x, values.y, list(values.weights), list(values.biases)
    ours, elements, torch_grad = net.gradient_function(), numeric.gradient_of_mean_cost(net), torch_gradient()
    check_against_reference(ours, x, y, w, b)
    calls = 500 if quick else 5000
    works = {"hand": lambda: reference.gradient(x, y, w, b), "ours": lambda: ours(x, y, w, b)}
    if torch_grad is not None:
        works["torch"] = lambda: torch_grad(x, y, w, b)
    t = per_call(works, calls)
    t["element"] = per_call({"element": lambda: elements(values)}, max(calls // 10, 1), rounds=3)["element"]
    print(f"{'hand-written NumPy':>28} {t['hand']:10.2e}")
    print(f"{'generated code':>28} {t['ours']:10.2e} {t['ours'] / t['hand']:7.2f}  (target <= 2)")
    print(f"{'element formulas (lambdify)':>28} {t['element']:10.2e} {t['element'] / t['hand']:7.2f}")
    if "torch" in t:
        print(f"{'PyTorch CPU autograd':>28} {t['torch']:10.2e} {t['torch'] / t['hand']:7.2f}")
    else:
        print(f"{'PyTorch CPU autograd':>28} torch not installed")


def document_section(quick: bool) -> None:
    print("\n4. documents: wall time of the command (seconds)")
    jobs = [
        ("example:3b1b", "w^{(L-1)}", "tex"),
        ("example:deeplizard", "w_{22}^{(L-1)}", "tex"),
        ("example:3b1b", "w^{(L-1)}", "pdf"),
        ("example:deeplizard", "w_{22}^{(L-1)}", "pdf"),
        ("--layers=4,8,8,3", "all", "tex"),
    ]
    if not quick:
        jobs.append(("--layers=4,8,8,3", "all", "pdf"))
    with tempfile.TemporaryDirectory() as work:
        for spec, wrt, fmt in jobs:
            out = Path(work) / f"out.{fmt}"
            command = [sys.executable, "-m", "symbackprop", "derive", spec, "--wrt", wrt, "--to", fmt, "-o", str(out)]
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=work, env=CHECKOUT)
            took = time.perf_counter() - start
            status = f"{took:8.2f}" if done.returncode == 0 else "  failed: " + done.stderr.strip()[:60]
            print(f"{spec:>20} {wrt:>16} {fmt:>4} {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only, under a minute")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores; load average {load} (other work on the machine slows every column alike)")
    symbolic_section(args.quick)
    generated_section(args.quick)
    latency_section(args.quick)
    document_section(args.quick)


if __name__ == "__main__":
    main()
