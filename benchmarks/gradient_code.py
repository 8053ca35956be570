"""Section 1: the generated gradient code of each backend against hand-written NumPy, PyTorch eager,
torch.compile and JAX jit, float32 and float64, batch 1, 64 and 1024, as ratios and against the issue's targets.

Every side is checked against the hand-written NumPy of the same dtype before it is timed (a float64 result of a
float32 call is cast to float32 and held to float32's tolerance); a side that fails its check, or fails to
compile, is not timed and says why. Timed calls take turns round by round and the best round counts
(``timing.per_call``); every library runs on one thread.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import frameworks
import matmul_peak
import numpy as np
import reference
from timing import calls_for, per_call, verdict

import symbackprop as sbp

PAIRS = {  # hidden activation, output activation, cost
    "sigmoid+sse": ("sigmoid", "sigmoid", "sse"),
    "relu+CE": ("relu", "softmax", "cross_entropy"),
    "sigmoid+CE": ("sigmoid", "sigmoid", "binary_cross_entropy"),
}
TOLERANCE = {"float32": 2e-3, "float64": 1e-9}  # the largest difference over the largest entry, per array
OTHERS = ("hand", "eager", "compile", "jit")
GENERATED = ("numpy", "reuse", "torch", "jax")  # reuse: the NumPy function with reuse=True
MINE = ("numpy", "reuse")  # the sides the targets are for: the generated NumPy, by default and reusing
TITLES = {
    "hand": "hand-written NumPy",
    "eager": "PyTorch eager",
    "compile": "torch.compile",
    "jit": "JAX jit",
    "numpy": "generated numpy",
    "reuse": "numpy reuse=True",
    "torch": "generated torch",
    "jax": "generated jax",
}


@dataclass(frozen=True)
class Case:
    """A network and cost of the issue's targets, at the batch sizes it is timed at."""

    layers: tuple[int, ...]
    pair: str
    batches: tuple[int, ...] = (1, 64, 1024)
    faster_than_frameworks: bool = True  # the "faster than PyTorch eager and JAX jit" applies

    @property
    def name(self) -> str:
        return f"{'-'.join(map(str, self.layers))} {self.pair}"

    def network(self) -> sbp.Network:
        hidden, output, cost = PAIRS[self.pair]
        activation = [hidden] * (len(self.layers) - 2) + [output]
        return sbp.Network(layers=list(self.layers), activation=activation, cost=cost)


CASES = (
    Case((784, 128, 64, 10), "sigmoid+sse"),
    Case((784, 128, 64, 10), "relu+CE"),
    Case((784, 128, 64, 10), "sigmoid+CE"),
    Case((784, 512, 512, 10), "relu+CE"),
    Case((2, 3, 2), "sigmoid+sse", batches=(1,), faster_than_frameworks=False),
)


@dataclass
class Cell:
    """One network, dtype and batch: seconds per call of every side timed, and why any other was not."""

    case: Case
    dtype: str
    batch: int
    seconds: dict[str, float] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    returned: dict[str, str] = field(default_factory=dict)  # the dtype each generated backend gave back


def inputs(layers: tuple[int, ...], batch: int, dtype: str, seed: int = 1):
    """x standard normal, y one-hot labels, weights scaled by 1/sqrt(fan-in), small biases; in ``dtype``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, layers[0]))
    y = np.eye(layers[-1])[rng.integers(layers[-1], size=batch)]
    weights = [rng.normal(0.0, 1.0 / math.sqrt(m), (n, m)) for m, n in itertools.pairwise(layers)]
    biases = [rng.normal(0.0, 0.1, n) for n in layers[1:]]
    cast = [np.ascontiguousarray(a, dtype=dtype) for a in (x, y, *weights, *biases)]
    depth = len(layers) - 1
    return cast[0], cast[1], cast[2 : 2 + depth], cast[2 + depth :]


def disagreement(result: frameworks.Result, truth: frameworks.Result, dtype: str) -> str | None:
    """Why ``result`` is not ``truth`` to the dtype's tolerance (results cast to the dtype first), or None."""
    tol = TOLERANCE[dtype]
    cost, gw, gb = result
    if not abs(cost - truth[0]) <= tol * max(abs(truth[0]), 1.0):
        return f"cost {cost:.6g}, hand-written {truth[0]:.6g}"
    for k, (g, r) in enumerate(zip([*gw, *gb], [*truth[1], *truth[2]], strict=True)):
        g = np.asarray(g).astype(dtype)
        if g.shape != r.shape:
            return f"gradient {k} shaped {g.shape}, hand-written {r.shape}"
        worst = float(np.max(np.abs(g - r))) / max(float(np.max(np.abs(r))), np.finfo(dtype).tiny)
        if not worst <= tol:
            return f"gradient {k} off by {worst:.1e} of its largest entry"
    return None


