"""How every benchmark times its work: one thread per library, calls taking turns, commands as fresh processes.

``single_thread()`` must run before NumPy, PyTorch or JAX is imported: BLAS and XLA read their thread
counts once, when they load, and OpenBLAS its kernel (``OPENBLAS_CORETYPE``, removed unless kept). A ratio is
only ever taken between numbers of one run, timed by the same function here.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAUSE = 0.2  # seconds between timed turns: OpenMP and BLAS worker threads stop spinning within it
CHECKOUT = {**os.environ, "PYTHONPATH": str(ROOT)}  # commands run this checkout, whatever the caller's PYTHONPATH

ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
}
CORETYPE = "OPENBLAS_CORETYPE"  # names the kernel OpenBLAS runs instead of the one it would pick for the CPU
CALLER_CORETYPE: str | None = None  # the caller's OPENBLAS_CORETYPE, as single_thread() found it


def single_thread(keep_coretype: bool = False) -> None:
    """One thread for NumPy's BLAS and for XLA, set in the environment before either library is imported
    (each reads it once, when it loads); PyTorch is set by ``torch.set_num_threads(1)`` where it is imported.

    The caller's ``OPENBLAS_CORETYPE`` is removed, here and from the commands the run starts, unless
    ``keep_coretype``: OpenBLAS then picks its kernel for the CPU, as XLA and PyTorch pick theirs (a kernel
    named for another CPU ran NumPy's products at half speed on an AVX-512 machine: openblas.py)."""
    global CALLER_CORETYPE
    already = [name for name in ("numpy", "jax", "torch") if name in sys.modules]
    if already:
        raise RuntimeError(f"single_thread() after {', '.join(already)} was imported: its thread count is fixed")
    os.environ.update(ONE_THREAD)
    CHECKOUT.update(ONE_THREAD)
    CALLER_CORETYPE = os.environ.get(CORETYPE)
    if not keep_coretype:
        os.environ.pop(CORETYPE, None)
        CHECKOUT.pop(CORETYPE, None)
    # XLA's CPU client starts threads of its own whatever XLA_FLAGS says (measured: 1.9 cores busy on one jitted
    # matmul): one core for this process and the commands it starts holds every library to one thread.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def coretype_note() -> str:
    """Whose choice the OpenBLAS kernel is, for the header: OpenBLAS's own, or the caller's kept."""
    if CALLER_CORETYPE is None:
        return f"OpenBLAS's choice for this CPU ({CORETYPE} not set)"
    if os.environ.get(CORETYPE) == CALLER_CORETYPE:
        return f"the caller's {CORETYPE}={CALLER_CORETYPE}, kept by --keep-openblas-coretype"
    return (
        f"OpenBLAS's choice for this CPU, as XLA and PyTorch choose theirs: the caller's "
        f"{CORETYPE}={CALLER_CORETYPE} removed (--keep-openblas-coretype keeps it)"
    )


def timed(work: Callable[[], object], repeat: int = 1) -> float:
    """The best of ``repeat`` wall times of ``work()``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def per_call(
    works: dict[str, Callable[[], object]], calls: int | dict[str, int], rounds: int = 7, pause: float = PAUSE
) -> dict[str, float]:
    """Seconds per call of each work: the best of ``rounds`` rounds of ``calls`` calls (one count for all, or one
    per work), the works taking turns round by round (each round starting with the next one, after a pause, so
    that no work always runs while another library's worker threads are still spinning), so a busy machine slows
    every one of them alike."""
    counts = calls if isinstance(calls, dict) else dict.fromkeys(works, calls)
    best = dict.fromkeys(works, float("inf"))
    names = list(works)
    gc.collect()
    gc.disable()  # as timeit does: a collection of earlier sections' SymPy objects is not the code's time
    try:
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                if pause:
                    time.sleep(pause)
                work, n = works[name], counts[name]
                best[name] = min(best[name], timed(lambda w=work, n=n: _calls(w, n)) / n)
    finally:
        gc.enable()
    return best


def _calls(work: Callable[[], object], n: int) -> None:
    """``work()`` ``n`` times, each result dropped before the next call, as ``timeit`` and a training loop do.

    Keeping every result alive (a list of them) made each call write its gradients to memory no call had
    touched: 784-512-512-10's batch-1 gradients take 2.7 MB (float32) to 5.3 MB (float64), and section 1's
    generated NumPy measured 266 and 702 us a call with the list, 152 and 263 us with each result dropped
    (docs/benchmarks.md), a cost of the list, not of the code."""
    for _ in range(n):
        work()


def positional(defaults: list[str]) -> list[str]:
    """The command line's positional arguments, each one not given taken from ``defaults`` (as many as they)."""
    given = sys.argv[1 : 1 + len(defaults)]
    return given + defaults[len(given) :]


def calls_for(work: Callable[[], object], seconds: float) -> int:
    """How many calls of ``work`` fill about ``seconds`` (at least one), from one more call timed now."""
    return max(1, round(seconds / max(timed(work), 1e-7)))


def fitted_exponent(points: Sequence[tuple[float, float]]) -> float:
    """The least-squares slope of log(time) against log(size): 1 is linear growth."""
    import numpy as np

    xs, ys = np.log([p for p, _ in points]), np.log([t for _, t in points])
    return float(np.polyfit(xs, ys, 1)[0])


def command_seconds(
    arguments: Sequence[str], repeat: int, cwd: Path | str | None = None, timeout: float | None = None
) -> tuple[float, int, str]:
    """The best wall time of ``repeat`` runs of a command (a fresh process each: the interpreter's start and the
    imports included), its exit status and the last line it wrote to standard error; TimeoutError past
    ``timeout`` seconds (the process is killed)."""
    best, done = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            done = subprocess.run(
                list(arguments), capture_output=True, text=True, cwd=cwd, env=CHECKOUT, timeout=timeout
            )
        except subprocess.TimeoutExpired as error:
            raise TimeoutError(f"{' '.join(arguments)} ran past {timeout:g} s") from error
        best = min(best, time.perf_counter() - start)
    assert done is not None
    return best, done.returncode, (done.stderr.strip().splitlines() or [""])[-1]


def commands_seconds(
    commands: dict[str, Sequence[str]], repeat: int, cwd: Path | str | None = None
) -> dict[str, tuple[float, int, str]]:
    """``command_seconds`` of several commands taking turns run by run, so a busy machine slows each alike."""
    best: dict[str, tuple[float, int, str]] = {}
    for _ in range(repeat):
        for name, arguments in commands.items():
            took, status, last = command_seconds(arguments, 1, cwd)
            if name not in best or took < best[name][0]:
                best[name] = (took, status, last)
    return best


def verdict(ratio: float, target: float) -> str:
    """'<=1.05 met' or '<=1.05 MISSED'."""
    return f"<={target:g} {'met' if ratio <= target else 'MISSED'}"
