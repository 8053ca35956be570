"""Speed of the engine, as ratios against references measured in the same run.

    python benchmarks/run.py            # the full run
    python benchmarks/run.py --quick    # under a minute

1. Deriving every weight and bias gradient symbolically, against naive SymPy: sympy.diff of
   the fully composed cost, parameter by parameter (stopped after a time limit).
2. The generated gradient code (Network.gradient_function, from the matrix form) on a
   784-128-64-10 sigmoid network, against a hand-written NumPy backward pass (reference.py)
   and PyTorch's CPU autograd where torch is installed.
3. Call latency on a 2-3-2 network, batch 1: generated code, hand-written NumPy, and the
   element-by-element lambdified formulas that evaluate and gradcheck use.
4. Wall time of derive --to tex and --to pdf for the source texts' networks, and --wrt all.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

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


def engine_derivation(layers: list[int]) -> tuple[float, int]:
    """Seconds to derive every weight and bias of a fresh network, and the results' size in distinct nodes."""
    net = sbp.Network(layers=layers, activation="sigmoid", cost="sse")
    results: list[sp.Expr] = []
    took = timed(lambda: results.extend(net.derive(r).result for r in net.parameters()))
    return took, dag_size(results)


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
            naive = naive_sympy(layers, limit) if naive_on else None
            naive_on = naive is not None
            shown = f"{naive:9.3f} {naive / ours:8.1f}" if naive is not None else f"{'-':>9} {'':>8}"
            print(f"{'-'.join(map(str, layers)):>28} {params:7d} {ours:9.3f} {nodes:9d} {shown}")
        timed_points = [(p, t) for p, t in points if t > 0.02]
        if len(timed_points) >= 2:
            print(f"{'':>28} fitted exponent of engine time in parameters: {fitted_exponent(timed_points):.2f}")


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


def per_call(work, calls: int, rounds: int = 5) -> float:
    """Seconds per call: the best of ``rounds`` runs of ``calls`` calls."""
    return timed(lambda: [work() for _ in range(calls)], repeat=rounds) / calls


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


def generated_section(quick: bool) -> None:
    print("\n2. gradient of the mean cost, 784-128-64-10 sigmoid, sse, float64 (seconds per call)")
    net = sbp.Network(layers=[784, 128, 64, 10], activation="sigmoid", cost="sse")
    ours, torch_grad = net.gradient_function(), torch_gradient()
    print(f"{'batch':>6} {'generated':>10} {'numpy':>10} {'ratio':>7} {'torch':>10} {'ratio':>7}")
    for batch, calls in ((1, 300 if quick else 2000), (64, 60 if quick else 300), (1024, 8 if quick else 30)):
        x, y, w, b = mnist_values(batch)
        cost, grads, _ = ours(x, y, w, b)
        ref_cost, ref_grads, _ = reference.gradient(x, y, w, b)
        assert np.isclose(cost, ref_cost) and all(np.allclose(g, r) for g, r in zip(grads, ref_grads, strict=True))
        t_ours = per_call(lambda: ours(x, y, w, b), calls)  # noqa: B023 (timed inside the loop)
        t_hand = per_call(lambda: reference.gradient(x, y, w, b), calls)  # noqa: B023
        line = f"{batch:6d} {t_ours:10.2e} {t_hand:10.2e} {t_ours / t_hand:7.2f}"
        if torch_grad is None:
            line += f" {'torch not installed':>18}"
        else:
            t_torch = per_call(lambda: torch_grad(x, y, w, b), calls)  # noqa: B023
            line += f" {t_torch:10.2e} {t_ours / t_torch:7.2f}"
        print(line)


def latency_section(quick: bool) -> None:
    print("\n3. call latency, 2-3-2 sigmoid, sse, batch 1 (seconds per call; ratio = x / hand-written NumPy)")
    net = sbp.Network(layers=[2, 3, 2], activation="sigmoid", cost="sse")
    values = numeric.random_values(net, samples=1, seed=1)
    w, b = list(values.weights), list(values.biases)
    calls = 500 if quick else 5000
    hand = per_call(lambda: reference.gradient(values.x, values.y, w, b), calls)
    ours = net.gradient_function()
    generated = per_call(lambda: ours(values.x, values.y, w, b), calls)
    elements = numeric.gradient_of_mean_cost(net)
    element = per_call(lambda: elements(values), calls // 10)
    print(f"{'hand-written NumPy':>28} {hand:10.2e}")
    print(f"{'generated code':>28} {generated:10.2e} {generated / hand:7.2f}")
    print(f"{'element formulas (lambdify)':>28} {element:10.2e} {element / hand:7.2f}")


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
            done = subprocess.run(command, capture_output=True, text=True, cwd=work)
            took = time.perf_counter() - start
            status = f"{took:8.2f}" if done.returncode == 0 else "  failed: " + done.stderr.strip()[:60]
            print(f"{spec:>20} {wrt:>16} {fmt:>4} {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only, under a minute")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    symbolic_section(args.quick)
    generated_section(args.quick)
    latency_section(args.quick)
    document_section(args.quick)


if __name__ == "__main__":
    main()