def _first_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0][:160]}"


class Sides:
    """The functions of one case, made once and bound to each cell's inputs."""

    def __init__(self, case: Case, compile_torch: bool) -> None:
        net = case.network()
        self.case = case
        self.hand = reference.GRADIENTS[case.pair]
        self.generated: dict[str, Callable | str] = {}
        for backend in GENERATED:
            try:
                self.generated[backend] = frameworks.generated_function(net, backend)
            except Exception as error:
                self.generated[backend] = _first_line(error)
        self.eager = frameworks.torch_eager(case.pair)
        self.compiled = frameworks.torch_compiled(case.pair) if compile_torch else None
        self.jit = frameworks.jax_jit(case.pair)

    def bound(self, x, y, w, b) -> dict[str, frameworks.Side | str]:
        pair = self.case.pair
        sides: dict[str, frameworks.Side | str] = {
            "hand": frameworks.numpy_side(self.hand, x, y, w, b),
            "eager": frameworks.torch_side(self.eager, pair, x, y, w, b),
            "compile": frameworks.torch_side(self.compiled, pair, x, y, w, b)
            if self.compiled
            else "--quick: first network only",
            "jit": frameworks.jax_side(self.jit, x, y, w, b),
        }
        for backend, function in self.generated.items():
            sides[backend] = (
                function if isinstance(function, str) else frameworks.generated_side(function, backend, x, y, w, b)
            )
        return sides


def measure(sides: Sides, dtype: str, batch: int, seconds: float, rounds: int, peak: bool = True) -> Cell:
    """Check every side against the hand-written NumPy, warm it, then time those that passed, taking turns; with
    ``peak``, a batch-1024 cell times section 2's square product in the same rounds."""
    cell = Cell(sides.case, dtype, batch)
    x, y, w, b = inputs(sides.case.layers, batch, dtype)
    bound = sides.bound(x, y, w, b)
    truth = bound["hand"].result()  # type: ignore[union-attr]
    works, calls = {}, {}
    for name, side in bound.items():
        if isinstance(side, str):
            cell.failed[name] = side
            continue
        try:
            side.call()  # the first call (it compiles torch.compile's and JAX's graphs), and a warm one
            result = side.result()  # the call that is timed: reuse=True's later calls compute into kept arrays
            why = disagreement(result, truth, dtype)
        except Exception as error:
            why = _first_line(error)
        if why:
            cell.failed[name] = why
            continue
        if name in GENERATED:
            cell.returned[name] = str(result[1][0].dtype)
        works[name], calls[name] = side.call, calls_for(side.call, seconds)
    if peak and batch == matmul_peak.BATCH:  # section 2's peak, timed in the same rounds as the sides it divides
        product = matmul_peak.square_product(dtype)
        works[matmul_peak.PEAK], calls[matmul_peak.PEAK] = product, calls_for(product, seconds)
    cell.seconds = per_call(works, calls, rounds=rounds, pause=0.0)  # one thread each: no workers to settle
    return cell


def targets(cell: Cell, side: str = "numpy") -> list[tuple[str, float, float]]:
    """(what, ratio, at most) of the issue's targets for the generated NumPy (``side``: "numpy", its default
    function, or "reuse", the same with reuse=True) in this cell."""
    t, out = cell.seconds, []
    if side not in t:
        return out
    if "hand" in t:
        out.append(("/hand", t[side] / t["hand"], 1.2 if cell.batch == 1 else 1.05))
    if cell.case.faster_than_frameworks:
        out += [(f"/{other}", t[side] / t[other], 1.0) for other in ("eager", "jit") if other in t]
    return out


