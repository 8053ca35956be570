"""Speed of training runs (symbackprop.numeric.training.train) against hand-written NumPy and PyTorch.

    python3 benchmarks/training.py            # the full run
    python3 benchmarks/training.py --quick    # fewer rounds, well under a minute

The issue's target: 10,000 steps of a 2-2-2 network in under a second. Each case runs the same training three
ways in one process, one thread for every library (OMP/OpenBLAS/MKL variables set before NumPy is imported,
torch.set_num_threads(1)):

1. example:mazur (2-2-2 sigmoid, half_sse, one shared bias per layer held fixed, learning rate 0.5, one
   sample), 10,000 steps of plain gradient descent; 2. the same with Adam (torch's defaults);
3. a 784-128-64-10 sigmoid/softmax network, cross_entropy, batch 64, 100 steps of sgd, every bias trained, at
   random_values(net, samples=64, seed=0) with learning rate 0.1.

symbackprop = train(net, values, Training(...)); numpy = the loop written out by hand below (forward, cost,
backward, update); torch = float64 leaves, torch.optim.SGD / Adam, loss.backward(). Every side records the mean
cost before each step and after the last, as train's trajectory does. Before anything is timed, the three final
parameters and trajectories must agree to 1e-8 (relative), so the times are of the same computation. Timed runs
are warm and take turns round by round; the best round counts (benchmarks/timing.py's per_call).
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_name] = "1"  # before NumPy (and its BLAS) is imported
os.environ.pop("OPENBLAS_CORETYPE", None)  # OpenBLAS's own kernel for the CPU, as PyTorch picks its own (run.py)

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import per_call  # noqa: E402

from symbackprop.model.network import Network  # noqa: E402
from symbackprop.model.spec import Values  # noqa: E402
from symbackprop.model.training import Training  # noqa: E402
from symbackprop.numeric.numbers import random_values  # noqa: E402
from symbackprop.numeric.training import train  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:
    torch = None

TOLERANCE = 1e-8  # relative, on every final parameter and every cost of the trajectory
Result = tuple[np.ndarray, list[np.ndarray]]  # (trajectory, final parameters: weights then trained biases)


def hand_numpy(values: Values, training: Training, softmax: bool) -> Result:
    """The run written out: sigmoid layers (softmax last for cross_entropy, else sigmoid with half_sse)."""
    x, y, rate, n = values.x, values.y, values.learning_rate, values.x.shape[0]
    ws = [w.copy() for w in values.weights]
    bs = [b.copy() for b in values.biases]
    params = ws + (bs if training.update_biases else [])
    shared = [b.shape == (1,) and w.shape[0] > 1 for w, b in zip(ws, bs, strict=True)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = training.beta1, training.beta2, training.eps
    trajectory = np.empty(training.steps + 1)
    for step in range(training.steps + 1):
        outs = [x]
        for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
            z = outs[-1] @ w.T + b
            if softmax and i == len(ws) - 1:
                e = np.exp(z - z.max(axis=1, keepdims=True))
                outs.append(e / e.sum(axis=1, keepdims=True))
            else:
                outs.append(1.0 / (1.0 + np.exp(-z)))
        a = outs[-1]
        if softmax:
            trajectory[step] = -np.sum(y * np.log(a)) / n
            delta = a * y.sum(axis=1, keepdims=True) - y
        else:
            trajectory[step] = 0.5 * np.sum((a - y) ** 2) / n
            delta = (a - y) * a * (1.0 - a)
        if step == training.steps:
            break
        gw, gb = [np.empty(0)] * len(ws), [np.empty(0)] * len(ws)
        for i in range(len(ws) - 1, -1, -1):
            gw[i] = delta.T @ outs[i] / n
            gb[i] = delta.mean(axis=0)
            if shared[i]:
                gb[i] = np.array([gb[i].sum()])
            if i:
                delta = (delta @ ws[i]) * outs[i] * (1.0 - outs[i])
        grads = gw + (gb if training.update_biases else [])
        if training.optimizer == "sgd":
            for p, g in zip(params, grads, strict=True):
                p -= rate * g
            continue
        t = step + 1
        for p, g, mi, vi in zip(params, grads, m, v, strict=True):
            mi *= b1
            mi += (1 - b1) * g
            vi *= b2
            vi += (1 - b2) * g * g
            p -= rate / (1 - b1**t) * mi / (np.sqrt(vi) / np.sqrt(1 - b2**t) + eps)
    return trajectory, params


def pytorch(values: Values, training: Training, softmax: bool) -> Result:
    """The run as PyTorch users write it: leaves with requires_grad, torch.optim, loss.backward()."""
    x, y, n = torch.from_numpy(values.x), torch.from_numpy(values.y), values.x.shape[0]
    ws = [torch.tensor(w, requires_grad=True) for w in values.weights]
    bs = [torch.tensor(b, requires_grad=training.update_biases) for b in values.biases]
    params = ws + (bs if training.update_biases else [])
    if training.optimizer == "sgd":
        optimizer = torch.optim.SGD(params, lr=values.learning_rate)
    else:
        betas = (training.beta1, training.beta2)
        optimizer = torch.optim.Adam(params, lr=values.learning_rate, betas=betas, eps=training.eps)

    def cost() -> torch.Tensor:
        a = x
        for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
            z = a @ w.T + b
            if softmax and i == len(ws) - 1:
                return -(y * torch.log_softmax(z, dim=1)).sum() / n
            a = torch.sigmoid(z)
        return 0.5 * ((a - y) ** 2).sum() / n

    trajectory = np.empty(training.steps + 1)
    for step in range(training.steps):
        optimizer.zero_grad()
        loss = cost()
        trajectory[step] = loss.item()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        trajectory[-1] = cost().item()
    return trajectory, [p.detach().numpy() for p in params]


def symbackprop(net: Network, values: Values, training: Training) -> Result:
    run = train(net, values, training)
    last = run.last
    return run.trajectory, list(last.weights) + (list(last.biases) if training.update_biases else [])


def check(name: str, ours: Result, theirs: Result) -> float:
    """The two runs' trajectories and final parameters agree to TOLERANCE before either is timed: the worst."""
    pairs = [(ours[0], theirs[0]), *zip(ours[1], theirs[1], strict=True)]
    worst = max(float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0))) for a, b in pairs)
    if not worst <= TOLERANCE:
        sys.exit(f"{name} disagrees with symbackprop by {worst:.1e} (relative): not the same computation")
    return worst


