"""Section 2: the fraction of the machine's single-thread peak matmul rate the generated NumPy reaches.

The peak is measured here, per precision: the best of several 1024 x 1024 @ 1024 x 1024 products (2 n^3 flops
each). The generated code's rate counts the flops of the matrix products it computes, 2 m n k each: per layer
the forward A^(l-1) W^(l)T and the backward Delta^(l)T A^(l-1), and Delta^(l) W^(l) for every layer but the
first (no delta is needed below it), over its seconds per call at batch 1024 from section 1 (the same run).
"""

from __future__ import annotations

import itertools

import numpy as np
from gradient_code import Cell
from timing import timed

TARGET = 0.85
SIZE = 1024


def peak_flops(dtype: str, repeat: int) -> float:
    """Flops per second of the best of ``repeat`` SIZE-square matrix products, one thread."""
    rng = np.random.default_rng(0)
    a, b = (rng.normal(size=(SIZE, SIZE)).astype(dtype) for _ in range(2))
    a @ b  # warm: BLAS's first call allocates its buffers
    return 2.0 * SIZE**3 / timed(lambda: a @ b, repeat)


def gradient_flops(layers: tuple[int, ...], batch: int) -> int:
    """The flops of the matrix products of one forward and backward pass."""
    total = 0
    for index, (m, n) in enumerate(itertools.pairwise(layers)):
        products = 3 if index else 2  # forward, dW, and the delta passed down (not below the first layer)
        total += products * 2 * batch * m * n
    return total


def peak_section(cells: list[Cell], quick: bool) -> None:
    repeat = 20  # about a second in all: a peak measured low would flatter every fraction
    peaks = {dtype: peak_flops(dtype, repeat) for dtype in ("float32", "float64")}
    print(f"\n2. fraction of the single-thread peak matmul rate at batch {max(c.batch for c in cells)}")
    shown = ", ".join(f"{dtype} {rate / 1e9:.1f} GFLOP/s" for dtype, rate in peaks.items())
    print(f"   peak ({SIZE} x {SIZE} @ {SIZE} x {SIZE}, best of {repeat}): {shown}")
    print("   rate = the flops of the pass's matrix products / seconds per call (section 1's times)")
    print("   (fraction: of the generated NumPy; hand: of the hand-written NumPy, for comparison)")
    print(f"{'network':>28} {'dtype':>8} {'GFLOP':>7} {'GFLOP/s':>8} {'fraction':>9} {'hand':>6}  target")
    for cell in cells:
        if cell.batch != 1024:
            continue
        flops = gradient_flops(cell.case.layers, cell.batch)
        peak = peaks[cell.dtype]

        def fraction(name: str, cell: Cell = cell, flops: int = flops, peak: float = peak) -> float | None:
            return flops / cell.seconds[name] / peak if name in cell.seconds else None

        ours, hand = fraction("numpy"), fraction("hand")
        ours_text = f"{flops / cell.seconds['numpy'] / 1e9:8.1f} {ours:9.2f}" if ours else f"{'-':>8} {'-':>9}"
        hand_text = f"{hand:6.2f}" if hand else f"{'-':>6}"
        target = f">={TARGET:g} {'met' if ours and ours >= TARGET else 'MISSED'}"
        print(f"{cell.case.name:>28} {cell.dtype:>8} {flops / 1e9:7.2f} {ours_text} {hand_text}  {target}")
        if max(ours or 0.0, hand or 0.0) > 1.0:
            print(f"{'':>28} (above 1: the peak was measured while the machine was busy; rerun on a quiet one)")
