"""Fuzzing the command line in-process: generated specs, references and claims, valid and broken.

Properties: every run ends with exit status 0, 1 or 2; stderr never holds a traceback or an
"internal error"; a failed run leaves no output file; nothing a user typed is executed (the
claims and specs include Python and TeX that would leave a file behind if they ran). The
default profile keeps this to a minute or two; HYPOTHESIS_PROFILE=long runs it for longer.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop.cli import main

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
if os.environ.get("HYPOTHESIS_PROFILE") == "long":
    FUZZ = settings(FUZZ, max_examples=400, derandomize=False)

HOSTILE = [
    "__import__('os').system('touch PWNED')",
    "\\input{/etc/passwd}",
    "\\write18{touch PWNED}",
    "\\openout1=PWNED",
    "\\catcode`\\^=7",
    "{{ 7*7 }}",
    "\\BLOCK{ set x = 1 }",
    "\\VAR{ ''.__class__ }",
    "é∂∑🙂",
    "\x00",
]
NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "leaky_relu:0.2", "softplus", "identity", "softmax", "g"]
COSTS = ["sse", "half_sse", "mse", "cross_entropy", "binary_cross_entropy"]
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 1e200, 5e-324, 0.0, -0.0]),
    st.integers(-(10**30), 10**30),
)
TOKENS = [
    "a", "z", "w", "b", "y", "x", "n", "e", "C", "g", "q", "_", "^", "{", "}", "(", ")", "[", "]", "'", ",", "=",
    "0", "1", "2", "12", "L", "L-1", "(L)", "(L-1)", "j", "k", "+", "-", "/", ">", "\\sigma", "\\frac", "\\partial",
    "\\sum", "\\cdot", "\\times", "\\left(", "\\right)", "\\mathbb{1}", "\\max", "\\exp", "\\ln", "\\delta",
    "\\prime", "\\tanh", "\\operatorname{ReLU}", "\\mathrm{d}", "\\substack", "\\\\", "\\leq", " ",
]  # fmt: skip


def toml_value(value: object) -> str:
    """A tiny TOML writer for generated data (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\u0000") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_document(data: dict) -> str:
    return "".join(f"{toml_value(str(k))} = {toml_value(v)}\n" for k, v in data.items())


widths = st.integers(-2, 4) | st.sampled_from([0, 5000, 10**9])
layers = st.lists(widths, min_size=0, max_size=5) | st.sampled_from(["2,3", 3, None])


@st.composite
def value_tables(draw, sizes: list[int]) -> dict:
    """[values] of the right shape (mostly) with any numbers, extreme ones included."""

    def matrix(rows: int, cols: int) -> list:
        return [[draw(NUMBERS) for _ in range(cols)] for _ in range(rows)]

    ok = all(isinstance(n, int) and 0 < n <= 4 for n in sizes) and len(sizes) >= 2
    if not ok:
        return {"x": [draw(NUMBERS)], "y": [1.0]}
    table = {
        "x": [draw(NUMBERS) for _ in range(sizes[0])],
        "y": [draw(NUMBERS) for _ in range(sizes[-1])],
        "weights": [matrix(n, m) for m, n in itertools.pairwise(sizes)],
        "biases": [[draw(NUMBERS) for _ in range(n)] for n in sizes[1:]],
    }
    if draw(st.booleans()):
        table["learning_rate"] = draw(NUMBERS)
    if draw(st.booleans()):
        table.pop(draw(st.sampled_from(sorted(table))))
    return table


@st.composite
def valid_specs(draw) -> str:
    """A spec the engine accepts: small layers, fitting activations, values with ordinary or extreme numbers."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
    cost = draw(st.sampled_from(["sse", "half_sse", "mse", "cross_entropy", "binary_cross_entropy"]))
    safe = ["sigmoid", "tanh", "relu", "softplus", "identity"]
    last = ["sigmoid"] if cost in ("cross_entropy", "binary_cross_entropy") else safe
    acts = [draw(st.sampled_from(safe)) for _ in sizes[2:]] + [draw(st.sampled_from(last))]
    data = {"layers": sizes, "activation": acts, "cost": cost, "bias": draw(st.sampled_from(["neuron", "none"]))}
    data["index_base"] = draw(st.sampled_from([0, 0, 1]))
    if draw(st.booleans()):
        ordinary = st.floats(-2, 2, allow_nan=False)
        numbers = NUMBERS if draw(st.integers(0, 3)) == 0 else ordinary
        data["values"] = {
            "x": [draw(numbers) for _ in range(sizes[0])],
            "y": [draw(st.floats(0.05, 0.95)) for _ in range(sizes[-1])],
            "weights": [[[draw(numbers) for _ in range(m)] for _ in range(n)] for m, n in itertools.pairwise(sizes)],
            "learning_rate": 0.1,
        }
        if data["bias"] == "neuron":
            data["values"]["biases"] = [[draw(numbers) for _ in range(n)] for n in sizes[1:]]
        if draw(st.booleans()):
            data["claims"] = {"cost": draw(NUMBERS), "gradients": {"w_{00}^{(L)}": draw(NUMBERS)}}
    return toml_document(data)


@st.composite
def specs(draw) -> str:
    """A spec file's text: half accepted, the rest plausible and implausible keys, or not TOML at all."""
    if draw(st.booleans()):
        return draw(valid_specs())
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=200) | st.sampled_from(["", "[", "layers = [2,", "\ufeff", "a = 1\na = 2"]))
    data: dict = {}
    sizes = draw(layers)
    if sizes is not None:
        data["layers"] = sizes
    if draw(st.booleans()):
        data["activation"] = draw(st.sampled_from(NAMES + HOSTILE) | st.lists(st.sampled_from(NAMES), max_size=4))
    if draw(st.booleans()):
        data["cost"] = draw(st.sampled_from([*COSTS, "nope", 3]))
    if draw(st.booleans()):
        data["bias"] = draw(st.sampled_from(["neuron", "layer", "none", "both", 1]))
    if draw(st.booleans()):
        data["index_base"] = draw(st.sampled_from([0, 1, 2, -1, 1.0, "1"]))
    if draw(st.booleans()):
        data["notation"] = draw(st.sampled_from(["3b1b", "deeplizard", "nielsen", "x.toml", "/etc/passwd", 7]))
    if draw(st.booleans()):
        data["title"] = draw(st.sampled_from(HOSTILE) | st.text(max_size=30))
    if isinstance(sizes, list) and draw(st.booleans()):
        data["values"] = draw(value_tables(sizes))
    if draw(st.integers(0, 4)) == 0:
        data["claims"] = {"cost": draw(NUMBERS), "values": {draw(references()): draw(NUMBERS)}}
    if draw(st.integers(0, 9)) == 0:
        data[draw(st.text(min_size=1, max_size=8))] = 1
    return toml_document(data)


