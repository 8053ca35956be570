"""The measurements behind three choices in the generated NumPy code, timed the same way side by side.

- Sigmoid: (1 + tanh(z/2)) / 2 worked in one buffer, against 1 / (1 + e^-z) in one buffer, and both written
  as plain expressions (a fresh array per operation), on a 1024 x 128 layer in float32 and float64.
- BP4 for one sample: Delta^T A as a matrix product with an inner dimension of 1 (matmul), as a broadcast
  product and as numpy.dot, which give the same numbers (the first layer of 784-128-64-10 and 784-512-512-10).
- Buffers: BP4 of 784-512-512-10's first layer into a new array each call, as the generated code writes it,
  against the same product written into one buffer reused across calls (``out=``), at batch 1, 64 and 1024:
  the issue asked for buffers reused where the caller allows; they would pay only if allocating the gradient
  cost time, and this measures whether it does.

    python3 benchmarks/kernels.py     # or section 7 of benchmarks/run.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as run.py's single_thread(), when run on its own
if __name__ == "__main__":
    os.environ.pop("OPENBLAS_CORETYPE", None)  # OpenBLAS's own kernel for the CPU, as run.py runs it

import time
from collections.abc import Callable

import numpy as np


def best(work: Callable[[], object], calls: int, rounds: int = 7) -> float:
    """Seconds per call: the best of ``rounds`` rounds of ``calls`` calls."""
    fastest = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            work()
        fastest = min(fastest, (time.perf_counter() - start) / calls)
    return fastest


def tanh_in_place(z: np.ndarray) -> np.ndarray:
    s = np.multiply(z, 0.5)
    np.tanh(s, out=s)
    s += 1.0
    s *= 0.5
    return s


def exp_in_place(z: np.ndarray) -> np.ndarray:
    s = np.negative(z)
    with np.errstate(over="ignore"):  # e^-z overflows to inf below z = -709 (float64): 1 / inf = 0, as it should
        np.exp(s, out=s)
    s += 1.0
    return np.divide(1.0, s, out=s)


def tanh_plain(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def exp_plain(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


FORMS = {
    "(1 + tanh(z/2))/2, one buffer (generated)": tanh_in_place,
    "1/(1 + exp(-z)), one buffer": exp_in_place,
    "(1 + tanh(z/2))/2, plain": tanh_plain,
    "1/(1 + exp(-z)), plain": exp_plain,
}


def sigmoid_section() -> None:
    print("\n7. activation forms: sigmoid of a 1024 x 128 layer (microseconds per call; ratio to the generated form)")
    z64 = np.random.default_rng(0).normal(0.0, 3.0, (1024, 128))
    for z in (z64, z64.astype(np.float32)):
        times = {name: best(lambda f=form, v=z: f(v), 50) for name, form in FORMS.items()}
        ours = times["(1 + tanh(z/2))/2, one buffer (generated)"]
        for name, t in times.items():
            assert np.allclose(FORMS[name](z), tanh_plain(z), rtol=1e-5, atol=1e-6)
            print(f"  {z.dtype.name:8} {name:44} {t * 1e6:8.1f} {t / ours:6.2f}")


def outer_product_section() -> None:
    print("\nBP4 for one sample, Delta^T A of a 784-input network's first layer (microseconds per call)")
    rng = np.random.default_rng(0)
    for width in (128, 512):
        for dtype in (np.float64, np.float32):
            delta, a = rng.normal(size=(1, width)).astype(dtype), rng.normal(size=(1, 784)).astype(dtype)
            assert np.array_equal(delta.T @ a, np.dot(delta.T, a))  # the same numbers: one product each
            assert np.array_equal(delta.T @ a, delta.T * a)
            times = {
                "matmul": best(lambda d=delta, x=a: d.T @ x, 300),
                "broadcast": best(lambda d=delta, x=a: d.T * x, 300),
                "numpy.dot (generated)": best(lambda d=delta, x=a: np.dot(d.T, x), 300),
            }
            ours = times["numpy.dot (generated)"]
            shown = "   ".join(f"{name} {t * 1e6:7.1f} ({t / ours:4.2f})" for name, t in times.items())
            print(f"  {width:4d} x 784 {np.dtype(dtype).name:8} {shown}")


def turns(works: dict[str, Callable[[], object]], calls: int, rounds: int = 9) -> dict[str, float]:
    """Seconds per call of each work, the best of ``rounds`` rounds, the works taking turns round by round."""
    fastest = dict.fromkeys(works, float("inf"))
    for r in range(rounds):
        names = list(works)[r % len(works) :] + list(works)[: r % len(works)]
        for name in names:
            fastest[name] = min(fastest[name], best(works[name], calls, rounds=1))
    return fastest


def _into_new_and_reused(delta: np.ndarray, a: np.ndarray) -> tuple[Callable[[], object], Callable[[], object]]:
    """BP4, Delta^T A, into a new array (the generated form: numpy.dot for one sample, @ otherwise) and into one
    buffer reused across calls, which must hold the same numbers."""
    buffer = np.empty((delta.shape[1], a.shape[1]), delta.dtype)
    if delta.shape[0] == 1:
        new, reused = (lambda: np.dot(delta.T, a)), (lambda: np.dot(delta.T, a, out=buffer))
    else:
        new, reused = (lambda: delta.T @ a), (lambda: np.matmul(delta.T, a, out=buffer))
    reused()
    assert np.array_equal(new(), buffer)  # the same numbers either way
    return new, reused


def buffer_section() -> None:
    print("\nBP4 of 784-512-512-10's first layer, into a new array or into a reused buffer (us per call; ratio)")
    rng = np.random.default_rng(0)
    for batch in (1, 64, 1024):
        for dtype in (np.float64, np.float32):
            delta, a = rng.normal(size=(batch, 512)).astype(dtype), rng.normal(size=(batch, 784)).astype(dtype)
            new, reused = _into_new_and_reused(delta, a)
            calls = max(1, round(0.02 / max(best(new, 1, rounds=3), 1e-7)))
            times = turns({"new array (generated)": new, "reused buffer": reused}, calls)
            ours = times["new array (generated)"]
            shown = "   ".join(f"{name} {t * 1e6:8.1f} ({t / ours:4.2f})" for name, t in times.items())
            print(f"  batch {batch:5d} {np.dtype(dtype).name:8} {shown}")


def main() -> None:
    sigmoid_section()
    outer_product_section()
    buffer_section()


if __name__ == "__main__":
    main()
