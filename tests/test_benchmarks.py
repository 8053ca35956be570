"""The benchmark's pieces, small: the hand-written references are right (they are what the generated code is
timed against), a cell of the gradient benchmark checks and times every side, and the flop count is exact."""

from __future__ import annotations

import itertools
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import allocator
import gradient_code
import kernels
import layer_code
import matmul_peak
import products
import reference
import statements
import timing

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize("pair", sorted(reference.GRADIENTS))
@pytest.mark.parametrize("layers", [(3, 4, 2), (5, 4, 3, 3)])
def test_hand_written_reference_agrees_with_the_generated_numpy(pair, layers):
    case = gradient_code.Case(layers, pair)
    x, y, w, b = gradient_code.inputs(layers, 7, "float64")
    truth = case.network().gradient_function()(x, y, w, b)
    mine = reference.GRADIENTS[pair](x, y, [a.copy() for a in w], [a.copy() for a in b])
    assert gradient_code.disagreement(mine, truth, "float64") is None
    assert mine[0] == pytest.approx(truth[0], rel=1e-12)


@pytest.mark.parametrize("pair", sorted(reference.GRADIENTS))
def test_hand_written_reference_keeps_float32(pair):
    x, y, w, b = gradient_code.inputs((4, 3, 2), 5, "float32")
    _, grad_w, grad_b = reference.GRADIENTS[pair](x, y, w, b)
    assert {g.dtype for g in grad_w + grad_b} == {np.dtype("float32")}


def test_a_cell_checks_then_times_every_side():
    pytest.importorskip("torch")
    pytest.importorskip("jax")
    case = gradient_code.Case((3, 4, 2), "relu+CE", batches=(2,))
    cell = gradient_code.measure(gradient_code.Sides(case, compile_torch=False), "float32", 2, 0.001, 1)
    assert set(cell.seconds) == {"hand", "eager", "jit", "numpy", "reuse", "torch", "jax"}
    assert set(cell.failed) == {"compile"}
    for side in gradient_code.MINE:
        found = gradient_code.targets(cell, side)
        assert [what for what, _, _ in found] == ["/hand", "/eager", "/jit"]
        assert found[0][1] == cell.seconds[side] / cell.seconds["hand"]


def test_a_batch_1024_cell_times_the_peak_product_in_its_rounds(monkeypatch, capsys):
    """Section 2's peak is a side of the cell it divides, timed in the same rounds (the one call of per_call),
    and the printed fraction is the pass's flops over its seconds over that peak."""
    pytest.importorskip("torch")
    pytest.importorskip("jax")
    timed_together: list[set[str]] = []
    real = gradient_code.per_call
    monkeypatch.setattr(
        gradient_code, "per_call", lambda works, *a, **k: timed_together.append(set(works)) or real(works, *a, **k)
    )
    case = gradient_code.Case((3, 4, 2), "relu+CE", batches=(matmul_peak.BATCH,))
    sides = gradient_code.Sides(case, compile_torch=False)
    cell = gradient_code.measure(sides, "float64", matmul_peak.BATCH, 1e-3, 1)
    assert timed_together == [{"hand", "eager", "jit", "numpy", "reuse", "torch", "jax", matmul_peak.PEAK}]
    assert matmul_peak.PEAK not in gradient_code.measure(sides, "float64", 2, 1e-3, 1).seconds
    assert (
        matmul_peak.PEAK not in gradient_code.measure(sides, "float64", matmul_peak.BATCH, 1e-3, 1, peak=False).seconds
    )
    matmul_peak.peak_section([cell])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("3-4-2 relu+CE")]
    peak = 2.0 * matmul_peak.SIZE**3 / cell.seconds[matmul_peak.PEAK]
    flops = matmul_peak.gradient_flops(case.layers, matmul_peak.BATCH)
    fraction, reuse = (flops / cell.seconds[side] / peak for side in gradient_code.MINE)
    assert len(rows) == 1 and f"{peak / 1e9:6.1f}" in rows[0] and f"{fraction:9.2f} {reuse:6.2f}" in rows[0]


@pytest.mark.parametrize(
    "layers,activation,cost",
    [((5, 4, 3), ["relu", "softmax"], "cross_entropy"), ((4, 3, 2), ["tanh", "softmax"], "binary_cross_entropy")],
)
def test_statements_cuts_the_generated_gradient_after_each_statement(layers, activation, cost):
    """Every prefix runs, up to its own last statement; a block (a cost's domain check) is one statement."""
    import symbackprop as sbp
    from symbackprop.codegen.modules import module_source

    source = module_source(sbp.Network(layers=list(layers), activation=activation, cost=cost))
    said, cut = statements.prefixes(source)
    assert len(said) == len(cut) and said[0].strip().startswith("A0 = ") and said[-1].strip().startswith("db1 = ")
    assert not any(line.strip().startswith(("#", "return", '"""')) for line in said)
    assert any(line.strip().startswith("if ") for line in said) == (cost == "binary_cross_entropy")
    x, y, w, b = gradient_code.inputs(layers, 3, "float64")
    for k, prefix in enumerate(cut):
        namespace: dict = {}
        exec(prefix, namespace)
        assert namespace["gradient"](x, y, w, b) is None, k
    namespace = {}
    exec(cut[-1].replace("    return None\n", "    return cost, [dW1, dW2], [db1, db2]\n", 1), namespace)
    assert (
        gradient_code.disagreement(namespace["gradient"](x, y, w, b), _generated(source)(x, y, w, b), "float64") is None
    )


