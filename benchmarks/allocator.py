"""What the C allocator costs the generated NumPy gradient: the same call timed in fresh processes as glibc's
malloc is left to itself, with freed memory kept for the next call, and with the gradients and the large
temporaries written into arrays kept across calls (``gradient_function(reuse=True)``).

glibc hands back to the system the memory a call freed at the top of its heap once more than its trim threshold
is free, and serves blocks above its mmap threshold by fresh mappings; either way the next call's arrays fault
their pages in again (and the kernel zeroes them). ``MALLOC_TRIM_THRESHOLD_`` and ``MALLOC_MMAP_THRESHOLD_``
(read by glibc when the process starts) raise both, so freed memory stays with the process. Each side runs in a
fresh process, one thread, OpenBLAS's own kernel; the lines give the best of 8 rounds of 10 calls
(``timing.per_call``), and the minor page faults a call took. The reusing function's gradients are checked
against the plain one's before timing.

    python3 benchmarks/allocator.py [784-128-64-10] [sigmoid+CE] [float64] [1024]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from timing import positional

HERE = Path(__file__).resolve().parent
KEEP = {"MALLOC_TRIM_THRESHOLD_": str(1 << 30), "MALLOC_MMAP_THRESHOLD_": str(1 << 26)}

CHILD = """
import resource, sys
sys.path[:0] = [{here!r}, {root!r}]
import gradient_code, numpy
from timing import per_call
layers = tuple(int(w) for w in {layers!r}.split("-"))
case = gradient_code.Case(layers, {pair!r})
x, y, w, b = gradient_code.inputs(layers, {batch}, {dtype!r})
f = case.network().gradient_function(check=False)
if {buffers!r}:
    reusing = case.network().gradient_function(check=False, reuse=True)
    reusing(x, y, w, b)  # the first call makes the kept arrays; the later ones, timed, compute into them
    kept, plain = reusing(x, y, w, b), f(x, y, w, b)
    assert kept[0] == plain[0]
    assert all(numpy.array_equal(k, p) for k, p in zip(kept[1] + kept[2], plain[1] + plain[2]))
    f = reusing
f(x, y, w, b)
start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
best = per_call({{"f": lambda: f(x, y, w, b)}}, 10, rounds=8, pause=0.0)["f"]
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start) / 80
print(f"{{best * 1e3:.2f}} {{faults:.0f}}")
"""


def run(args: list[str], keep: bool, buffers: bool = False) -> tuple[float, float]:
    """(ms per call, minor faults per call) of a fresh process, glibc's malloc as it is or keeping freed memory,
    the generated function as it is or with reuse=True."""
    layers, pair, dtype, batch = args
    code = CHILD.format(
        here=str(HERE), root=str(HERE.parent), layers=layers, pair=pair, dtype=dtype, batch=batch, buffers=buffers
    )
    env = {k: v for k, v in os.environ.items() if k not in KEEP and k != "OPENBLAS_CORETYPE"}
    env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", **(KEEP if keep else {})})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    ms, faults = out.stdout.split()
    return float(ms), float(faults)


def main() -> None:
    args = positional(["784-128-64-10", "sigmoid+CE", "float64", "1024"])
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, inherited by the children
    print(f"{' '.join(args)}: ms per call, minor page faults per call (fresh processes, taking turns)")
    sides = {
        "glibc's malloc as it is": (False, False),
        "freed memory kept (MALLOC_*_THRESHOLD_)": (True, False),
        "reuse=True (gradients, temporaries kept)": (False, True),
    }
    for _ in range(3):
        for side, (keep, buffers) in sides.items():
            ms, faults = run(args, keep, buffers)
            print(f"  {side:42} {ms:8.2f} ms {faults:8.0f} faults")


if __name__ == "__main__":
    main()
