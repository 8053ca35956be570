"""The command line as a user runs it: ``python -m symbackprop`` in a subprocess, or ``cli.main`` in this process.

Numbers are checked against forward passes and chain rules written out here in plain Python,
never against the program's own earlier output. Bad input must be exit status 2 with exactly
one line on stderr that names the problem. Runs that tests/test_commands.py already makes end to
end are made here in this process (with stricter checks), so no subprocess is run twice.
"""

from __future__ import annotations

import json
import math
import tomllib
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple
from pathlib import Path

import pytest

from ..commandline import Done
from ..needs import NEEDS_TEX

REPO = Path(__file__).resolve().parents[2]
WORKED = REPO / "templates" / "examples" / "worked.toml"


def sigmoid(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t))


def flatten(value) -> list[float]:
    if isinstance(value, list):
        return [v for item in value for v in flatten(item)]
    return [value]


# --- derive ------------------------------------------------------------------------------------


def test_derive_prints_the_chain_and_says_proven(cmdline):
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "∂C_0/∂w^(L) = ∂C_0/∂a^(L) · ∂a^(L)/∂z^(L) · ∂z^(L)/∂w^(L)" in done.stdout
    assert "proven" in done.stdout


def test_derive_json_is_json_with_target_chains_result_and_proof(cmdline):
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"target", "chains", "result", "proof"} <= set(data)
    assert data["target"]["text"] == "w^(L)"
    assert len(data["chains"]) == 1 and len(data["chains"][0]) == 3  # dC/da · da/dz · dz/dw
    assert data["proof"]["proven"] is True
    assert "a^(L-1)" in data["result"]["text"]


def test_spec_flags_describe_the_network_like_a_file(cmdline):
    status, out, err = astuple(
        cmdline.run(
            "derive",
            *("--layers", "2,3,2", "--activation", "sigmoid", "--cost", "sse", "--bias", "neuron"),
            *("--wrt", "w_{1,2}^{(L)}"),
        )
    )
    assert status == 0, err
    assert "layers 2-3-2" in out
    assert "∂C_0/∂w_12^(L) = ∂C_0/∂a_1^(L) · ∂a_1^(L)/∂z_1^(L) · ∂z_1^(L)/∂w_12^(L)" in out
    assert "proven" in out


# --- evaluate ----------------------------------------------------------------------------------


def test_evaluate_json_has_exactly_the_documented_keys_and_the_cost_of_a_plain_forward_pass(cmdline):
    done = cmdline.run("evaluate", "example:worked", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"cost", "z", "a", "grad_weights", "grad_biases", "updated_weights", "updated_biases"}

    spec = tomllib.loads(WORKED.read_text(encoding="utf-8"))
    assert (spec["activation"], spec["cost"], spec["bias"]) == ("sigmoid", "sse", "neuron")
    values = spec["values"]
    a = values["x"]
    for w, b in zip(values["weights"], values["biases"], strict=True):
        a = [
            sigmoid(sum(w_jk * a_k for w_jk, a_k in zip(row, a, strict=True)) + b_j)
            for row, b_j in zip(w, b, strict=True)
        ]
    cost = sum((a_j - y_j) ** 2 for a_j, y_j in zip(a, values["y"], strict=True))
    assert out["cost"] == pytest.approx(cost, rel=1e-12)
    assert out["a"][-1] == pytest.approx(a, rel=1e-12)


# A 2-2-2 sigmoid network, half the sum of squared errors, one shared bias per layer, two samples.
HAND_X = [[0.7, -0.2], [-0.4, 0.9]]
HAND_Y = [[0.2, 0.8], [1.0, 0.0]]
HAND_W = [[[0.15, -0.35], [0.6, 0.25]], [[-0.45, 0.3], [0.55, -0.1]]]
HAND_B = [0.1, -0.05]
HAND_RATE = 0.3
HAND_SPEC = f"""
layers = [2, 2, 2]
activation = "sigmoid"
cost = "half_sse"
bias = "layer"

[values]
x = {HAND_X}
y = {HAND_Y}
weights = {HAND_W}
biases = {HAND_B}
learning_rate = {HAND_RATE}
"""


