"""Speed of the engine on computation graphs as they grow, against PyTorch autograd on the same graphs.

    python benchmarks/graph_scaling.py            # the full run
    python benchmarks/graph_scaling.py --quick    # under a minute

Random graphs of 50 to 1,600 nodes are drawn with the operations and domains of the property tests
(tests/graph_strategies.py: every operation a node may write, each where it is smooth and defined, values
within 8), each node using one to three earlier nodes or inputs, shared; the output sums the nodes no other
node uses, so every node reaches it. For each graph:

1. build (Graph.build: read every node's text), derive (derive_graph(graph, None), the backward pass to every
   name: --wrt all), numbers (graph_numbers: the forward values and every gradient, each formula compiled by
   lambdify then evaluated, as evaluate does), each the best of --repeat cold runs (SymPy's cache cleared, a
   fresh graph). The time of each against the graph's edges (node uses a name) is fitted on log-log by least
   squares: an exponent of 1 is linear growth.
2. One call of the forward and backward pass, warm: the engine's generated module (graph_module_source,
   NumPy backend, every name's gradient) and PyTorch CPU autograd, float64, of a forward function printed from
   the nodes' SymPy expressions by this file (torch.tanh, torch.sigmoid, ... one line per node), leaves with
   requires_grad, .backward(), every input's gradient read. Both are checked against graph_numbers before they
   are timed; calls take turns round by round and the best round counts (benchmarks/timing.py's per_call).
3. A 1,000-node graph end to end: in one process, cold, build, derive, numbers and the generated module's
   source one after the other; then the commands derive --wrt all --to json (which proves the gradients too),
   evaluate --json and codegen on its TOML spec, each as a fresh process (wall time, the interpreter's start and
   imports included; a command that fails is shown with its exit status and last line).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sympy as sp
from sympy.core.cache import clear_cache

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import CHECKOUT, fitted_exponent, per_call  # noqa: E402

from symbackprop.codegen.graph_modules import graph_module_source  # noqa: E402
from symbackprop.derive.graph_backprop import derive_graph  # noqa: E402
from symbackprop.model.graph import Graph  # noqa: E402
from symbackprop.model.graph_functions import relu, sigmoid  # noqa: E402
from symbackprop.numeric.graph_numbers import graph_numbers  # noqa: E402
from tests.graph_strategies import OPS, fits  # noqa: E402

SIZES = (50, 100, 200, 400, 800, 1600)
QUICK_SIZES = (50, 100, 200, 400)
END_TO_END = 1000
RTOL = 1e-9  # the engine's gradients against torch's before timing (float64, long chains: a little slack)


def random_graph(count: int, seed: int) -> tuple[dict[str, str], dict[str, float]]:
    """``count`` nodes over 8 + count/50 inputs, as node texts and input values; reproducible by ``seed``."""
    rng = random.Random(seed)
    leaves = [f"x_{{{k}}}" for k in range(8 + count // 50)]
    inputs = {name: rng.choice([k for k in range(-20, 21) if k]) / 8 for name in leaves}
    value: dict[str, float] = dict(inputs)
    unused: list[str] = []
    nodes: dict[str, str] = {}
    for i in range(count - 1):
        arity = rng.choice([1, 2, 2, 2, 3])
        chosen: list[str] = []
        for _ in range(arity):
            fresh = [u for u in unused if u not in chosen]
            chosen.append(rng.choice(fresh) if fresh and rng.random() < 0.5 else rng.choice(list(value)))
        args = [value[c] for c in chosen]
        op = rng.choice([op for op in OPS[arity] if fits(op, args)])
        name = f"h_{{{i + 1}}}"
        nodes[name] = op.write(chosen)
        value[name] = op.value(*args)
        unused = [u for u in unused if u not in chosen] + [name]
    nodes["L"] = " + ".join(unused)
    return nodes, inputs


def edges(graph: Graph) -> int:
    return sum(len(node.inputs) for node in graph.nodes)


def engine_times(nodes: dict[str, str], values: dict[str, float], repeat: int) -> dict[str, Any]:
    """Build, derive and numbers, each the best of ``repeat`` cold runs on a fresh graph (the engine caches local
    gradients and compiled formulas per graph)."""
    best = {"build": math.inf, "derive": math.inf, "numbers": math.inf}
    for _ in range(repeat):
        clear_cache()
        t0 = time.perf_counter()
        graph = Graph.build(nodes, values)
        t1 = time.perf_counter()
        d = derive_graph(graph, None)
        t2 = time.perf_counter()
        numbers = graph_numbers(d)
        t3 = time.perf_counter()
        for key, took in (("build", t1 - t0), ("derive", t2 - t1), ("numbers", t3 - t2)):
            best[key] = min(best[key], took)
    return {**best, "graph": graph, "result": numbers}


# PyTorch: a forward function printed from the nodes' SymPy expressions, one line per node.

_TORCH = {sp.exp: "torch.exp", sp.log: "torch.log", sp.tanh: "torch.tanh", sigmoid: "torch.sigmoid"}
_TORCH |= {relu: "torch.relu", sp.Abs: "torch.abs"}


def torch_source(graph: Graph) -> str:
    """A module of one function, forward(leaves...) -> output, one line per node; its constants made tensors once,
    when the module runs, not at every call."""
    names = {symbol: f"v{i}" for i, symbol in enumerate(graph.symbols[n] for n in graph.names)}
    constants: dict[sp.Basic, str] = {}
    body = [f"    {names[node.symbol]} = {_torch_expr(node.expression, names, constants)}" for node in graph.nodes]
    lines = [f"{name} = torch.tensor({float(c)!r}, dtype=torch.float64)" for c, name in constants.items()]
    lines.append(f"def forward({', '.join(names[graph.symbols[leaf]] for leaf in graph.leaves)}):")
    lines += body
    lines.append(f"    return {names[graph.symbols[graph.output]]}")
    return "\n".join(lines) + "\n"


def _torch_expr(e: sp.Basic, names: dict[sp.Basic, str], constants: dict[sp.Basic, str]) -> str:
    if e in names:
        return names[e]
    if e.is_Number or isinstance(e, sp.NumberSymbol):
        return constants.setdefault(e, f"c{len(constants)}")
    args = [_torch_expr(a, names, constants) for a in e.args]
    if isinstance(e, sp.Add):
        return "(" + " + ".join(args) + ")"
    if isinstance(e, sp.Mul):
        return "(" + " * ".join(args) + ")"
    if isinstance(e, sp.Pow):
        if e.exp == sp.S.Half:
            return f"torch.sqrt({args[0]})"
        exponent = int(e.exp) if e.exp.is_Integer else float(e.exp)
        return f"torch.pow({args[0]}, {exponent!r})"
    if isinstance(e, sp.Max | sp.Min):
        function = "torch.maximum" if isinstance(e, sp.Max) else "torch.minimum"
        out = args[0]
        for a in args[1:]:
            out = f"{function}({out}, {a})"
        return out
    if type(e) in _TORCH:
        return f"{_TORCH[type(e)]}({args[0]})"
    raise NotImplementedError(f"{type(e).__name__} in a node")


def torch_gradient(graph: Graph):
    """A function of the inputs' numbers giving d(output)/d(input) for each, by PyTorch autograd; None without
    torch."""
    try:
        import torch
    except ImportError:
        return None
    space: dict[str, Any] = {"torch": torch}
    exec(compile(torch_source(graph), "<graph forward>", "exec"), space)
    forward = space["forward"]

    def gradient(numbers: list[float]) -> list[float]:
        leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in numbers]
        forward(*leaves).backward()
        return [float(leaf.grad) if leaf.grad is not None else 0.0 for leaf in leaves]

    return gradient


def generated_gradient(graph: Graph):
    space: dict[str, Any] = {}
    exec(compile(graph_module_source(graph, "numpy"), "<generated module>", "exec"), space)
    return space["gradients"]


def agree(mine: float, theirs: float) -> bool:
    return abs(mine - theirs) <= RTOL * max(abs(mine), abs(theirs), 1.0)


def scaling_section(sizes: tuple[int, ...], repeat: int, quick: bool) -> None:
    print(f"\n1-2. graphs of growing size (seconds; build, derive, numbers: best of {repeat} cold runs;")
    print("     module call = the generated NumPy module's gradients(); torch = PyTorch CPU autograd, per call)")
    header = f"{'nodes':>6} {'edges':>6} {'build':>8} {'derive':>8} {'numbers':>8} {'codegen':>8}"
    print(header + f" {'module call':>11} {'torch call':>10} {'module/torch':>13}")
    points: dict[str, list[tuple[int, float]]] = {k: [] for k in ("build", "derive", "numbers", "module", "torch")}
    for count in sizes:
        nodes, values = random_graph(count, seed=count)
        t = engine_times(nodes, values, repeat)
        graph, numbers = t["graph"], t["result"]
        start = time.perf_counter()
        module = generated_gradient(graph)
        codegen = time.perf_counter() - start
        torch_grad = torch_gradient(graph)
        leaf_numbers = [values[name] for name in values]
        by_module = module(graph.values)
        assert all(agree(float(by_module[n]), numbers.gradients[n]) for n in graph.names), "module disagrees"
        works = {"module": lambda m=module, v=graph.values: m(v)}
        if torch_grad is not None:
            by_torch = torch_grad(leaf_numbers)
            assert all(agree(g, numbers.gradients[leaf]) for leaf, g in zip(graph.leaves, by_torch, strict=True)), (
                "torch disagrees"
            )
            works["torch"] = lambda f=torch_grad, v=leaf_numbers: f(v)
        calls = max(1, (20 if quick else 50) * 100 // count)
        each = per_call(works, calls, rounds=3 if quick else 7)
        n_edges = edges(graph)
        for key in ("build", "derive", "numbers"):
            points[key].append((n_edges, t[key]))
        points["module"].append((n_edges, each["module"]))
        line = f"{len(graph.nodes):6d} {n_edges:6d} {t['build']:8.3f} {t['derive']:8.3f} {t['numbers']:8.3f}"
        line += f" {codegen:8.3f} {each['module']:11.2e}"
        if "torch" in each:
            points["torch"].append((n_edges, each["torch"]))
            line += f" {each['torch']:10.2e} {each['module'] / each['torch']:13.2f}"
        else:
            line += f" {'torch not installed':>23}"
        print(line, flush=True)
    print("\n   fitted exponent of time in edges (least squares on log-log; 1 is linear):")
    for key, label in (
        ("build", "build"),
        ("derive", "derive --wrt all"),
        ("numbers", "numbers (forward + backward)"),
        ("module", "generated module, one call"),
        ("torch", "PyTorch autograd, one call"),
    ):
        if len(points[key]) >= 2:
            print(f"{label:>34} {fitted_exponent(points[key]):6.2f}")


def spec_text(nodes: dict[str, str], values: dict[str, float]) -> str:
    lines = ['title = "A random graph"', 'output = "L"', "", "[graph]"]
    lines += [f"{json.dumps(name)} = '{text}'" for name, text in nodes.items()]
    lines += ["", "[values]"] + [f"{json.dumps(name)} = {value!r}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def end_to_end_section(count: int) -> None:
    nodes, values = random_graph(count, seed=count)
    clear_cache()
    start = time.perf_counter()
    graph = Graph.build(nodes, values)
    took = {"build": time.perf_counter() - start}
    d = derive_graph(graph, None)
    took["derive --wrt all"] = time.perf_counter() - start - sum(took.values())
    graph_numbers(d)
    took["numbers"] = time.perf_counter() - start - sum(took.values())
    graph_module_source(graph, "numpy")
    took["codegen (NumPy module)"] = time.perf_counter() - start - sum(took.values())
    print(f"\n3. a {len(graph.nodes):,}-node graph ({edges(graph):,} edges) end to end (seconds)")
    print("   in one process, cold, each stage after the one before:")
    for label, seconds in took.items():
        print(f"{label:>30} {seconds:8.2f}")
    print(f"{'total':>30} {sum(took.values()):8.2f}")
    print("   each command as a fresh process on the graph's TOML spec (wall time, start and imports included):")
    with tempfile.TemporaryDirectory() as work:
        spec = Path(work) / "graph.toml"
        spec.write_text(spec_text(nodes, values))
        jobs = [
            ("derive --wrt all --to json", ["derive", str(spec), "--wrt", "all", "--to", "json"]),
            ("evaluate --json", ["evaluate", str(spec), "--json"]),
            ("codegen", ["codegen", str(spec), "-o", str(Path(work) / "grad.py")]),
        ]
        for label, arguments in jobs:
            command = [sys.executable, "-m", "symbackprop", *arguments]
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=work, env=CHECKOUT)
            took = time.perf_counter() - start
            status = f"{took:8.2f}" if done.returncode == 0 else f"{took:8.2f}  exit {done.returncode}: "
            if done.returncode != 0:
                status += (done.stderr.strip().splitlines() or [""])[-1][:100]
            print(f"{label:>30} {status}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to 400 nodes, one cold run each (under a minute)")
    parser.add_argument("--repeat", type=int, default=None, help="cold runs of build, derive, numbers (best counts)")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.quick else 3)
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores; load average {load} (other work on the machine slows every column alike)")
    try:
        import torch

        print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads; SymPy {sp.__version__}")
    except ImportError:
        print(f"PyTorch not installed; SymPy {sp.__version__}")
    scaling_section(QUICK_SIZES if args.quick else SIZES, repeat, args.quick)
    end_to_end_section(END_TO_END)


if __name__ == "__main__":
    main()
