"""Section 2: the fraction of the machine's single-thread peak matmul rate the generated NumPy reaches.

The peak, per precision, is the rate of a 1024 x 1024 @ 1024 x 1024 product (2 n^3 flops), timed in section 1
as one more side of each batch-1024 cell: its rounds take turns with the gradients' and its best round counts,
as theirs do, so the peak and the rate it divides are measured the same way at the same time (a peak taken as
the best single product of its own, later, was a luckier measurement than a round's mean and measured a
machine whose speed had moved since). The generated code's rate counts the flops of the matrix products it
computes, 2 m n k each: per layer the forward A^(l-1) W^(l)T and the backward Delta^(l)T A^(l-1), and
Delta^(l) W^(l) for every layer but the first (no delta is needed below it), over its seconds per call.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gradient_code import Cell

TARGET = 0.85
SIZE = 1024
BATCH = 1024  # the cells whose rate is measured against the peak
PEAK = "peak"  # the name of the product's side in those cells


def square_product(dtype: str) -> Callable[[], object]:
    """One SIZE x SIZE @ SIZE x SIZE product in ``dtype``, warmed (BLAS's first call allocates its buffers)."""
    rng = np.random.default_rng(0)
    a, b = (rng.normal(size=(SIZE, SIZE)).astype(dtype) for _ in range(2))
    a @ b
    return lambda: a @ b


def gradient_flops(layers: tuple[int, ...], batch: int) -> int:
    """The flops of the matrix products of one forward and backward pass."""
    total = 0
    for index, (m, n) in enumerate(itertools.pairwise(layers)):
        products = 3 if index else 2  # forward, dW, and the delta passed down (not below the first layer)
        total += products * 2 * batch * m * n
    return total


def peak_section(cells: list[Cell]) -> None:
    print(f"\n2. fraction of the single-thread peak matmul rate at batch {BATCH}")
    print(f"   peak: a {SIZE} x {SIZE} @ {SIZE} x {SIZE} product in the cell's dtype, timed in section 1 as one more")
    print("   side of the cell (its rounds taking turns with the gradients', best round, as theirs)")
    print("   rate = the flops of the pass's matrix products / seconds per call (section 1's times)")
    print("   (fraction: of the generated NumPy; reuse: of it with reuse=True; hand: of the hand-written NumPy)")
    columns = f"{'GFLOP':>7} {'peak':>6} {'GFLOP/s':>8} {'fraction':>9} {'reuse':>6} {'hand':>6}"
    print(f"{'network':>28} {'dtype':>8} {columns}  target >={TARGET:g} (fraction, reuse)")
    for cell in cells:
        if cell.batch != BATCH or PEAK not in cell.seconds:
            continue
        flops = gradient_flops(cell.case.layers, cell.batch)
        peak = 2.0 * SIZE**3 / cell.seconds[PEAK]

        def fraction(name: str, cell: Cell = cell, flops: int = flops, peak: float = peak) -> float | None:
            return flops / cell.seconds[name] / peak if name in cell.seconds else None

        ours, reuse, hand = fraction("numpy"), fraction("reuse"), fraction("hand")
        ours_text = f"{flops / cell.seconds['numpy'] / 1e9:8.1f} {ours:9.2f}" if ours else f"{'-':>8} {'-':>9}"
        others = "".join(f" {f:6.2f}" if f else f" {'-':>6}" for f in (reuse, hand))
        target = ", ".join("-" if f is None else "met" if f >= TARGET else "MISSED" for f in (ours, reuse))
        head = f"{cell.case.name:>28} {cell.dtype:>8} {flops / 1e9:7.2f} {peak / 1e9:6.1f}"
        print(f"{head} {ours_text}{others}  {target}")
        if max(ours or 0.0, reuse or 0.0, hand or 0.0) > 1.0:
            print(f"{'':>28} (above 1: the square product measured slow in its rounds; rerun on a quiet machine)")