def hand_computation() -> dict:
    """Forward pass, cost and the chain rule for the 2-2-2 network, one sample at a time, then the mean."""
    (w1, w2), (b1, b2) = HAND_W, HAND_B
    n = len(HAND_X)
    cost = 0.0
    g_w1 = [[0.0, 0.0], [0.0, 0.0]]
    g_w2 = [[0.0, 0.0], [0.0, 0.0]]
    g_b1 = g_b2 = 0.0
    first = None
    for x, y in zip(HAND_X, HAND_Y, strict=True):
        z1 = [w1[j][0] * x[0] + w1[j][1] * x[1] + b1 for j in range(2)]
        a1 = [sigmoid(z1[j]) for j in range(2)]
        z2 = [w2[j][0] * a1[0] + w2[j][1] * a1[1] + b2 for j in range(2)]
        a2 = [sigmoid(z2[j]) for j in range(2)]
        first = first or {"z": [z1, z2], "a": [list(x), a1, a2]}
        cost += sum(0.5 * (a2[j] - y[j]) ** 2 for j in range(2)) / n
        # output layer: dC0/da2_j = a2_j - y_j, da2_j/dz2_j = a2_j (1 - a2_j)
        delta2 = [(a2[j] - y[j]) * a2[j] * (1 - a2[j]) for j in range(2)]
        # dz2_j/dw2_jk = a1_k; the shared bias b2 enters both z2_0 and z2_1
        for j in range(2):
            for k in range(2):
                g_w2[j][k] += delta2[j] * a1[k] / n
        g_b2 += (delta2[0] + delta2[1]) / n
        # hidden layer: dC0/da1_k = sum_j delta2_j w2_jk, da1_k/dz1_k = a1_k (1 - a1_k)
        delta1 = [(delta2[0] * w2[0][k] + delta2[1] * w2[1][k]) * a1[k] * (1 - a1[k]) for k in range(2)]
        for k in range(2):
            for i in range(2):
                g_w1[k][i] += delta1[k] * x[i] / n
        g_b1 += (delta1[0] + delta1[1]) / n
    grads_w = [g_w1, g_w2]
    updated_w = [
        [[HAND_W[l][j][k] - HAND_RATE * grads_w[l][j][k] for k in range(2)] for j in range(2)] for l in range(2)
    ]
    updated_b = [HAND_B[0] - HAND_RATE * g_b1, HAND_B[1] - HAND_RATE * g_b2]
    return {
        "cost": cost,
        **first,
        "grad_weights": grads_w,
        "grad_biases": [g_b1, g_b2],
        "updated_weights": updated_w,
        "updated_biases": updated_b,
    }


@pytest.fixture
def hand_spec(tmp_path: Path) -> Path:
    path = tmp_path / "hand.toml"
    path.write_text(HAND_SPEC, encoding="utf-8")
    return path


def test_evaluate_matches_the_chain_rule_worked_by_hand(hand_spec, cmdline):
    done = cmdline.run("evaluate", str(hand_spec), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    hand = hand_computation()
    assert set(out) == set(hand)
    assert out["cost"] == pytest.approx(hand["cost"], rel=1e-12)
    for key in ("z", "a", "grad_weights", "grad_biases", "updated_weights", "updated_biases"):
        assert len(out[key]) == len(hand[key]), key
        assert flatten(out[key]) == pytest.approx(flatten(hand[key]), rel=1e-9, abs=1e-14), key
    # a shared bias is one number per layer, not a list
    assert all(isinstance(b, float) for b in out["grad_biases"] + out["updated_biases"])


def test_evaluate_text_shows_the_cost_to_ten_significant_digits(hand_spec, cmdline):
    done = cmdline.run("evaluate", str(hand_spec))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"cost C = {hand_computation()['cost']:.10g}\n")


# --- gradcheck ---------------------------------------------------------------------------------


def test_gradcheck_at_the_spec_values_agrees(cmdline):
    status, out, err = astuple(cmdline.run(*["gradcheck", "example:worked"]))
    assert status == 0, err
    assert "agree" in out and "DISAGREE" not in out
    assert "17 gradients" in out  # 2*3 + 3*2 weights, 3 + 2 biases


