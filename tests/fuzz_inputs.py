"""Generated input for the fuzz tests: spec files, references and claims, valid and broken, with hostile text.

Shared by the command line's fuzz tests (test_fuzz.py) and the Python API's (test_fuzz_api.py).
"""

from __future__ import annotations

import itertools
import math
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"


def fuzz(examples: int) -> settings:
    """Settings for a fuzz test of ``examples`` generated runs, the same ones every time; the long run
    (HYPOTHESIS_PROFILE=long) tries five times as many, freshly random."""
    return settings(
        max_examples=examples * (5 if LONG else 1),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not LONG,
    )


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


DEEP_TOML = [  # nested past a spec's shape, and past what a recursive reader can take
    "layers = " + "[" * 3000 + "]" * 3000,
    "layers = [1, 1]\ntitle = " + "{a = " * 600 + "1" + "}" * 600,
    "layers = [1, 1]\n[values]\nx = " + "[" * 30 + "1.0" + "]" * 30 + "\ny = [1.0]\nweights = [[[1.0]]]",
]


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
    if draw(st.integers(0, 3)) > 0:
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
        broken = ["", "[", "layers = [2,", "\ufeff", "a = 1\na = 2", *DEEP_TOML]
        return draw(st.text(max_size=200) | st.sampled_from(broken))
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


def parameters() -> st.SearchStrategy[str]:
    """A weight or bias most small networks have, or any reference at all."""
    common = st.sampled_from(["w_{00}^{(L)}", "w_{11}^{(L)}", "b_0^{(L)}", "b_1^{(L)}", "w_{00}^{(1)}", "w_{11}^{(1)}"])
    return st.one_of(common, common, common, references())


def claims() -> st.SearchStrategy[str]:
    tokens = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
    return tokens | st.text(max_size=80) | st.sampled_from(HOSTILE)


# Claims of dC_0/dw_12^(L) of example:deeplizard, right and wrong, as a textbook or a student writes them.
DEEPLIZARD_CLAIMS = [
    r"2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}",
    r"\frac{\partial C_0}{\partial w_{12}^{(L)}} = "
    r"2\left(a_1^{(L)} - y_1\right) g'^{(L)}\left(z_1^{(L)}\right) a_2^{(L-1)}",
    r"2(a_1^{(L)} - y_1) a_2^{(L-1)}",
    r"\frac{\partial C_0}{\partial a_1^{(L)}} \frac{\partial a_1^{(L)}}{\partial z_1^{(L)}} "
    r"\frac{\partial z_1^{(L)}}{\partial w_{12}^{(L)}}",
    r"\sum_{j=0}^{3} 2(a_j^{(L)} - y_j) g'^{(L)}(z_j^{(L)}) a_2^{(L-1)}",
]


@st.composite
def mutated_claims(draw) -> str:
    """A claim near a real one: cut short, a token put in or taken out, wrapped in many groups, repeated long."""
    claim = draw(st.sampled_from(DEEPLIZARD_CLAIMS))
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(claim)))
        how = draw(st.sampled_from(["cut", "insert", "delete", "nest", "repeat"]))
        if how == "cut":
            claim = claim[:where]
        elif how == "insert":
            claim = claim[:where] + draw(st.sampled_from(TOKENS)) + claim[where:]
        elif how == "delete":
            claim = claim[:where] + claim[where + 1 :]
        elif how == "nest":
            depth = draw(st.sampled_from([1, 5, 39, 41, 500]))
            opening, closing = draw(st.sampled_from([("{", "}"), ("(", ")"), ("\\left(", "\\right)"), ("{", "")]))
            claim = opening * depth + claim + closing * depth
        else:
            claim = " + ".join([claim] * draw(st.sampled_from([2, 30, 400])))
    return claim
