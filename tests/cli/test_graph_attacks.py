"""What an attack on the graph commands found, each with the input that found it (/work/attack-graphs/REPORT.md):
numbers read as LaTeX means them, a node's gradient proven, and values at which a node is not finite given
as null rather than a crash."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest


def spec(tmp_path: Path, graph: str, values: str, extra: str = "") -> str:
    path = tmp_path / "graph.toml"
    path.write_text(f"[graph]\n{graph}\n[values]\n{values}\n{extra}", encoding="utf-8")
    return str(path)


def numbers(cmdline, path: str) -> dict:
    done = cmdline.run("evaluate", path, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@pytest.mark.parametrize(
    ("graph", "value", "gradient"),
    [
        ("f = '\\sigma(x)^{2}'", sigmoid(1.5) ** 2, 2 * sigmoid(1.5) ** 2 * (1 - sigmoid(1.5))),  # was σ(x²)
        ("f = '\\exp(x)^2'", math.exp(3.0), 2 * math.exp(3.0)),
        ("f = '\\sqrt[3]{x}'", 1.5 ** (1 / 3), 1.5 ** (-2 / 3) / 3),  # was √3 · x
        ("f = '2e^{x}'", 2 * math.exp(1.5), 2 * math.exp(1.5)),  # 2 times e^x stays as written
    ],
)
def test_powers_of_functions_and_roots_read_as_latex_means_them(cmdline, tmp_path, graph, value, gradient):
    found = numbers(cmdline, spec(tmp_path, graph, "x = 1.5"))
    assert math.isclose(found["values"]["f"], value, rel_tol=1e-12)
    assert math.isclose(found["gradients"]["x"], gradient, rel_tol=1e-12)


@pytest.mark.parametrize(
    ("graph", "words"),
    [
        ("f = '1e-3 x'", "write 10^{-3} or 0.001"),  # was e - 3x
        ("f = 'e x'", "Euler's number is written e^{1}"),  # a forgotten value named e was 2.718...
        ("f = 'x^23'", "write ^{23}"),  # LaTeX sets x^23 as x^2 3
        ("f = 'x + (-8)^{1/3}'", "is not a real number"),  # codegen gave complex numbers
        ("f = 'x \\ln(-1)'", "is not a real number"),
        ("f = 'x + \\frac{1}{0}'", "a division by zero"),
        ("f = '\\sqrt[x]{x}'", "whole number from 2 to 100"),
    ],
)
def test_what_would_be_read_wrongly_is_refused_in_one_line(cmdline, tmp_path, graph, words):
    done = cmdline.run("evaluate", spec(tmp_path, graph, "x = 1.5"), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert words in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("graph", "values"),
    [
        ("f = '\\frac{1}{x}'", "x = 0.0"),
        ("f = '\\sqrt{x} + \\ln(x)'", "x = 0.0"),
        ("f = 'x^{0.5}'", "x = -8.0"),
        ("f = 'x x'", "x = 1e308"),
        ("f = '\\frac{1}{x}'", "x = 5e-324"),
    ],
)
def test_a_value_that_is_not_finite_is_null_not_a_crash(cmdline, tmp_path, graph, values):
    found = numbers(cmdline, spec(tmp_path, graph, values))
    assert found["values"]["f"] is None and found["gradients"]["x"] is None


def test_a_claim_that_is_not_finite_is_refused(cmdline, tmp_path):
    done = cmdline.run("verify", spec(tmp_path, "f = '2 x'", "x = 1.0", "[claims.values]\nf = nan\n"))
    assert done.returncode == 2 and "finite" in done.stderr


CIRCUIT = ("q = 'x + y'\np = 'x y'\nf = 'q z'", "x = -2.0\ny = 5.0\nz = -4.0")


@pytest.mark.parametrize(
    ("wrt", "words"),
    [
        ("q", "proven (symbolic): df/dq"),  # was DISPROVEN: forward mode seeded only the inputs
        ("f", "df/df = 1"),
        ("p", "f does not depend on p"),  # was a KeyError
    ],
)
def test_a_node_s_gradient_is_proven_as_an_input_s_is(cmdline, tmp_path, wrt, words):
    done = cmdline.run("derive", spec(tmp_path, *CIRCUIT), "--wrt", wrt)
    assert done.returncode == 0, done.stderr
    assert words in done.stdout and "DISPROVEN" not in done.stdout


def test_a_long_chain_is_proven_past_what_sympy_can_write_out(cmdline, tmp_path):
    chain = "\n".join(["n_0 = 'x w'"] + [f"\"n_{{{i}}}\" = '\\tanh(n_{{{i - 1}}}) + w'" for i in range(1, 150)])
    done = cmdline.run("derive", spec(tmp_path, chain, "x = 0.5\nw = -0.3"), "--wrt", "x")
    assert done.returncode == 0, done.stderr  # was "too deeply nested": the proof wrote out 150 nested tanh
    assert "Check: proven" in done.stdout


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[graph]\nf = '2 \\omicron'\n[values]\n\"\\\\omicron\" = 1.0\n", "not a name"),  # LaTeX has no \omicron
        ("[graph]\nf = '2'\n", "at least one input"),  # nothing to differentiate by: the PDF failed
        ("title = \"a\\nb\"\n[graph]\nf = '2 x'\n[values]\nx = 1.0\n", "one line"),
    ],
)
def test_what_a_document_cannot_show_is_refused_first(cmdline, tmp_path, text, words):
    path = tmp_path / "graph.toml"
    path.write_text(text, encoding="utf-8")
    done = cmdline.run("derive", str(path), "--wrt", "all", "--to", "pdf", "-o", str(tmp_path / "out.pdf"))
    assert done.returncode == 2 and words in done.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_a_markdown_title_is_text_not_html(cmdline):
    md = cmdline.run(
        "derive", "example:circuit", "--wrt", "x", "--to", "md", "--title", "<img src=x onerror=f()>"
    ).stdout
    assert "<img" not in md and "&lt;img src=x onerror=f()&gt;" in md


def test_three_tied_values_of_a_nested_max_split_the_gradient_as_pytorch_does(cmdline, tmp_path):
    found = numbers(cmdline, spec(tmp_path, "f = '\\max(\\max(a, b), c)'", "a = 1.0\nb = 1.0\nc = 1.0"))
    assert found["gradients"] == {"a": 0.25, "b": 0.25, "c": 0.5, "f": 1.0}  # flattened, SymPy gave 1/2 each
    torch = pytest.importorskip("torch")
    a, b, c = (torch.tensor(1.0, dtype=torch.float64, requires_grad=True) for _ in range(3))
    torch.maximum(torch.maximum(a, b), c).backward()
    assert [a.grad.item(), b.grad.item(), c.grad.item()] == [0.25, 0.25, 0.5]


def test_a_graph_whose_values_explode_away_from_its_inputs_is_still_checked(cmdline, tmp_path):
    """e^(e^(e^(e^x))) at a random x of [-2, 2] is e^(10^702): mpmath raised MemoryError under the command's
    memory limit, and the proof failed the whole derivation; such a point is skipped for another."""
    chain = ["h_1 = 'e^{x}'", "h_2 = 'e^{h_1}'", "h_3 = 'e^{h_2}'", "h_4 = 'e^{h_3}'", "h_5 = 'h_4^{0.5}'"]
    chain += ["g_1 = '\\tanh(h_5) + h_5'"] + [f"g_{k} = '\\tanh(g_{k - 1}) + g_{k - 1}'" for k in range(2, 10)]
    done = cmdline.run("derive", spec(tmp_path, "\n".join(chain), "x = -3.0"), "--wrt", "all", "--to", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["proof"]["verdict"] in ("proven", "undecided")