def test_gradcheck_from_spec_flags_with_one_activation_per_layer_agrees(cmdline):
    done = cmdline.run(
        "gradcheck",
        *("--layers", "2,3,2", "--activation", "tanh,sigmoid", "--cost", "half_sse", "--bias", "layer"),
        "--json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["passed"] is True
    assert result["parameters"] == 2 * 3 + 3 * 2 + 2


# --- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["derive", "evaluate", "gradcheck"])
def test_help_of_each_command_shows_an_example(command, cmdline):
    status, out, _ = astuple(cmdline.run(*[command, "--help"]))
    assert status == 0
    assert "examples:" in out
    assert f"symbackprop {command} example:" in out


# --- bad input: exit 2, one line on stderr, naming the problem ---------------------------------

NAN_SPEC = "layers = [1, 1]\n[values]\nx = [nan]\ny = [0.0]\nweights = [[[1.0]]]\nbiases = [[0.0]]\n"
FILES = {
    "bad.toml": "layers = [2, 3\n",
    "zero.toml": "layers = [2, 0, 1]\n",
    "swish.toml": 'layers = [2, 2]\nactivation = "swish"\n',
    "hinge.toml": 'layers = [2, 2]\ncost = "hinge"\n',
    "typo.toml": "layers = [2, 2]\nlayer_sizes = [2, 2]\n",
    "shape.toml": (
        "layers = [2, 2]\n[values]\nx = [1.0, 2.0]\ny = [0.0, 1.0]\n"
        "weights = [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]\nbiases = [[0.0, 0.0]]\n"
    ),
    "nan.toml": NAN_SPEC,
    "inf.toml": NAN_SPEC.replace("x = [nan]", "x = [-inf]"),
    "row.toml": (
        "layers = [2, 1]\n[values]\nx = [1.0, 2.0]\ny = [0.0]\nweights = [[[1.0, 2.0, 3.0]]]\nbiases = [[0.0]]\n"
    ),
    "huge.toml": f"layers = [1, 1]\n[values]\nx = [1.0]\ny = [0.0]\nweights = [[[{10**400}]]]\nbiases = [[0.0]]\n",
    "samples.toml": (
        "layers = [1, 1]\n[values]\nx = [[1.0], [2.0]]\ny = [[0.0]]\nweights = [[[1.0]]]\nbiases = [[0.0]]\n"
    ),
    "one_sample.toml": (
        "layers = [1, 1]\n[values]\nx = [[1.0]]\ny = [[0.0], [1.0]]\nweights = [[[1.0]]]\nbiases = [[0.0]]\n"
    ),
    "log.toml": (
        'layers = [1, 1]\nactivation = "identity"\ncost = "cross_entropy"\n'
        "[values]\nx = [1.0]\ny = [1.0]\nweights = [[[-2.0]]]\nbiases = [[0.0]]\n"
    ),
    "binary.toml": (
        'layers = [1, 1]\nactivation = "identity"\ncost = "binary_cross_entropy"\n'
        "[values]\nx = [1.0]\ny = [1.0]\nweights = [[[3.0]]]\nbiases = [[0.0]]\n"
    ),
    "novalues.toml": "layers = [2, 2]\n",
    "generic.toml": (
        'layers = [1, 1]\nactivation = "g"\n[values]\nx = [1.0]\ny = [0.0]\nweights = [[[1.0]]]\nbiases = [[0.0]]\n'
    ),
    "float_base.toml": "layers = [2, 2]\nindex_base = 1.0\n",
    "overflow.toml": (
        'layers = [1, 1]\nactivation = "identity"\n'
        "[values]\nx = [1e200]\ny = [0.0]\nweights = [[[1e200]]]\nbiases = [[0.0]]\n"
    ),
}

W = ("--wrt", "w_{00}^{(L)}")
# Bad inputs that only a fresh interpreter shows: warnings on stderr, and the file name as the shell passes it.
# (tests/test_commands.py runs the commonest bad inputs end to end; they are checked more strictly below.)
BAD = [
    pytest.param(
        ["evaluate", "overflow.toml", "--json"],
        ["the forward pass overflows", "inf/nan", "use smaller values"],
        id="values-that-overflow",
    ),
    pytest.param(
        ["gradcheck", "overflow.toml"],
        ["overflows", "use smaller values"],
        id="gradcheck-values-that-overflow",
    ),
    pytest.param(
        ["derive", "no\nsuch.toml", *W],
        ["no such file"],
        id="missing-file-with-newline-in-name",
    ),
]

# More bad inputs, run through the same entry point in this process to keep the suite fast.
MORE_BAD = [
    pytest.param(["derive", "missing.toml", *W], ["missing.toml", "no such file"], id="missing-file"),
    pytest.param(["derive", "bad.toml", *W], ["bad.toml", "not valid TOML"], id="bad-toml"),
    pytest.param(["derive", "--layers", "2,0,2", *W], ["--layers 2,0,2", "got 0 (size 2)"], id="layer-size-0"),
    pytest.param(
        ["derive", "--layers", "2,2", "--activation", "swish", *W], ["--activation:", "'swish'"], id="unknown-act"
    ),
    pytest.param(["derive", "--layers", "2,2", "--cost", "hinge", *W], ["cost", "'hinge'"], id="unknown-cost"),
    pytest.param(["evaluate", "shape.toml"], ["values.weights[0]", "2 rows of 2", "(2, 3)"], id="wrong-shape"),
    pytest.param(["evaluate", "row.toml"], ["values.weights[0]", "1 row of 2"], id="wrong-shape-one-row"),
    pytest.param(["evaluate", "nan.toml"], ["values.x", "finite"], id="nan-value"),
    pytest.param(["evaluate", "huge.toml"], ["values.weights[0]", "out of range"], id="integer-past-float64"),
    pytest.param(["derive", "example:worked", "--wrt", "q_1^(L)"], ["reference", "'q_1^(L)'"], id="no-such-ref"),
    pytest.param(
        ["derive", "example:worked", "--wrt", "w_{9,0}^{(L)}"],
        ["out of range", "j from 0 to 1 and k from 0 to 2"],
        id="index-out-of-range",
    ),
    pytest.param(
        ["derive", "example:deeplizard", "--wrt", "b_1^(L)"], ['no biases (bias = "none")'], id="bias-in-bias-free"
    ),
    pytest.param(
        ["derive", "--layers", "3,3", "--bias", "none", "--wrt", "b^{(L)}"],
        ['no biases (bias = "none")'],
        id="index-free-bias-in-bias-free",
    ),
    pytest.param(
        ["derive", "--layers", "3,1", "--wrt", "w^{(L)}"],
        ["give the neuron index", "layer L-1 has 3 neurons"],
        id="index-free-weight-wide-previous-layer",
    ),
    pytest.param(
        ["derive", "example:worked", "--wrt", "w_{00}^{(L)}" + " " * 200],
        ["too long", "the limit is 200"],
        id="reference-too-long",
    ),
    pytest.param(["evaluate", "log.toml"], ["cross_entropy", "ln needs it above 0"], id="cross-entropy-negative"),
    pytest.param(["derive", "example:worked"], ["--wrt"], id="missing-wrt"),
    pytest.param(["derive", "example:worked", "--layers", "2,2", *W], ["not both"], id="spec-and-flags"),
    pytest.param(["derive", "latin1.toml", *W], ["latin1.toml", "UTF-8"], id="not-utf8"),
    pytest.param(["derive", "adir", *W], ["adir", "directory"], id="directory"),
    pytest.param(["derive", "zero.toml", *W], ["zero.toml", "layers[1]", "got 0"], id="layer-size-0-file"),
    pytest.param(["derive", "--layers", "2,x", *W], ["--layers", "'2,x'"], id="layers-not-numbers"),
    pytest.param(["derive", "--layers", "2", *W], ["layers", "at least two"], id="one-layer"),
    pytest.param(["derive", "swish.toml", *W], ["activation:", "'swish'"], id="unknown-activation-file"),
    pytest.param(["derive", "--layers", "2,2,2", "--activation", "tanh,relu,relu", *W], ["activation:"], id="n-acts"),
    pytest.param(["derive", "hinge.toml", *W], ["cost", "'hinge'"], id="unknown-cost-file"),
    pytest.param(["derive", "--layers", "2,2", "--bias", "both", *W], ["bias:", "'both'"], id="unknown-bias"),
    pytest.param(["derive", "--layers", "2,2", "--index-base", "2", *W], ["--index-base"], id="index-base-2"),
    pytest.param(["derive", "typo.toml", *W], ["'layer_sizes'"], id="unknown-key"),
    pytest.param(["evaluate", "inf.toml"], ["values.x", "finite"], id="inf-value"),
    pytest.param(["evaluate", "samples.toml"], ["x has 2 samples but y has 1"], id="sample-counts"),
    pytest.param(["evaluate", "one_sample.toml"], ["x has 1 sample but y has 2"], id="sample-counts-one"),
    pytest.param(["evaluate", "generic.toml"], ["generic activation g"], id="evaluate-generic-g"),
    pytest.param(["derive", "example:worked", "--wrt", "hello world"], ["reference"], id="garbage-ref"),
    pytest.param(
        ["derive", "example:worked", "--wrt", "a_{0}^{(L-5)}"], ["no layer", "0 (input) to 2 (L)"], id="no-such-layer"
    ),
    pytest.param(
        ["derive", "example:worked", "--wrt", "a^{(L)}"], ["give the neuron index", "2 neurons"], id="needs-index"
    ),
    pytest.param(["derive", "example:worked", "--wrt", "w_{00}^{(0)}"], ["input layer"], id="input-layer-weight"),
    pytest.param(
        ["evaluate", "binary.toml"], ["binary_cross_entropy", "between 0 and 1"], id="binary-cross-entropy-above-1"
    ),
    pytest.param(["evaluate"], ["SPEC", "--layers"], id="no-spec-at-all"),
    pytest.param(["derive", "example:nope", *W], ["no built-in example 'nope'", "worked"], id="unknown-example"),
    pytest.param(["derive", "example:worked", "--wrt", "all"], ["--to tex"], id="all-needs-tex"),
    pytest.param(["derive", "example:worked", *W, "--to", "pdf"], ["-o"], id="pdf-needs-output"),
    pytest.param(["derive", "example:worked", *W, "-o", "nodir/out.txt"], ["no such directory"], id="output-dir"),
    pytest.param(["derive", "example:worked", *W, "-o", "adir"], ["is a directory"], id="output-is-a-directory"),
    pytest.param(["frobnicate"], ["frobnicate"], id="unknown-command"),
]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("bad")
    for name, text in FILES.items():
        (where / name).write_text(text, encoding="utf-8")
    (where / "latin1.toml").write_bytes("layers = [2, 2]\ntitle = 'Gödel'\n".encode("latin-1"))
    (where / "adir").mkdir()
    return where


@pytest.fixture(scope="module")
def bad_runs(bad_files, cmdline) -> dict[str, Done]:
    """Every end-to-end bad-input run, each in this process (the command line's own handling of bad input)."""
    return {p.id: cmdline.run(*p.values[0], cwd=bad_files) for p in BAD}


def assert_one_line_naming(returncode: int, stdout: str, stderr: str, says: list[str]) -> None:
    assert returncode == 2, (returncode, stderr)
    assert "Traceback" not in stderr
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert stderr.startswith("symbackprop"), stderr
    for words in says:
        assert words in stderr, (words, stderr)
    assert stdout == ""


@pytest.mark.parametrize("args, says", BAD)
def test_bad_input_is_exit_2_with_one_line_naming_the_problem(bad_runs, request, args, says):
    done = bad_runs[request.node.callspec.id]
    assert_one_line_naming(done.returncode, done.stdout, done.stderr, says)


@pytest.mark.parametrize("args, says", MORE_BAD)
def test_more_bad_input_is_exit_2_with_one_line_naming_the_problem(bad_files, monkeypatch, cmdline, args, says):
    monkeypatch.chdir(bad_files)
    assert_one_line_naming(*astuple(cmdline.run(*args)), says)


def test_overflow_from_the_library_is_a_spec_error_without_warnings():
    import symbackprop as sbp
    from symbackprop.numeric import numbers as numeric

    values = {"x": [1e200], "y": [0.0], "weights": [[[1e200]]], "biases": [[0.0]]}
    net = sbp.Network(layers=[1, 1], activation="identity", values=values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would fail the test
        with pytest.raises(sbp.SpecError, match=r"^the forward pass overflows: .* inf/nan .*; use smaller values$"):
            net.evaluate()
        with pytest.raises(sbp.SpecError, match="overflows"):
            numeric.gradcheck(net)


# --- output files ------------------------------------------------------------------------------


def test_output_option_writes_the_file_and_nothing_to_stdout(tmp_path, cmdline):
    out = tmp_path / "out.txt"
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "∂C_0/∂w^(L) = ∂C_0/∂a^(L) · ∂a^(L)/∂z^(L) · ∂z^(L)/∂w^(L)" in text and "proven" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_output_option_replaces_an_existing_file_with_evaluate_json(tmp_path, hand_spec, cmdline):
    out = tmp_path / "numbers.json"
    out.write_text("old contents\n")
    done = cmdline.run("evaluate", str(hand_spec), "--json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["cost"] == pytest.approx(hand_computation()["cost"], rel=1e-12)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hand.toml", "numbers.json"]


def test_a_failing_run_leaves_the_existing_output_file_byte_for_byte(tmp_path, cmdline):
    out = tmp_path / "out.txt"
    original = b"precious\x00bytes\r\nkept \xff exactly"
    out.write_bytes(original)
    before = sorted(p.name for p in tmp_path.iterdir())
    status, _, err = astuple(cmdline.run(*["derive", "example:worked", "--wrt", "w_{9,9}^{(L)}", "-o", str(out)]))
    assert status == 2
    assert "out of range" in err
    assert out.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary files left behind


@pytest.mark.parametrize("output", ["sub/../hand.toml", "ABSOLUTE"])
def test_output_onto_the_input_spec_is_refused_and_the_spec_kept(tmp_path, hand_spec, output, cmdline):
    (tmp_path / "sub").mkdir()
    before = hand_spec.read_bytes()
    target = str(hand_spec) if output == "ABSOLUTE" else output
    done = cmdline.run("evaluate", "hand.toml", "-o", target, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "refusing to overwrite the input spec" in done.stderr
    assert hand_spec.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hand.toml", "sub"]


# --- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["derive", "example:worked", "--wrt", "w_{21}^{(L-1)}"], id="derive-text"),
        pytest.param(["derive", "example:worked", "--wrt", "w_{21}^{(L-1)}", "--json"], id="derive-json"),
        pytest.param(["evaluate", "example:worked", "--json"], id="evaluate-json"),
        pytest.param(["derive", "example:worked", "--wrt", "w_{21}^{(L-1)}", "--to", "html"], id="derive-html"),
        pytest.param(["derive", "example:micrograd", "--wrt", "all", "--to", "html"], id="graph-html"),
    ],
)
def test_the_same_input_gives_byte_identical_output(args, cmdline):
    # Different hash seeds too, so output may not depend on set or dict ordering of strings.
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda seed: cmdline.process(*args, env={"PYTHONHASHSEED": seed}), ["1", "2"])
    assert first.returncode == second.returncode == 0, (first.stderr, second.stderr)
    assert first.stdout and first.stdout == second.stdout


