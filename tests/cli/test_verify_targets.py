"""verify --targets and the spec's targets key, end to end: the verdict, its JSON, its refusals, and every output
without them as it was."""

from __future__ import annotations

import json

import pytest

SOFTMAX = ("--layers", "2,3", "--activation", "softmax", "--cost", "cross_entropy")
A_MINUS_Y = r"\frac{\partial C_0}{\partial z_j^{(L)}} = a_j^{(L)} - y_j"
PLANTED = r"\frac{\partial C_0}{\partial z_1^{(L)}} = a_1^{(L)} - 2 y_1"
SPEC = """layers = [2, 3]
activation = "softmax"
cost = "cross_entropy"
{line}
[values]
x = [0.5, -1.0]
y = [0.0, 1.0, 0.0]
weights = [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]]
biases = [[0.0, 0.1, 0.2]]
"""


@pytest.mark.parametrize("targets", ["one-hot", "sum-to-one"])
def test_a_minus_y_is_correct_with_the_flag_and_the_report_names_the_assumption(cmdline, targets):
    done = cmdline.run("verify", *SOFTMAX, "--targets", targets, "--claim", A_MINUS_Y)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("verdict: correct")
    assert "how it was decided:  with each sample's targets summing to 1, as the spec" in done.stdout


def test_a_minus_y_is_incorrect_without_the_flag(cmdline):
    done = cmdline.run("verify", *SOFTMAX, "--claim", A_MINUS_Y, "--json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["verdict"] == "incorrect"
    assert data["diagnosis"]["kind"] == "targets_sum_to_one"
    assert data["assumptions"] == []


def test_the_spec_key_does_what_the_flag_does(cmdline, tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(SPEC.format(line='targets = "one-hot"'))
    done = cmdline.run("verify", str(path), "--claim", A_MINUS_Y, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["verdict"] == "correct"
    assert data["assumptions"] == ["the targets are one-hot: in each sample one y_j is 1 and the others are 0"]
    assert "summing to 1" in data["method"]


def test_a_planted_mistake_gets_a_counterexample_at_one_hot_targets(cmdline, tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(SPEC.format(line=""))
    done = cmdline.run("verify", str(path), "--targets", "one-hot", "--claim", PLANTED, "--json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    targets = [data["counterexample"]["parameters"][f"y_{{{j}}}"] for j in range(3)]
    assert sorted(targets) == [0.0, 0.0, 1.0]
    assert data["assumptions"] == ["the targets are one-hot: in each sample one y_j is 1 and the others are 0"]


def test_a_planted_mistake_gets_a_counterexample_at_targets_summing_to_one(cmdline):
    done = cmdline.run("verify", *SOFTMAX, "--targets", "sum-to-one", "--claim", PLANTED, "--json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    targets = [data["counterexample"]["parameters"][f"y_{{{j}}}"] for j in range(3)]
    assert abs(sum(targets) - 1) < 1e-12
    assert data["assumptions"] == ["each sample's targets sum to 1"]


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (("--targets", "onehot"), "symbackprop verify: error: --targets: must be one-hot or sum-to-one"),
        (("--targets", ""), "symbackprop verify: error: --targets: must be one-hot or sum-to-one"),
    ],
)
def test_a_bad_flag_is_one_line_and_exit_2(cmdline, args, start):
    done = cmdline.run("verify", *SOFTMAX, *args, "--claim", A_MINUS_Y)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(start)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_bad_key_is_one_line_exit_2_and_no_traceback_in_a_process_of_its_own(cmdline, tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(SPEC.format(line='targets = "probabilities"'))
    done = cmdline.process("verify", str(path), "--claim", A_MINUS_Y)
    assert done.returncode == 2
    assert done.stderr == (
        f"symbackprop verify: error: {path}: targets: must be one-hot or sum-to-one (leave it out to assume "
        "nothing); got 'probabilities'\n"
    )


def test_targets_the_spec_gives_must_fit_the_flag(cmdline):
    done = cmdline.run("verify", "example:mazur", "--targets", "one-hot")
    assert done.returncode == 2
    assert "values.y: --targets is one-hot" in done.stderr


def test_a_graph_spec_takes_no_targets_flag(cmdline):
    done = cmdline.run("verify", "example:circuit", "--targets", "one-hot")
    assert done.returncode == 2
    assert "--targets is a network's" in done.stderr


# What these printed before the targets key existed: without it, every output stays byte for byte the same.
BEFORE_DEEPLIZARD = (
    "verdict: incorrect\n"
    "  what was checked:    whether the claim equals ∂C_0/∂w_12^(L)\n"
    "  the claim, as read:  2·(a_1^(L) - y_1)·a_2^(L-1)\n"
    "  the right answer:    ∂C_0/∂w_12^(L) = 2·(a_1^(L) - y_1)·g'^(L)(z_1^(L))·a_2^(L-1)\n"
    "  what went wrong:     the derivative of the activation, g'^(L)(z_1^(L)), is missing\n"
    "  a counterexample:    the claim gives -0.2319402844, the right answer -0.2276434928\n"
    "                       at a_2^(L-1) = 0.123968, a_1^(L) = -0.136108, y_1 = 0.79938, z_1^(L) ="
    " -0.136958 (taking g = tanh)\n"
    "  how it was decided:  not equal as functions of the parameters, inputs and targets\n"
)
BEFORE_SOFTMAX = (
    "verdict: incorrect\n"
    "  what was checked:    whether both sides agree: the right-hand side against ∂C_0/∂z_1^(L)\n"
    "  the claim, as read:  a_1^(L) - y_1\n"
    "  the right answer:    ∂C_0/∂z_1^(L) = -Σ_[i=0..2] (([i = 1] - a_1^(L))·y_i)\n"
    "  what went wrong:     it holds only when the targets sum to 1 (a one-hot or probability target);"
    " in general the output layer's term is a_j times the sum of the targets, minus y_j\n"
    "  a counterexample:    the claim gives 0.1018363399, the right answer 0.1030004353\n"
    "                       at a_1^(L) = 0.394644, y_0 = 0.623266, y_1 = 0.292808, y_2 = 0.0868762\n"
    "  how it was decided:  not equal as functions of the parameters, inputs and targets\n"
)


def test_without_an_assumption_the_reports_are_as_they_were(cmdline):
    done = cmdline.run(
        "verify", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", "2(a_1^{(L)} - y_1) a_2^{(L-1)}"
    )
    assert done.stdout == BEFORE_DEEPLIZARD
    claim = r"\frac{\partial C_0}{\partial z_1^{(L)}} = a_1^{(L)} - y_1"
    assert cmdline.run("verify", *SOFTMAX, "--claim", claim).stdout == BEFORE_SOFTMAX