def references() -> st.SearchStrategy[str]:
    plain = st.sampled_from(["w_{00}^{(L)}", "b_0^{(L)}", "a_0^{(L-1)}", "z_0^{(L)}", "w_{00}^{(1)}", "all"])
    letters = st.sampled_from(["w", "b", "a", "z", "q", "W", "all", ""])
    sub = st.sampled_from(["", "_{12}", "_{1,2}", "_0", "_{00}", "_1", "_{99}", "_{j}", "_{²}", "_{-1}"])
    sup = st.sampled_from(["", "^{(L)}", "^{(L-1)}", "^(1)", "^{(0)}", "^{(9)}", "^{(L-9)}", "^L", "^{(l)}"])
    built = st.builds(lambda a, b, c: a + b + c, letters, sub, sup)
    return plain | built | st.text(max_size=40) | st.sampled_from(HOSTILE)


def claims() -> st.SearchStrategy[str]:
    tokens = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
    return tokens | st.text(max_size=80) | st.sampled_from(HOSTILE)


@st.composite
def commands(draw, spec_path: Path, out: Path) -> list[str]:
    command = draw(st.sampled_from(["derive", "evaluate", "gradcheck", "verify", "verify-claim"]))
    if command == "derive":
        fmt = draw(st.sampled_from(["text", "json", "md", "tex", "tex-body"]))
        return ["derive", str(spec_path), "--wrt", draw(references()), "--to", fmt, "-o", str(out)]
    if command == "evaluate":
        return ["evaluate", str(spec_path), "--json", "-o", str(out)]
    if command == "gradcheck":
        return ["gradcheck", str(spec_path)]
    if command == "verify":
        return ["verify", str(spec_path), "-o", str(out)]
    return ["verify", str(spec_path), "--wrt", draw(references()), "--claim", draw(claims()), "-o", str(out)]


STATUSES: list[tuple[str, int]] = []


def run_once(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        status = main(argv)
    except SystemExit as stop:  # argparse's own usage errors
        status = stop.code if isinstance(stop.code, int) else 2
    return status, capsys.readouterr().err


@FUZZ
@given(spec=specs(), data=st.data())
def test_any_spec_and_command_ends_cleanly(spec, data, tmp_path_factory, capsys):
    work = tmp_path_factory.mktemp("fuzz")
    with contextlib.chdir(work):
        check_one_spec(spec, data, work, capsys)


def check_one_spec(spec: str, data: st.DataObject, work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_path = work / "spec.toml"
    spec_path.write_text(spec, encoding="utf-8", errors="surrogatepass")
    out = work / "out.txt"
    argv = data.draw(commands(spec_path, out))
    status, err = run_once(argv, capsys)
    STATUSES.append((argv[0], status))
    assert status in (0, 1, 2), (argv, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    if status == 2:
        assert err.count("\n") == 1, err  # one line
        assert not out.exists(), argv  # a failed command writes no file
    assert not (work / "PWNED").exists()


@FUZZ
@given(claim=claims(), ref=references(), example=st.sampled_from(["deeplizard", "3b1b", "worked", "mazur"]))
def test_any_claim_on_a_real_network_ends_cleanly(claim, ref, example, tmp_path_factory, capsys):
    work = tmp_path_factory.mktemp("claims")
    with contextlib.chdir(work):
        check_one_claim(claim, ref, example, work, capsys)


def check_one_claim(claim: str, ref: str, example: str, work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = work / "report.json"
    status, err = run_once(
        ["verify", f"example:{example}", "--wrt", ref, "--claim", claim, "--json", "-o", str(out)], capsys
    )
    assert status in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, (claim, ref, err)
    if status in (0, 1):
        assert out.exists()
    else:  # bad input, an unreadable claim too: nothing written
        assert not out.exists(), err
    assert not (work / "PWNED").exists()


def test_the_fuzzing_reached_past_the_spec_checks():
    """Some generated runs succeed, so the suite exercises the engine and not only the spec's errors."""
    if not STATUSES:
        pytest.skip("run with the fuzz tests above")
    assert any(status == 0 for _, status in STATUSES), STATUSES