def test_the_output_name_picks_the_format_when_no_option_does(tmp_path, cmdline):

    w = ("--wrt", "w^{(L)}")
    assert cmdline.run("derive", "example:3b1b", *w, "-o", "d.tex", cwd=tmp_path).returncode == 0
    assert (tmp_path / "d.tex").read_text().startswith("\\documentclass")
    assert cmdline.run("derive", "example:3b1b", *w, "-o", "d.json", cwd=tmp_path).returncode == 0
    assert "chains" in json.loads((tmp_path / "d.json").read_text())
    done = cmdline.run("verify", "example:3b1b", *w, "--claim", "a^{(L-1)}", "-o", "v.json", cwd=tmp_path)
    assert done.returncode == 1 and json.loads((tmp_path / "v.json").read_text())["verdict"] == "incorrect"
    assert NEEDS_TEX.args[0] or cmdline.run("derive", "example:3b1b", *w, "-o", "d.pdf", cwd=tmp_path).returncode == 0
    assert NEEDS_TEX.args[0] or (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("derive", "--wrt", "w^{(L)}", "--to", "tex", "-o", "x.pdf"), "-o x.pdf names a PDF, but the output is tex"),
        (("derive", "--wrt", "w^{(L)}", "--json", "-o", "x.pdf"), "-o x.pdf names a PDF, but the output is json"),
        (("derive", "--wrt", "w^{(L)}", "--to", "pdf", "-o", "x.tex"), "names a .tex file, but --to pdf writes a PDF"),
        (("verify", "--wrt", "w^{(L)}", "--claim", "a^{(L-1)}", "-o", "x.pdf"), "but verify writes text"),
        (("evaluate", "-o", "x.pdf"), "but evaluate writes text"),
    ],
)
def test_a_file_name_that_promises_another_format_is_refused_before_the_work(args, words, tmp_path, cmdline):
    command, *rest = args
    done = cmdline.run(command, "example:3b1b", *rest, cwd=tmp_path)
    assert done.returncode == 2 and words in done.stderr and done.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())