def report(cells: list[Cell]) -> None:
    """One block per network and dtype: the other sides' seconds, then each generated backend's ratios."""
    head = f"{'batch':>6}  {'side':<17}{'seconds':>9}" + "".join(f"{'/' + o:>9}" for o in OTHERS)
    footnotes: list[str] = []
    for (case, dtype), group in itertools.groupby(cells, key=lambda c: (c.case, c.dtype)):
        print(f"\n  {case.name}, {dtype} (seconds per call; /x = generated seconds / x's seconds)")
        print(head + "  targets (generated numpy)")
        for cell in group:
            others = "".join(_seconds_or_note(cell, o, footnotes) for o in OTHERS)
            print(f"{cell.batch:6d}  {'other sides:':<17}{'':>9}{others}")
            for backend in GENERATED:
                print(_generated_line(cell, backend, footnotes))
    for k, note in enumerate(footnotes, 1):
        print(f"  [{k}] {note}")
    sys.stdout.flush()


def _seconds_or_note(cell: Cell, name: str, footnotes: list[str]) -> str:
    if name in cell.seconds:
        return f"{cell.seconds[name]:9.2e}"
    return f"{_footnote(cell, name, footnotes):>9}"


def _footnote(cell: Cell, name: str, footnotes: list[str]) -> str:
    note = f"{TITLES[name]}: {cell.failed.get(name, 'not timed')}"
    if note not in footnotes:
        footnotes.append(note)
    return f"[{footnotes.index(note) + 1}]"


def _generated_line(cell: Cell, backend: str, footnotes: list[str]) -> str:
    start = f"{'':6}  {TITLES[backend]:<17}"
    if backend not in cell.seconds:
        return start + f"{_footnote(cell, backend, footnotes):>9}"
    mine = cell.seconds[backend]
    ratios = "".join(f"{mine / cell.seconds[o]:9.2f}" if o in cell.seconds else f"{'-':>9}" for o in OTHERS)
    line = start + f"{mine:9.2e}{ratios}"
    if backend in MINE:
        line += "  " + ", ".join(f"{what} {verdict(ratio, most)}" for what, ratio, most in targets(cell, backend))
    if cell.returned.get(backend, cell.dtype) != cell.dtype:
        line += f"  (returns {cell.returned[backend]})"
    return line


def gradient_section(quick: bool, peak: bool = True) -> list[Cell]:
    """Section 1, every case; with ``peak``, the batch-1024 cells also time section 2's peak product."""
    print("\n1. gradient code: generated (net.gradient_function(backend=..., check=False)) against the others")
    print("   every side checked against hand-written NumPy of its dtype first; one thread each; best round of")
    print(f"   {3 if quick else 9} taking turns. targets: numpy/hand <= 1.2 at batch 1, <= 1.05 at 64 and 1024;")
    print("   numpy faster than PyTorch eager and JAX jit (ratio <= 1) on the 784-input networks; the same targets")
    print("   for 'numpy reuse=True' (gradient_function(reuse=True): gradients and large temporaries kept)")
    cells = []
    for index, case in enumerate(CASES):
        sides = Sides(case, compile_torch=not quick or index == 0)
        mine = [
            measure(sides, dtype, batch, 0.02 if quick else 0.1, 3 if quick else 9, peak)
            for dtype in ("float32", "float64")
            for batch in case.batches
        ]
        report(mine)  # as each network is done: the full run takes minutes
        cells += mine
    for side in MINE:
        met = [(c, t) for c in cells for t in targets(c, side)]
        missed = [f"{c.case.name} {c.dtype} b{c.batch} {side}{what} {r:.2f}" for c, (what, r, most) in met if r > most]
        print(f"\n  targets of section 1, {TITLES[side]}: {len(met) - len(missed)} of {len(met)} met")
        for line in missed:
            print(f"    MISSED {line}")
    return cells