def cases() -> list[tuple[str, Network, Values, Training, bool]]:
    mazur = Network.from_toml("example:mazur")
    big = Network(layers=[784, 128, 64, 10], activation=["sigmoid", "sigmoid", "softmax"], cost="cross_entropy")
    big_values = dataclasses.replace(random_values(big, samples=64, seed=0), learning_rate=0.1)
    return [
        ("2-2-2 sgd, 10,000 steps", mazur, mazur.spec.values, Training(steps=10_000, update_biases=False), False),
        ("2-2-2 adam, 10,000 steps", mazur, mazur.spec.values, Training(10_000, "adam", update_biases=False), False),
        ("784-128-64-10 sgd, b64, 100", big, big_values, Training(steps=100), True),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    args = parser.parse_args()
    rounds = 3 if args.quick else 7
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores; load average {load}; one thread per library")
    versions = f"NumPy {np.__version__}"
    print(versions + (f", PyTorch {torch.__version__}" if torch else ", PyTorch not installed: no torch column"))
    mazur = Network.from_toml("example:mazur")
    start = time.perf_counter()
    train(mazur, mazur.spec.values, Training(steps=10_000, update_biases=False))
    print(
        f"first train() of 10,000 mazur steps in this process (cold: cost derivative lambdified): "
        f"{time.perf_counter() - start:.3f} s"
    )
    print(f"\nseconds per run, best of {rounds} warm rounds taking turns; ratio = symbackprop / other;")
    print("agree to = the largest relative difference of a final parameter or cost from symbackprop's")
    print(f"{'case':>28} {'symbackprop':>11} {'numpy':>8} {'ratio':>6} {'torch':>8} {'ratio':>6} {'agree to':>10}")
    for name, net, values, training, softmax in cases():
        works = {"sbp": lambda: symbackprop(net, values, training)}  # noqa: B023
        works["numpy"] = lambda: hand_numpy(values, training, softmax)  # noqa: B023
        if torch is not None:
            works["torch"] = lambda: pytorch(values, training, softmax)  # noqa: B023
        reference = works["sbp"]()
        worst = max(check(other, reference, works[other]()) for other in list(works)[1:])
        t = per_call(works, calls=1, rounds=rounds)
        line = f"{name:>28} {t['sbp']:11.3f} {t['numpy']:8.3f} {t['sbp'] / t['numpy']:6.2f}"
        line += f" {t['torch']:8.3f} {t['sbp'] / t['torch']:6.2f}" if "torch" in t else f" {'-':>8} {'':>6}"
        print(line + f" {worst:10.1e}", flush=True)
        if name.startswith("2-2-2 sgd"):
            print(f"{'':>28} target: under 1 s, {'met' if t['sbp'] < 1.0 else 'MISSED'}")


if __name__ == "__main__":
    main()
