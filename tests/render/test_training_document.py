"""A worked example with a training run: the forward pass, the plot of the cost over the steps, the parameters
before and after, and the claims table with each slip, in LaTeX (compiled by a real pdflatex), Markdown and text."""

from __future__ import annotations

import re

import numpy as np
import pytest

import symbackprop as sbp
from symbackprop.model.training import Training
from symbackprop.numeric.training import train
from symbackprop.render.training_context import MAX_POINTS, plot

from ..needs import NEEDS_TEX


@NEEDS_TEX
def test_the_training_run_document_compiles_and_says_what_it_found(cmdline, tmp_path):
    from symbackprop.render.latex_build import pdf_text

    done = cmdline.run(
        "derive", "example:mazur-training", "--wrt", "w_{00}^{(2)}", "--to", "pdf", "-o", "run.pdf", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    text = pdf_text((tmp_path / "run.pdf").read_bytes())
    assert "The forward pass for the single sample" in text
    assert "Training for 10,000 steps" in text
    assert "gradient descent, 10,000 steps on the full batch, biases held fixed" in text
    assert "before after 10,000 steps" in re.sub(r"\s+", " ", text)
    assert "4 of the 10 printed numbers could not be confirmed" in text
    assert (
        re.sub(r"\s+", " ", text).count("the output weights updated before the hidden deltas were computed from them")
        == 3
    )
    assert "the value after one update fewer" in text


def test_the_plot_follows_the_trajectory():
    net = sbp.Network.from_toml("example:mazur")
    run = train(net, net.spec.values, Training(steps=1000))
    data = plot(list(run.trajectory))
    points = [tuple(map(float, p.strip("()").split(","))) for p in data["points"].split(" -- ")]
    assert len(points) == MAX_POINTS and points[0][0] == 0 and points[-1][0] == pytest.approx(data["width"])
    assert data["log"]  # the cost falls by more than a factor of 100
    # the height is log10 of the cost, placed between the axis' lowest and highest powers of ten
    low, high = (int(re.fullmatch(r"10\^\{(-?\d+)\}", t["label"])[1]) for t in (data["yticks"][0], data["yticks"][-1]))
    expected = (np.log10(run.trajectory[-1]) - low) / (high - low) * data["height"]
    assert points[-1][1] == pytest.approx(expected, abs=1e-3)
    assert data["svg"].startswith("<svg") and 'role="img"' in data["svg"] and data["svg"].endswith("</svg>")


def test_a_cost_that_barely_moves_is_plotted_on_a_linear_axis():
    data = plot([0.5, 0.45, 0.41, 0.4])
    assert not data["log"]
    assert data["yticks"][0]["label"] == "0"
    assert len(data["points"].split(" -- ")) == 4


def test_markdown_and_text_carry_the_run(cmdline):
    md = cmdline.run("derive", "example:mazur", "--wrt", "w_{00}^{(1)}", "--steps", "50", "--to", "md")
    assert md.returncode == 0, md.stderr
    assert "### Training for 50 steps" in md.stdout
    assert md.stdout.count("<svg") == 1 and "| layer | $z$ | $a$ |" in md.stdout
    text = cmdline.run("derive", "example:mazur", "--wrt", "w_{00}^{(1)}", "--steps", "50").stdout
    net = sbp.Network.from_toml("example:mazur")
    run = train(net, net.spec.values, Training(steps=50))
    assert f"w_00^(L-1) goes from 0.15 to {run.last.weights[0][0, 0]:.6g}" in text
    assert "forward pass:" in text


def test_the_same_run_gives_the_same_document(cmdline):
    args = ("derive", "example:mazur-training", "--wrt", "w_{00}^{(2)}", "--to", "tex")
    assert cmdline.run(*args).stdout == cmdline.run(*args).stdout


@NEEDS_TEX
def test_every_weight_and_bias_document_carries_the_run_too(cmdline, tmp_path):
    from symbackprop.render.latex_build import pdf_text

    done = cmdline.run(
        "derive", "example:mazur", "--wrt", "all", "--steps", "20", "--to", "pdf", "-o", "all.pdf", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    text = re.sub(r"\s+", " ", pdf_text((tmp_path / "all.pdf").read_bytes()))
    assert "Training for 20 steps" in text and "gradient descent, 20 steps on the full batch" in text
    assert "before after 20 steps" in text


@pytest.mark.parametrize("costs", [[4.94e-324, 1.9e17], [1.69e308, 1.7e308, 1.6e308], [2.0, 2.0], [0.0, 0.0]])
def test_extreme_costs_are_plotted_on_an_axis_that_holds_them(costs):
    data = plot(costs)
    heights = [float(p.strip("()").split(",")[1]) for p in data["points"].split(" -- ")]
    assert all(0 <= h <= data["height"] + 1e-9 for h in heights)
    assert "inf" not in data["svg"] and "nan" not in data["svg"]
