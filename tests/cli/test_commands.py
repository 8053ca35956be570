"""The command line end to end, as a user runs it: results, exit statuses, files."""

from __future__ import annotations

import json
import math

import pytest

from ..needs import NEEDS_TEX

HAND_SPEC = """
layers = [2, 2, 2]
activation = "sigmoid"
cost = "half_sse"
bias = "layer"

[values]
x = [0.3, -0.6]
y = [0.9, 0.1]
weights = [[[0.2, -0.4], [0.5, 0.1]], [[-0.3, 0.8], [0.6, -0.2]]]
biases = [0.05, -0.1]
learning_rate = 0.5
"""


def by_hand() -> dict:
    """The 2-2-2 network's numbers worked out with the chain rule by hand, in plain Python."""
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    x, y = [0.3, -0.6], [0.9, 0.1]
    w1, w2 = [[0.2, -0.4], [0.5, 0.1]], [[-0.3, 0.8], [0.6, -0.2]]
    b1, b2 = 0.05, -0.1
    z1 = [w1[j][0] * x[0] + w1[j][1] * x[1] + b1 for j in range(2)]
    a1 = [sig(z) for z in z1]
    z2 = [w2[j][0] * a1[0] + w2[j][1] * a1[1] + b2 for j in range(2)]
    a2 = [sig(z) for z in z2]
    cost = sum(0.5 * (a2[j] - y[j]) ** 2 for j in range(2))
    delta2 = [(a2[j] - y[j]) * a2[j] * (1 - a2[j]) for j in range(2)]  # dC/dz_j^(2)
    g_w2 = [[delta2[j] * a1[k] for k in range(2)] for j in range(2)]
    g_b2 = delta2[0] + delta2[1]  # one bias feeds both neurons
    delta1 = [sum(delta2[j] * w2[j][k] for j in range(2)) * a1[k] * (1 - a1[k]) for k in range(2)]
    g_w1 = [[delta1[j] * x[k] for k in range(2)] for j in range(2)]
    g_b1 = delta1[0] + delta1[1]
    return {"cost": cost, "z": [z1, z2], "a": [x, a1, a2], "grad_weights": [g_w1, g_w2], "grad_biases": [g_b1, g_b2]}


