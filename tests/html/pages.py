"""The web pages the tests load: one per built-in example (a derivation of a first-layer weight of each network
example, the whole gradient of each graph example), and a verdict, each written by the command line."""

from __future__ import annotations

import tomllib
from pathlib import Path

from symbackprop.base.resources import example_names, example_path
from symbackprop.cli import main
from symbackprop.model.network import Network

GRAPH_KEYS = ("graph", "skip", "tie")
LAYER_WRT = {"small-cnn": "W^{(1)}_{0,0,1,1}"}  # a [[layer]] stack's page: its first kernel's weight


LAYER_FIGURES = {"small-cnn": 3}  # the stack, the convolution and the max pool the path runs through


def figures_of(name: str) -> int:
    """How many figures the page of example ``name`` has: a [[layer]] stack's graph is drawn only when small, and
    its layers' figures always (the stack's, and each convolution, pooling, norm or rnn on the path)."""
    return LAYER_FIGURES[name] if "layer" in tomllib.loads(example_path(name).read_text()) else 1


def wrt_of(name: str) -> str:
    """What a page of example ``name`` derives: a graph's whole gradient, a network's first weight of layer 1
    (the longest derivation it has)."""
    data = tomllib.loads(example_path(name).read_text())
    if "layer" in data:
        return LAYER_WRT[name]  # a new [[layer]] example names its page's weight here
    if any(key in data for key in GRAPH_KEYS):
        return "all"
    net = Network.from_toml(example_path(name))
    first = net.spec.index_base
    return "w^{(1)}" if all(n == 1 for n in net.layers) else f"w_{{{first},{first}}}^{{(1)}}"


def example_page(name: str, folder: Path) -> Path:
    """The page of example ``name``, written by ``symbackprop derive example:NAME --wrt ... -o NAME.html``."""
    out = folder / f"{name}.html"
    status = main(["derive", f"example:{name}", "--wrt", wrt_of(name), "-o", str(out)])
    assert status == 0, f"derive example:{name} exited {status}"
    return out


def example_pages(folder: Path) -> dict[str, Path]:
    """Every built-in example's page."""
    return {name: example_page(name, folder) for name in example_names()}


ALL_PAGES = ("worked", "deeplizard", "3b1b")  # networks whose every weight and bias gets one page


def all_page(name: str, folder: Path) -> Path:
    """``symbackprop derive example:NAME --wrt all --to html``: every weight and bias of a network example."""
    out = folder / f"{name}-all.html"
    status = main(["derive", f"example:{name}", "--wrt", "all", "--to", "html", "-o", str(out)])
    assert status == 0, f"derive example:{name} --wrt all exited {status}"
    return out


VERDICTS = {  # a page name: the verify command that writes it, and the exit status it ends with
    "verdict-correct": (
        [
            "example:3b1b",
            "--claim",
            r"\frac{\partial C_0}{\partial w^{(L)}} = a^{(L-1)} \sigma'(z^{(L)}) 2(a^{(L)} - y)",
        ],
        0,
    ),
    "verdict-incorrect": (
        ["example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", r"2(a_1^{(L)} - y_1) a_2^{(L-1)}"],
        1,
    ),
    "verdict-graph": (["example:circuit", "--wrt", "x", "--claim", "y"], 1),
}


def verdict_pages(folder: Path) -> dict[str, Path]:
    """A verdict page of each kind: a claim proven, a claim refuted with its diagnosis, a graph's claim."""
    pages = {}
    for name, (args, expected) in VERDICTS.items():
        out = folder / f"{name}.html"
        status = main(["verify", *args, "-o", str(out)])
        assert status == expected, f"verify {' '.join(args)} exited {status}"
        pages[name] = out
    return pages
