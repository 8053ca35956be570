"""evaluate --steps N and [training]: the trajectory, the parameters after the last step, and values from a seed."""

from __future__ import annotations

import json

import numpy as np
import pytest

import symbackprop as sbp
from symbackprop.model.training import Training
from symbackprop.numeric import numbers as numeric
from symbackprop.numeric.training import train

TRAINED = """
layers = [2, 3, 1]
activation = ["tanh", "sigmoid"]
cost = "binary_cross_entropy"
bias = "layer"
[values]
x = [[0.5, -1.0], [0.2, 0.7], [-0.3, 0.1]]
y = [[1.0], [0.0], [1.0]]
weights = [[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.3, -0.1, 0.2]]]
biases = [0.1, -0.2]
learning_rate = 0.1
[training]
steps = 40
optimizer = "adam"
"""


def test_json_gives_the_trajectory_and_the_parameters_after_the_last_step(cmdline, tmp_path):
    (tmp_path / "net.toml").write_text(TRAINED)
    done = cmdline.run("evaluate", "net.toml", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    net = sbp.Network.from_toml(tmp_path / "net.toml")
    run = train(net, net.spec.values, net.spec.training)
    assert len(data["trajectory"]) == 41
    assert data["trajectory"] == [float(c) for c in run.trajectory]
    assert data["trajectory"][0] == pytest.approx(data["cost"], rel=1e-15)  # the cost before the first step
    after = data["after"]
    assert set(after) == {"weights", "biases", "cost"}
    assert np.array(after["weights"][0]).shape == (3, 2) and np.array(after["weights"][1]).shape == (1, 3)
    assert isinstance(after["biases"][0], float)  # one shared bias per layer, a number as the spec writes it
    final = sbp.Network.from_toml(tmp_path / "net.toml")
    moved = numeric.Values(
        final.spec.values.x,
        final.spec.values.y,
        tuple(np.array(w) for w in after["weights"]),
        tuple(np.array([b]) for b in after["biases"]),
    )
    assert after["cost"] == pytest.approx(numeric.mean_cost(net, moved), rel=1e-13)
    assert data["training"].startswith("adam (beta1 0.9, beta2 0.999, eps 1e-08), 40 steps")


def test_steps_on_the_command_line_win_over_the_tables(cmdline, tmp_path):
    (tmp_path / "net.toml").write_text(TRAINED)
    done = cmdline.run("evaluate", "net.toml", "--json", "--steps", "3", cwd=tmp_path)
    assert len(json.loads(done.stdout)["trajectory"]) == 4


def test_text_shows_a_long_run_at_evenly_spaced_steps(cmdline):
    done = cmdline.run("evaluate", "example:mazur", "--steps", "1000")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    start = lines.index("        k  cost C")
    steps = [int(line.split()[0]) for line in lines[start + 1 : start + 22]]
    assert steps[0] == 0 and steps[-1] == 1000 and len(steps) == 21
    assert "(at 21 of the 1001 steps; --json gives every one)" in done.stdout
    assert "after the last step:" in done.stdout


def test_a_short_run_shows_every_step(cmdline):
    done = cmdline.run("evaluate", "example:mazur", "--steps", "2")
    assert "training: sgd, 2 steps, full batch" in done.stdout
    assert [line.split()[0] for line in done.stdout.split("        k  cost C\n")[1].splitlines()[:3]] == ["0", "1", "2"]


def test_a_spec_without_values_draws_them_from_the_seed_and_says_so(cmdline):
    first = cmdline.run("evaluate", "--layers", "2,3,1", "--json", "--seed", "5")
    again = cmdline.run("evaluate", "--layers", "2,3,1", "--json", "--seed", "5")
    other = cmdline.run("evaluate", "--layers", "2,3,1", "--json", "--seed", "6")
    assert first.returncode == 0 and first.stdout == again.stdout != other.stdout
    data = json.loads(first.stdout)
    net = sbp.Network(layers=[2, 3, 1])
    drawn = numeric.random_values(net, seed=5)
    assert data["random_values"]["seed"] == 5
    assert data["random_values"]["x"] == drawn.x.tolist()
    assert data["cost"] == pytest.approx(numeric.mean_cost(net, drawn), rel=1e-15)
    text = cmdline.run("evaluate", "--layers", "2,3,1").stdout
    assert text.startswith("the spec gives no [values]: 3 samples and every parameter drawn at random (seed 0")


def test_the_learning_rate_can_be_given_for_drawn_values(cmdline):
    done = cmdline.run("evaluate", "--layers", "2,2,1", "--steps", "5", "--learning-rate", "0.5", "--json")
    data = json.loads(done.stdout)
    net = sbp.Network(layers=[2, 2, 1])
    values = numeric.random_values(net, seed=0)
    run = train(net, numeric.Values(values.x, values.y, values.weights, values.biases, 0.5), Training(steps=5))
    assert data["trajectory"] == [float(c) for c in run.trajectory]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--layers", "2,2,1", "--steps", "5"],
            "training needs a learning rate: give learning_rate in [values], or --learning-rate",
        ),
        (["example:mazur", "--steps", "-3"], "--steps: must be a whole number of steps from 0 to 1,000,000"),
        (["--layers", "2,2,1", "--seed=-5"], "argument --seed: expected a whole number from 0, got -5"),
        (
            ["example:mazur", "--learning-rate", "nan"],
            "argument --learning-rate: a gradient-descent step needs a finite",
        ),
        (["example:mazur", "--learning-rate=-1"], "argument --learning-rate: a gradient-descent step needs a finite"),
        (
            ["example:circuit", "--steps", "3"],
            "--steps and --learning-rate train a layered network; a graph (or a network with skip or tie) is not",
        ),
    ],
)
def test_bad_training_requests_are_one_line(cmdline, args, message):
    done = cmdline.run("evaluate", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_bad_training_table_names_the_spec_and_the_key(cmdline, tmp_path):
    (tmp_path / "net.toml").write_text(TRAINED.replace('optimizer = "adam"', 'optimizer = "adamw"'))
    done = cmdline.run("evaluate", "net.toml", cwd=tmp_path)
    assert done.returncode == 2
    assert (
        "net.toml: training.optimizer: must be one of sgd, momentum, nesterov, rmsprop, adam, got 'adamw'"
        in done.stderr
    )


def test_derive_steps_needs_values(cmdline):
    done = cmdline.run("derive", "--layers", "2,2", "--wrt", "w_{00}^{(1)}", "--steps", "2")
    assert done.returncode == 2
    assert "--steps trains the spec's [values], and this spec has none" in done.stderr


def test_the_one_step_holds_the_biases_the_training_holds(cmdline):
    data = json.loads(cmdline.run("evaluate", "example:mazur-training", "--json", "--steps", "1").stdout)
    assert data["updated_biases"] == [0.35, 0.6] == data["after"]["biases"]
    assert data["updated_weights"] == data["after"]["weights"]
