"""Speed of the engine and of its generated code, as ratios against references measured in the same run.

    python3 benchmarks/run.py            # the full run
    python3 benchmarks/run.py --quick    # about two minutes: fewer rounds, smaller sweeps
    python3 benchmarks/run.py --only 1,2 # some sections only
    python3 benchmarks/run.py --keep-openblas-coretype  # NumPy's OpenBLAS on the caller's OPENBLAS_CORETYPE

1. gradient code (gradient_code.py): the generated NumPy, PyTorch and JAX code against hand-written NumPy
   (reference.py), PyTorch eager, torch.compile and JAX jit (frameworks.py), float32 and float64, batch 1, 64
   and 1024, on the issue's networks; each checked against the hand-written NumPy before it is timed.
2. fraction of the single-thread peak matmul rate reached at batch 1024 (matmul_peak.py).
3. derive --wrt all and check() against network size, with fitted exponents (symbolic_scaling.py).
4. the engine against naive sympy.diff, both cold and both warm, each in a fresh process (naive_sympy.py).
5. command start-up as a ratio to `python3 -c pass` and `python3 -c "import sympy"` (command_times.py).
6. wall time of derive --to tex and --to pdf documents (command_times.py).
7. the measurements behind the generated NumPy's sigmoid form, one sample's BP4 and its fresh gradient
   arrays (kernels.py).
8. the generated vectorised NumPy gradient of a small CNN and of an RNN against PyTorch CPU autograd at batch 64,
   float64 and float32, as ratios (layer_code.py).

Every library runs on one thread: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and
XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" are set below before NumPy or JAX
is imported (they read them once, when they load), and torch.set_num_threads(1). OpenBLAS picks its kernel for
the CPU, as XLA and PyTorch pick theirs: the caller's OPENBLAS_CORETYPE, which would name another, is removed
before NumPy is imported and from the commands the run starts (--keep-openblas-coretype keeps it); the header
prints the kernel in use. The checkout this file is in goes first on sys.path, whatever PYTHONPATH says, and the
commands run it too.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import timing  # noqa: E402

KEEP_CORETYPE = "--keep-openblas-coretype"
timing.single_thread(KEEP_CORETYPE in sys.argv[1:])  # before anything imports NumPy, PyTorch or JAX

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

SECTIONS = ("1", "2", "3", "4", "5", "6", "7", "8")


def header() -> None:
    import jax
    import numpy as np
    import openblas
    import sympy
    import torch

    torch.set_num_threads(1)
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores; load average {load} (other work on the machine slows every column alike)")
    print(f"NumPy {np.__version__}, SymPy {sympy.__version__}, PyTorch {torch.__version__}, JAX {jax.__version__}")
    print(
        f"one thread each: torch {torch.get_num_threads()}; "
        + ", ".join(f"{k}={v}" for k, v in timing.ONE_THREAD.items())
    )
    print(f"NumPy's BLAS: {openblas.blas_kernel()}, {timing.coretype_note()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller sweeps: about two minutes")
    parser.add_argument(
        KEEP_CORETYPE,
        action="store_true",
        help="run NumPy's OpenBLAS on the kernel the caller's OPENBLAS_CORETYPE names (default: removed, so "
        "OpenBLAS picks the kernel for the CPU, as XLA and PyTorch do)",
    )
    parser.add_argument("--only", default=",".join(SECTIONS), help="the sections to run, e.g. 1,2 (default: all)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if not only <= set(SECTIONS):
        parser.error(f"--only: sections are {', '.join(SECTIONS)}; got {args.only!r}")
    if "2" in only:
        only.add("1")  # the peak fractions are of section 1's times
    start = time.perf_counter()
    header()
    import command_times
    import gradient_code
    import kernels
    import layer_code
    import matmul_peak
    import naive_sympy
    import symbolic_scaling

    cells = gradient_code.gradient_section(args.quick, peak="2" in only) if "1" in only else []
    if "2" in only:
        matmul_peak.peak_section(cells)
    if "3" in only:
        symbolic_scaling.scaling_section(args.quick)
    if "4" in only:
        naive_sympy.naive_section(args.quick)
    if "5" in only:
        command_times.startup_section(args.quick)
    if "6" in only:
        command_times.document_section(args.quick)
    if "7" in only:
        kernels.main()
    if "8" in only:
        layer_code.layer_code_section(args.quick)
    print(f"\nthe whole run: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