def test_evaluate_matches_a_careful_hand_computation(tmp_path, cmdline):
    spec = tmp_path / "net.toml"
    spec.write_text(HAND_SPEC)
    done = cmdline.run("evaluate", str(spec), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    hand = by_hand()
    assert set(out) == {"cost", "z", "a", "grad_weights", "grad_biases", "updated_weights", "updated_biases"}
    assert out["cost"] == pytest.approx(hand["cost"], rel=1e-12)
    for key in ("z", "a", "grad_weights", "grad_biases"):
        assert (
            json.dumps(out[key]) and out[key] == pytest.approx(hand[key], rel=1e-10) if key == "grad_biases" else True
        )
        flat_out = [v for row in out[key] for v in (row if isinstance(row, list) else [row])]
        flat_hand = [v for row in hand[key] for v in (row if isinstance(row, list) else [row])]
        assert _flat(flat_out) == pytest.approx(_flat(flat_hand), rel=1e-10)
    assert out["updated_biases"] == pytest.approx(
        [0.05 - 0.5 * hand["grad_biases"][0], -0.1 - 0.5 * hand["grad_biases"][1]]
    )


def _flat(values) -> list[float]:
    out = []
    for v in values:
        out.extend(_flat(v) if isinstance(v, list) else [v])
    return out


def test_derive_prints_the_source_texts_formula_and_its_proof(cmdline):
    done = cmdline.run("derive", "example:deeplizard", "--wrt", "w_{12}^{(L)}")
    assert done.returncode == 0, done.stderr
    assert "∂C_0/∂w_12^(L) = ∂C_0/∂a_1^(L) · ∂a_1^(L)/∂z_1^(L) · ∂z_1^(L)/∂w_12^(L)" in done.stdout
    assert "2·(a_1^(L) - y_1)·g'^(L)(z_1^(L))·a_2^(L-1)" in done.stdout.replace(" · ", "·")
    assert "proven (symbolic)" in done.stdout


def test_derive_json_is_data(cmdline):
    done = cmdline.run("derive", "example:3b1b", "--wrt", "a^{(L-1)}", "--json")
    data = json.loads(done.stdout)
    assert {"target", "chains", "result", "proof", "subderivations"} <= set(data)
    assert data["proof"]["proven"] is True
    assert data["result"]["latex"] == r"2 (a^{(L)} - y) \sigma^{\prime}(z^{(L)}) w^{(L)}"


def test_spec_flags_work_like_a_file(cmdline):
    done = cmdline.run(
        "derive",
        "--layers",
        "2,3,2",
        "--activation",
        "sigmoid",
        "--cost",
        "sse",
        "--bias",
        "neuron",
        "--wrt",
        "w_{1,2}^{(L)}",
    )
    assert done.returncode == 0 and "a_2^(L-1)" in done.stdout


def test_gradcheck_agrees_and_says_so(cmdline):
    done = cmdline.run("gradcheck", "example:worked")
    assert done.returncode == 0 and "agree" in done.stdout


@pytest.mark.parametrize("command", ["derive", "evaluate", "gradcheck"])
def test_help_shows_an_example(command, cmdline):
    assert "example:" in cmdline.run(command, "--help").stdout


BAD = [
    (["derive", "missing.toml", "--wrt", "w^(L)"], "no such file"),
    (["derive", "bad.toml", "--wrt", "w^(L)"], "not valid TOML"),
    (["derive", "--layers", "2,0,1", "--wrt", "w^(L)"], "--layers 2,0,1"),
    (["derive", "--layers", "2,2", "--activation", "swish", "--wrt", "w_11^(L)"], "unknown activation 'swish'"),
    (["derive", "--layers", "2,2", "--cost", "hinge", "--wrt", "w_11^(L)"], "unknown cost 'hinge'"),
    (["evaluate", "shape.toml"], "values.weights[0]"),
    (["evaluate", "nan.toml"], "finite"),
    (["derive", "example:worked", "--wrt", "q_1^(L)"], "reference"),
    (["derive", "example:worked", "--wrt", "w_{9,0}^{(L)}"], "out of range"),
    (["derive", "example:deeplizard", "--wrt", "b_1^(L)"], "no biases"),
    (["evaluate", "log.toml"], "ln needs it"),
    (["derive", "example:worked"], "--wrt"),
    (["derive", "example:worked", "--layers", "2,2", "--wrt", "w_11^(L)"], "not both"),
    (["derive", "example:nope", "--wrt", "w^(L)"], "no built-in example"),
]


@pytest.mark.parametrize("args, says", BAD)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, says, cmdline):
    (tmp_path / "bad.toml").write_text("layers = [2, 3\n")
    (tmp_path / "shape.toml").write_text(
        "layers = [2, 2]\n[values]\nx = [1.0, 2.0]\ny = [0.0, 1.0]\n"
        "weights = [[[1.0, 2.0, 3.0]]]\nbiases = [[0.0, 0.0]]\n"
    )
    (tmp_path / "nan.toml").write_text(
        "layers = [1, 1]\n[values]\nx = [nan]\ny = [0.0]\nweights = [[[1.0]]]\nbiases = [[0.0]]\n"
    )
    (tmp_path / "log.toml").write_text(
        'layers = [1, 1]\nactivation = "identity"\ncost = "cross_entropy"\n'
        "[values]\nx = [1.0]\ny = [1.0]\nweights = [[[-2.0]]]\nbiases = [[0.0]]\n"
    )
    done = cmdline.run(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert says in done.stderr


def test_failed_run_leaves_the_previous_output_untouched(tmp_path, cmdline):
    out = tmp_path / "out.txt"
    out.write_bytes(b"precious")
    done = cmdline.run("derive", "example:worked", "--wrt", "w_{9,9}^{(L)}", "-o", str(out))
    assert done.returncode == 2
    assert out.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_output_onto_the_input_spec_is_refused(tmp_path, cmdline):
    spec = tmp_path / "net.toml"
    spec.write_text(HAND_SPEC)
    done = cmdline.run("evaluate", str(spec), "-o", str(spec))
    assert done.returncode == 2 and "refusing to overwrite the input spec" in done.stderr
    assert spec.read_text() == HAND_SPEC


@pytest.mark.parametrize(
    "args",
    [
        ["derive", "example:worked", "--wrt", "w_{21}^{(L-1)}"],
        ["derive", "example:worked", "--wrt", "w_{21}^{(L-1)}", "--json"],
        ["derive", "example:worked", "--wrt", "w_{21}^{(L-1)}", "--to", "tex"],
        ["derive", "example:worked", "--wrt", "w_{21}^{(L-1)}", "--to", "md"],
        ["evaluate", "example:worked", "--json"],
    ],
)
def test_same_input_gives_byte_identical_output(args, cmdline):
    assert cmdline.run(*args).stdout == cmdline.run(*args).stdout


@NEEDS_TEX
def test_pdf_is_written_atomically_and_nothing_else_is_left(tmp_path, cmdline):
    pdf = tmp_path / "d.pdf"
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--to", "pdf", "-o", str(pdf))
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.pdf"]
    again = tmp_path / "e.pdf"
    cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--to", "pdf", "-o", str(again))
    assert again.read_bytes() == pdf.read_bytes()


@pytest.mark.parametrize(
    "args, says",
    [
        (["derive", "--layers", "2,²", "--wrt", "w_00^(L)"], "--layers"),
        (["derive", "example:worked", "--wrt", "b_{²}^{(L)}"], "a neuron index is a whole number"),
        (["derive", "example:worked", "--wrt", "a_0^{(²)}"], "not a number, L, or L-N"),
        (["derive", "--layers", "2,2", "--activation", "leaky_relu:²", "--wrt", "w_00^(L)"], "slope"),
        (["derive", "example:worked", "--wrt", "b_0^{(0)}"], "has no biases"),
    ],
)
def test_unicode_digits_and_input_layer_biases_are_plain_bad_input(args, says, capsys):
    from symbackprop.cli import main

    assert main(args) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1


def test_a_float_index_base_is_bad_input(tmp_path, cmdline):
    spec = tmp_path / "f.toml"
    spec.write_text("layers = [2, 2]\nindex_base = 1.0\n")
    done = cmdline.run("derive", str(spec), "--wrt", "w_{11}^{(L)}")
    assert done.returncode == 2 and "index_base: must be 0 or 1" in done.stderr
