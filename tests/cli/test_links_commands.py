"""A network spec with a skip connection or tied weights through every command: worked as the computation graph
of its cost C_0, its gradients are PyTorch autograd's (float64, the network written out by hand here), and its
derivations show the skip's extra path and the tied weight's sum over its uses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ..needs import NEEDS_TEX

RESIDUAL = """title = "A residual block"
layers = [2, 2, 2, 1]
activation = ["tanh", "tanh", "sigmoid"]
skip = [[0, 2]]
[values]
x = [0.5, -0.3]
y = [1.0]
weights = [[[0.2, -0.4], [0.6, 0.1]], [[-0.3, 0.5], [0.7, -0.2]], [[0.8, -0.6]]]
biases = [[0.1, -0.1], [0.05, 0.2], [0.3]]
"""

TIED = """title = "A tied autoencoder"
layers = [3, 2, 3]
activation = ["tanh", "sigmoid"]
tie = [["w^{(2)}", "w^{(1)}", "transpose"]]
[values]
x = [0.9, 0.1, 0.4]
y = [0.9, 0.1, 0.4]
weights = [[[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]], [[0.5, 0.1], [-0.3, 0.4], [0.2, -0.6]]]
biases = [[0.1, -0.2], [0.0, 0.2, -0.1]]
"""


def spec(tmp_path: Path, text: str, name: str = "net.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def torch_residual() -> dict[str, float]:
    """d C_0 by autograd: a2 = tanh(W2 tanh(W1 x + b1) + b2 + x), a3 = sigmoid(W3 a2 + b3), C_0 = (a3 - y)^2."""
    torch = pytest.importorskip("torch")

    def leaf(v):
        return torch.tensor(v, dtype=torch.float64, requires_grad=True)

    x, y = leaf([0.5, -0.3]), torch.tensor([1.0], dtype=torch.float64)
    w1, w2, w3 = leaf([[0.2, -0.4], [0.6, 0.1]]), leaf([[-0.3, 0.5], [0.7, -0.2]]), leaf([[0.8, -0.6]])
    b1, b2, b3 = leaf([0.1, -0.1]), leaf([0.05, 0.2]), leaf([0.3])
    a2 = torch.tanh(w2 @ torch.tanh(w1 @ x + b1) + b2 + x)
    ((torch.sigmoid(w3 @ a2 + b3) - y) ** 2).sum().backward()
    grads = {f"a^{{(L-3)}}_{{{k}}}": x.grad[k] for k in range(2)}
    for layer, w, b in (("L-2", w1, b1), ("L-1", w2, b2)):
        grads |= {f"w^{{({layer})}}_{{{j}{k}}}": w.grad[j, k] for j in range(2) for k in range(2)}
        grads |= {f"b^{{({layer})}}_{{{j}}}": b.grad[j] for j in range(2)}
    grads |= {"w^{(L)}_{00}": w3.grad[0, 0], "w^{(L)}_{01}": w3.grad[0, 1], "b^{(L)}": b3.grad[0]}
    return {name: float(g) for name, g in grads.items()}


def torch_tied() -> dict[str, float]:
    """d C_0 by autograd with one tensor W1 used twice, the decoder taking its transpose: PyTorch adds the uses."""
    torch = pytest.importorskip("torch")

    def leaf(v):
        return torch.tensor(v, dtype=torch.float64, requires_grad=True)

    x = torch.tensor([0.9, 0.1, 0.4], dtype=torch.float64)
    w1, b1, b2 = leaf([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]]), leaf([0.1, -0.2]), leaf([0.0, 0.2, -0.1])
    a2 = torch.sigmoid(w1.T @ torch.tanh(w1 @ x + b1) + b2)
    ((a2 - x) ** 2).sum().backward()
    grads = {f"w^{{(L-1)}}_{{{j}{k}}}": w1.grad[j, k] for j in range(2) for k in range(3)}
    grads |= {f"b^{{(L-1)}}_{{{j}}}": b1.grad[j] for j in range(2)} | {
        f"b^{{(L)}}_{{{j}}}": b2.grad[j] for j in range(3)
    }
    return {name: float(g) for name, g in grads.items()}


CASES = [pytest.param(RESIDUAL, torch_residual, id="residual"), pytest.param(TIED, torch_tied, id="tied")]


@pytest.mark.parametrize(("text", "reference"), CASES)
def test_evaluate_json_gives_pytorchs_gradients(cmdline, tmp_path, text, reference):
    done = cmdline.run("evaluate", spec(tmp_path, text), "--json")
    assert done.returncode == 0, done.stderr
    gradients = json.loads(done.stdout)["gradients"]
    expected = reference()
    for name, value in expected.items():
        assert gradients[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
    if text is TIED:  # a tied weight is no parameter of its own: it is the leaf it is tied to
        assert not [name for name in gradients if name.startswith("w^{(L)}")]


@pytest.mark.parametrize(("text", "reference"), CASES)
def test_codegen_writes_a_module_that_gives_pytorchs_gradients(cmdline, tmp_path, text, reference):
    done = cmdline.run("codegen", spec(tmp_path, text))
    assert done.returncode == 0, done.stderr
    module: dict = {}
    exec(done.stdout, module)
    values = json.loads(cmdline.run("evaluate", spec(tmp_path, text), "--json").stdout)["values"]
    gradients = module["gradients"]({name: values[name] for name in module["LEAVES"]})
    for name, value in reference().items():
        assert float(gradients[name]) == pytest.approx(value, rel=1e-12, abs=1e-15), name


def test_the_residual_derivation_shows_the_skips_extra_path(cmdline, tmp_path):
    done = cmdline.run("derive", spec(tmp_path, RESIDUAL), "--wrt", "a_{0}^{(0)}")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "z^{(L-1)}_0 = a^{(L-2)}_0·w^{(L-1)}_00 + a^{(L-2)}_1·w^{(L-1)}_01 + a^{(L-3)}_0 + b^{(L-1)}_0" in out
    assert "an add gate passes the gradient on unchanged" in out  # down the skip, as it is
    assert "(a^{(L-3)}_0 feeds 3 nodes, so their gradients add)" in out  # two through W1, one along the skip
    assert "+ ∂C_0/∂z^{(L-1)}_0 · 1" in out and "proven (symbolic)" in out
    assert f"[= {torch_residual()['a^{(L-3)}_{0}']:.6g}]" in out


def test_the_tied_derivation_sums_over_the_weights_uses(cmdline, tmp_path):
    done = cmdline.run("derive", spec(tmp_path, TIED), "--wrt", "w_{10}^{(2)}")  # w^(2)_10 is w^(1)_01
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("How C_0 depends on w^{(L-1)}_01\n")
    assert "(w^{(L-1)}_01 feeds 2 nodes, so their gradients add)" in out
    assert (
        "= ∂C_0/∂z^{(L-1)}_0 · a^{(L-2)}_1 + ∂C_0/∂z^{(L)}_1 · a^{(L-1)}_0" in out
    )  # the encoder's use and the decoder's
    assert f"[= {torch_tied()['w^{(L-1)}_{01}']:.6g}]" in out


@pytest.mark.parametrize(("fmt", "marker"), [("tex", r"\partial w^{(L-1)}_{01}"), ("md", "w^{(L-1)}_{01}")])
def test_derive_writes_tex_and_markdown(cmdline, tmp_path, fmt, marker):
    done = cmdline.run("derive", spec(tmp_path, TIED), "--wrt", "w_{01}^{(1)}", "--to", fmt)
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout


def test_derive_json_and_all(cmdline, tmp_path):
    done = cmdline.run("derive", spec(tmp_path, TIED), "--wrt", "w_{01}^{(L-1)}", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["wrt"] == "w^{(L-1)}_{01}"
    every = json.loads(cmdline.run("derive", spec(tmp_path, TIED), "--wrt", "all", "--json").stdout)
    assert len(every["results"]) == 3 + 3 + 6 + 2 + 3 and every["proof"]["verdict"] == "proven"


@NEEDS_TEX
def test_derive_writes_a_pdf(cmdline, tmp_path):
    out = tmp_path / "residual.pdf"
    done = cmdline.run("derive", spec(tmp_path, RESIDUAL), "--wrt", "w_{00}^{(1)}", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_verify_checks_the_claims_table_by_the_networks_references(cmdline, tmp_path):
    expected = torch_tied()
    claims = (
        f'\n[claims]\ncost = 0.1\n[claims.gradients]\n"w_{{10}}^{{(2)}}" = {expected["w^{(L-1)}_{01}"]:.6g}\n'
        f'"b_{{1}}^{{(1)}}" = {expected["b^{(L-1)}_{1}"]:.6g}\n'
    )
    done = cmdline.run("verify", spec(tmp_path, TIED + claims), "--json")
    assert done.returncode == 1, done.stderr  # the cost is wrong on purpose
    rows = {row["reference"]: row["verdict"] for row in json.loads(done.stdout)["numbers"]}
    assert rows == {"C_0": "wrong", "w^{(L-1)}_{01}": "confirmed", "b^{(L-1)}_{1}": "confirmed"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify"], "the spec has no [claims] table"),
        (["derive", "--wrt", "w_{jk}^{(l)}"], "the general form is the layer-by-layer engine's"),
        (["derive", "--wrt", "w_{00}^{(1)}", "--wrt2", "b_{0}^{(1)}"], "--wrt2: a network with skip or tie"),
        (["derive", "--wrt", "w_{00}^{(5)}"], "reference 'w_{00}^{(5)}': no layer '(5)'"),
    ],
)
def test_what_a_linked_network_cannot_do_is_one_line(cmdline, tmp_path, args, message):
    done = cmdline.run(args[0], spec(tmp_path, TIED), *args[1:])
    assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_a_bad_link_is_one_line_naming_the_file(cmdline, tmp_path):
    done = cmdline.run("evaluate", spec(tmp_path, RESIDUAL.replace("[[0, 2]]", "[[0, 3]]")))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "net.toml: skip[0]: a skip adds a^(0) to z^(3) neuron by neuron" in done.stderr


@pytest.mark.parametrize(("text", "reference"), CASES)
def test_gradcheck_agrees(cmdline, tmp_path, text, reference):
    done = cmdline.run("gradcheck", spec(tmp_path, text))
    assert done.returncode == 0 and "agree" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("example", ["residual", "tied"])
def test_the_built_in_examples_claims_are_confirmed(cmdline, example):
    done = cmdline.run("verify", f"example:{example}", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert {row["verdict"] for row in json.loads(done.stdout)["numbers"]} == {"confirmed"}


def test_empty_links_leave_a_network_on_the_layer_by_layer_path(cmdline, tmp_path):
    plain = RESIDUAL.replace("skip = [[0, 2]]\n", "")
    expected = cmdline.run("evaluate", spec(tmp_path, plain, "plain.toml"), "--json")
    done = cmdline.run("evaluate", spec(tmp_path, plain.replace("[values]", "skip = []\ntie = []\n[values]")), "--json")
    assert done.returncode == expected.returncode == 0 and done.stdout == expected.stdout
    assert "grad_weights" in json.loads(done.stdout)  # the network's layout, not a graph's
    assert np.isfinite(json.loads(done.stdout)["cost"])


LEFT = r"\frac{\partial C_0}{\partial w_{00}^{(1)}} = "


@pytest.mark.parametrize(
    ("claim", "status"),
    [
        # the skip's path and the layers' path, added at a_0^(1): the claim names both in the network's notation
        (LEFT + r"\frac{\partial C_0}{\partial a_0^{(1)}} (1 - (a_0^{(1)})^{2}) a^{(0)}", 0),
        (LEFT + r"\frac{\partial C_0}{\partial z_0^{(1)}} a^{(0)}", 0),
        (LEFT + r"\frac{\partial C_0}{\partial a_0^{(1)}} a^{(0)}", 1),  # tanh' left out
    ],
)
def test_a_claim_in_the_network_s_notation_is_decided(cmdline, claim, status):
    done = cmdline.run("verify", "example:residual", "--claim", claim)
    assert done.returncode == status, done.stdout + done.stderr
    assert ("verdict: correct" if status == 0 else "verdict: incorrect") in done.stdout