def _generated(source: str):
    namespace: dict = {}
    exec(source, namespace)
    return namespace["gradient"]


@pytest.mark.parametrize("keep,buffers", [(False, False), (True, False), (False, True)])
def test_allocator_times_a_fresh_process_and_counts_its_faults(keep, buffers):
    ms, faults = allocator.run(["3-4-2", "relu+CE", "float64", "4"], keep, buffers)
    assert 0.0 < ms < 50.0 and faults >= 0.0
    if keep:
        assert faults < 1.0  # a call this small, with freed memory kept, touches (almost) no new page


def test_the_buffer_measurement_compares_the_same_numbers():
    rng = np.random.default_rng(0)
    for batch in (1, 5):
        delta, a = rng.normal(size=(batch, 6)), rng.normal(size=(batch, 7))
        new, reused = kernels._into_new_and_reused(delta, a)
        np.testing.assert_array_equal(new(), delta.T @ a)
        assert reused() is reused() and np.array_equal(reused(), new())  # one buffer, written again


def test_flops_count_every_matrix_product_of_the_pass():
    layers, n = (5, 4, 3), 8
    forward = sum(2 * n * m * k for m, k in itertools.pairwise(layers))
    assert matmul_peak.gradient_flops(layers, n) == 2 * forward + 2 * n * 4 * 3


def test_fitted_exponent_of_a_power_law_is_its_power():
    assert timing.fitted_exponent([(p, 3.0 * p**1.5) for p in (10, 100, 1000)]) == pytest.approx(1.5)


def _core_in_child(coretype: str | None, keep: bool) -> list[str]:
    """In a fresh process started with OPENBLAS_CORETYPE=coretype (or without it): single_thread(keep), then
    the variable in the process and in the commands it starts, and the kernel NumPy's OpenBLAS runs."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    if coretype is not None:
        env["OPENBLAS_CORETYPE"] = coretype
    script = (
        f"import os, sys; sys.path.insert(0, {str(BENCHMARKS)!r}); import timing; timing.single_thread({keep}); "
        "import numpy, openblas; print(os.environ.get('OPENBLAS_CORETYPE'), "
        "timing.CHECKOUT.get('OPENBLAS_CORETYPE'), openblas.openblas_core())"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    return done.stdout.split()


def test_single_thread_removes_the_callers_openblas_coretype_unless_kept():
    assert _core_in_child("Haswell", keep=False)[:2] == ["None", "None"]
    assert _core_in_child("Haswell", keep=True)[:2] == ["Haswell", "Haswell"]


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="OpenBLAS names Haswell on x86-64 only")
def test_the_header_names_the_kernel_openblas_runs():
    own = _core_in_child(None, keep=False)[2]
    assert own not in ("None", "unknown")
    assert _core_in_child("Haswell", keep=True)[2] == "Haswell"
    assert _core_in_child("Haswell", keep=False)[2] == own  # removed: OpenBLAS's own choice for the CPU


def test_the_layer_code_cells_check_then_time_every_side():
    """Each cell checks the generated NumPy and JAX modules' cost and gradients against PyTorch's (inside ``cells``),
    then times the three: the CNN and the RNN, in float64 and float32."""
    pytest.importorskip("torch")
    pytest.importorskip("jax")
    cells = layer_code.cells(quick=True)
    assert [(title[:3], dtype) for title, dtype, *_ in cells] == [
        ("CNN", "float64"),
        ("CNN", "float32"),
        ("RNN", "float64"),
        ("RNN", "float32"),
    ]
    assert all(ours > 0 and jaxs > 0 and theirs > 0 for _, _, ours, jaxs, theirs in cells)


def test_the_floor_multiplies_the_products_section_2_counts():
    """products.py's products are the pass's: their flops are gradient_flops's, and each is a product of the
    pass's shapes (the forward Z, BP4's gradient and BP2's delta, not below the first layer)."""
    layers, batch = (5, 4, 3, 2), 6
    rng = np.random.default_rng(0)
    acts = [rng.normal(size=(batch, width)) for width in layers]
    deltas = [rng.normal(size=(batch, width)) for width in layers]
    weights = [rng.normal(size=(m, k)) for k, m in itertools.pairwise(layers)]
    found = products.products(acts, deltas, weights)
    assert [p.shape for p in found] == [(6, 4), (4, 5), (6, 3), (3, 4), (6, 4), (6, 2), (2, 3), (6, 3)]
    assert np.allclose(found[3], deltas[2].T @ acts[1]) and np.allclose(found[4], deltas[2] @ weights[1])
    inner = [5, 6, 4, 6, 3, 3, 6, 2]  # each product's inner dimension
    flops = sum(2 * p.size * k for p, k in zip(found, inner, strict=True))
    assert flops == matmul_peak.gradient_flops(layers, batch)
